"""Scorecard workbooks as use cases: export a year's scorecards (one workbook per agency, or
per group or cluster with a sheet per agency), and import filled workbooks back, each taken
whole or not at all, the rest carrying on."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from checker.config import Agency, Deployment
from checker.errors import CheckerError, CriteriaError, OutputError, WorkbookError
from checker.i18n import _
from checker.reports.workbook import AgencyCard, export_workbook, grade_text, read_workbook
from checker.scoring.assessment import (
    MEASURED,
    Scorecard,
    check_entries,
    check_who,
    empty_scorecard,
    find_assessment,
    load_scorecard,
    open_assessment,
    record_entries,
)
from checker.scoring.claims import Claim, overclaims
from checker.scoring.criteria import CriteriaSet
from checker.scoring.ranking import (
    Mark,
    Nomination,
    Place,
    Ranked,
    mark,
    nominations,
    places,
    rank_cards,
)
from checker.scoring.standing import standing
from checker.store.engine import hold_writes_lock
from checker.store.models import RUN
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.evidence_batches import EvidenceBatches, stored_lines
from metrics.period import Period, assessable_year
from metrics.workdays import write_period_calendar


class Split(StrEnum):
    agency = "agency"
    group = "group"
    cluster = "cluster"


@dataclass(frozen=True)
class Exported:
    files: list[Path]
    agencies: int


def year_cards(
    connection: Connection,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    year: int,
    now: datetime,
    create: bool = True,
) -> list[tuple[Agency, Scorecard]]:
    """Every agency's scorecard for the year; one it has none of yet is opened (``create``)
    or shown empty without storing anything."""
    cards = []
    for agency in deployment.agencies:
        criteria = criteria_by_group[agency.group]
        if create:
            assessment_id = open_assessment(connection, agency.code, year, criteria, now)
        else:
            row = find_assessment(connection, agency.code, year, criteria.id)
            if row is None:
                cards.append((agency, empty_scorecard(agency.code, year, criteria)))
                continue
            assessment_id = row["id"]
        cards.append((agency, load_scorecard(connection, assessment_id, criteria)))
    return cards


def export_scorecards(
    engine: Engine,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    year: int,
    folder: Path,
    split: Split,
    now: datetime,
    with_evidence: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Exported:
    """Write the year's workbooks into ``folder``; evidence sheets (one-agency workbooks) list
    the documents behind each measured criterion for the period of the run it came from.

    Memory does not grow with the number of agencies' scorecards: they are ranked from their
    marks (``scoring.ranking``), each loaded again when its workbook is written, and the
    evidence is read a batch of agencies at a time, one query per metric, a batch holding
    about ``metrics.evidence_batches.BATCH_LINES`` lines (``EvidenceBatches``)."""
    assessable_year(year, now.date())
    if folder.exists() and not folder.is_dir():
        message = _("the workbooks' folder {folder} is a file: name a folder")
        raise OutputError(message.format(folder=folder))
    periods: dict[str, Period] = {}
    lines: dict[str, int] = {}
    with engine.begin() as connection:
        if with_evidence:  # first in the transaction: it waits for a measuring process
            hold_writes_lock(connection)
        cards = _Year.open(connection, deployment, criteria_by_group, year, now)
        if with_evidence:
            write_registry(connection, deployment)
        if with_evidence and split is Split.agency:
            periods = _run_periods(connection, deployment, cards.run_of, year)
            metrics = {c.metric for s in criteria_by_group.values() for c in s.criteria if c.metric}
            lines = stored_lines(connection, cards.run_of, metrics)
    placed = places(cards.marks)
    cluster_picks = {n.among: n for n in nominations(deployment, cards.marks)[0]}
    source = None
    if with_evidence and split is Split.agency:
        source = EvidenceBatches(
            connect=engine.begin,  # stale document facts are worked out
            calendar=WorkingCalendar.from_overrides(deployment.calendar),
            codes=[a.code for a in deployment.agencies],
            period_of=periods,
            lines=lines,
            files=deployment.files,
        ).missed
    files = []
    batches = _batches(deployment, deployment.agencies, split)
    for done, (name, members) in enumerate(batches, start=1):
        with engine.connect() as connection:
            agency_cards = [
                _agency_card(
                    load_scorecard(connection, cards.ids[a.code], criteria_by_group[a.group]),
                    a,
                    placed[a.code],
                    cards.cluster_of.get(a.code, ""),
                    cards.grades[a.code],
                    split,
                )
                for a in members
            ]
        footer: tuple[str, ...] = ()
        if split is Split.cluster:
            footer = (nomination_text(cluster_picks[_cluster_id(deployment, name)]),)
        path = folder / f"{_file_name(name)}.xlsx"
        files.append(export_workbook(path, agency_cards, deployment.city, source, footer))
        if progress is not None:
            progress(done, len(batches))
    return Exported(files, len(deployment.agencies))


@dataclass(frozen=True)
class _Year:
    """The year's scorecards as the export keeps them between ranking and writing: each
    agency's assessment id, mark, grade in words (its standing is not worked out twice) and
    the newest run its measured points came from."""

    ids: dict[str, int]
    marks: list[Mark]
    grades: dict[str, str]
    run_of: dict[str, int | None]
    cluster_of: dict[str, str]

    @classmethod
    def open(
        cls,
        connection: Connection,
        deployment: Deployment,
        criteria_by_group: Mapping[str, CriteriaSet],
        year: int,
        now: datetime,
    ) -> _Year:
        """Every agency's scorecard opened if new, read one at a time and let go."""
        cluster_of = {m: c.id for c in deployment.clusters for m in c.members}
        ids: dict[str, int] = {}
        marks = []
        grades = {}
        run_of: dict[str, int | None] = {}
        for agency in deployment.agencies:
            criteria = criteria_by_group[agency.group]
            ids[agency.code] = open_assessment(connection, agency.code, year, criteria, now)
            card = load_scorecard(connection, ids[agency.code], criteria)
            where = standing(card)
            marks.append(mark(agency, card, where, cluster_of.get(agency.code, "")))
            grades[agency.code] = grade_text(where)
            runs = [e.run_id for c in card.cells if (e := c.latest.get(MEASURED)) and e.run_id]
            run_of[agency.code] = max(runs, default=None)
        return cls(ids, marks, grades, run_of, cluster_of)


def _agency_card(
    card: Scorecard, agency: Agency, place: Place, cluster: str, grade: str, split: Split
) -> AgencyCard:
    rank = place.cluster_rank if split is Split.cluster else place.group_rank
    return AgencyCard(card, agency.name, rank, cluster, grade=grade)


def _cluster_id(deployment: Deployment, name: str) -> str:
    return next(c.id for c in deployment.clusters if c.name == name)


def nomination_text(nomination: Nomination) -> str:
    """Who is proposed, or the tie the vote must decide, or that no unit qualifies."""
    if nomination.nominee is not None:
        line = _("{among}: proposes {nominee}")
        return line.format(among=nomination.among, nominee=nomination.nominee)
    if nomination.tied:
        line = _("{among}: equal points between {tied}, a vote must decide")
        return line.format(among=nomination.among, tied=", ".join(nomination.tied))
    return _("{among}: no unit reached the highest grade to propose").format(among=nomination.among)


@dataclass(frozen=True)
class YearSummary:
    """The year's scorecards ranked, the nominations, and self-scores above the logs."""

    ranked: list[Ranked]
    names: dict[str, str]
    clusters: list[Nomination]
    districts: list[Nomination]
    claims: dict[str, list[Claim]]


def year_summary(
    engine: Engine,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    year: int,
    now: datetime,
) -> YearSummary:
    assessable_year(year, now.date())
    with engine.connect() as connection:
        cards = year_cards(connection, deployment, criteria_by_group, year, now, create=False)
    ranked = rank_cards(deployment, cards)
    clusters, districts = nominations(deployment, ranked)
    names = {a.code: a.name for a in deployment.agencies}
    return YearSummary(ranked, names, clusters, districts, overclaims(cards))


def _batches(
    deployment: Deployment, agencies: Sequence[Agency], split: Split
) -> list[tuple[str, list[Agency]]]:
    if split is Split.agency:
        return [(f"{a.code} {a.name}", [a]) for a in agencies]
    if split is Split.group:
        return [
            (g.name, members)
            for g in deployment.groups
            if (members := [a for a in agencies if a.group == g.id])
        ]
    by_code = {a.code: a for a in agencies}
    return [(c.name, [by_code[m] for m in c.members]) for c in deployment.clusters]


def _file_name(text: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in text).strip()


def _run_periods(
    connection: Connection, deployment: Deployment, run_of: Mapping[str, int | None], year: int
) -> dict[str, Period]:
    """The period each agency's evidence is read over: that of the run its measured points
    came from (the year for a scorecard measured by no run), its working-day calendar
    written once (it was written for every agency and metric: 22,000 times for a province)."""
    ids = {run_id for run_id in run_of.values() if run_id is not None}
    query = select(RUN.c.id, RUN.c.period_start, RUN.c.period_end).where(RUN.c.id.in_(ids))
    of_run = {r.id: Period(r.period_start, r.period_end) for r in connection.execute(query)}
    periods = {
        code: of_run.get(run_id, Period.year(year)) if run_id is not None else Period.year(year)
        for code, run_id in run_of.items()
    }
    calendar = WorkingCalendar.from_overrides(deployment.calendar)
    for period in set(periods.values()):
        write_period_calendar(connection, calendar, period)
    return periods


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookOutcome:
    file: Path
    entries: int  # entries recorded; 0 when refused
    error: str | None = None


@dataclass(frozen=True)
class Imported:
    outcomes: list[WorkbookOutcome]

    @property
    def refused(self) -> list[WorkbookOutcome]:
        return [o for o in self.outcomes if o.error is not None]


def import_workbooks(
    engine: Engine,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    paths: Sequence[Path],
    year: int,
    who: str,
    now: datetime,
) -> Imported:
    """Read each workbook and record its entries in one transaction; a workbook with any
    problem stores nothing and is named in the outcome, the others carry on."""
    assessable_year(year, now.date())
    check_who(who)
    outcomes = []
    agencies = {a.code: a for a in deployment.agencies}  # once, not once a workbook
    for path in paths:
        try:
            entries = import_workbook(engine, agencies, criteria_by_group, path, year, who, now)
        except CheckerError as exc:
            outcomes.append(WorkbookOutcome(path, 0, str(exc)))
        else:
            outcomes.append(WorkbookOutcome(path, entries))
    return Imported(outcomes)


def import_workbook(
    engine: Engine,
    agencies: Mapping[str, Agency],
    criteria_by_group: Mapping[str, CriteriaSet],
    path: Path,
    year: int,
    who: str,
    now: datetime,
) -> int:
    """Record one workbook's entries, all or none; ``agencies`` by code (the registry)."""

    def criteria_of(code: str) -> CriteriaSet:
        if code not in agencies:
            message = _("{file}: agency {code} is not in the deployment's registry")
            raise WorkbookError(message.format(file=path.name, code=code))
        return criteria_by_group[agencies[code].group]

    sheets = read_workbook(path, criteria_of)
    written = 0
    with engine.begin() as connection:
        for sheet in sheets:
            place = _("{file}, sheet {sheet}").format(file=path.name, sheet=repr(sheet.sheet))
            if sheet.year != year:
                message = _("{place}: a workbook for {made}, not {year}")
                raise WorkbookError(message.format(place=place, made=sheet.year, year=year))
            row = find_assessment(connection, sheet.agency_code, year, sheet.criteria_id)
            if row is None:
                message = _("{place}: no {year} scorecard of {agency} here")
                raise WorkbookError(
                    message.format(place=place, year=year, agency=sheet.agency_code)
                )
            if row["criteria_hash"] != sheet.criteria_hash:
                message = _("{place}: made with another version of criteria set {criteria}")
                raise WorkbookError(message.format(place=place, criteria=sheet.criteria_id))
            card = load_scorecard(connection, row["id"], criteria_of(sheet.agency_code))
            problems = check_entries(card, sheet.entries)
            if problems:
                raise WorkbookError("; ".join(problems))
            try:
                written += record_entries(
                    connection, card, sheet.entries, who, f"xlsx:{path.name}", now
                )
            except CriteriaError as exc:
                raise WorkbookError(f"{place}: {exc}") from exc
    return written
