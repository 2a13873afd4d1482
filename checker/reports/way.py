"""The way to the next grade as people and programs read it: a table, JSON, a CSV that Excel
opens (UTF-8 with a BOM) and spreadsheet sheets (``checker.reports.export``).

:func:`build_way` turns the plan of ``checker.scoring.next_grade`` into the pydantic models
below (their JSON form is documented in the README); the work is said in the logs' own
terms, in the reader's language: "register on the software 12 of the 40 incoming documents
listed (1.3 reaches 90%, +1.5 points)", with the documents and files listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from checker.config import Agency
from checker.i18n import _, ngettext
from checker.reports.cells import escape_controls, neutralise
from checker.reports.report import metric_name
from checker.scoring.criteria import CriteriaSet
from checker.scoring.next_grade import Outlook, Plan, Step
from checker.scoring.points import points_text
from metrics.period import Period

BOM = "\ufeff"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WayItem(_Model):
    """A document or a file the work is about."""

    item: str
    code: str | None
    title: str | None
    date: date | None
    reason: str


class WayStep(_Model):
    criterion: str
    title: str
    section: str
    kind: str  # fix, ahead, deadlines, manual, no_data
    metric: str | None
    metric_name: str | None
    points: float
    points_after: float
    gain: float
    max: float
    units: int  # items to count (documents or files); 0 for manual and no_data
    percent_now: float | None
    percent_after: float | None
    work: str
    items: list[WayItem]
    evidence: str | None


class OutlookLine(_Model):
    """A measured criterion now and at year end at the current rate."""

    criterion: str
    title: str
    metric: str
    metric_name: str
    method: str  # pace, state, deadlines
    numerator: int
    denominator: int
    percent: float | None
    numerator_end: int
    denominator_end: int
    percent_end: float | None
    points: float | None
    points_end: float | None
    max: float


class ManualLine(_Model):
    criterion: str
    title: str
    points: float | None
    max: float
    can_bring: float


class WayReport(_Model):
    code: str
    name: str
    group: str
    group_name: str
    criteria_set: str
    run: int | None
    period_start: date
    period_end: date
    total: float
    max: float
    grade: str
    grade_name: str
    next_grade: str | None
    next_grade_name: str | None
    conditions: list[str]
    reachable: bool
    steps: list[WayStep]
    total_after: float | None
    grade_after: str | None
    grade_after_name: str | None
    outlook: list[OutlookLine]
    manual: list[ManualLine]
    method: str


def projection_method() -> str:
    return _(
        "Year end at the current rate: documents keep arriving and leaving at the pace of the "
        "days gone (counts scaled by the days of the year over the days gone, so a share stays "
        "as it is and a count grows); the file list and its files stay as they are unless the "
        "work is done; transfers: the files due by 31 December are known now, and the same "
        "share of those still to come due arrives on time."
    )


def build_way(
    *,
    agency: Agency,
    group_name: str,
    criteria: CriteriaSet,
    period: Period,
    run_id: int | None,
    points: Mapping[str, Decimal | None],
    outlooks: Sequence[Outlook],
    plan: Plan,
) -> WayReport:
    by_id = {o.criterion.id: o for o in outlooks}
    after = plan.after
    return WayReport(
        code=agency.code,
        name=agency.name,
        group=agency.group,
        group_name=group_name,
        criteria_set=criteria.id,
        run=run_id,
        period_start=period.start,
        period_end=period.end,
        total=float(plan.now.total),
        max=float(criteria.total_max),
        grade=plan.now.grade_id,
        grade_name=plan.now.grade_name,
        next_grade=plan.target.grade_id if plan.target else None,
        next_grade_name=plan.target.grade_name if plan.target else None,
        conditions=[s.text() for s in plan.target.shortfalls] if plan.target else [],
        reachable=plan.reachable,
        steps=[
            _step(s, criteria, by_id.get(s.lever.criterion_id), agency, period) for s in plan.steps
        ],
        total_after=float(after.total) if after else None,
        grade_after=after.grade_id if after else None,
        grade_after_name=after.grade_name if after else None,
        outlook=[_outlook_line(o) for o in outlooks],
        manual=[
            ManualLine(
                criterion=c.id,
                title=c.title,
                points=_float(points.get(c.id)),
                max=float(c.max),
                can_bring=float(c.max - (points.get(c.id) or Decimal(0))),
            )
            for c in criteria.criteria
            if c.kind == "manual"
        ],
        method=projection_method(),
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _outlook_line(o: Outlook) -> OutlookLine:
    e = o.end
    metric = o.criterion.metric
    assert metric is not None
    return OutlookLine(
        criterion=o.criterion.id,
        title=o.criterion.title,
        metric=metric,
        metric_name=metric_name(metric),
        method=e.motion,
        numerator=e.numerator,
        denominator=e.denominator,
        percent=_percent(e.numerator, e.denominator),
        numerator_end=e.numerator_end,
        denominator_end=e.denominator_end,
        percent_end=_percent(e.numerator_end, e.denominator_end),
        points=_float(o.points),
        points_end=_float(o.points_end),
        max=float(o.criterion.max),
    )


def _step(
    step: Step,
    criteria: CriteriaSet,
    found: Outlook | None,
    agency: Agency,
    period: Period,
) -> WayStep:
    lever = step.lever
    titles = {c.id: c.title for c in criteria.criteria}
    maxima = {c.id: c.max for c in criteria.criteria}
    metric = found.criterion.metric if found else None
    now_after: tuple[float | None, float | None] = (None, None)
    items: list[WayItem] = []
    if found is not None and lever.counted:
        now_after = _percents(step, found)
        items = [
            WayItem(item=i.item, code=i.code, title=i.title, date=i.day, reason=i.reason)
            for i in found.open_items
        ]
        if lever.kind == "ahead":
            items = []
    evidence = None
    if metric is not None and items and lever.kind == "fix":  # the same list as the evidence
        evidence = (
            f"checker evidence --agency {agency.code} --metric {metric} "
            f"--as-of {period.end.isoformat()}"
        )
    return WayStep(
        criterion=lever.criterion_id,
        title=titles[lever.criterion_id],
        section=lever.section_id,
        kind=lever.kind,
        metric=metric,
        metric_name=metric_name(metric) if metric else None,
        points=float(lever.current),
        points_after=float(step.points),
        gain=float(step.gain),
        max=float(maxima[lever.criterion_id]),
        units=step.units if lever.counted else 0,
        percent_now=now_after[0],
        percent_after=now_after[1],
        work=work_text(step, found, maxima[lever.criterion_id]),
        items=items,
        evidence=evidence,
    )


def _percents(step: Step, found: Outlook) -> tuple[float | None, float | None]:
    e = found.end
    if step.lever.kind == "fix":
        return _percent(e.numerator, e.denominator), _percent(
            e.numerator + step.units, e.denominator
        )
    if step.lever.kind == "deadlines":
        return _percent(e.numerator, e.denominator), _percent(e.due_counted + step.units, e.due)
    return _percent(e.numerator, e.denominator), _percent(
        e.numerator_end + step.units, e.denominator_end
    )


# --- the work in words ----------------------------------------------------------------------


def _verbs() -> dict[str, tuple[str, str]]:
    """What doing a metric's work right is, and what it is done to, in the reader's language."""
    incoming, outgoing = _("incoming documents"), _("outgoing documents")
    return {
        "inbound.received_axis": (_("receive through the axis"), incoming),
        "inbound.acknowledged_same_day": (
            _("acknowledge to the sender on the day they arrive"),
            incoming,
        ),
        "inbound.registered": (_("register on the software"), incoming),
        "inbound.submitted_in_time": (
            _("submit for direction on the day they arrive or the next working day"),
            incoming,
        ),
        "inbound.assigned": (_("assign for handling on the software"), incoming),
        "inbound.refused": (_("refuse"), incoming),
        "outbound.electronic_signed": (
            _("issue electronically with a digital signature"),
            outgoing,
        ),
        "outbound.issued_axis": (_("issue through the axis"), outgoing),
        "outbound.issued_in_time": (
            _("issue on the day they are signed or the next working day"),
            outgoing,
        ),
        "outbound.acknowledged_all": (_("get acknowledged by every recipient"), outgoing),
        "outbound.numbering_anomalies": (_("number without a gap or a repeat"), outgoing),
        "files.list_issued_on_time": (_("issue the annual file list on time"), _("file lists")),
        "files.opened_electronic": (_("open as electronic files"), _("listed files")),
        "files.documents_filed": (_("place into a file"), _("documents")),
        "files.metadata_complete": (_("complete the metadata of"), _("electronic files")),
        "transfers.agency_archive_on_time": (
            _("transfer to the agency archive before their deadline"),
            _("files"),
        ),
        "transfers.historical_archive_on_time": (
            _("transfer to the historical archive before their deadline"),
            _("files"),
        ),
    }


def work_text(step: Step, found: Outlook | None, max_points: Decimal) -> str:
    """The work of one step in the logs' terms, with what it brings."""
    lever = step.lever
    gain = points_text(step.gain)
    if lever.kind == "manual":
        return _("scored by people: at least {points} of {max} points (+{gain})").format(
            points=points_text(step.points), max=points_text(max_points), gain=gain
        )
    assert found is not None and found.criterion.metric is not None
    metric = found.criterion.metric
    if lever.kind == "no_data":
        return _("nothing measured yet: the logs must report {metric} (up to {max} points)").format(
            metric=metric_name(metric), max=points_text(max_points)
        )
    verb, noun = _verbs()[metric]
    e = found.end
    if lever.kind == "ahead":
        coming = e.denominator_end - e.denominator
        needed = e.numerator_end - e.numerator + step.units
        text = _(
            "{verb}: at least {needed} of the about {coming} {noun} still to come by 31 December"
        ).format(verb=verb, needed=needed, coming=coming, noun=noun)
        numerator, denominator = e.numerator_end + step.units, e.denominator_end
    elif lever.kind == "deadlines" and step.units == 0:
        text = _("nothing more to do: the files already transferred count as they come due")
        numerator, denominator = e.due_counted, e.due
    elif lever.kind == "deadlines":
        last = max((i.day for i in found.open_items if i.day is not None), default=None)
        text = _("{verb}: {n} of these {open} {noun} (the last due {day})").format(
            verb=verb,
            n=step.units,
            open=len(found.open_items),
            noun=noun,
            day=last.isoformat() if last else "—",
        )
        numerator, denominator = e.due_counted + step.units, e.due
    else:
        text = _("{verb}: {n} of the {open} {noun} listed").format(
            verb=verb, n=step.units, open=len(found.open_items), noun=noun
        )
        numerator, denominator = e.numerator + step.units, e.denominator
    return f"{text} ({_effect(found, numerator, denominator, gain)})"


def _effect(found: Outlook, numerator: int, denominator: int, gain: str) -> str:
    rule = found.criterion.rule
    if rule is not None and rule.kind == "count":
        reached = str(numerator)
    else:
        reached = f"{points_text(Decimal(str(_percent(numerator, denominator) or 0)))}%"
    return ngettext(
        "{criterion} reaches {reached}, +{gain} point",
        "{criterion} reaches {reached}, +{gain} points",
        1 if gain == "1" else 2,  # English says "1 point", "1.5 points"
    ).format(criterion=found.criterion.id, reached=reached, gain=gain)


# --- rendering ------------------------------------------------------------------------------

SHOWN_ITEMS = 10
"""Documents or files shown under a step in the table; JSON, CSV and XLSX hold them all."""


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def render_way_table(way: WayReport) -> str:
    head = _("{name} [{code}], {start} → {end}: {total}/{max} points, grade {grade}").format(
        name=way.name,
        code=way.code,
        start=way.period_start.isoformat(),
        end=way.period_end.isoformat(),
        total=_num(way.total),
        max=_num(way.max),
        grade=way.grade_name,
    )
    lines = [head]
    if way.next_grade_name is None:
        lines.append(
            "  " + _("Already at the top grade of {criteria}.").format(criteria=way.criteria_set)
        )
    else:
        lines.append(
            _("Next grade up: {grade}. Conditions not met:").format(grade=way.next_grade_name)
        )
        lines += [f"  - {c}" for c in way.conditions]
        lines += _render_steps(way)
    lines += ["", _("Where the year is heading (31 December at the current rate):")]
    for o in way.outlook:
        lines.append(
            f"  {o.criterion} {o.metric_name}: {o.numerator}/{o.denominator} → "
            f"{o.numerator_end}/{o.denominator_end}"
            + (f" ({_num(o.percent_end)}%)" if o.percent_end is not None else "")
            + "  "
            + _("points {now} → {end} of {max}").format(
                now=_num(o.points), end=_num(o.points_end), max=_num(o.max)
            )
        )
    lines.append("  " + way.method)
    if way.manual:
        lines += ["", _("Criteria people score (points they can still bring):")]
        for m in way.manual:
            lines.append(
                f"  {m.criterion} {m.title}: {_num(m.points)}/{_num(m.max)}, +{_num(m.can_bring)}"
            )
    return escape_controls("\n".join(lines) + "\n")


def _render_steps(way: WayReport) -> list[str]:
    if not way.reachable:
        return ["  " + _("Not reachable this year, even with every criterion at its best.")]
    after = _("The smallest set of criteria that reaches it ({grade}, {total} points):").format(
        grade=way.grade_after_name, total=_num(way.total_after)
    )
    lines = [after]
    for s in way.steps:
        lines.append(f"  {s.criterion} {s.title}: {s.work}")
        for item in s.items[:SHOWN_ITEMS]:
            day = item.date.isoformat() if item.date else ""
            lines.append(f"      {day:<10} {item.code or '':<22} {item.reason}  [{item.item}]")
        if len(s.items) > SHOWN_ITEMS:
            more = ngettext(
                "… and {n} more: {command}", "… and {n} more: {command}", len(s.items) - SHOWN_ITEMS
            )
            command = s.evidence or _whole_list(way)
            lines.append("      " + more.format(n=len(s.items) - SHOWN_ITEMS, command=command))
    return lines


def _whole_list(way: WayReport) -> str:
    """The command that lists every document and file of the way (as CSV)."""
    which = f"--run {way.run}" if way.run is not None else f"--as-of {way.period_end.isoformat()}"
    return f"checker way --agency {way.code} {which} --format csv"


def way_rows(way: WayReport) -> tuple[tuple[str, ...], list[tuple[str | int | float | None, ...]]]:
    """One row per step and document or file (a step without items: one row), agency name
    beside its code; the header in the reader's language."""
    header = (
        _("Agency code"),
        _("Agency name"),
        _("Total"),
        _("Grade"),
        _("Next grade"),
        _("Criterion"),
        _("Title"),
        _("Points"),
        _("Points after"),
        _("Work"),
        _("Item"),
        _("Number and notation"),
        _("Date"),
        _("Subject or title"),
        _("Reason"),
    )
    rows: list[tuple[str | int | float | None, ...]] = []
    for s in way.steps:
        head = (
            way.code,
            way.name,
            way.total,
            way.grade_name,
            way.next_grade_name,
            s.criterion,
            s.title,
            s.points,
            s.points_after,
            s.work,
        )
        if not s.items:
            rows.append((*head, None, None, None, None, None))
        for i in s.items:
            day = i.date.isoformat() if i.date else None
            rows.append((*head, i.item, i.code, day, i.title, i.reason))
    return header, rows


def outlook_rows(
    way: WayReport,
) -> tuple[tuple[str, ...], list[tuple[str | int | float | None, ...]]]:
    header = (
        _("Agency code"),
        _("Agency name"),
        _("Criterion"),
        _("Metric"),
        _("Numerator"),
        _("Denominator"),
        _("Numerator at year end"),
        _("Denominator at year end"),
        _("Percent at year end"),
        _("Points"),
        _("Points at year end"),
        _("Max"),
    )
    rows: list[tuple[str | int | float | None, ...]] = [
        (
            way.code,
            way.name,
            o.criterion,
            o.metric_name,
            o.numerator,
            o.denominator,
            o.numerator_end,
            o.denominator_end,
            o.percent_end,
            o.points,
            o.points_end,
            o.max,
        )
        for o in way.outlook
    ]
    return header, rows


def way_csv(way: WayReport) -> str:
    header, rows = way_rows(way)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return BOM + buffer.getvalue()
