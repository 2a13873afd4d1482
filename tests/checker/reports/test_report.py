"""Reports read a stored run back (checker/reports/report.py): rankings, each agency's
criteria with the metric and the evidence command behind them, what it does well and what it
must fix; the JSON the README calls stable is kept by a golden file."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from checker.config import Agency, Deployment, Group
from checker.errors import StorageError
from checker.reports.report import Report, build_report, latest_run_id, render_table
from checker.scoring.criteria import load_criteria
from checker.scoring.grading import grade, section_points_from_criteria
from checker.scoring.runs import score_agencies, store_run
from checker.store.registry import write_registry
from metrics.period import Period
from metrics.values import MetricValue

REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "tests" / "golden" / "report.json"
CRITERIA = {
    name: load_criteria(name, REPO / "config" / "criteria")
    for name in ("danang-electronic-example", "hanoi-2017")
}
DEPLOYMENT = Deployment(
    groups=(
        Group(id="so-nganh", name="Sở, ban, ngành", criteria="danang-electronic-example"),
        Group(id="phuong-xa", name="Phường, xã", criteria="hanoi-2017"),
    ),
    agencies=(
        Agency(code="000.00.01.H99", name="Sở Nội vụ", group="so-nganh"),
        Agency(code="000.00.02.H99", name="Sở Tài chính", group="so-nganh"),
        Agency(code="000.00.03.H99", name="Sở Xây dựng", group="so-nganh"),
        Agency(code="000.01.01.H99", name="Phường Hải Châu", group="phuong-xa"),
    ),
)
BY_GROUP = {g.id: CRITERIA[g.criteria] for g in DEPLOYMENT.groups}
DANANG = CRITERIA["danang-electronic-example"]
METRIC_IDS = sorted({c.metric for c in DANANG.criteria if c.metric})
SNV, STC, SXD, WARD = (a.code for a in DEPLOYMENT.agencies)


def _values() -> list[MetricValue]:
    values = [MetricValue(SNV, m, 100, 100) for m in METRIC_IDS]  # full marks
    values += [MetricValue(STC, m, 80, 100) for m in METRIC_IDS[1:]]  # first: nothing to count
    values += [MetricValue(STC, METRIC_IDS[0], 0, 0)]
    values += [MetricValue(SXD, m, 40, 100) for m in METRIC_IDS]
    return [v for v in values if v.metric_id != "outbound.numbering_anomalies"]


def _manual() -> dict[str, dict[str, Decimal]]:
    hanoi = CRITERIA["hanoi-2017"]
    entered = {c.id: c.max for c in hanoi.criteria}
    entered[hanoi.criteria[2].id] -= Decimal("2.5")
    del entered[hanoi.criteria[-1].id]  # not entered yet
    manual = {c.id: c.max / 2 for c in DANANG.criteria if c.kind == "manual"}
    return {WARD: entered, SNV: manual}


def _stored_run(engine, period=Period.year(2025), as_of: date | None = None) -> int:
    scores = score_agencies(DEPLOYMENT, BY_GROUP, _values(), _manual())
    with engine.begin() as connection:
        write_registry(connection, DEPLOYMENT)
        when = datetime(2026, 1, 2, 1, 0)
        return store_run(connection, period, as_of, when, when, _values(), scores)


def _report(engine, run_id: int, agency: str | None = None) -> Report:
    with engine.connect() as connection:
        order = [g.id for g in DEPLOYMENT.groups]
        return build_report(connection, CRITERIA, run_id, agency, order)


def test_the_report_json_matches_the_golden_file(engine):
    report = _report(engine, _stored_run(engine))
    normalised = report.model_copy(update={"run": report.run.model_copy(update={"id": 0})})
    text = normalised.model_dump_json(indent=2) + "\n"
    if os.environ.get("CHECKER_REGENERATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), "regenerate with CHECKER_REGENERATE_GOLDEN=1"
    payload = json.loads(text)
    assert set(payload) == {"run", "groups", "agencies"}  # the README's stable shape


def test_groups_come_in_the_deployment_s_order_and_rank_their_agencies(engine):
    report = _report(engine, _stored_run(engine))
    assert [g.id for g in report.groups] == ["so-nganh", "phuong-xa"]
    ranking = report.groups[0].ranking
    assert [(r.code, r.rank) for r in ranking] == [(SNV, 1), (STC, 2), (SXD, 3)]
    assert [r.total for r in ranking] == sorted((r.total for r in ranking), reverse=True)
    assert [a.code for a in report.agencies] == [SNV, STC, SXD, WARD]


def test_an_agency_s_sections_add_up_to_its_total_and_its_findings_to_what_it_lost(engine):
    for agency in _report(engine, _stored_run(engine)).agencies:
        assert sum(s.points for s in agency.sections) == pytest.approx(agency.total)
        for section in agency.sections:
            points = [c.points for c in section.criteria if c.points is not None]
            assert section.points == pytest.approx(sum(points))
        lost = sum(f.lost for f in agency.to_fix)
        assert lost == pytest.approx(agency.max - agency.total)
        assert all(f.points == f.max and f.lost == 0 for f in agency.strengths)
        losing = [f.lost for f in agency.to_fix if f.points is not None]
        assert losing == sorted(losing, reverse=True)
        missing = [f.points is None for f in agency.to_fix]
        assert missing == sorted(missing), "points lost first, then criteria without points"


def test_a_metric_with_nothing_to_count_is_not_measured_and_listed_to_fix(engine):
    (agency,) = _report(engine, _stored_run(engine), STC).agencies
    criteria = [c for s in agency.sections for c in s.criteria]
    unmeasured = [c for c in criteria if c.metric and c.metric.id == METRIC_IDS[0]]
    assert unmeasured
    for line in unmeasured:
        assert line.points is None
        assert line.metric is not None
        assert (line.metric.numerator, line.metric.denominator, line.metric.percent) == (0, 0, None)
        finding = next(f for f in agency.to_fix if f.criterion == line.id)
        assert (finding.points, finding.lost) == (None, line.max)


def test_a_measured_criterion_names_its_metric_and_the_evidence_command(engine):
    (agency,) = _report(engine, _stored_run(engine), SXD).agencies
    measured = [c for s in agency.sections for c in s.criteria if c.origin == "measured"]
    assert {c.metric.id for c in measured if c.metric} == set(METRIC_IDS) - {
        "outbound.numbering_anomalies"
    }
    for line in measured:
        assert line.metric is not None
        assert (line.metric.numerator, line.metric.denominator, line.metric.percent) == (
            40,
            100,
            40.0,
        )
        assert line.metric.evidence == (
            f"checker evidence --agency {SXD} --metric {line.metric.id} --year 2025"
        )


def test_a_year_to_date_run_gives_evidence_commands_as_of_its_day(engine):
    as_of = date(2025, 6, 30)
    run_id = _stored_run(engine, Period.year_to_date(as_of), as_of)
    (agency,) = _report(engine, run_id, SNV).agencies
    commands = [c.metric.evidence for s in agency.sections for c in s.criteria if c.metric]
    assert commands and all(command.endswith(" --as-of 2025-06-30") for command in commands)


def test_manual_criteria_not_entered_are_manual_without_points(engine):
    (agency,) = _report(engine, _stored_run(engine), WARD).agencies
    last = agency.sections[-1].criteria[-1]
    assert (last.origin, last.points, last.metric) == ("manual", None, None)
    assert agency.to_fix[-1].criterion == last.id  # not entered: listed after points lost
    assert agency.total == 100 - 2.5 - last.max


def test_one_agency_s_report_keeps_only_its_group_s_ranking(engine):
    report = _report(engine, _stored_run(engine), WARD)
    assert [g.id for g in report.groups] == ["phuong-xa"]
    assert [a.code for a in report.agencies] == [WARD]


def test_an_agency_not_in_the_run_and_a_store_without_runs_are_storage_errors(engine, english):
    with engine.connect() as connection, pytest.raises(StorageError, match="no scoring run"):
        latest_run_id(connection)
    run_id = _stored_run(engine)
    with pytest.raises(StorageError, match=f"agency 000.00.09.H99 is not in scoring run {run_id}"):
        _report(engine, run_id, "000.00.09.H99")
    with engine.connect() as connection:
        assert latest_run_id(connection) == run_id


def test_the_table_shows_every_ranking_and_every_criterion(engine):
    report = _report(engine, _stored_run(engine))
    text = render_table(report)
    for group in report.groups:
        for line in group.ranking:
            assert any(line.name in row and f"{line.total:g}/" in row for row in text.splitlines())
    for agency in report.agencies:
        for section in agency.sections:
            for criterion in section.criteria:
                assert f" {criterion.id} {criterion.title}: " in text
                if criterion.metric is not None:
                    assert criterion.metric.evidence in text


@pytest.mark.usefixtures("english")
def test_a_section_with_criteria_not_measured_is_over_what_could_be_measured(engine):
    report = _report(engine, _stored_run(engine))
    for agency in report.agencies:
        criteria = CRITERIA[agency.criteria_set]
        for section, defined in zip(agency.sections, criteria.sections, strict=True):
            unmeasured = [
                c for c in section.criteria if c.points is None and c.origin == "measured"
            ]
            assert section.not_measured == [c.id for c in unmeasured]
            assert section.measured_max == pytest.approx(
                float(defined.max) - sum(c.max for c in unmeasured)
            )
        assert agency.provisional == bool(agency.not_measured)
        ranked = next(r for g in report.groups for r in g.ranking if r.code == agency.code)
        assert ranked.provisional == agency.provisional
    (stc,) = [a for a in report.agencies if a.code == STC]
    unmeasured = [
        c.id for c in DANANG.criteria if c.metric in (METRIC_IDS[0], "outbound.numbering_anomalies")
    ]
    assert stc.not_measured == unmeasured and stc.provisional
    # the grades still possible run from the one with them at full marks to the one at 0
    full = {
        c.id: Decimal(str(c.points))
        for s in stc.sections
        for c in s.criteria
        if c.points is not None
    }
    full |= {c.id: c.max for c in DANANG.criteria if c.id in unmeasured}
    high = grade(DANANG, section_points_from_criteria(DANANG, full))
    assert stc.possible[0] == high.grade_name and stc.possible[-1] == stc.grade_name
    assert stc.total_high == pytest.approx(float(high.total))
    # no reason says a criterion not measured failed: a section is only said to fall short
    # on what could be measured
    for reason in stc.reasons:
        for section in stc.sections:
            if section.not_measured and f"section {section.id} has" in reason:
                assert "of what is known" in reason
    ward = next(a for a in report.agencies if a.code == WARD)  # a manual entry missing: as before
    assert not ward.provisional and ward.possible == [ward.grade_name]
    table = render_table(_report(engine, _stored_run(engine), STC))
    section = next(s for s in stc.sections if s.not_measured)
    assert f"{section.id}. {section.title}: " in table
    assert f"not measured: {', '.join(section.not_measured)}" in table
    assert "provisional: " in table and "(provisional)" in table
