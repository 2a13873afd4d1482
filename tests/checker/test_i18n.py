"""The catalogues: every message of the code translated into Vietnamese, the compiled
catalogues in step with the ones translators edit, and the language chosen per context."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from checker.i18n import LOCALE_DIR, Language, _, current_language, ngettext, speaking

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)s")


def _code_messages() -> set[str]:
    """The msgids ``pybabel extract -F babel.cfg`` finds (the singular of a plural): the
    Python code's and the report site's templates'."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_extraction_reads_the_site_templates():
    assert "Ranking" in _code_messages()


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / language / "LC_MESSAGES" / "checker.po").open("rb") as po:
        return read_po(po)


def _strings(message) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_message_of_the_code_has_a_vietnamese_translation():
    code = _code_messages()
    assert code, "the extraction found no message"
    vietnamese = _catalogue("vi")
    held = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in vietnamese if m.id}
    assert sorted(code - set(held)) == [], "run pybabel extract and update (docs/translating.md)"
    assert sorted(set(held) - code) == [], "messages no longer in the code: pybabel update"
    untranslated = [i for i, m in held.items() if not all(_strings(m)) or m.fuzzy]
    assert untranslated == []


def test_every_translation_keeps_the_placeholders_of_its_message():
    for message in _catalogue("vi"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in _strings(message):
            assert set(PLACEHOLDER.findall(text)) == wanted, message.id


def test_the_committed_compiled_catalogues_match_the_ones_translators_edit():
    for language in Language:
        compiled = io.BytesIO()
        write_mo(compiled, _catalogue(language.value))
        committed = LOCALE_DIR / language.value / "LC_MESSAGES" / "checker.mo"
        fresh = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
        with committed.open("rb") as mo:
            stored = gettext.GNUTranslations(mo)
        assert stored._catalog == fresh._catalog, f"run pybabel compile for {language.value}"  # type: ignore[attr-defined]


def test_vietnamese_by_default_english_inside_speaking_and_back_after():
    assert current_language() == Language.vi
    assert _("no digital signature") == "không có chữ ký số"
    with speaking(Language.en):
        assert _("no digital signature") == "no digital signature"
        assert ngettext("overdue by {n} day", "overdue by {n} days", 2) == "overdue by {n} days"
    assert ngettext("overdue by {n} day", "overdue by {n} days", 2) == "quá hạn {n} ngày"
