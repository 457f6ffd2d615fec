"""Charts drawn on the server as SVG markup, with no domain in them: stacked horizontal bars.

The markup goes into the page as it is (no script, so the CSP allows it) and is styled only with SVG
presentation attributes (fill=, stroke=), never style= or <style>, which the CSP's style-src would block.
Every series has its own pattern as well as its own colour, and every segment carries its count as text,
so a chart printed in black and white reads as well as on screen. The SVG names itself with <title> and
<desc>; its figures come with it as a table for screen readers (`Chart.table`), placed beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
LABEL_WIDTH = 96
TOTAL_WIDTH = 48
ROW_HEIGHT = 22
ROW_GAP = 8
LEGEND_HEIGHT = 28
FONT = 'font-family="sans-serif" font-size="12"'
#: Light backgrounds (black text reads on them) and marks that tell the series apart without colour.
_FILLS = ("#f6c6c0", "#fde6a8", "#c7e6c8", "#c9daf0")
_MARKS = (
    '<path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="#000" stroke-width="1"/>',  # diagonal hatching
    '<circle cx="3" cy="3" r="1.2" fill="#000"/>',  # dots
    "",  # plain
    '<path d="M0,3 H6 M3,0 V6" stroke="#000" stroke-width="0.8"/>',  # cross-hatching
)


@dataclass(frozen=True)
class Bar:
    label: str
    values: Sequence[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the figures it shows (for the data table beside it)."""

    key: str
    title: str
    description: str
    series: Sequence[str]
    bars: Sequence[Bar]
    svg: SafeString
    #: The figures as a table for screen readers (`data_table`).
    table: SafeString


def _patterns(key: str, count: int) -> str:
    defs = []
    for index in range(count):
        fill, mark = _FILLS[index % len(_FILLS)], _MARKS[index % len(_MARKS)]
        defs.append(
            f'<pattern id="{key}-p{index}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{fill}"/>{mark}</pattern>'
        )
    return "<defs>" + "".join(defs) + "</defs>"


def _legend(key: str, series: Sequence[str]) -> str:
    parts, x = [], LABEL_WIDTH
    for index, name in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="6" width="16" height="14" fill="url(#{key}-p{index})" stroke="#000" '
            f'stroke-width="0.8"/><text x="{x + 22}" y="17" {FONT} fill="#000">{escape(name)}</text>'
        )
        x += 34 + 13 * len(name)
    return "".join(parts)


def _label(x: float, y: float, text: str) -> str:
    """A count on a white plate, so that it reads over any pattern."""
    width = 7 * len(text) + 6
    return (
        f'<rect x="{x - width / 2:.1f}" y="{y - 8}" width="{width}" height="15" fill="#fff" rx="2"/>'
        f'<text x="{x:.1f}" y="{y + 4}" {FONT} text-anchor="middle" fill="#000">{text}</text>'
    )


def data_table(title: str, series: Sequence[str], bars: Sequence[Bar]) -> SafeString:
    """The chart's figures as a visually hidden table: a row per bar, a column per series and the total.
    Built here rather than by template tags, whose per-cell cost was most of a page's charts."""
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(bar.label)}</th>'
        + "".join(f"<td>{int(n)}</td>" for n in bar.values)
        + f"<td>{int(bar.total)}</td></tr>"
        for bar in bars
    )
    item, total = _("項目"), _("合計")  # outside the f-strings, where makemessages finds them
    return mark_safe(  # every text in it went through escape(); the figures are integers
        f'<table class="visually-hidden"><caption>{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{escape(item)}</th>{head}'
        f'<th scope="col">{escape(total)}</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def stacked_bars(
    *, key: str, title: str, description: str, series: Sequence[str], bars: Sequence[Bar]
) -> Chart:
    """One horizontal bar per `bars` entry, split into `series` segments, each labelled with its count.
    `key` makes the pattern ids unique on the page (letters, digits and hyphens)."""
    scale_max = max((bar.total for bar in bars), default=0) or 1
    area = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    height = LEGEND_HEIGHT + len(bars) * (ROW_HEIGHT + ROW_GAP) + ROW_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" class="chart" '
        f'role="img" aria-labelledby="{key}-title {key}-desc">',
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(description)}</desc>',
        _patterns(key, len(series)),
        _legend(key, series),
    ]
    for row, bar in enumerate(bars):
        y = LEGEND_HEIGHT + ROW_GAP + row * (ROW_HEIGHT + ROW_GAP)
        middle = y + ROW_HEIGHT / 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle + 4}" {FONT} text-anchor="end" fill="#000">'
            f"{escape(bar.label)}</text>"
        )
        x = float(LABEL_WIDTH)
        for index, value in enumerate(bar.values):
            if value <= 0:
                continue
            width = area * value / scale_max
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW_HEIGHT}" '
                f'fill="url(#{key}-p{index})" stroke="#000" stroke-width="0.8">'
                f"<title>{escape(series[index])}：{value}</title></rect>"
            )
            if width >= 7 * len(str(value)) + 8:
                parts.append(_label(x + width / 2, middle, str(value)))
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{middle + 4}" {FONT} font-weight="bold" fill="#000">{bar.total}</text>'
        )
    parts.append("</svg>")
    svg = mark_safe("".join(parts))  # every text in it went through escape()
    table = data_table(title, series, bars)
    return Chart(
        key=key, title=title, description=description, series=series, bars=bars, svg=svg, table=table
    )
