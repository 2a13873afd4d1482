"""The retention rule of stored runs: every run of the last days, then the last of each month,
the newest of each kind and every run a scorecard refers to kept whatever the rule says; a
pruned run goes with everything stored under it; a dry run deletes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from checker.config import RunsConfig
from checker.scoring.retention import KeptRun, prune_runs, runs_past_the_rule
from checker.store.models import (
    AGENCY_RESULT,
    ASSESSMENT,
    ASSESSMENT_ENTRY,
    METRIC_VALUE,
    RUN,
    RUN_SNAPSHOT,
    SCORE,
)

TODAY = date(2025, 6, 30)
RULE = RunsConfig(keep_daily_days=60)


def _run(id_: int, day: date, kind: str = "nightly", hour: int = 2) -> KeptRun:
    return KeptRun(id_, kind, datetime(day.year, day.month, day.day, hour))


def _nightly(first: date, last: date) -> list[KeptRun]:
    days = (last - first).days + 1
    return [_run(n + 1, first + timedelta(days=n)) for n in range(days)]


def test_the_last_days_are_kept_then_one_run_a_month():
    runs = _nightly(date(2025, 1, 1), TODAY)
    past = runs_past_the_rule(runs, RULE, TODAY)
    kept = [r for r in runs if r not in past]
    window = TODAY - timedelta(days=59)
    assert all(r.started_at.date() >= window for r in kept if r.started_at.month >= 5)
    older = [r.started_at.date() for r in kept if r.started_at.date() < window]
    assert older == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]
    assert len([r for r in kept if r.started_at.date() >= window]) == 60


def test_monthly_runs_are_kept_only_as_many_months_as_the_rule_says():
    runs = _nightly(date(2024, 1, 1), TODAY)
    rule = RunsConfig(keep_daily_days=60, keep_monthly_months=3)
    past = runs_past_the_rule(runs, rule, TODAY)
    older = [
        r.started_at.date()
        for r in runs
        if r not in past and r.started_at.date() < date(2025, 5, 1)
    ]
    assert older == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_the_newest_run_of_each_kind_is_kept_however_old():
    runs = [_run(1, date(2024, 3, 1), "score"), _run(2, date(2024, 3, 2), "score"), _run(3, TODAY)]
    past = runs_past_the_rule(runs, RULE, TODAY)
    assert [r.id for r in past] == [1]


def test_without_a_rule_every_run_is_kept():
    assert runs_past_the_rule(_nightly(date(2020, 1, 1), TODAY), RunsConfig(), TODAY) == []


@given(
    st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=120),
    st.one_of(st.none(), st.integers(min_value=1, max_value=24)),
)
def test_the_rule_keeps_recent_runs_and_the_newest_whatever_the_history(ages, days, months):
    runs = [_run(n, TODAY - timedelta(days=age), hour=n % 24) for n, age in enumerate(ages)]
    past = runs_past_the_rule(
        runs, RunsConfig(keep_daily_days=days, keep_monthly_months=months), TODAY
    )
    window = TODAY - timedelta(days=days - 1)
    assert all(r.started_at.date() < window for r in past)
    newest = max(runs, key=lambda r: (r.started_at, r.id))
    assert newest not in past
    assert len({r.id for r in past}) == len(past)


def _store_run(connection, started_at: datetime, kind: str = "nightly") -> int:
    run_id = connection.execute(
        insert(RUN).values(
            kind=kind,
            started_at=started_at,
            finished_at=started_at,
            period_start=date(started_at.year, 1, 1),
            period_end=started_at.date(),
            note="",
        )
    ).inserted_primary_key[0]
    connection.execute(
        insert(METRIC_VALUE).values(
            run_id=run_id,
            agency_code="A",
            metric_id="inbound.registered",
            numerator=1,
            denominator=2,
        )
    )
    connection.execute(
        insert(SCORE).values(
            run_id=run_id,
            agency_code="A",
            section_id="1",
            criterion_id="1.3",
            points="5",
            max_points="7",
            origin="measured",
            metric_id="inbound.registered",
        )
    )
    connection.execute(
        insert(AGENCY_RESULT).values(
            run_id=run_id,
            agency_code="A",
            group_id="g",
            criteria="c",
            total="5",
            max_total="100",
            grade_id="tb",
            grade_name="Trung bình",
            reasons="[]",
            rank=1,
        )
    )
    connection.execute(
        insert(RUN_SNAPSHOT).values(
            run_id=run_id,
            criteria="{}",
            registry_json='{"groups": [], "agencies": []}',
            last_message_id=0,
            documents=0,
        )
    )
    return int(run_id)


def _refer(connection, run_id: int) -> None:
    assessment = connection.execute(
        insert(ASSESSMENT).values(
            agency_code="A",
            year=2025,
            criteria_id="c",
            criteria_hash="h",
            created_at=datetime(2025, 1, 5),
        )
    ).inserted_primary_key[0]
    connection.execute(
        insert(ASSESSMENT_ENTRY).values(
            assessment_id=assessment,
            criterion_id="1.3",
            role="measured",
            points="5",
            entered_by="checker",
            entered_at=datetime(2025, 1, 5),
            run_id=run_id,
        )
    )


def _count(connection, table, run_ids) -> int:
    return int(
        connection.scalar(
            select(func.count()).select_from(table).where(table.c.run_id.in_(run_ids))
        )
    )


def test_pruning_deletes_a_run_with_all_it_stored_but_never_one_a_scorecard_refers_to(engine):
    with engine.begin() as connection:
        old = [_store_run(connection, datetime(2025, 1, day, 2)) for day in (3, 4, 5)]
        recent = _store_run(connection, datetime(2025, 6, 29, 2))
        _refer(connection, old[0])
    with engine.begin() as connection:
        dry = prune_runs(connection, RULE, TODAY, dry_run=True)
    assert [r.id for r in dry.pruned] == [old[1]] and dry.held_by_scorecards == (old[0],)
    with engine.connect() as connection:
        assert _count(connection, SCORE, old) == 3  # a dry run deletes nothing
    with engine.begin() as connection:
        done = prune_runs(connection, RULE, TODAY)
    assert [r.id for r in done.pruned] == [old[1]] and done.kept == 3 and not done.dry_run
    with engine.connect() as connection:
        kept = set(connection.scalars(select(RUN.c.id)))
        assert kept == {old[0], old[2], recent}  # old[2]: the last run of January
        for table in (METRIC_VALUE, SCORE, AGENCY_RESULT, RUN_SNAPSHOT):
            assert _count(connection, table, [old[1]]) == 0
            assert _count(connection, table, [old[0], old[2], recent]) == 3
    with engine.begin() as connection:
        again = prune_runs(connection, RULE, TODAY)
    assert again.pruned == ()
