"""The language people read: one home for choosing it and for translating into it.

Messages are written in English in the code (the gettext *msgids*) and translated in the
catalogues ``checker/locale/<language>/LC_MESSAGES/checker.po``, compiled to ``checker.mo``
beside them (committed, so a fresh checkout and the wheel need no build step). Vietnamese is
the default; English on request: ``checker --lang en`` or ``CHECKER_LANG=en``. How a
translator updates the catalogues: ``docs/translating.md``.

Nothing is chosen at import time: the command line's callback calls :func:`use_language`;
a library function called without it (a test) reads Vietnamese. Ids (criterion ``1.3``,
grade ``tot``, metric ``inbound.registered``) are for machines and are never translated.

    from checker.i18n import _, ngettext
    _("no digital signature")                                  # "không có chữ ký số"
    ngettext("{n} day", "{n} days", n).format(n=n)
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from enum import StrEnum
from functools import cache
from pathlib import Path

from checker.errors import ConfigError

DOMAIN = "checker"
LOCALE_DIR = Path(__file__).parent / "locale"


class Language(StrEnum):
    """The languages the catalogues hold."""

    vi = "vi"
    en = "en"


DEFAULT_LANGUAGE = Language.vi

_language: ContextVar[Language] = ContextVar("checker_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """The compiled catalogue of ``language``, read once."""
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language.value])
    except OSError as exc:
        raise ConfigError(
            f"no compiled catalogue for language {language.value} in {LOCALE_DIR}: "
            "run pybabel compile (docs/translating.md)"
        ) from exc


def use_language(language: Language) -> Token[Language]:
    """Read in ``language`` from now on (in this context); the token undoes it."""
    translations(language)
    return _language.set(language)


def reset_language(token: Token[Language]) -> None:
    _language.reset(token)


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Read in ``language`` inside the block."""
    token = use_language(language)
    try:
        yield
    finally:
        reset_language(token)


def current_language() -> Language:
    return _language.get()


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits the number ``n``, in the current language."""
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it yet: it is translated
    with ``_()`` where it is shown, in the language chosen then."""
    return message


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
