"""Reading the TOML files people write (deployment, criteria sets, manual points), with
one-line errors that name the file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from checker.errors import ConfigError
from checker.i18n import N_, _
from checker.oserrors import os_reason

# tomllib's reasons, in the reader's language; one not listed here is quoted as it came
_REASONS = {
    "Invalid statement": N_("a line that is neither a key = value nor a [table]"),
    "Expected newline or end of document after a statement": N_(
        "something after a value on the same line"
    ),
    "Cannot overwrite a value": N_("a key given a value twice"),
    "Expected '=' after a key in a key/value pair": N_("a key without '=' after it"),
    "Invalid initial character for a key part": N_("a key starting with a character not allowed"),
    "Unclosed array": N_("a list [ ... ] that is not closed"),
    "Unclosed inline table": N_("a table { ... } that is not closed"),
    "Unterminated string": N_("a text whose quotes are not closed"),
    "Invalid date or datetime": N_("an impossible date or time"),
    "Invalid value": N_("a value missing or not written as TOML writes values"),
    "Expected ']' at the end of a table declaration": N_("a [table] header without its ']'"),
    "Expected ']]' at the end of an array declaration": N_("a [[table]] header without its ']]'"),
    "Unescaped '\\' in a string": N_("a backslash in a text that starts no escape"),
}
_AT = re.compile(
    r"^(?P<reason>.*?) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def read_toml(path: Path, where: str) -> tuple[str, dict[str, Any]]:
    """The text and the parsed table of a TOML file; ``where`` names it in errors, e.g.
    "criteria file config/criteria/hanoi-2017.toml"."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            _("{where}: cannot be read ({reason})").format(where=where, reason=os_reason(exc))
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{where}: not UTF-8 text (byte {n})").format(where=where, n=exc.start)
        ) from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_not_toml(where, str(exc))) from exc
    except RecursionError as exc:
        message = _("{where}: arrays or tables nested too deeply to read")
        raise ConfigError(message.format(where=where)) from exc


def _not_toml(where: str, said: str) -> str:
    """tomllib's error as one line: where in the file, and why in our words when we know them."""
    match = _AT.match(said)
    if match is None:
        return _("{where}: not valid TOML ({error})").format(where=where, error=said)
    reason = match["reason"]
    reason = _(_REASONS[reason]) if reason in _REASONS else reason
    if match["line"] is None:
        message = _("{where}, at the end: not valid TOML ({error})")
        return message.format(where=where, error=reason)
    message = _("{where}, line {line}, column {column}: not valid TOML ({error})")
    return message.format(where=where, line=match["line"], column=match["column"], error=reason)
