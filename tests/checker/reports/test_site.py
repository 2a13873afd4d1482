"""The report site as files: pages for every agency and metric, escaped, paged, and a site
folder where checker only ever touches what it wrote."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import html

from checker.errors import OutputError
from checker.i18n import Language
from checker.jobs.score import criteria_sets
from checker.jobs.site import SiteOptions, _evidence, publish_site
from checker.reports.report import build_report, latest_run_id
from checker.reports.site import build, numbers
from checker.reports.site.build import agency_page, evidence_page, write_site
from checker.reports.site.folder import JOURNAL, MANIFEST
from checker.reports.site.numbers import number as site_number
from checker.store.engine import open_store
from metrics import evidence_batches
from metrics.values import EvidenceLine
from tests.checker.reports.conftest import ScoredCity, cli
from tests.small_city import AGENCIES, HOSTILE_SUBJECT


def _publish(city: ScoredCity, output: Path) -> build.SiteSummary:
    engine = open_store(city.db_url)
    try:
        return publish_site(engine, city.deployment, SiteOptions(output))
    finally:
        engine.dispose()


def _report(city: ScoredCity):
    engine = open_store(city.db_url)
    try:
        with engine.connect() as connection:
            run_id = latest_run_id(connection)
            groups = [g.id for g in city.deployment.groups]
            return build_report(connection, criteria_sets(city.deployment), run_id, None, groups)
    finally:
        engine.dispose()


def test_the_site_shows_the_report_with_text_from_the_logs_escaped(scored_city, tmp_path):
    output = tmp_path / "site"
    summary = _publish(scored_city, output)
    assert summary.agencies == len(AGENCIES)
    for code in AGENCIES:
        assert (output / agency_page(code)).is_file()
    index = html.fromstring((output / "index.html").read_bytes())
    assert index.get("lang") == "vi"
    ranked = index.xpath("//table[@class='ranking']/tbody/tr/@data-code")
    assert sorted(ranked) == sorted(AGENCIES)
    manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    written = {str(p.relative_to(output)) for p in output.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == written - {MANIFEST}
    assert not (output / JOURNAL).exists()

    agency = _report(scored_city).agencies[0]
    page = html.fromstring((output / agency_page(agency.code)).read_bytes())
    total = page.xpath("string(//dl[@class='summary']//*[@class='total'])")
    assert total == site_number(agency.total, Language.vi)
    for section in agency.sections:
        cell = page.xpath(f"string(//tbody[@data-section='{section.id}']/tr[1]/td[1])")
        assert cell == site_number(section.points, Language.vi)
    assert page.xpath("count(//svg[@class='chart']//rect[@class='fill'])") == len(agency.sections)

    assert summary.evidence_rows > 0
    pages = [p.read_text(encoding="utf-8") for p in output.rglob("*.html")]
    assert not any("<script>alert(1)" in text for text in pages)
    shown = [
        cell.text_content()
        for text in pages
        for cell in html.fromstring(text).xpath("//table[@id='evidence']//td")
    ]
    assert HOSTILE_SUBJECT in shown


def test_evidence_is_paged_with_every_row_once(tmp_path, monkeypatch):
    report = _synthetic_report()
    lines = [
        EvidenceLine(f"doc-{n}", f"{n}/VP", f"Văn bản {n}", "A", None, False, "no status", "x")
        for n in range(1, 1201)
    ]
    monkeypatch.setattr(build, "PAGE_SIZE", 500)
    summary = write_site(
        report,
        tmp_path / "site",
        city="Thử",
        generated_at=datetime(2025, 6, 30, 8, 0),
        evidence=lambda agency, metric: lines,
    )
    assert summary.evidence_pages == 3
    rows = []
    for number in (1, 2, 3):
        page = html.fromstring((tmp_path / "site" / evidence_page("A", "m.x", number)).read_bytes())
        rows += page.xpath("//table[@id='evidence']/tbody/tr/td[3]/text()")
        links = page.xpath("//nav[@class='pages']/a/@href")
        assert len(links) == 2
    assert rows == [f"{n}/VP" for n in range(1, 1201)]


def test_files_checker_did_not_write_are_kept_and_its_old_pages_removed(tmp_path):
    output = tmp_path / "site"
    output.mkdir()
    (output / "README.txt").write_text("ours", encoding="utf-8")
    (output / "co-quan").mkdir()
    (output / "co-quan" / "notes.html").write_text("ours too", encoding="utf-8")
    two = _synthetic_report(["A", "B"])
    write_site(two, output, city="Thử", generated_at=datetime(2025, 6, 30))
    assert (output / agency_page("B")).exists()
    write_site(_synthetic_report(["A"]), output, city="Thử", generated_at=datetime(2025, 7, 1))
    assert not (output / agency_page("B")).exists()
    assert (output / agency_page("A")).exists()
    assert (output / "README.txt").read_text(encoding="utf-8") == "ours"
    assert (output / "co-quan" / "notes.html").read_text(encoding="utf-8") == "ours too"


def test_a_page_checker_did_not_write_is_never_overwritten(tmp_path, english):
    output = tmp_path / "site"
    output.mkdir()
    (output / "index.html").write_text("<p>the city's own page</p>", encoding="utf-8")
    with pytest.raises(OutputError, match=r"already holds index.html, which checker did not"):
        write_site(_synthetic_report(), output, city="Thử", generated_at=datetime(2025, 6, 30))
    assert (output / "index.html").read_text(encoding="utf-8") == "<p>the city's own page</p>"
    assert sorted(p.name for p in output.iterdir()) == ["index.html"]


def test_a_site_stopped_half_way_is_completed_by_the_next_one(tmp_path, monkeypatch):
    output = tmp_path / "site"
    calls = {"n": 0}

    def failing(agency: str, metric: str) -> list[EvidenceLine]:
        calls["n"] += 1
        if agency == "B":
            raise KeyboardInterrupt  # as a kill would, after some pages were written
        return []

    with pytest.raises(KeyboardInterrupt):
        write_site(
            _synthetic_report(["A", "B"]),
            output,
            city="Thử",
            generated_at=datetime(2025, 6, 30),
            evidence=failing,
        )
    assert (output / JOURNAL).exists()
    assert not (output / MANIFEST).exists()
    summary = write_site(
        _synthetic_report(["A", "B"]), output, city="Thử", generated_at=datetime(2025, 6, 30)
    )
    assert summary.agencies == 2
    assert not (output / JOURNAL).exists()
    assert not list(output.rglob("bang-chung/*/*.html"))


def test_a_folder_that_cannot_be_written_is_one_error(tmp_path, english):
    """A write the system refuses to anyone, root included: a folder stands where checker
    writes its journal of pages."""
    site = tmp_path / "site"
    (site / JOURNAL).mkdir(parents=True)
    with pytest.raises(
        OutputError, match=r"site folder .*/site cannot be written: it is a folder, not a file"
    ):
        write_site(_synthetic_report(), site, city="Thử", generated_at=datetime.now())
    assert [p.name for p in site.iterdir()] == [JOURNAL]


def test_a_path_under_a_file_is_one_error(tmp_path, english):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match=r"site folder .*plain-file/site cannot be written"):
        write_site(_synthetic_report(), blocker / "site", city="Thử", generated_at=datetime.now())


def test_the_site_command_prints_one_line_and_errors_are_one_line(scored_city, tmp_path):
    output = tmp_path / "site"
    out = cli(
        "--config",
        str(scored_city.config),
        "--db",
        scored_city.db_url,
        "site",
        "--output",
        str(output),
        "--no-evidence",
    )
    assert f"Mở {output / 'index.html'}" in out
    assert not (output / "bang-chung").exists()


def test_the_templates_and_assets_ship_in_the_package():
    from importlib.resources import files

    site = files("checker.reports.site")
    for name in ("base.html", "index.html", "agency.html", "evidence.html"):
        assert site.joinpath("templates", name).is_file()
    for name in build.ASSETS:
        assert site.joinpath("static", name).is_file()


def _synthetic_report(codes: list[str] | None = None):
    from datetime import date

    from checker.reports.report import (
        AgencyReport,
        CriterionLine,
        GroupRanking,
        MetricEvidence,
        RankingLine,
        Report,
        RunInfo,
        SectionLine,
    )

    codes = codes or ["A"]
    metric = MetricEvidence(
        id="m.x", name="Chỉ số", numerator=1, denominator=2, percent=50.0, evidence="checker …"
    )
    criterion = CriterionLine(
        id="1.1", title="Tiêu chí", points=5.0, max=10.0, origin="measured", metric=metric
    )
    section = SectionLine(
        id="1",
        title="Phần",
        points=5.0,
        max=10.0,
        criteria=[criterion],
        measured_max=10.0,
        not_measured=[],
    )
    agencies = [
        AgencyReport(
            code=code,
            name=f"Cơ quan {code}",
            group="g",
            criteria_set="c",
            rank=1,
            total=5.0,
            max=10.0,
            grade="tb",
            grade_name="Trung bình",
            provisional=False,
            possible=["Trung bình"],
            total_high=5.0,
            not_measured=[],
            deciding=[],
            reasons=[],
            strengths=[],
            to_fix=[],
            sections=[section],
        )
        for code in codes
    ]
    ranking = [
        RankingLine(
            rank=1,
            code=code,
            name=f"Cơ quan {code}",
            total=5.0,
            max=10.0,
            grade="tb",
            grade_name="Trung bình",
            provisional=False,
        )
        for code in codes
    ]
    return Report(
        run=RunInfo(id=1, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), as_of=None),
        groups=[GroupRanking(id="g", name="Nhóm", criteria_set="c", ranking=ranking)],
        agencies=agencies,
    )


def test_numbers_and_days_are_written_the_way_each_language_writes_them():
    assert numbers.number(12345.5, Language.vi) == "12.345,5"
    assert numbers.number(12345.5, Language.en) == "12,345.5"
    assert numbers.number(100, Language.vi) == numbers.number(100, Language.en) == "100"
    assert numbers.percent(58.33, Language.vi) == "58,3%"
    assert numbers.percent(58.33, Language.en) == "58.3%"
    assert numbers.number(None, Language.en) == "—"
    assert numbers.day(date(2025, 6, 30), Language.vi) == "30/06/2025"
    assert numbers.day(date(2025, 6, 30), Language.en) == "2025-06-30"


def test_the_site_reads_evidence_a_batch_at_a_time_with_the_same_pages(
    scored_city, tmp_path, monkeypatch
):
    """The evidence is read for a batch of agencies at a time (``metrics.evidence_batches``):
    batches of a line each (every agency with evidence alone) write the pages one batch of
    all agencies writes, but for the time they were made (both databases)."""
    whole = _publish(scored_city, tmp_path / "whole")
    monkeypatch.setattr(evidence_batches, "BATCH_LINES", 1)
    engine = open_store(scored_city.db_url)
    try:
        with engine.begin() as connection:
            run_id = latest_run_id(connection)
            codes = [agency.code for agency in _report(scored_city).agencies]
            metrics = {m.id for m in _report_metrics(scored_city)}
            read = _evidence(connection, scored_city.deployment, run_id, codes, metrics)
    finally:
        engine.dispose()
    assert len(read.batches) > 1 and [c for b in read.batches for c in b] == codes
    alone = _publish(scored_city, tmp_path / "alone")
    assert (alone.evidence_pages, alone.evidence_rows) == (
        whole.evidence_pages,
        whole.evidence_rows,
    )
    assert whole.evidence_rows > 0
    assert _pages(tmp_path / "alone") == _pages(tmp_path / "whole")


def _report_metrics(city: ScoredCity):
    report = _report(city)
    return {c.metric for a in report.agencies for s in a.sections for c in s.criteria if c.metric}


def _pages(folder: Path) -> dict[Path, str]:
    """Every page of a site by its path, the time it was made left out."""
    return {
        page.relative_to(folder): re.sub(
            r"Tạo lúc \d{2}:\d{2} \d{2}/\d{2}/\d{4}", "", page.read_text(encoding="utf-8")
        )
        for page in folder.rglob("*.html")
    }
