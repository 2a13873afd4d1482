"""Entering scores on scorecards from the manual-points TOML file, for a given year and role
(self, inspection team, agreed): one of the ways people score, besides the workbooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from checker.config import Deployment
from checker.errors import ConfigError, CriteriaError
from checker.i18n import _
from checker.scoring.assessment import (
    PEOPLE,
    NewEntry,
    check_who,
    load_scorecard,
    open_assessment,
    record_entries,
)
from checker.scoring.criteria import CriteriaSet
from checker.scoring.manual import load_manual_entries
from metrics.period import assessable_year


@dataclass(frozen=True)
class Entered:
    agencies: int
    entries: int


def enter_manual_file(
    connection: Connection,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    path: Path,
    year: int,
    role: str,
    who: str,
    now: datetime,
) -> Entered:
    """Append the file's scores as ``role`` on each agency's scorecard for ``year``; the
    whole file or nothing. Entries equal to what is there already change nothing."""
    if role not in PEOPLE:
        message = _("role {role}: use one of {roles}")
        raise ConfigError(message.format(role=repr(role), roles=", ".join(PEOPLE)))
    assessable_year(year, now.date())
    check_who(who)
    agencies = {a.code: a for a in deployment.agencies}
    total = 0
    file_entries = load_manual_entries(path)
    for code, table in file_entries.items():
        if code not in agencies:
            message = _("manual points file {path}: [{code}] is not an agency")
            raise ConfigError(message.format(path=path, code=code))
        criteria = criteria_by_group[agencies[code].group]
        card = load_scorecard(
            connection, open_assessment(connection, code, year, criteria, now), criteria
        )
        entries = [NewEntry(c, role, p, note) for c, (p, note) in table.items()]
        try:
            total += record_entries(connection, card, entries, who, f"toml:{path.name}", now)
        except CriteriaError as exc:
            message = _("manual points file {path}: [{code}] {error}")
            raise ConfigError(message.format(path=path, code=code, error=exc)) from exc
    return Entered(len(file_entries), total)
