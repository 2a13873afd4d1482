"""Cell text written to spreadsheets and CSV files: text from the logs (document subjects)
that a spreadsheet program would run as a formula is neutralised."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    """Text that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets
    a leading apostrophe, so no spreadsheet program runs it (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
