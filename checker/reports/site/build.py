"""The report site: static pages written from a stored run's report, for people to open in a
browser, from the folder itself or any static web server.

Pages, in the language chosen for the command (``checker.i18n``: Vietnamese by default,
``lang="vi"``; English with ``--lang en``, ``lang="en"``). The templates' text goes through
the same gettext catalogues as the command line (``jinja2.ext.i18n``, msgids in English), and
numbers and dates are written as the reader writes them (``checker.reports.site.numbers``):

- ``index.html``: the ranking of every group;
- ``co-quan/<code>.html``: an agency's criteria, points and where they came from, its grade
  and why, what to fix first, and its sections against their maxima as a chart;
- ``thay-doi.html``: what changed since the run before of the same kind
  (``checker.reports.changes``), linked from the index; each agency page has its own part
  of it and the trend of its total across the kept runs as a chart;
- ``bang-chung/<code>/<metric>-<page>.html``: the documents or files a metric did not count,
  with the reason for each, ``PAGE_SIZE`` to a page with a filter box for the page's rows.

Every asset (CSS, the filter script) ships in the package and is copied next to the pages:
nothing is fetched from elsewhere, and a Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from checker.i18n import Language, _, current_language, ngettext, translations
from checker.reports.changes import RunChanges, changes_of
from checker.reports.report import AgencyReport, Report
from checker.reports.site.charts import Bar, TrendPoint, mini_trend, section_bars, trend_chart
from checker.reports.site.folder import SiteFolder
from checker.reports.site.numbers import day, moment, number, percent
from checker.reports.trend import CriterionTrend, Trend
from checker.reports.way import WayReport
from metrics.values import EvidenceLine

PAGE_SIZE = 500
CHANGES_PAGE = "thay-doi.html"
WAY_ITEMS = 50
"""Documents or files listed under a step of the way; the evidence pages hold them all."""
ASSETS = ("site.css", "filter.js")

SiteProgress = Callable[[int, int], None]
Evidence = Callable[[str, str], Sequence[EvidenceLine]]
"""The lines behind a metric for an agency, ``evidence(agency_code, metric_id)``: the site
shows those not counted (a lookup may give only those)."""


@dataclass(frozen=True)
class SiteSummary:
    run: int
    folder: Path
    pages: int
    agencies: int
    evidence_pages: int
    evidence_rows: int
    removed: int


@dataclass(frozen=True)
class _Page:
    name: str
    template: str
    context: dict[str, Any]


def write_site(
    report: Report,
    output: Path,
    *,
    city: str,
    generated_at: datetime,
    evidence: Evidence | None = None,
    progress: SiteProgress | None = None,
    changes: RunChanges | None = None,
    trends: Mapping[str, Trend] | None = None,
    criterion_trends: Mapping[str, Sequence[CriterionTrend]] | None = None,
    ways: Callable[[str], WayReport | None] | None = None,
) -> SiteSummary:
    """Write the site of ``report`` into ``output``, one page at a time; files checker did
    not write are left alone (a folder holding one where a page goes is refused).
    ``progress(agencies_done, agencies)`` is called after each agency's pages; ``changes``
    (since the run before), ``trends`` and ``criterion_trends`` (by agency code) add their
    pages and blocks; ``ways(code)`` gives an agency's way to the next grade
    (``checker.reports.way``), asked for after its evidence. The pages are in the current
    language (``checker.i18n``), the one the report's own words were put in."""
    site = SiteFolder(output)
    try:
        site.check(["index.html", *(f"assets/{asset}" for asset in ASSETS)])
        language = current_language()
        environment = _environment(language)
        common = {
            "city": city,
            "run": report.run,
            "generated_at": generated_at,
            "changes": changes,
        }
        for asset in ASSETS:
            site.write(f"assets/{asset}", _asset(asset))
        evidence_pages = evidence_rows = agencies_done = 0
        lines = _Trends(trends or {}, criterion_trends or {})
        for page in _pages(report, evidence, changes, lines, ways, language):
            root = "../" * page.name.count("/")
            template = environment.get_template(page.template)
            html = template.render(root=root, **common, **page.context)
            site.write(page.name, html.encode("utf-8"))
            if page.template == "evidence.html":
                evidence_pages += 1
                evidence_rows += len(page.context["lines"])
            elif page.template == "agency.html" and progress is not None:
                progress(agencies_done := agencies_done + 1, len(report.agencies))
        pages = len(site.written) - len(ASSETS)
        removed = site.finish()
    finally:
        site.close()
    return SiteSummary(
        run=report.run.id,
        folder=output,
        pages=pages,
        agencies=len(report.agencies),
        evidence_pages=evidence_pages,
        evidence_rows=evidence_rows,
        removed=len(removed),
    )


def agency_page(code: str) -> str:
    return f"co-quan/{slug(code)}.html"


def evidence_page(code: str, metric_id: str, number: int = 1) -> str:
    return f"bang-chung/{slug(code)}/{slug(metric_id)}-{number}.html"


def slug(text: str) -> str:
    """A file name made of the text's safe characters (codes keep their dots)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "_"


def _pages(
    report: Report,
    evidence: Evidence | None,
    changes: RunChanges | None,
    trends: _Trends,
    ways: Callable[[str], WayReport | None] | None,
    language: Language,
) -> Iterator[_Page]:
    yield _Page("index.html", "index.html", {"groups": report.groups, "agencies": report.agencies})
    if changes is not None:
        yield _Page(CHANGES_PAGE, "changes.html", {})
    for agency in report.agencies:
        evidence_counts: dict[str, int] = {}
        if evidence is not None:
            for metric_id in _measured_metrics(agency):
                missed = [line for line in evidence(agency.code, metric_id) if not line.counted]
                evidence_counts[metric_id] = len(missed)
                yield from _evidence_pages(agency, metric_id, missed)
        yield _Page(
            agency_page(agency.code),
            "agency.html",
            {
                "agency": agency,
                "chart": _chart(agency, language),
                "evidence_counts": evidence_counts,
                "agency_changes": None if changes is None else changes_of(changes, agency.code),
                "trend_chart": _trend(agency, trends.totals.get(agency.code), language),
                "criterion_trends": _criterion_trends(
                    agency, trends.criteria.get(agency.code, ()), language
                ),
                "way": ways(agency.code) if ways is not None else None,
            },
        )


def _measured_metrics(agency: AgencyReport) -> list[str]:
    seen: dict[str, None] = {}
    for section in agency.sections:
        for criterion in section.criteria:
            if criterion.metric is not None:
                seen.setdefault(criterion.metric.id, None)
    return list(seen)


def _evidence_pages(
    agency: AgencyReport, metric_id: str, missed: list[EvidenceLine]
) -> Iterator[_Page]:
    metric = next(
        c.metric
        for s in agency.sections
        for c in s.criteria
        if c.metric is not None and c.metric.id == metric_id
    )
    count = max(1, -(-len(missed) // PAGE_SIZE))
    for page_number in range(1, count + 1):
        lines = missed[(page_number - 1) * PAGE_SIZE : page_number * PAGE_SIZE]
        yield _Page(
            evidence_page(agency.code, metric_id, page_number),
            "evidence.html",
            {
                "agency": agency,
                "metric": metric,
                "lines": lines,
                "total": len(missed),
                "number": page_number,
                "count": count,
                "first": (page_number - 1) * PAGE_SIZE + 1,
                "page_names": [
                    evidence_page(agency.code, metric_id, n).rsplit("/", 1)[1]
                    for n in range(1, count + 1)
                ],
            },
        )


def _chart(agency: AgencyReport, language: Language) -> Any:
    bars = [Bar(f"{s.id}. {s.title}", s.points, s.measured_max) for s in agency.sections]
    title = _("Section points of {agency} against the maximum").format(agency=agency.name)
    return section_bars(bars, title, language)


def _trend(agency: AgencyReport, trend: Trend | None, language: Language) -> Any:
    """The agency's total in each kept run, as a chart; None for fewer than two runs."""
    if trend is None or len(trend.points) < 2:
        return None
    points = [
        TrendPoint(
            _("{day} (run {run})").format(day=day(p.day, language), run=p.run),
            p.total,
            p.max_total,
        )
        for p in trend.points
    ]
    title = ngettext(
        "Total points of {agency} over {n} run",
        "Total points of {agency} over {n} runs",
        len(points),
    ).format(agency=agency.name, n=len(points))
    return trend_chart(points, title, language)


@dataclass(frozen=True)
class _Trends:
    totals: Mapping[str, Trend]
    criteria: Mapping[str, Sequence[CriterionTrend]]


@dataclass(frozen=True)
class _CriterionLine:
    criterion: str
    title: str
    chart: Any
    first: float | None
    last: float | None
    max: float


def _criterion_trends(
    agency: AgencyReport, lines: Sequence[CriterionTrend], language: Language
) -> list[_CriterionLine]:
    titles = {c.id: c.title for s in agency.sections for c in s.criteria}
    return [
        _CriterionLine(
            line.criterion,
            titles.get(line.criterion, ""),
            mini_trend(
                line.points,
                line.max_points,
                ngettext(
                    "Points of criterion {criterion} over the last {n} run",
                    "Points of criterion {criterion} over the last {n} runs",
                    len(line.points),
                ).format(criterion=line.criterion, n=len(line.points)),
            ),
            line.points[0],
            line.points[-1],
            line.max_points,
        )
        for line in lines
    ]


def _environment(language: Language) -> Environment:
    """The templates with ``language``'s catalogue: ``{% trans %}`` and ``_()`` (new-style,
    ``%(name)s`` placeholders, trimmed whitespace: babel.cfg extracts them the same way)."""
    environment = Environment(
        loader=PackageLoader("checker.reports.site", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    environment.filters["num"] = lambda value: number(value, language)
    environment.filters["pct"] = lambda value: percent(value, language)
    environment.filters["day"] = lambda value: day(value, language)
    environment.filters["moment"] = lambda value: moment(value, language)
    environment.globals["lang"] = language.value
    environment.globals["agency_page"] = agency_page
    environment.globals["evidence_page"] = evidence_page
    environment.globals["way_items"] = WAY_ITEMS
    return environment


def _asset(name: str) -> bytes:
    return files("checker.reports.site").joinpath("static", name).read_bytes()
