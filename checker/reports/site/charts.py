"""Charts drawn on the server as inline SVG: no script, no CDN, readable without colour.

``section_bars`` draws each section's points against its maximum: a grey track for the
maximum, a filled bar for the points, and the figures written beside it, so the chart says
the same as the table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from checker.reports.site.numbers import vi_number

_ROW = 34
_LABEL = 150
_BAR = 200
_FIGURE = 80


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float


def section_bars(bars: Sequence[Bar], title: str) -> Markup:
    """A horizontal bar per section, its points against its maximum, as one ``<svg>``."""
    width = _LABEL + _BAR + _FIGURE
    height = _ROW * len(bars) + 8
    rows = [_bar_row(index, bar) for index, bar in enumerate(bars)]
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rows)
        + "</svg>"
    )


def _bar_row(index: int, bar: Bar) -> str:
    y = 4 + index * _ROW
    share = 0.0 if bar.maximum <= 0 else max(0.0, min(1.0, bar.value / bar.maximum))
    filled = round(_BAR * share, 1)
    level = "full" if share >= 1 else "part" if share >= 0.5 else "low"
    figure = f"{vi_number(bar.value)}/{vi_number(bar.maximum)}"
    label = bar.label if len(bar.label) <= 22 else bar.label[:21] + "…"
    return (
        f'<g class="bar {level}"><title>{escape(bar.label)}: {figure}</title>'
        f'<text x="0" y="{y + 19}" class="label">{escape(label)}</text>'
        f'<rect x="{_LABEL}" y="{y + 4}" width="{_BAR}" height="20" rx="3" class="track"/>'
        f'<rect x="{_LABEL}" y="{y + 4}" width="{filled}" height="20" rx="3" class="fill"/>'
        f'<text x="{_LABEL + _BAR + 8}" y="{y + 19}" class="figure">{figure}</text></g>'
    )
