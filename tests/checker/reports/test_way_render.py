"""The way as a table: a step's documents or files shown up to a limit, with the command
that lists them all."""

from __future__ import annotations

from datetime import date

from checker.reports.way import SHOWN_ITEMS, WayItem, WayReport, WayStep, render_way_table


def _step(kind: str, items: int, evidence: str | None) -> WayStep:
    return WayStep(
        criterion="4.1",
        title="Giao nộp hồ sơ",
        section="4",
        kind=kind,
        metric="transfers.agency_archive_on_time",
        metric_name="Hồ sơ được giao nộp",
        points=4.0,
        points_after=7.0,
        gain=3.0,
        max=10.0,
        units=5,
        percent_now=50.0,
        percent_after=70.0,
        work="giao nộp",
        items=[
            WayItem(item=f"HS-{n}", code=f"HS-{n}", title=None, date=date(2025, 12, 31), reason="x")
            for n in range(items)
        ],
        evidence=evidence,
    )


def _way(step: WayStep, run: int | None) -> WayReport:
    return WayReport(
        code="000.00.01.H99", name="Sở Nội vụ", group="g", group_name="G",
        criteria_set="danang-electronic-example", run=run,
        period_start=date(2025, 1, 1), period_end=date(2025, 6, 30),
        total=60, max=100, grade="tb-kha", grade_name="Trung bình khá",
        next_grade="kha", next_grade_name="Khá", conditions=["tổng điểm 60 dưới 65"],
        reachable=True, steps=[step], total_after=65, grade_after="kha", grade_after_name="Khá",
        outlook=[], manual=[], method="…",
    )  # fmt: skip


def test_files_beyond_the_shown_ones_are_listed_by_the_way_as_csv():
    table = render_way_table(_way(_step("deadlines", SHOWN_ITEMS + 2, None), None))
    assert sum("HS-" in line for line in table.splitlines()) == SHOWN_ITEMS
    assert "checker way --agency 000.00.01.H99 --as-of 2025-06-30 --format csv" in table
    table = render_way_table(_way(_step("deadlines", SHOWN_ITEMS + 2, None), 7))
    assert "checker way --agency 000.00.01.H99 --run 7 --format csv" in table


def test_documents_beyond_the_shown_ones_are_listed_by_the_evidence_command():
    command = "checker evidence --agency 000.00.01.H99 --metric m --as-of 2025-06-30"
    table = render_way_table(_way(_step("fix", SHOWN_ITEMS + 1, command), None))
    assert command in table and "--format csv" not in table


def test_a_step_with_few_items_shows_them_all_without_a_command():
    table = render_way_table(_way(_step("fix", 3, "checker evidence …"), None))
    assert sum("HS-" in line for line in table.splitlines()) == 3
    assert "checker" not in table
