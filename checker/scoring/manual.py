"""Manual points: what inspectors (or the agency itself) enter for criteria that need human
judgement, in a TOML file they edit::

    ["000.00.01.H99"]      # agency code
    "3.1" = 8              # criterion id = points
    "4.2" = 4.5
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from checker.errors import ConfigError
from checker.i18n import _
from checker.tomlfile import read_toml

ManualPoints = dict[str, dict[str, Decimal]]


def load_manual_points(path: Path) -> ManualPoints:
    _text, raw = read_toml(path, _("manual points file {path}").format(path=path))
    points: ManualPoints = {}
    for agency, entries in raw.items():
        if not isinstance(entries, dict):
            raise ConfigError(_not_a_table(path, agency))
        points[agency] = {c: _points(path, agency, c, v) for c, v in entries.items()}
    return points


def _points(path: Path, agency: str, criterion: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        message = _("manual points file {path}: [{agency}] {criterion} is not a number")
        raise ConfigError(message.format(path=path, agency=agency, criterion=criterion))
    message = _("manual points file {path}: [{agency}] {criterion} = {value} is not a number")
    not_a_number = message.format(path=path, agency=agency, criterion=criterion, value=repr(value))
    try:
        points = Decimal(str(value))
    except InvalidOperation as exc:
        raise ConfigError(not_a_number) from exc
    if not points.is_finite():  # TOML's nan and inf
        raise ConfigError(not_a_number)
    if points < 0:
        message = _("manual points file {path}: [{agency}] {criterion} is negative")
        raise ConfigError(message.format(path=path, agency=agency, criterion=criterion))
    return points


def _not_a_table(path: Path, agency: str) -> str:
    message = _("manual points file {path}: {agency} should be a table of criterion = points")
    return message.format(path=path, agency=repr(agency))


ManualEntries = dict[str, dict[str, tuple[Decimal, str]]]


def load_manual_entries(path: Path) -> ManualEntries:
    """Manual points with an optional note each, for entering on a scorecard::

    ["000.00.01.H99"]
    "3.1" = 8
    "1.3" = { points = 8, note = "the register kept on paper until March" }
    """
    _text, raw = read_toml(path, _("manual points file {path}").format(path=path))
    entries: ManualEntries = {}
    for agency, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(_not_a_table(path, agency))
        entries[agency] = {c: _entry(path, agency, c, v) for c, v in table.items()}
    return entries


def _entry(path: Path, agency: str, criterion: str, value: object) -> tuple[Decimal, str]:
    if not isinstance(value, dict):
        return _points(path, agency, criterion, value), ""
    unknown = sorted(set(value) - {"points", "note"})
    if unknown or "points" not in value:
        message = _("manual points file {path}: [{agency}] {criterion} takes points and note only")
        raise ConfigError(message.format(path=path, agency=agency, criterion=criterion))
    note = value.get("note", "")
    if not isinstance(note, str):
        message = _("manual points file {path}: [{agency}] {criterion} note is not text")
        raise ConfigError(message.format(path=path, agency=agency, criterion=criterion))
    return _points(path, agency, criterion, value["points"]), note
