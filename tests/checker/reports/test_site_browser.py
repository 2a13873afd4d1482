"""The report site in a real browser (headless Chromium): the figures read from the rendered
pages equal the report JSON, nothing on the console, Vietnamese, tables with headers; and
screenshots of the index and an agency page at phone and desktop widths, for people to look
at, in tests/artifacts/site/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from checker.jobs.score import criteria_sets
from checker.jobs.site import SiteOptions, publish_site
from checker.jobs.way import way_to_next_grade
from checker.reports.report import Report, build_report, latest_run_id
from checker.reports.site.build import CHANGES_PAGE, WAY_ITEMS, agency_page, evidence_page
from checker.store.engine import open_store
from tests.browser import ARTIFACTS, Browser, chromium_or_skip, serve_folder
from tests.checker.reports.conftest import cli, score_city
from tests.small_city import write_messages

SHOTS = ARTIFACTS / "site"


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Report]:
    """The site of a small city scored on SQLite (the pages are the same from either store)."""
    scored_city = score_city(f"sqlite:///{tmp_path / 'checker.db'}", tmp_path / "city")
    output = tmp_path / "site"
    engine = open_store(scored_city.db_url)
    try:
        publish_site(engine, scored_city.deployment, SiteOptions(output))
        with engine.connect() as connection:
            groups = [g.id for g in scored_city.deployment.groups]
            report = build_report(
                connection,
                criteria_sets(scored_city.deployment),
                latest_run_id(connection),
                None,
                groups,
            )
    finally:
        engine.dispose()
    return output, report


def _number(text: str) -> float:
    return float(text.strip().replace(".", "").replace(",", "."))


def _check_page(dom: str) -> html.HtmlElement:
    page = html.fromstring(dom)
    assert page.get("lang") == "vi"
    for table in page.xpath("//table"):
        assert table.xpath("./thead/tr/th"), "a table without column headers"
    return page


def test_the_rendered_site_shows_the_report_figures_without_console_errors(published):
    browser = Browser(chromium_or_skip())
    output, report = published
    agency, metric = next(
        (a, c.metric)
        for a in report.agencies
        for s in a.sections
        for c in s.criteria
        if c.metric
        and c.metric.id.startswith("inbound.")
        and c.metric.numerator < c.metric.denominator
    )
    with serve_folder(output) as base:
        index = browser.dump_dom(f"{base}/index.html")
        detail = browser.dump_dom(f"{base}/{agency_page(agency.code)}", width=390)
        evidence = browser.dump_dom(f"{base}/{evidence_page(agency.code, metric.id)}")
        for page, width in (("index.html", 390), ("index.html", 1280)):
            shot = browser.screenshot(f"{base}/{page}", SHOTS / f"index-{width}.png", width)
            assert shot.console == []
        for width in (390, 1280):
            path = SHOTS / f"agency-{width}.png"
            shot = browser.screenshot(f"{base}/{agency_page(agency.code)}", path, width, 2400)
            assert shot.console == []
    for visit in (index, detail, evidence):
        assert visit.console == [], visit.console

    page = _check_page(index.dom)
    for group in report.groups:
        rows = page.xpath(f"//table[@data-group='{group.id}']/tbody/tr")
        shown = [
            (
                row.get("data-code"),
                int(row.xpath("string(td[@class='rank num'])")),
                _number(row.xpath("string(td[@class='total num'])")),
                row.xpath("string(td[contains(@class,'grade')])"),
            )
            for row in rows
        ]
        assert shown == [(r.code, r.rank, r.total, r.grade_name) for r in group.ranking]

    page = _check_page(detail.dom)
    summary = page.xpath("//dl[@class='summary']")[0]
    assert _number(summary.xpath("string(.//*[@class='total'])")) == agency.total
    assert _number(summary.xpath("string(.//*[@class='max'])")) == agency.max
    assert int(summary.xpath("string(.//*[@class='rank'])")) == agency.rank
    assert summary.xpath("string(.//*[contains(@class,'grade')])") == agency.grade_name
    for section in agency.sections:
        body = page.xpath(f"//tbody[@data-section='{section.id}']")[0]
        assert _number(body.xpath("string(tr[1]/td[@class='points num'])")) == section.points
        for criterion in section.criteria:
            cell = body.xpath(f"string(tr[@data-criterion='{criterion.id}']/td[3])")
            if criterion.points is None:
                assert cell in ("chưa đo được", "chưa chấm")
            else:
                assert _number(cell) == criterion.points
    lost = page.xpath("//table[@class='to-fix']/tbody/tr/td[@class='lost num']/text()")
    assert [_number(text) for text in lost] == [f.lost for f in agency.to_fix]
    assert len(page.xpath("//svg[@class='chart']//g")) == len(agency.sections)

    page = _check_page(evidence.dom)
    rows = page.xpath("//table[@id='evidence']/tbody/tr")
    assert _number(page.xpath("string(//*[@class='missed-total'])")) == len(rows)
    assert len(rows) == metric.denominator - metric.numerator
    assert page.xpath("//table[@id='evidence']/@data-filter") == ["ready"]  # the script ran
    assert all(row.get("hidden") is None for row in rows)
    for width in (390, 1280):
        assert (SHOTS / f"index-{width}.png").stat().st_size > 0
        assert (SHOTS / f"agency-{width}.png").stat().st_size > 0


@pytest.fixture
def published_twice(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """The site of a small city scored twice, thirty documents apart, and the diff's JSON."""
    db_url = f"sqlite:///{tmp_path / 'checker.db'}"
    scored_city = score_city(db_url, tmp_path / "city")
    write_messages(tmp_path / "city" / "edxml", start=100, count=30)
    cli("--db", db_url, "ingest", "edxml", str(tmp_path / "city" / "edxml"))
    cli("--config", str(scored_city.config), "--db", db_url, "score", "--as-of", "2025-03-15")
    output = tmp_path / "site"
    engine = open_store(db_url)
    try:
        publish_site(engine, scored_city.deployment, SiteOptions(output, with_evidence=False))
    finally:
        engine.dispose()
    changes = cli(
        "--config", str(scored_city.config), "--db", db_url, "runs", "diff", "--format", "json"
    )
    return output, json.loads(changes)


def test_the_rendered_diff_page_shows_the_figures_of_the_diff_json(published_twice):
    browser = Browser(chromium_or_skip())
    output, changes = published_twice
    assert changes["agencies"] and changes["counts"]["criteria_moved"]
    agency = next(a for a in changes["agencies"] if a["criteria"])
    with serve_folder(output) as base:
        diff = browser.dump_dom(f"{base}/{CHANGES_PAGE}")
        index = browser.dump_dom(f"{base}/index.html")
        detail = browser.dump_dom(f"{base}/{agency_page(agency['code'])}", width=390)
        for width in (390, 1280):
            shot = browser.screenshot(
                f"{base}/{CHANGES_PAGE}", SHOTS / f"changes-{width}.png", width
            )
            assert shot.console == []
    for visit in (diff, index, detail):
        assert visit.console == [], visit.console

    page = _check_page(diff.dom)
    shown_counts = {
        dd.get("data-count"): _number(dd.text_content()) for dd in page.xpath("//dd[@data-count]")
    }
    assert (
        shown_counts == {k: changes["counts"][k] for k in shown_counts} and len(shown_counts) == 6
    )
    rows = page.xpath("//table[@class='changes-agencies']/tbody/tr")
    assert [
        (
            row.get("data-code"),
            _number(row.xpath("string(td[contains(@class,'total-before')])")),
            _number(row.xpath("string(td[contains(@class,'total-after')])")),
            row.xpath("string(td[@class='grade-before'])"),
            row.xpath("string(td[@class='grade-after'])"),
            int(row.xpath("string(td[contains(@class,'rank-before')])")),
            int(row.xpath("string(td[contains(@class,'rank-after')])")),
        )
        for row in rows
    ] == [
        (
            a["code"],
            a["total_before"],
            a["total_after"],
            a["grade_name_before"],
            a["grade_name_after"],
            a["rank_before"],
            a["rank_after"],
        )
        for a in changes["agencies"]
    ]
    assert _criterion_rows(page) == [
        (a["code"], c["criterion"], c["change"], c["before"], c["after"], c["max"])
        for a in changes["agencies"]
        for c in a["criteria"]
    ]
    metric_rows = page.xpath("//table[@class='changes-metrics']/tbody/tr")
    assert [
        (
            row.get("data-code"),
            row.get("data-metric"),
            row.xpath("string(.//*[@class='ratio-before'])"),
            row.xpath("string(.//*[@class='ratio-after'])"),
            _number(row.xpath("string(.//*[@class='value-after'])").rstrip("%")),
        )
        for row in metric_rows
    ] == [
        (
            a["code"],
            m["metric"],
            f"{m['numerator_before']}/{m['denominator_before']}",
            f"{m['numerator_after']}/{m['denominator_after']}",
            round(m["value_after"], 1),
        )
        for a in changes["agencies"]
        for m in a["metrics"]
        if m["value_moved"]
    ]

    assert _check_page(index.dom).xpath(f"//a[@href='{CHANGES_PAGE}']")
    page = _check_page(detail.dom)
    block = page.xpath("//section[@class='agency-changes']")[0]
    assert _number(block.xpath("string(.//*[@class='total-before'])")) == agency["total_before"]
    assert _number(block.xpath("string(.//*[@class='total-after'])")) == agency["total_after"]
    assert _criterion_rows(block) == [
        (agency["code"], c["criterion"], c["change"], c["before"], c["after"], c["max"])
        for c in agency["criteria"]
    ]
    trend_rows = page.xpath("//table[@class='criterion-trends']/tbody/tr")
    assert [
        (
            row.get("data-criterion"),
            _number(row.xpath("string(td[contains(@class,'first')])")),
            _number(row.xpath("string(td[contains(@class,'last')])")),
            _number(row.xpath("string(td[contains(@class,'max')])")),
        )
        for row in trend_rows
    ] == [(c["criterion"], c["before"], c["after"], c["max"]) for c in agency["criteria"]]
    dots = page.xpath("//section[@class='agency-trend']//*[local-name()='g'][@class='dot']")
    assert [float(dot.get("data-value")) for dot in dots] == [
        agency["total_before"],
        agency["total_after"],
    ]


def _criterion_rows(page: html.HtmlElement) -> list[tuple[object, ...]]:
    return [
        (
            row.get("data-code"),
            row.get("data-criterion"),
            row.get("data-change"),
            _number(row.xpath("string(td[contains(@class,'before')])")),
            _number(row.xpath("string(td[contains(@class,'after')])")),
            _number(row.xpath("string(td[contains(@class,'max')])")),
        )
        for row in page.xpath(".//table[@class='changes-criteria']/tbody/tr")
    ]


def test_the_way_to_the_next_grade_renders_with_the_figures_of_its_json(tmp_path):
    browser = Browser(chromium_or_skip())
    city = score_city(f"sqlite:///{tmp_path / 'checker.db'}", tmp_path / "city")
    output = tmp_path / "site"
    engine = open_store(city.db_url)
    try:
        publish_site(engine, city.deployment, SiteOptions(output))
        with engine.connect() as connection:
            run = latest_run_id(connection)
        ways = [
            way_to_next_grade(engine, city.deployment, a.code, run_id=run, today=date(2026, 1, 5))
            for a in city.deployment.agencies
        ]
    finally:
        engine.dispose()
    way = next(w for w in ways if w.reachable and w.steps)
    with serve_folder(output) as base:
        visit = browser.dump_dom(f"{base}/{agency_page(way.code)}", width=390)
        shot = browser.screenshot(
            f"{base}/{agency_page(way.code)}", SHOTS / "agency-way-1280.png", 1280, 3200
        )
    assert visit.console == [] and shot.console == []
    page = _check_page(visit.dom)
    block = page.xpath("//section[@class='way']")[0]
    assert block.get("data-next") == way.next_grade
    assert block.xpath("string(.//*[@class='way-next'])") == way.next_grade_name
    assert [li.text_content() for li in block.xpath(".//ul[@class='way-conditions']/li")] == (
        way.conditions
    )
    assert block.xpath("string(.//*[@class='way-after-grade'])") == way.grade_after_name
    assert _number(block.xpath("string(.//*[@class='way-after-total'])")) == way.total_after
    rows = block.xpath(".//table[@class='way-steps']/tbody/tr")
    assert [r.get("data-criterion") for r in rows] == [s.criterion for s in way.steps]
    for row, step in zip(rows, way.steps, strict=True):
        assert _number(row.xpath("string(td[@class='points-now num'])")) == step.points
        assert _number(row.xpath("string(td[@class='points-after num'])")) == step.points_after
        assert _number(row.xpath("string(td[@class='gain num'])").lstrip("+")) == step.gain
        assert row.xpath("string(td[@class='work'])").startswith(step.work)
        listed = row.xpath(".//ul[@class='way-items']/li")
        assert len(listed) == min(len(step.items), WAY_ITEMS)
    outlook = block.xpath(".//table[@class='way-outlook']/tbody/tr")
    assert [r.get("data-criterion") for r in outlook] == [o.criterion for o in way.outlook]
    for row, o in zip(outlook, way.outlook, strict=True):
        shown_end = row.xpath("string(td[contains(@class,'end')])").split(" ")[0]
        assert [_number(n) for n in shown_end.split("/")] == [o.numerator_end, o.denominator_end]
        points_end = row.xpath("string(td[contains(@class,'points-end')])")
        assert (None if points_end == "—" else _number(points_end)) == o.points_end
