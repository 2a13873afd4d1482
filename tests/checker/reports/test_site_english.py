"""The report site in English (``checker --lang en site``): the same pages and figures as the
Vietnamese site, written the English way (12,345.5; 2025-06-30), ``lang="en"``, and none of
the Vietnamese words of the site's own text in its headings (names from the criteria files
and the logs stay as they are)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html

from checker.i18n import Language, speaking
from checker.jobs.score import criteria_sets
from checker.jobs.site import SiteOptions, publish_site
from checker.reports.report import Report, build_report, latest_run_id
from checker.reports.site.build import CHANGES_PAGE, agency_page, evidence_page
from checker.reports.site.numbers import day, number, percent
from checker.store.engine import open_store
from tests.browser import Browser, chromium_or_skip, serve_folder
from tests.checker.reports.conftest import cli, score_city
from tests.small_city import write_messages

# Words of the Vietnamese site's own text (headings, column headers, labels): none may be
# left in the English site's headings.
VIETNAMESE_WORDS = (
    "Bảng xếp hạng",
    "Tiêu chí",
    "Cơ quan",
    "Điểm",
    "Tối đa",
    "Xếp loại",
    "Hạng",
    "Mã",
    "Lượt",
    "Thay đổi",
    "Cần khắc phục",
    "Nội dung",
    "Nguồn",
    "Số liệu",
    "Trước",
    "Sau",
    "Con đường",
    "Diễn biến",
    "Ghi chú",
    "Mất",
    "Làm tốt",
    "Vì sao",
    "Cuối năm",
    "Hiện tại",
    "Lý do",
    "Ngày",
    "Trang",
    "Dòng",
    "Lọc",
    "Tạo lúc",
    "lưu trữ điện tử",
    "Bộ tiêu chí",
    "cần xử lý",
)
HEADINGS = (
    "//title | //h1 | //h2 | //h3 | //caption | //thead//th | //dt | //summary | //label"
    " | //nav | //header | //footer | //p[@class='changes-link'] | //p[@class='note']"
)
VI_NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?")
EN_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@dataclass(frozen=True)
class Sites:
    vi: Path
    en: Path
    report: Report


@pytest.fixture
def sites(tmp_path: Path) -> Sites:
    """A small city scored twice (so the diff page and the trends are there), its site
    written in Vietnamese and in English, and the English report."""
    db_url = f"sqlite:///{tmp_path / 'checker.db'}"
    city = score_city(db_url, tmp_path / "city")
    write_messages(tmp_path / "city" / "edxml", start=100, count=30)
    cli("--db", db_url, "ingest", "edxml", str(tmp_path / "city" / "edxml"))
    cli("--config", str(city.config), "--db", db_url, "score", "--as-of", "2025-03-15")
    engine = open_store(db_url)
    try:
        publish_site(engine, city.deployment, SiteOptions(tmp_path / "vi"))
        with speaking(Language.en):
            publish_site(engine, city.deployment, SiteOptions(tmp_path / "en"))
            with engine.connect() as connection:
                groups = [g.id for g in city.deployment.groups]
                sets = criteria_sets(city.deployment)
                report = build_report(connection, sets, latest_run_id(connection), None, groups)
    finally:
        engine.dispose()
    return Sites(tmp_path / "vi", tmp_path / "en", report)


def _pages(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html"))


def _figures(page: html.HtmlElement, pattern: re.Pattern[str], language: Language) -> list[float]:
    """Every figure of the page's figure cells, read as ``language`` writes numbers."""
    texts = page.xpath("//*[contains(concat(' ', @class, ' '), ' num ')]//text()")
    found = [match for text in texts for match in pattern.findall(text)]
    if language is Language.vi:
        return [float(f.replace(".", "").replace(",", ".")) for f in found]
    return [float(f.replace(",", "")) for f in found]


def test_the_english_site_has_the_pages_and_figures_of_the_vietnamese_one(sites):
    assert _pages(sites.en) == _pages(sites.vi)
    assert CHANGES_PAGE in _pages(sites.en)
    for name in _pages(sites.en):
        english = html.fromstring((sites.en / name).read_bytes())
        vietnamese = html.fromstring((sites.vi / name).read_bytes())
        assert english.get("lang") == "en", name
        assert vietnamese.get("lang") == "vi", name
        en_figures = _figures(english, EN_NUMBER, Language.en)
        assert en_figures == _figures(vietnamese, VI_NUMBER, Language.vi), name
        headings = " ".join(" ".join(h.itertext()) for h in english.xpath(HEADINGS))
        left = [w for w in VIETNAMESE_WORDS if re.search(rf"(?<!\w){w}(?!\w)", headings)]
        assert left == [], (name, left)


def test_the_rendered_english_site_shows_the_report_figures_the_english_way(sites):
    browser = Browser(chromium_or_skip())
    report = sites.report
    agency, metric = next(
        (a, c.metric)
        for a in report.agencies
        for s in a.sections
        for c in s.criteria
        if c.metric and c.metric.numerator < c.metric.denominator
    )
    with serve_folder(sites.en) as base:
        index = browser.dump_dom(f"{base}/index.html")
        detail = browser.dump_dom(f"{base}/{agency_page(agency.code)}")
        evidence = browser.dump_dom(f"{base}/{evidence_page(agency.code, metric.id)}")
    for visit in (index, detail, evidence):
        assert visit.console == [], visit.console

    page = html.fromstring(index.dom)
    assert page.get("lang") == "en"
    assert page.xpath("string(//h1)") == "Ranking"
    for group in report.groups:
        rows = page.xpath(f"//table[@data-group='{group.id}']/tbody/tr")
        shown = [
            (
                row.get("data-code"),
                row.xpath("string(td[@class='total num'])"),
                row.xpath("string(td[contains(@class,'grade')])"),
            )
            for row in rows
        ]
        wanted = [(r.code, number(r.total, Language.en), r.grade_name) for r in group.ranking]
        assert shown == wanted
    with speaking(Language.en):
        run = report.run
        assert f"period {day(run.period_start, Language.en)}" in page.xpath("string(//header)")

    page = html.fromstring(detail.dom)
    summary = page.xpath("//dl[@class='summary']")[0]
    assert summary.xpath("string(.//*[@class='total'])") == number(agency.total, Language.en)
    assert [dt.text for dt in summary.xpath(".//dt")] == [
        "Code",
        "Total points",
        "Grade",
        "Rank in the group",
    ]
    for section in agency.sections:
        body = page.xpath(f"//tbody[@data-section='{section.id}']")[0]
        points = body.xpath("string(tr[1]/td[@class='points num'])")
        assert points == number(section.points, Language.en)
        for criterion in section.criteria:
            cell = body.xpath(f"string(tr[@data-criterion='{criterion.id}']/td[3])")
            if criterion.points is None:
                assert cell in ("not measured", "not entered yet")
            else:
                assert cell == number(criterion.points, Language.en)
            shown_metric = criterion.metric
            if shown_metric is not None and shown_metric.percent is not None:
                row = body.xpath(f"tr[@data-criterion='{criterion.id}']/td[6]")[0]
                assert f"({percent(shown_metric.percent, Language.en)})" in row.text_content()
    chart = page.xpath("//svg[@class='chart']")[0]
    assert chart.get("aria-label") == f"Section points of {agency.name} against the maximum"

    page = html.fromstring(evidence.dom)
    rows = page.xpath("//table[@id='evidence']/tbody/tr")
    assert page.xpath("//table[@id='evidence']/@data-filter") == ["ready"]
    assert page.xpath("string(//table[@id='evidence']/caption)").startswith("Lines 1–")
    assert page.xpath("//output/@data-matched") == ["{n} matching lines"]
    assert len(rows) == metric.denominator - metric.numerator


def test_checker_lang_en_site_writes_the_english_site(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'checker.db'}"
    city = score_city(db_url, tmp_path / "city")
    site = tmp_path / "site"
    said = cli(
        "--lang", "en", "--config", str(city.config), "--db", db_url, "site", "--output", str(site)
    )
    assert said.startswith(f"Site of run 1 written to {site}")
    index = html.fromstring((site / "index.html").read_bytes())
    assert index.get("lang") == "en"
    assert index.xpath("string(//h1)") == "Ranking"
    said = cli("--config", str(city.config), "--db", db_url, "site", "--output", str(site))
    assert said.startswith(f"Đã ghi trang báo cáo của lượt chấm 1 vào {site}")
    index = html.fromstring((site / "index.html").read_bytes())
    assert index.get("lang") == "vi"
    assert index.xpath("string(//h1)") == "Bảng xếp hạng"
