from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from checker.config import Agency, Deployment, Group
from checker.errors import ConfigError, CriteriaError
from checker.scoring.assessment import (
    AGREED,
    INSPECTION,
    MEASURED,
    SELF,
    NewEntry,
    cell_history,
    close_assessment,
    load_scorecard,
    open_assessment,
    record_entries,
)
from checker.scoring.criteria import load_criteria
from checker.scoring.entering import enter_manual_file
from checker.scoring.prefill import prefill
from checker.scoring.runs import score_agencies, store_run
from checker.scoring.standing import standing
from metrics.period import Period
from metrics.values import MetricValue

CRITERIA_DIR = Path(__file__).resolve().parents[3] / "config" / "criteria"
HANOI = load_criteria("hanoi-2017", CRITERIA_DIR)
DANANG = load_criteria("danang-electronic-example", CRITERIA_DIR)
NOW = datetime(2026, 3, 1, 9, 0)
DEPLOYMENT = Deployment(
    groups=(
        Group(id="so", name="Sở", criteria="danang-electronic-example"),
        Group(id="xa", name="Xã", criteria="hanoi-2017"),
    ),
    agencies=(Agency(code="A", name="Sở A", group="so"), Agency(code="X", name="Xã X", group="xa")),
)
BY_GROUP = {"so": DANANG, "xa": HANOI}
FULL_1_TO_6 = {"1.1": 5, "2.1": 15, "3.1": 25, "4.1": 30, "5.1": 10, "6.1": 10}


def _card(connection, agency="X", criteria=HANOI):
    return load_scorecard(
        connection, open_assessment(connection, agency, 2025, criteria, NOW), criteria
    )


def _enter(connection, card, role, points, who="tester", note=""):
    entries = [NewEntry(c, role, Decimal(p), note) for c, p in points.items()]
    return record_entries(connection, card, entries, who, "test", NOW)


def test_the_points_that_count_follow_agreed_over_inspection_over_self(engine):
    with engine.begin() as connection:
        card = _card(connection)
        _enter(connection, card, SELF, {"3.1": 25})
        card = _card(connection)
        assert card.cell("3.1").counting == (SELF, Decimal(25))
        _enter(connection, card, INSPECTION, {"3.1": 20}, who="đoàn")
        _enter(connection, _card(connection), AGREED, {"3.1": 22}, who="cụm")
        card = _card(connection)
    assert card.cell("3.1").counting == (AGREED, Decimal(22))
    assert card.cell("3.1").points_of(SELF) == 25


def test_nothing_is_overwritten_and_the_history_of_a_cell_is_kept(engine):
    with engine.begin() as connection:
        _enter(connection, _card(connection), SELF, {"1.1": 3}, who="văn thư")
        _enter(connection, _card(connection), SELF, {"1.1": 4}, who="văn thư", note="sửa")
        assert _enter(connection, _card(connection), SELF, {"1.1": 4}, note="sửa") == 0
        history = cell_history(connection, _card(connection), "1.1")
    assert [(e.role, e.points, e.note) for e in history] == [
        (SELF, Decimal(3), ""),
        (SELF, Decimal(4), "sửa"),
    ]
    assert {e.entered_by for e in history} == {"văn thư"}


def test_points_above_the_max_refuse_every_entry_of_the_batch(engine, english):
    with engine.begin() as connection:
        card = _card(connection)
        with pytest.raises(CriteriaError, match=r"6 is above the maximum 5 of criterion 1\.1"):
            _enter(connection, card, SELF, {"2.1": 10, "1.1": 6})
        with pytest.raises(CriteriaError, match="negative"):
            _enter(connection, card, SELF, {"2.1": -1})
        assert _card(connection).missing == tuple(c.id for c in HANOI.criteria)


def _run_with_measured(connection, numerator, denominator):
    metrics = sorted({c.metric for c in DANANG.criteria if c.metric})
    values = [MetricValue("A", m, numerator, denominator) for m in metrics]
    scores = score_agencies(DEPLOYMENT, BY_GROUP, values, {})
    return store_run(connection, Period.year(2025), None, NOW, NOW, values, scores)


def test_prefill_freezes_measured_points_with_their_run_and_evidence_command(engine):
    with engine.begin() as connection:
        run_id = _run_with_measured(connection, 6, 10)
        done = prefill(
            connection, {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}, run_id, NOW
        )
        again = prefill(
            connection, {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}, run_id, NOW
        )
        card = _card(connection, "A", DANANG)
    measured = [c for c in DANANG.criteria if c.metric]
    assert done.entries == len(measured) and again.entries == 0
    entry = card.cell(measured[0].id).latest[MEASURED]
    assert (entry.run_id, entry.numerator, entry.denominator) == (run_id, 6, 10)
    assert entry.evidence == (
        f"checker evidence --agency A --metric {measured[0].metric} --year 2025"
    )


def test_overriding_a_measured_criterion_needs_a_note(engine, english):
    criteria_sets = {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}
    with engine.begin() as connection:
        prefill(connection, criteria_sets, _run_with_measured(connection, 6, 10), NOW)
        card = _card(connection, "A", DANANG)
        criterion = next(c for c in DANANG.criteria if c.metric)
        with pytest.raises(CriteriaError, match=f"criterion {criterion.id} is measured at"):
            _enter(connection, card, INSPECTION, {criterion.id: criterion.max})
        _enter(connection, card, INSPECTION, {criterion.id: criterion.max}, note="sổ giấy")
        card = _card(connection, "A", DANANG)
    assert card.cell(criterion.id).counting == (INSPECTION, criterion.max)
    assert card.cell(criterion.id).note == "sổ giấy"


def test_a_blank_content_leaves_the_grade_provisional_until_closing(engine, english):
    with engine.begin() as connection:
        _enter(connection, _card(connection), INSPECTION, FULL_1_TO_6)
        card = _card(connection)
        now = standing(card)
        closed = close_assessment(connection, card, "trưởng đoàn", NOW)
    assert [g.id for g in now.possible] == ["A", "B", "C"]
    assert (now.low.total, now.high.total) == (95, 100)
    assert now.deciding == ("7.1",) and not now.final
    final = standing(closed)
    assert final.final and final.settled and final.low.grade_id == "C"
    assert closed.counted_as_zero == ("7.1",)
    with engine.begin() as connection, pytest.raises(CriteriaError, match="closed"):
        _enter(connection, closed, AGREED, {"7.1": 5})


def test_measured_criteria_with_nothing_to_measure_are_missing_not_zero(engine):
    criteria_sets = {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}
    with engine.begin() as connection:
        prefill(connection, criteria_sets, _run_with_measured(connection, 0, 0), NOW)
        card = _card(connection, "A", DANANG)
    measured = {c.id for c in DANANG.criteria if c.metric}
    assert measured <= set(card.missing)
    assert standing(card).high.total == DANANG.total_max


def test_another_version_of_the_criteria_set_is_refused(engine, english):
    changed = HANOI.model_copy(update={"title": "Bộ tiêu chí khác"})
    with engine.begin() as connection:
        _card(connection)
        with pytest.raises(CriteriaError, match="another version of criteria set hanoi-2017"):
            _card(connection, criteria=changed)


def test_the_manual_points_file_enters_scores_for_a_year_and_role(engine, tmp_path):
    path = tmp_path / "diem.toml"
    path.write_text('[X]\n"1.1" = 4\n"3.1" = { points = 20.5, note = "thiếu sổ" }\n')
    with engine.begin() as connection:
        first = enter_manual_file(connection, DEPLOYMENT, BY_GROUP, path, 2025, SELF, "xã X", NOW)
        again = enter_manual_file(connection, DEPLOYMENT, BY_GROUP, path, 2025, SELF, "xã X", NOW)
        card = _card(connection)
    assert (first.entries, again.entries) == (2, 0)
    assert card.cell("3.1").counting == (SELF, Decimal("20.5"))
    assert card.cell("3.1").note == "thiếu sổ"
    assert card.cell("1.1").latest[SELF].source == "toml:diem.toml"


def test_the_manual_points_file_is_taken_whole_or_not_at_all(engine, tmp_path, english):
    path = tmp_path / "diem.toml"
    path.write_text('[X]\n"1.1" = 4\n"2.1" = 16\n')
    with engine.begin() as connection:
        with pytest.raises(ConfigError, match=r"\[X\] 16 is above the maximum 15"):
            enter_manual_file(connection, DEPLOYMENT, BY_GROUP, path, 2025, SELF, "x", NOW)
        assert _card(connection).cell("1.1").latest == {}


def test_a_closed_assessment_keeps_the_measured_points_it_was_closed_with(engine):
    criteria_sets = {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}
    with engine.begin() as connection:
        first = _run_with_measured(connection, 6, 10)
        prefill(connection, criteria_sets, first, NOW)
        close_assessment(connection, _card(connection, "A", DANANG), "trưởng đoàn", NOW)
        again = prefill(connection, criteria_sets, _run_with_measured(connection, 9, 10), NOW)
        card = _card(connection, "A", DANANG)
    measured = next(c for c in DANANG.criteria if c.metric)
    assert card.cell(measured.id).latest[MEASURED].run_id == first
    assert again.entries == 0


def test_an_override_already_on_the_card_is_not_asked_for_its_note_again(engine):
    criteria_sets = {"danang-electronic-example": DANANG, "hanoi-2017": HANOI}
    criterion = next(c for c in DANANG.criteria if c.metric)
    with engine.begin() as connection:
        prefill(connection, criteria_sets, _run_with_measured(connection, 6, 10), NOW)
        _enter(
            connection,
            _card(connection, "A", DANANG),
            AGREED,
            {criterion.id: criterion.max},
            note="vì",
        )
        assert (
            _enter(
                connection, _card(connection, "A", DANANG), AGREED, {criterion.id: criterion.max}
            )
            == 0
        )
