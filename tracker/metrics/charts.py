"""Charts drawn on the server as SVG: no script, no CDN, no inline style (a strict CSP allows them).

Colours and lines are SVG presentation attributes. Every chart carries a title and a
description for screen readers (``role="img"`` with ``aria-labelledby``); the page
puts a table of the same numbers beside it. Texts come from the caller, translated.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_decimal
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 64
COLOURS = ("#0b5cab", "#c05800", "#1b6e2a", "#6a3d9a")
MARKER = "#a4161a"


@dataclass
class Chart:
    """What a chart says: its id, texts, category labels, series of values and reference lines."""

    id: str
    title: str
    description: str
    x_label: str
    y_label: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    markers: list[tuple[float, str]] = field(default_factory=list)  # y values with a label
    x_markers: list[tuple[float, str]] = field(default_factory=list)  # positions in categories (0 = first)
    line: bool = False
    y_max: float | None = None
    # Categories are the lower bounds of equal bands (0, 15, 30... days): each label and its tick sit on
    # the band's left edge, the scale the x_markers use, so "60" lines up with the 60-day line.
    bands: bool = False


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * 5
    return value


def _text(x, y, text, anchor="middle", size=12, extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="#1c2430"{extra}>{escape(text)}</text>')


def _axes(chart: Chart, top: float) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#5b6675"/>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#5b6675"/>']
    for i in range(6):
        value = top * i / 5
        y = HEIGHT - BOTTOM - plot_h * i / 5
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d8dde4"/>')
        parts.append(_text(LEFT - 6, y + 4, format_decimal(value), anchor="end", size=11))
    parts.append(_text(14, TOP + plot_h / 2, chart.y_label, extra=f' transform="rotate(-90 14 {TOP + plot_h / 2:.1f})"'))
    parts.append(_text(LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 8, chart.x_label))
    return parts


def _legend(chart: Chart) -> list[str]:
    parts, x = [], LEFT
    for i, (name, _values) in enumerate(chart.series):
        parts.append(f'<rect x="{x}" y="{TOP - 26}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        parts.append(_text(x + 16, TOP - 16, name, anchor="start", size=12))
        x += 24 + 8 * len(name)
    return parts


def render(chart: Chart) -> Markup:
    """The chart as an inline SVG element."""
    values = [v for _name, series in chart.series for v in series if v is not None]
    top = chart.y_max or _nice_max(max([*values, *(m for m, _ in chart.markers), 1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.categories), 1)
    slot = plot_w / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart.id}-title {chart.id}-desc" class="chart" id="{chart.id}">',
             f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
             f'<desc id="{chart.id}-desc">{escape(chart.description)}</desc>']
    parts += _axes(chart, top)

    def y_of(value: float) -> float:
        return HEIGHT - BOTTOM - plot_h * min(value, top) / top

    for i, (_name, series) in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        if chart.line:
            points = [(LEFT + slot * (j + 0.5), y_of(v)) for j, v in enumerate(series) if v is not None]
            if points:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
                parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
            continue
        width = slot * 0.8 / len(chart.series)
        for j, value in enumerate(series):
            if value:
                x = LEFT + slot * j + slot * 0.1 + width * i
                parts.append(f'<rect x="{x:.1f}" y="{y_of(value):.1f}" width="{width:.1f}" '
                             f'height="{HEIGHT - BOTTOM - y_of(value):.1f}" fill="{colour}"/>')
    step = -(-n // 6)  # at most six category labels, so they stay legible
    for j, label in enumerate(chart.categories):
        if j % step == 0:
            x = LEFT + slot * (j if chart.bands else j + 0.5)
            if chart.bands:
                parts.append(f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM + 4}" '
                             f'stroke="#5b6675"/>')
            parts.append(_text(x, HEIGHT - BOTTOM + 16, label, size=11))
    for value, label in chart.markers:
        y = y_of(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{MARKER}" '
                     f'stroke-dasharray="6 4"/>')
        parts.append(_text(WIDTH - RIGHT - 4, y - 4, label, anchor="end", size=11))
    for k, (position, label) in enumerate(chart.x_markers):
        x = LEFT + slot * position
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" stroke="{MARKER}" '
                     f'stroke-dasharray="6 4"/>')
        parts.append(_text(x + 3, TOP + 12 + 13 * k, label, anchor="start", size=11))
    parts += _legend(chart)
    parts.append("</svg>")
    return Markup("".join(parts))
