"""Charts drawn on the server as inline SVG: no script, no CDN, readable without colour.

``section_bars`` draws each section's points against its maximum: a grey track for the
maximum, a filled bar for the points, and the figures written beside it, so the chart says
the same as the table next to it. Titles come translated; figures are written in the
reader's ``language`` (``checker.reports.site.numbers``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from checker.i18n import Language
from checker.reports.site.numbers import number

_ROW = 34
_LABEL = 150
_BAR = 200
_FIGURE = 80


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float


def section_bars(bars: Sequence[Bar], title: str, language: Language) -> Markup:
    """A horizontal bar per section, its points against its maximum, as one ``<svg>``."""
    width = _LABEL + _BAR + _FIGURE
    height = _ROW * len(bars) + 8
    rows = [_bar_row(index, bar, language) for index, bar in enumerate(bars)]
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rows)
        + "</svg>"
    )


def _bar_row(index: int, bar: Bar, language: Language) -> str:
    y = 4 + index * _ROW
    share = 0.0 if bar.maximum <= 0 else max(0.0, min(1.0, bar.value / bar.maximum))
    filled = round(_BAR * share, 1)
    level = "full" if share >= 1 else "part" if share >= 0.5 else "low"
    figure = f"{number(bar.value, language)}/{number(bar.maximum, language)}"
    label = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
    return (
        f'<g class="bar {level}"><title>{escape(bar.label)}: {figure}</title>'
        f'<text x="0" y="{y + 19}" class="label">{escape(label)}</text>'
        f'<rect x="{_LABEL}" y="{y + 4}" width="{_BAR}" height="20" rx="3" class="track"/>'
        f'<rect x="{_LABEL}" y="{y + 4}" width="{filled}" height="20" rx="3" class="fill"/>'
        f'<text x="{_LABEL + _BAR + 8}" y="{y + 19}" class="figure">{figure}</text></g>'
    )


_TREND_W = 420
_TREND_H = 160
_PAD_LEFT = 40
_PAD_TOP = 12
_PAD_BOTTOM = 28


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the run, as people read it (a date)
    value: float | None  # None: nothing scored in that run
    maximum: float


def trend_chart(points: Sequence[TrendPoint], title: str, language: Language) -> Markup:
    """A line through each run's value (left: oldest), on a scale from 0 to the maximum,
    with a dot per run whose tooltip gives the figure, as one ``<svg>``."""
    top = max((p.maximum for p in points), default=0.0) or 1.0
    plot_w = _TREND_W - _PAD_LEFT - 12
    plot_h = _TREND_H - _PAD_TOP - _PAD_BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def at(index: int, value: float) -> tuple[float, float]:
        share = max(0.0, min(1.0, value / top))
        return round(_PAD_LEFT + index * step, 1), round(_PAD_TOP + plot_h * (1 - share), 1)

    axis = (
        f'<line x1="{_PAD_LEFT}" y1="{_PAD_TOP}" x2="{_PAD_LEFT}" y2="{_PAD_TOP + plot_h}" '
        f'class="axis"/><line x1="{_PAD_LEFT}" y1="{_PAD_TOP + plot_h}" '
        f'x2="{_PAD_LEFT + plot_w}" y2="{_PAD_TOP + plot_h}" class="axis"/>'
        f'<text x="{_PAD_LEFT - 6}" y="{_PAD_TOP + 4}" class="scale" text-anchor="end">'
        f"{number(top, language)}</text>"
        f'<text x="{_PAD_LEFT - 6}" y="{_PAD_TOP + plot_h}" class="scale" '
        'text-anchor="end">0</text>'
    )
    known = [(i, p) for i, p in enumerate(points) if p.value is not None]
    line = " ".join(f"{x},{y}" for x, y in (at(i, p.value or 0.0) for i, p in known))
    path = f'<polyline points="{line}" class="line"/>' if len(known) > 1 else ""
    dots = "".join(_trend_dot(p, *at(i, p.value or 0.0), language) for i, p in known)
    ends = _trend_ends(points, _PAD_LEFT, _PAD_LEFT + plot_w, _TREND_H - 8)
    return Markup(
        f'<svg class="chart trend" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {_TREND_W} {_TREND_H}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + axis
        + path
        + dots
        + ends
        + "</svg>"
    )


def _trend_dot(point: TrendPoint, x: float, y: float, language: Language) -> str:
    figure = f"{number(point.value, language)}/{number(point.maximum, language)}"
    return (
        f'<g class="dot" data-value="{point.value}"><title>{escape(point.label)}: {figure}'
        f'</title><circle cx="{x}" cy="{y}" r="4"/></g>'
    )


def _trend_ends(points: Sequence[TrendPoint], left: float, right: float, y: float) -> str:
    if not points:
        return ""
    first = f'<text x="{left}" y="{y}" class="scale">{escape(points[0].label)}</text>'
    if len(points) == 1:
        return first
    last = (
        f'<text x="{right}" y="{y}" class="scale" text-anchor="end">'
        f"{escape(points[-1].label)}</text>"
    )
    return first + last


def mini_trend(values: Sequence[float | None], maximum: float, title: str) -> Markup:
    """A small line of a criterion's points over the runs (0 to ``maximum``), for a table
    cell; a run without points leaves a gap."""
    width, height, pad = 120, 28, 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    top = maximum or 1.0

    def y(value: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - max(0.0, min(1.0, value / top))), 1)

    segments: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        segments[-1].append(f"{round(pad + index * step, 1)},{y(value)}")
    lines = "".join(
        f'<polyline points="{" ".join(points)}" class="line"/>'
        for points in segments
        if len(points) > 1
    )
    dots = "".join(
        f'<circle cx="{round(pad + i * step, 1)}" cy="{y(v)}" r="2" data-value="{v}"/>'
        for i, v in enumerate(values)
        if v is not None
    )
    return Markup(
        f'<svg class="chart trend mini" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{lines}{dots}</svg>'
    )
