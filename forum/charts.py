"""Tiny server-side SVG charts for the staff dashboard: a bar chart and a line chart.

The SVG is built as text with every label escaped, so a tag named `<script>` stays text. No `style`
attributes (the CSP forbids them): colours come from classes styled in forum.css, with presentation
attributes (`fill=`) as a fallback. Each chart is `role="img"` with a <title>, a <desc> and an aria-label;
the page shows the same numbers in a table next to it for screen readers and for copying.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 28  # room for the y labels on the left and the x labels below


@dataclass(frozen=True)
class Point:
    label: str  # shown on the x axis and in the bar's tooltip
    value: float | None  # None: no data for this point (a gap, not a zero)


def _number(value: float) -> str:
    """Coordinates with at most two decimals, so the SVG stays small and stable in tests."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, description: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
         f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
         f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" preserveAspectRatio="xMidYMid meet">'),
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]


def _axes(top_value: float, fmt: Callable[[float], str]) -> list[str]:
    """The baseline, a top grid line and the two y labels (0 and the maximum)."""
    bottom_y, top_y = HEIGHT - BOTTOM, TOP
    label = f'<text class="chart-label" x="{LEFT - 4}" y="{{y}}" text-anchor="end" font-size="11">{{text}}</text>'
    return [
        f'<line class="chart-axis" x1="{LEFT}" y1="{bottom_y}" x2="{WIDTH - RIGHT}" y2="{bottom_y}" stroke="#6a737c"/>',
        f'<line class="chart-grid" x1="{LEFT}" y1="{top_y}" x2="{WIDTH - RIGHT}" y2="{top_y}" stroke="#e3e6e8"/>',
        label.format(y=bottom_y, text=escape(fmt(0))),
        label.format(y=top_y + 8, text=escape(fmt(top_value))),
    ]


def _x_labels(points: Sequence[Point], centre: Callable[[int], float], max_labels: int = 8) -> list[str]:
    """At most `max_labels` x labels, evenly spaced (always the first and the last)."""
    if not points:
        return []
    step = max(1, -(-len(points) // max_labels))
    indexes = sorted(set(range(0, len(points), step)) | {len(points) - 1})
    if len(indexes) > 1 and indexes[-1] - indexes[-2] < step:
        indexes.pop(-2)  # keep the last label from overlapping its neighbour
    return [
        f'<text class="chart-label" x="{_number(centre(i))}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11">'
        f'{escape(points[i].label)}</text>'
        for i in indexes
    ]


def _scale(points: Sequence[Point], max_value: float | None) -> float:
    values = [p.value for p in points if p.value is not None]
    top = max_value if max_value is not None else max(values, default=0)
    return top if top > 0 else 1


def bar_chart(chart_id: str, points: Sequence[Point], title: str, description: str = "",
              fmt: Callable[[float], str] = lambda v: f"{v:g}") -> Markup:
    """Vertical bars, one per point (e.g. questions per day); each bar has a tooltip with its label and value."""
    top = _scale(points, None)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    gap = min(2.0, slot * 0.2)
    parts = _open(chart_id, title, description) + _axes(top, fmt)
    for i, point in enumerate(points):
        value = point.value or 0
        bar_h = plot_h * value / top
        parts.append(
            f'<rect class="chart-bar" x="{_number(LEFT + i * slot + gap / 2)}" y="{_number(TOP + plot_h - bar_h)}" '
            f'width="{_number(max(slot - gap, 0.5))}" height="{_number(bar_h)}" fill="#0a84c1">'
            f'<title>{escape(point.label)}: {escape(fmt(value))}</title></rect>'
        )
    parts += _x_labels(points, lambda i: LEFT + (i + 0.5) * slot)
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(chart_id: str, points: Sequence[Point], title: str, description: str = "",
               max_value: float | None = None, fmt: Callable[[float], str] = lambda v: f"{v:g}") -> Markup:
    """A line through the points (e.g. a weekly share); points without a value break the line."""
    top = _scale(points, max_value)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)

    def x(i: int) -> float:
        return LEFT + (i + 0.5) * slot

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * min(value, top) / top

    parts = _open(chart_id, title, description) + _axes(top, fmt)
    segment: list[str] = []
    segments: list[list[str]] = [segment]
    for i, point in enumerate(points):
        if point.value is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{_number(x(i))},{_number(y(point.value))}")
    for coordinates in segments:
        if len(coordinates) > 1:
            parts.append(f'<polyline class="chart-line" points="{" ".join(coordinates)}" fill="none" '
                         f'stroke="#0a84c1" stroke-width="2"/>')
    for i, point in enumerate(points):
        if point.value is not None:
            parts.append(
                f'<circle class="chart-dot" cx="{_number(x(i))}" cy="{_number(y(point.value))}" r="3.5" '
                f'fill="#0a84c1"><title>{escape(point.label)}: {escape(fmt(point.value))}</title></circle>'
            )
    parts += _x_labels(points, x)
    parts.append("</svg>")
    return Markup("".join(parts))
