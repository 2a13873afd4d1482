"""Text we write for people, made harmless to the program that shows it.

Spreadsheets: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``,
``=cmd|' /C calc'!A0``). Every CSV and XLSX checker writes passes its cells through
``neutralise``, which puts an apostrophe before such text (the OWASP rule against CSV
injection): the program shows the text as it is, and the stored data is not changed.

Terminals: a control character in a document's notation or a vendor's message (an escape
sequence that retitles the terminal, moves the cursor, clears the screen) is shown escaped
(``\\x1b``) by ``escape_controls``, never sent raw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab and newline, DEL, C1 controls; and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def neutralise(value: object) -> object:
    """A cell value a spreadsheet program will not run: text that would start a formula gets
    a leading apostrophe; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_row(row: Mapping[str, object]) -> dict[str, object]:
    """Every cell of ``row`` through ``neutralise``."""
    return {key: neutralise(value) for key, value in row.items()}


def escape_controls(text: str) -> str:
    """``text`` for a terminal: control characters (but newline and tab) as ``\\xNN`` or
    ``\\uNNNN`` escapes."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def neutralise_cell(text: str) -> str:
    """``neutralise`` for a text cell (the scorecard workbooks' cells are text or numbers)."""
    return "'" + text if text.startswith(FORMULA_START) else text
