"""Reports on a stored scoring run: the ranking of each group, and for each agency every
criterion with its points, max, where the points came from and the metric behind them.

``build_report`` reads the store into the pydantic models below; their JSON form is the
stable shape documented in the README. ``render_table`` turns the same models into text.
Titles are the Vietnamese ones from the criteria files; everything else people read (grade
reasons, notes, labels) is in the language chosen (``checker.i18n``), keys and ids are not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, RowMapping, func, select

from checker.errors import StorageError
from checker.i18n import Language, _, current_language
from checker.reports.cells import escape_controls
from checker.scoring.criteria import CriteriaSet
from checker.scoring.grading import GradeMiss, reason_lines
from checker.scoring.standing import standing_of
from checker.store.models import AGENCY, AGENCY_RESULT, METRIC_VALUE, RUN, SCORE
from metrics.catalogue import METRICS


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricEvidence(_Model):
    id: str
    name: str
    numerator: int
    denominator: int
    percent: float | None
    evidence: str


class CriterionLine(_Model):
    id: str
    title: str
    points: float | None
    max: float
    origin: str
    metric: MetricEvidence | None


class SectionLine(_Model):
    id: str
    title: str
    points: float
    max: float
    criteria: list[CriterionLine]
    # what could be measured: the max less that of ``not_measured`` (equal to max when none)
    measured_max: float
    not_measured: list[str]


class Finding(_Model):
    """A criterion the agency does well on, or one it must fix, with what it loses."""

    criterion: str
    title: str
    points: float | None
    max: float
    lost: float
    note: str


class AgencyReport(_Model):
    code: str
    name: str
    group: str
    criteria_set: str
    rank: int
    total: float
    max: float
    grade: str
    grade_name: str
    # measured criteria with nothing to measure are not zero: while there are any, the grade
    # is provisional; ``possible`` are the grades still possible (best first), ``total_high``
    # the total with them at full marks, ``deciding`` those that alone move the grade up
    provisional: bool
    possible: list[str]
    total_high: float
    not_measured: list[str]
    deciding: list[str]
    reasons: list[str]
    strengths: list[Finding]
    to_fix: list[Finding]
    sections: list[SectionLine]


class RankingLine(_Model):
    rank: int
    code: str
    name: str
    total: float
    max: float
    grade: str
    grade_name: str
    provisional: bool  # a measured criterion had nothing to measure (AgencyReport.possible)


class GroupRanking(_Model):
    id: str
    name: str
    criteria_set: str
    ranking: list[RankingLine]


class RunInfo(_Model):
    id: int
    period_start: date
    period_end: date
    as_of: date | None


class Report(_Model):
    run: RunInfo
    groups: list[GroupRanking]
    agencies: list[AgencyReport]


def latest_run_id(connection: Connection) -> int:
    run_id = connection.scalar(select(func.max(RUN.c.id)))
    if run_id is None:
        raise StorageError(_("no scoring run in the store yet: run `checker score` first"))
    return int(run_id)


def _run_row(connection: Connection, run_id: int) -> RowMapping:
    """The stored run ``run_id``, or a ``StorageError`` that says which runs there are."""
    run = connection.execute(select(RUN).where(RUN.c.id == run_id)).mappings().one_or_none()
    if run is not None:
        return run
    first, last = connection.execute(select(func.min(RUN.c.id), func.max(RUN.c.id))).one()
    if last is None:
        raise StorageError(_("no scoring run in the store yet: run `checker score` first"))
    if first == last:
        runs = _("run {first}").format(first=first)
    else:
        runs = _("runs {first} to {last}").format(first=first, last=last)
    message = _(
        "there is no scoring run {run_id} in the store ({runs}; without --run the report "
        "shows the latest)"
    )
    raise StorageError(message.format(run_id=run_id, runs=runs))


def build_report(
    connection: Connection,
    criteria_sets: Mapping[str, CriteriaSet],
    run_id: int,
    agency: str | None = None,
    group_order: Sequence[str] = (),
    *,
    scorecards: bool = True,
) -> Report:
    """The run's rankings, and the scorecards of every agency, or of ``agency`` alone (with
    its group's ranking only); ``scorecards=False`` leaves them out unless ``agency`` is
    given."""
    run = _run_row(connection, run_id)
    results = _results(connection, run_id)
    if agency is not None and agency not in {r["agency_code"] for r in results}:
        message = _("agency {agency} is not in scoring run {run}")
        raise StorageError(message.format(agency=agency, run=run_id))
    groups = _rankings(results, _unmeasured(connection, run_id))
    order = {group: index for index, group in enumerate(group_order)}
    groups.sort(key=lambda g: (order.get(g.id, len(order)), g.id))
    results.sort(key=lambda r: (order.get(r["group_id"], len(order)), r["group_id"], r["rank"]))
    if agency is not None:
        group = next(r["group_id"] for r in results if r["agency_code"] == agency)
        groups = [g for g in groups if g.id == group]
    if agency is None and not scorecards:
        results = []
    evidence = _evidence(connection, run_id, run["as_of"], run["period_start"])
    scores = _scores(connection, run_id) if results else {}
    agencies = [
        _agency_report(r, criteria_sets[r["criteria"]], scores.get(r["agency_code"], {}), evidence)
        for r in results
        if agency is None or r["agency_code"] == agency
    ]
    info = RunInfo(
        id=run_id,
        period_start=run["period_start"],
        period_end=run["period_end"],
        as_of=run["as_of"],
    )
    return Report(run=info, groups=groups, agencies=agencies)


def _results(connection: Connection, run_id: int) -> list[RowMapping]:
    query = (
        select(AGENCY_RESULT, AGENCY.c.name, AGENCY.c.group_name)
        .join(AGENCY, AGENCY.c.code == AGENCY_RESULT.c.agency_code, isouter=True)
        .where(AGENCY_RESULT.c.run_id == run_id)
        .order_by(AGENCY_RESULT.c.group_id, AGENCY_RESULT.c.rank, AGENCY_RESULT.c.agency_code)
    )
    return list(connection.execute(query).mappings())


def _rankings(results: list[RowMapping], provisional: set[str]) -> list[GroupRanking]:
    groups: dict[str, GroupRanking] = {}
    for r in results:
        group = groups.setdefault(
            r["group_id"],
            GroupRanking(
                id=r["group_id"],
                name=r["group_name"] or r["group_id"],
                criteria_set=r["criteria"],
                ranking=[],
            ),
        )
        group.ranking.append(
            RankingLine(
                rank=r["rank"],
                code=r["agency_code"],
                name=r["name"] or r["agency_code"],
                total=float(r["total"]),
                max=float(r["max_total"]),
                grade=r["grade_id"],
                grade_name=r["grade_name"],
                provisional=r["agency_code"] in provisional,
            )
        )
    return list(groups.values())


def _unmeasured(connection: Connection, run_id: int) -> set[str]:
    """The agencies of the run with a measured criterion that had nothing to measure."""
    query = select(SCORE.c.agency_code).where(
        SCORE.c.run_id == run_id, SCORE.c.origin == "measured", SCORE.c.points.is_(None)
    )
    return set(connection.scalars(query.distinct()))


def _scores(connection: Connection, run_id: int) -> dict[str, dict[str, RowMapping]]:
    scores: dict[str, dict[str, RowMapping]] = {}
    for row in connection.execute(select(SCORE).where(SCORE.c.run_id == run_id)).mappings():
        scores.setdefault(row["agency_code"], {})[row["criterion_id"]] = row
    return scores


Evidence = Callable[[str, str], MetricEvidence | None]


def _evidence(connection: Connection, run_id: int, as_of: date | None, start: date) -> Evidence:
    rows = connection.execute(select(METRIC_VALUE).where(METRIC_VALUE.c.run_id == run_id))
    values = {(r.agency_code, r.metric_id): (r.numerator, r.denominator) for r in rows}
    period_option = f" --as-of {as_of.isoformat()}" if as_of else f" --year {start.year}"

    def lookup(agency: str, metric_id: str) -> MetricEvidence | None:
        numerator, denominator = values.get((agency, metric_id), (0, 0))
        return MetricEvidence(
            id=metric_id,
            name=metric_name(metric_id),
            numerator=numerator,
            denominator=denominator,
            percent=round(100 * numerator / denominator, 1) if denominator else None,
            evidence=f"checker evidence --agency {agency} --metric {metric_id}{period_option}",
        )

    return lookup


def _agency_report(
    result: RowMapping,
    criteria: CriteriaSet,
    scores: Mapping[str, RowMapping],
    evidence: Evidence,
) -> AgencyReport:
    sections = []
    counted: dict[str, Decimal] = {}
    for section in criteria.sections:
        lines = [
            _criterion_line(c.id, c.title, c.max, scores.get(c.id), result["agency_code"], evidence)
            for c in section.criteria
        ]
        counted |= {line.id: Decimal(str(line.points)) for line in lines if line.points is not None}
        points = sum((counted.get(c.id, Decimal(0)) for c in section.criteria), Decimal(0))
        unmeasured = [line for line in lines if line.points is None and line.origin == "measured"]
        sections.append(
            SectionLine(
                id=section.id,
                title=section.title,
                points=float(points),
                max=float(section.max),
                criteria=lines,
                measured_max=float(section.max - sum(Decimal(str(u.max)) for u in unmeasured)),
                not_measured=[u.id for u in unmeasured],
            )
        )
    not_measured = [c for s in sections for c in s.not_measured]
    where = standing_of(criteria, counted, not_measured)
    return AgencyReport(
        code=result["agency_code"],
        name=result["name"] or result["agency_code"],
        group=result["group_id"],
        criteria_set=result["criteria"],
        rank=result["rank"],
        total=float(result["total"]),
        max=float(result["max_total"]),
        grade=result["grade_id"],
        grade_name=result["grade_name"],
        provisional=bool(not_measured),
        possible=[g.name for g in where.possible],
        total_high=float(where.high.total),
        not_measured=not_measured,
        deciding=list(where.deciding),
        reasons=_reasons(result["reasons"]),
        strengths=strengths(sections),
        to_fix=to_fix(sections),
        sections=sections,
    )


def strengths(sections: Sequence[SectionLine]) -> list[Finding]:
    """The criteria at full marks, in criteria order."""
    return [f for f in _findings(sections) if f.points is not None and f.lost == 0]


def to_fix(sections: Sequence[SectionLine]) -> list[Finding]:
    """The criteria that lost points, most lost first; then those with no points yet (not
    measured, or not entered), largest max first."""
    return sorted(
        (f for f in _findings(sections) if f.points is None or f.lost > 0),
        key=lambda f: (f.points is None, -f.lost, f.criterion),
    )


def _findings(sections: Sequence[SectionLine]) -> list[Finding]:
    """Every criterion as a finding: full marks, points lost, or nothing to go on yet."""
    return [
        Finding(
            criterion=c.id,
            title=c.title,
            points=c.points,
            max=c.max,
            lost=round(c.max - c.points, 2) if c.points is not None else c.max,
            note=_note(c),
        )
        for section in sections
        for c in section.criteria
    ]


def metric_name(metric_id: str) -> str:
    """The metric's name in the reader's language."""
    metric = METRICS[metric_id]
    return metric.name_en if current_language() == Language.en else metric.name_vi


def _reasons(stored: str) -> list[str]:
    """The stored grades missed, in words; a run stored before reasons were kept as data
    holds its words already."""
    missed = json.loads(stored)
    if all(isinstance(m, str) for m in missed):
        return [str(m) for m in missed]
    return reason_lines([GradeMiss.from_json(m) for m in missed])


def _note(line: CriterionLine) -> str:
    if line.points is None:
        if line.origin == "manual":
            return _("not entered yet")
        return _("not measured: no data")
    if line.metric is None:
        return _("entered by hand")
    m = line.metric
    return f"{m.name}: {m.numerator}/{m.denominator}" + (
        f" ({m.percent}%)" if m.percent is not None else ""
    )


def _criterion_line(
    criterion_id: str,
    title: str,
    max_points: Decimal,
    score: RowMapping | None,
    agency: str,
    evidence: Evidence,
) -> CriterionLine:
    metric_id = score["metric_id"] if score else None
    points = score["points"] if score else None
    return CriterionLine(
        id=criterion_id,
        title=title,
        points=None if points is None else float(points),
        max=float(max_points),
        origin=score["origin"] if score else "manual",
        metric=evidence(agency, metric_id) if metric_id else None,
    )


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def render_table(report: Report) -> str:
    """The report as plain text: rankings first, then each agency's criteria."""
    run = _("Scoring run {run}: {start} → {end}").format(
        run=report.run.id, start=report.run.period_start, end=report.run.period_end
    )
    lines = [run, ""]
    for group in report.groups:
        ranking = _("Ranking — {group} ({criteria})")
        lines.append(ranking.format(group=group.name, criteria=group.criteria_set))
        for r in group.ranking:
            grade_name = r.grade_name + (" " + _("(provisional)") if r.provisional else "")
            lines.append(
                f"  {r.rank:>3}. {r.name:<44} {_num(r.total):>6}/{_num(r.max):<4} {grade_name}"
            )
        lines.append("")
    group_names = {g.id: g.name for g in report.groups}
    for agency in report.agencies:
        lines += _render_agency(agency, group_names.get(agency.group, agency.group))
    return escape_controls("\n".join(lines).rstrip() + "\n")


def _render_agency(agency: AgencyReport, group_name: str) -> list[str]:
    head = _("{name} [{code}] — rank {rank} in group {group}: {total}/{max} points, grade {grade}")
    lines = [
        head.format(
            name=agency.name,
            code=agency.code,
            rank=agency.rank,
            group=group_name,
            total=_num(agency.total),
            max=_num(agency.max),
            grade=agency.grade_name,
        )
    ]
    lines += _render_provisional(agency)
    lines += ["  " + _("because: {reason}").format(reason=reason) for reason in agency.reasons]
    if agency.to_fix:
        lines.append("  " + _("To fix (most points lost first):"))
        lost = _("lost {points} points")
        lines += [
            f"    - {f.criterion} {f.title}: {lost.format(points=_num(f.lost))} — {f.note}"
            for f in agency.to_fix
        ]
    if agency.strengths:
        lines.append("  " + _("Done well (full marks):"))
        lines += [f"    + {f.criterion} {f.title}" for f in agency.strengths]
    for section in agency.sections:
        lines.append(f"  {section.id}. {section.title}: {section_points_text(section)}")
        lines += _render_criteria(section)
    lines.append("")
    return lines


def section_points_text(section: SectionLine) -> str:
    """``12/15``; with criteria not measured, the points over what could be measured and
    the rest marked: ``0/5 (not measured: 3.2, 10 points)``."""
    text = f"{_num(section.points)}/{_num(section.measured_max)}"
    if not section.not_measured:
        return text
    rest = _("not measured: {criteria}, {points} points").format(
        criteria=", ".join(section.not_measured),
        points=_num(section.max - section.measured_max),
    )
    return f"{text} ({rest})"


def grade_line(agency: AgencyReport) -> str:
    """What the grade is while criteria are not measured, or "" when it is not provisional."""
    if not agency.provisional:
        return ""
    criteria = ", ".join(agency.not_measured)
    if len(agency.possible) == 1:
        return _(
            "provisional: {criteria} not measured (nothing to measure), not counted as 0; "
            "whatever they turn out to be, the grade stays {grade}"
        ).format(criteria=criteria, grade=agency.grade_name)
    return _(
        "provisional: {criteria} not measured (nothing to measure), not counted as 0; "
        "possible grades {best} to {worst} ({low} to {high} points); deciding: {deciding}"
    ).format(
        best=agency.possible[0],
        worst=agency.possible[-1],
        low=_num(agency.total),
        high=_num(agency.total_high),
        criteria=criteria,
        deciding=", ".join(agency.deciding),
    )


def _render_provisional(agency: AgencyReport) -> list[str]:
    line = grade_line(agency)
    return ["  " + line] if line else []


def _render_criteria(section: SectionLine) -> list[str]:
    lines = []
    for c in section.criteria:
        origin = _("measured") if c.origin == "measured" else _("entered by hand")
        if c.points is not None:
            score = f"{_num(c.points)}/{_num(c.max)}"
        else:
            missing = _("not measured") if c.origin == "measured" else _("not entered yet")
            score = _("{missing} (max {max})").format(missing=missing, max=_num(c.max))
        lines.append(f"     {c.id} {c.title}: {score} ({origin})")
        if c.metric is not None:
            m = c.metric
            ratio = f"{m.numerator}/{m.denominator}" + (
                f" = {m.percent}%" if m.percent is not None else ""
            )
            lines.append(f"        {m.id}: {ratio} — {m.evidence}")
    return lines
