"""Cells of a spreadsheet made safe: text that a spreadsheet would run as a formula.

Text from the logs (a document's subject, a file's title, a code) ends up in CSV and XLSX
files that people open in Excel or LibreOffice. A cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return may be taken for a formula (CSV injection); such text is
kept, with a leading apostrophe, so it shows as the text it was and never runs.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet could run: then ``'`` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
