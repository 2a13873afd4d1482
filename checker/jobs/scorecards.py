"""Scorecard workbooks as use cases: export a year's scorecards (one workbook per agency, or
per group or cluster with a sheet per agency), and import filled workbooks back, each taken
whole or not at all, the rest carrying on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from checker.config import Agency, Deployment
from checker.errors import CheckerError, CriteriaError, WorkbookError
from checker.i18n import _
from checker.reports.workbook import AgencyCard, Evidence, export_workbook, read_workbook
from checker.scoring.assessment import (
    MEASURED,
    Scorecard,
    check_entries,
    empty_scorecard,
    find_assessment,
    load_scorecard,
    open_assessment,
    record_entries,
)
from checker.scoring.claims import Claim, overclaims
from checker.scoring.criteria import CriteriaSet
from checker.scoring.ranking import Nomination, Ranked, nominations, rank_cards
from checker.store.models import RUN
from checker.store.registry import write_registry
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.period import Period
from metrics.values import EvidenceLine
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
    evidence_of: Callable[[Scorecard], Evidence] | None = None,
) -> Exported:
    """Write the year's workbooks into ``folder``; evidence sheets (one-agency workbooks) list
    the documents behind each measured criterion for the period of the run it came from."""
    with engine.begin() as connection:
        cards = year_cards(connection, deployment, criteria_by_group, year, now)
        ranked = rank_cards(deployment, cards)
        if with_evidence:
            write_registry(connection, deployment)
    by_agency = {r.card.agency_code: r for r in ranked}
    cluster_picks = {n.among: n for n in nominations(deployment, ranked)[0]}
    files = []
    sources = evidence_of or _evidence_sources(engine, deployment)
    batches = _batches(deployment, [a for a, _ in cards], split)
    for done, (name, members) in enumerate(batches, start=1):
        agency_cards = [_agency_card(by_agency[a.code], a, split) for a in members]
        footer: tuple[str, ...] = ()
        if split is Split.cluster:
            footer = (nomination_text(cluster_picks[_cluster_id(deployment, name)]),)
        source = None
        if with_evidence and split is Split.agency:
            card = agency_cards[0].card
            source = sources(card)
        title = deployment.city
        path = folder / f"{_file_name(name)}.xlsx"
        files.append(export_workbook(path, agency_cards, title, source, footer))
        if progress is not None:
            progress(done, len(batches))
    return Exported(files, len(cards))


def _agency_card(ranked: Ranked, agency: Agency, split: Split) -> AgencyCard:
    rank = ranked.cluster_rank if split is Split.cluster else ranked.group_rank
    return AgencyCard(ranked.card, agency.name, rank, ranked.cluster, ranked.standing)


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


def _evidence_sources(engine: Engine, deployment: Deployment) -> Callable[[Scorecard], Evidence]:
    """The evidence of each scorecard's run period; the working-day calendar of a period is
    written once for the whole export (it was written again for every agency and metric:
    22,000 times for a province)."""
    calendar = WorkingCalendar.from_overrides(deployment.calendar)
    written: set[Period] = set()

    def source(card: Scorecard) -> Evidence:
        run_ids = {e.run_id for c in card.cells if (e := c.latest.get(MEASURED)) and e.run_id}
        with engine.begin() as connection:
            query = select(RUN).where(RUN.c.id.in_(run_ids))
            run = connection.execute(query).mappings().first()
            period = Period(run["period_start"], run["period_end"]) if run else None
            period = period or Period.year(card.year)
            if period not in written:
                write_period_calendar(connection, calendar, period)
                written.add(period)

        def lines(agency: str, metric_id: str) -> Iterable[EvidenceLine]:
            with engine.begin() as connection:
                return evidence(connection, agency, metric_id, period, calendar, deployment.files)

        return lines

    return source


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
    outcomes = []
    for path in paths:
        try:
            entries = import_workbook(engine, deployment, criteria_by_group, path, year, who, now)
        except CheckerError as exc:
            outcomes.append(WorkbookOutcome(path, 0, str(exc)))
        else:
            outcomes.append(WorkbookOutcome(path, entries))
    return Imported(outcomes)


def import_workbook(
    engine: Engine,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
    path: Path,
    year: int,
    who: str,
    now: datetime,
) -> int:
    agencies = {a.code: a for a in deployment.agencies}

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
