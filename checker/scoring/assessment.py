"""The assessment (*bản chấm điểm*): one agency's scorecard for one year on one criteria set,
kept as a record that only grows.

Every criterion carries entries by role: ``measured`` (points frozen at pre-fill time, with
the run they came from, numerator, denominator and the evidence command), ``self`` (the
agency's own score, *tự chấm điểm*), ``inspection`` (the inspection team's), ``agreed`` (the
cluster's vote), and ``note``. Nothing is overwritten: a change is a new entry, so the
history of every cell can be shown. The points that count are the newest entry of the first
role that has one, in the order agreed > inspection > self > measured. Overriding a measured
criterion with other points needs a note (as an XCCDF override: old, new, who, why).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, insert, select, update

from checker.errors import CriteriaError
from checker.i18n import N_, _
from checker.scoring.criteria import CriteriaSet, Criterion
from checker.scoring.points import points_text
from checker.store.models import ASSESSMENT, ASSESSMENT_ENTRY
from metrics.period import assessable_year

MEASURED = "measured"
SELF = "self"
INSPECTION = "inspection"
AGREED = "agreed"
NOTE = "note"
PEOPLE = (SELF, INSPECTION, AGREED)
COUNTING_ORDER = (AGREED, INSPECTION, SELF, MEASURED)
ROLE_NAMES = {  # marked here, translated with _() where shown
    MEASURED: N_("measured"),
    SELF: N_("self-assessed"),
    INSPECTION: N_("inspection team"),
    AGREED: N_("agreed"),
    NOTE: N_("note"),
}


@dataclass(frozen=True)
class Entry:
    """One stored entry; ``points`` None is a measured criterion with nothing to measure."""

    criterion_id: str
    role: str
    points: Decimal | None
    note: str
    entered_by: str
    entered_at: datetime
    source: str = ""
    run_id: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class NewEntry:
    """A score or a note to append: ``points`` None with a note is a note alone."""

    criterion_id: str
    role: str
    points: Decimal | None
    note: str = ""
    where: str = ""  # where it was read (file, sheet, cell), for error messages


@dataclass(frozen=True)
class Cell:
    """A criterion on the scorecard: the newest entry of each role and the newest note."""

    section_id: str
    criterion: Criterion
    latest: dict[str, Entry] = field(default_factory=dict)
    note: str = ""

    def points_of(self, role: str) -> Decimal | None:
        entry = self.latest.get(role)
        return None if entry is None else entry.points

    @property
    def counting(self) -> tuple[str | None, Decimal | None]:
        """The role whose points count, and the points; (None, None) while none is entered."""
        for role in COUNTING_ORDER:
            points = self.points_of(role)
            if points is not None:
                return role, points
        return None, None


@dataclass(frozen=True)
class Scorecard:
    id: int
    agency_code: str
    year: int
    criteria: CriteriaSet
    criteria_hash: str
    cells: tuple[Cell, ...]
    closed_at: datetime | None = None
    closed_by: str | None = None
    counted_as_zero: tuple[str, ...] = ()

    def cell(self, criterion_id: str) -> Cell:
        return next(c for c in self.cells if c.criterion.id == criterion_id)

    @property
    def missing(self) -> tuple[str, ...]:
        """Criteria with no points that count yet (not entered, or nothing to measure)."""
        return tuple(c.criterion.id for c in self.cells if c.counting[1] is None)


def criteria_hash(criteria: CriteriaSet) -> str:
    """The content hash of a criteria set: two versions with the same id differ here."""
    body = criteria.model_dump_json(by_alias=True).encode()
    return hashlib.sha256(body).hexdigest()[:16]


# --- opening and reading ------------------------------------------------------------------


def open_assessment(
    connection: Connection, agency_code: str, year: int, criteria: CriteriaSet, now: datetime
) -> int:
    """The id of the agency's assessment for the year on this criteria set, made if new.
    An assessment made with another version of the set is refused."""
    digest = criteria_hash(criteria)
    row = find_assessment(connection, agency_code, year, criteria.id)
    if row is None:
        assessable_year(year, now.date())
    if row is not None:
        if row["criteria_hash"] != digest:
            message = _(
                "the {year} assessment of {agency} was made with another version of criteria "
                "set {criteria} (hash {made}, now {now}); score with the version it was made with"
            )
            raise CriteriaError(
                message.format(
                    year=year,
                    agency=agency_code,
                    criteria=criteria.id,
                    made=row["criteria_hash"],
                    now=digest,
                )
            )
        return int(row["id"])
    values = {
        "agency_code": agency_code,
        "year": year,
        "criteria_id": criteria.id,
        "criteria_hash": digest,
        "created_at": now,
    }
    inserted = connection.execute(insert(ASSESSMENT).values(**values)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def find_assessment(
    connection: Connection, agency_code: str, year: int, criteria_id: str
) -> RowMapping | None:
    query = select(ASSESSMENT).where(
        ASSESSMENT.c.agency_code == agency_code,
        ASSESSMENT.c.year == year,
        ASSESSMENT.c.criteria_id == criteria_id,
    )
    return connection.execute(query).mappings().first()


def load_scorecard(connection: Connection, assessment_id: int, criteria: CriteriaSet) -> Scorecard:
    """The scorecard as it stands: the newest entry of each role for every criterion."""
    head = connection.execute(select(ASSESSMENT).where(ASSESSMENT.c.id == assessment_id))
    row = head.mappings().one()
    if row["criteria_id"] != criteria.id:
        message = _("assessment {id} is on {criteria}")
        raise CriteriaError(message.format(id=assessment_id, criteria=row["criteria_id"]))
    latest: dict[str, dict[str, Entry]] = {}
    notes: dict[str, str] = {}
    for entry in _entries(connection, assessment_id):
        if entry.role != NOTE:
            latest.setdefault(entry.criterion_id, {})[entry.role] = entry
        if entry.note:
            notes[entry.criterion_id] = entry.note
    cells = tuple(
        Cell(s.id, c, latest.get(c.id, {}), notes.get(c.id, ""))
        for s in criteria.sections
        for c in s.criteria
    )
    zero = tuple(json.loads(row["counted_as_zero"])) if row["counted_as_zero"] else ()
    return Scorecard(
        assessment_id,
        row["agency_code"],
        row["year"],
        criteria,
        row["criteria_hash"],
        cells,
        row["closed_at"],
        row["closed_by"],
        zero,
    )


def empty_scorecard(agency_code: str, year: int, criteria: CriteriaSet) -> Scorecard:
    """The scorecard of an agency that has none stored yet: every criterion missing."""
    cells = tuple(Cell(s.id, c) for s in criteria.sections for c in s.criteria)
    return Scorecard(0, agency_code, year, criteria, criteria_hash(criteria), cells)


def cell_history(connection: Connection, card: Scorecard, criterion_id: str) -> list[Entry]:
    """Every entry of one criterion of the scorecard, oldest first; a criterion its criteria
    set does not hold is refused."""
    ids = [c.criterion.id for c in card.cells]
    if criterion_id not in ids:
        message = _("criteria set {criteria} has no criterion {criterion} (its criteria: {ids})")
        criterion = repr(criterion_id)
        raise CriteriaError(
            message.format(criteria=card.criteria.id, criterion=criterion, ids=", ".join(ids))
        )
    return [e for e in _entries(connection, card.id) if e.criterion_id == criterion_id]


def _entries(connection: Connection, assessment_id: int) -> Iterable[Entry]:
    table = ASSESSMENT_ENTRY
    query = select(table).where(table.c.assessment_id == assessment_id).order_by(table.c.id)
    for r in connection.execute(query).mappings():
        yield Entry(
            r["criterion_id"],
            r["role"],
            None if r["points"] is None else Decimal(r["points"]),
            r["note"],
            r["entered_by"],
            r["entered_at"],
            r["source"],
            r["run_id"],
            r["numerator"],
            r["denominator"],
            r["evidence"],
        )


# --- entering -------------------------------------------------------------------------------


def check_entries(card: Scorecard, entries: Sequence[NewEntry]) -> list[str]:
    """What is wrong with entries for a scorecard, one line each; nothing when all fit."""
    if card.closed_at is not None:
        message = _("the {year} assessment of {agency} is closed")
        return [message.format(year=card.year, agency=card.agency_code)]
    problems: list[str] = []
    known = {c.criterion.id: c for c in card.cells}
    for entry in entries:
        where = f"{entry.where}: " if entry.where else ""
        cell = known.get(entry.criterion_id)
        if cell is None:
            message = _("{criteria} has no criterion {criterion}")
            problems.append(
                where + message.format(criteria=card.criteria.id, criterion=entry.criterion_id)
            )
            continue
        problems += [where + p for p in _entry_problems(cell, entry)]
    return problems


def _entry_problems(cell: Cell, entry: NewEntry) -> Iterable[str]:
    criterion = cell.criterion
    if entry.role not in (*PEOPLE, NOTE):
        message = _("role {role} is not one of {roles}")
        yield message.format(role=repr(entry.role), roles=", ".join((*PEOPLE, NOTE)))
        return
    if entry.points is None or entry.points == cell.points_of(entry.role):
        return  # a note alone, or points already on the card (checked when entered)
    if entry.points < 0:
        message = _("{points} is negative for criterion {criterion}")
        yield message.format(points=points_text(entry.points), criterion=criterion.id)
    if entry.points > criterion.max:
        message = _("{points} is above the maximum {max} of criterion {criterion}")
        yield message.format(
            points=points_text(entry.points),
            max=points_text(criterion.max),
            criterion=criterion.id,
        )
    measured = cell.points_of(MEASURED)
    if measured is not None and entry.points != measured and not entry.note.strip():
        message = _(
            "criterion {criterion} is measured at {measured}: giving {points} instead needs "
            "a note saying why"
        )
        yield message.format(
            criterion=criterion.id,
            measured=points_text(measured),
            points=points_text(entry.points),
        )


def changed_entries(card: Scorecard, entries: Sequence[NewEntry]) -> list[NewEntry]:
    """The entries that change something: new points for a role, or a new note."""
    changed = []
    for entry in entries:
        cell = card.cell(entry.criterion_id)
        if entry.points is not None and entry.points != cell.points_of(entry.role):
            changed.append(entry)
        elif entry.note.strip() and entry.note.strip() != cell.note:
            changed.append(NewEntry(entry.criterion_id, NOTE, None, entry.note.strip()))
    return changed


def check_who(who: str) -> None:
    """Every entry and every closing names who made it: a blank name is refused."""
    if not who.strip():
        raise CriteriaError(_("say who enters the scores (--by NAME, UNIT): it is recorded"))


def record_entries(
    connection: Connection,
    card: Scorecard,
    entries: Sequence[NewEntry],
    who: str,
    source: str,
    now: datetime,
) -> int:
    """Append the entries that change something, all or none; returns how many."""
    check_who(who)
    problems = check_entries(card, entries)
    if problems:
        raise CriteriaError("; ".join(problems))
    changed = changed_entries(card, entries)
    rows = [
        {
            "assessment_id": card.id,
            "criterion_id": e.criterion_id,
            "role": e.role,
            "points": None if e.points is None else str(e.points),
            "note": e.note.strip(),
            "entered_by": who,
            "entered_at": now,
            "source": source,
        }
        for e in changed
    ]
    if rows:
        connection.execute(insert(ASSESSMENT_ENTRY), rows)
    return len(rows)


def record_measured(connection: Connection, assessment_id: int, entries: Sequence[Entry]) -> None:
    """Freeze measured points on a scorecard (pre-fill)."""
    if not entries:
        return
    rows = [
        {
            "assessment_id": assessment_id,
            "criterion_id": e.criterion_id,
            "role": MEASURED,
            "points": None if e.points is None else str(e.points),
            "note": e.note,
            "entered_by": e.entered_by,
            "entered_at": e.entered_at,
            "source": e.source,
            "run_id": e.run_id,
            "numerator": e.numerator,
            "denominator": e.denominator,
            "evidence": e.evidence,
        }
        for e in entries
    ]
    connection.execute(insert(ASSESSMENT_ENTRY), rows)


def close_assessment(connection: Connection, card: Scorecard, who: str, now: datetime) -> Scorecard:
    """Make the grade final: missing entries count 0, and the scorecard says which."""
    check_who(who)
    if card.closed_at is not None:
        message = _("the {year} assessment of {agency} is already closed")
        raise CriteriaError(message.format(year=card.year, agency=card.agency_code))
    zero = list(card.missing)
    connection.execute(
        update(ASSESSMENT)
        .where(ASSESSMENT.c.id == card.id)
        .values(closed_at=now, closed_by=who, counted_as_zero=json.dumps(zero))
    )
    return load_scorecard(connection, card.id, card.criteria)
