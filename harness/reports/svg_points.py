"""Charts of points for the HTML reports, on `svg`'s axes, legend and text: the rank page's accuracy-against-cost
scatter and the learning curves' lines (full match against training step)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from harness.reports.svg import (
    CHAR_WIDTH,
    SHARED_LEFT,
    UNKNOWN_COLOUR,
    ChartFrame,
    Entry,
    draw_line,
    draw_text,
    draw_whisker,
    figure,
    legend,
    legend_width,
    nice_ticks,
    shared_axes,
)


@dataclass(frozen=True)
class Point:
    """One variant's accuracy (0-1, with its interval) against a cost; `marked` draws it as on the Pareto front."""

    label: str
    variant: str
    x: float
    y: float
    y_low: float
    y_high: float
    x_low: float | None = None
    x_high: float | None = None
    marked: bool = False


def _spread(points: Sequence[Point], frame: ChartFrame) -> list[tuple[float, float, float]]:
    """Per point, its pixel x and where its label starts (x, baseline y). Points at one cost (the checkpoints of an
    adapter cost what its unmerged form costs) are nudged apart sideways and their labels stacked, top first, so
    that no whisker or name hides another."""
    placed: dict[int, tuple[float, float, float]] = {}
    groups: dict[float, list[int]] = {}
    for index, point in enumerate(points):
        groups.setdefault(point.x, []).append(index)
    for members in groups.values():
        members.sort(key=lambda i: -points[i].y)
        middle, below = (len(members) - 1) / 2, -math.inf
        for rank, index in enumerate(members):
            centre = frame.x(points[index].x)
            below = max(frame.y(points[index].y) - 6, below + 12)
            placed[index] = (centre + 4 * (rank - middle), centre + 4 * middle + 8, below)
    return [placed[index] for index in range(len(points))]


def scatter_chart(
    points: Sequence[Point], colours: Mapping[str, str], title: str, x_label: str, y_label: str, width: int = 560
) -> str:
    """Accuracy (0–100%) against a cost, with both intervals as whiskers; marked points are drawn larger and joined
    by the line of the front they form, each point labelled with its name."""
    if not points:
        return ""
    lows = [p.x_low if p.x_low is not None else p.x for p in points]
    highs = [p.x_high if p.x_high is not None else p.x for p in points]
    ticks = nice_ticks(min([*lows, 1.0]) * 0.95, max([*highs, 1.0]) * 1.05)
    right = 16 + CHAR_WIDTH * max(len(p.label) for p in points)
    width = max(width, int(SHARED_LEFT + right) + 260)
    parts, frame = shared_axes(width, 320, right, ticks, title, x_label, y_label)
    x, y = frame.x, frame.y
    front = sorted((p for p in points if p.marked), key=lambda p: p.x)
    if len(front) > 1:
        line = " ".join(f"{x(p.x):.1f},{y(p.y):.1f}" for p in front)
        parts.append(f'<polyline fill="none" stroke="#888" stroke-dasharray="4,3" points="{line}"/>')
    for p, (cx, label_x, label_y) in zip(points, _spread(points, frame), strict=True):
        colour = colours.get(p.variant, UNKNOWN_COLOUR)
        parts.append(draw_whisker(cx, y(p.y_low), y(p.y_high)))
        if p.x_low is not None and p.x_high is not None:
            parts.append(draw_line(x(p.x_low), y(p.y), x(p.x_high), y(p.y)))
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{y(p.y):.1f}" r="{6 if p.marked else 4}" fill="{colour}" stroke="#222">'
            f"<title>{escape(f'{p.label}: {p.y:.0%} [{p.y_low:.0%}, {p.y_high:.0%}], {p.x:.2f}')}</title></circle>"
        )
        parts.append(draw_text(label_x, label_y, p.label, anchor="start", size=10, halo=True))
    parts.append("</svg>")
    return figure(title, "".join(parts))


@dataclass(frozen=True)
class LinePoint:
    """A share (0-1) with its 95% interval at one x."""

    x: float
    y: float
    low: float
    high: float


@dataclass(frozen=True)
class Series:
    """One line of a line chart, in its own colour; `dashed` and `heavy` tell kinds of line apart."""

    name: str
    colour: str
    points: Sequence[LinePoint]
    dashed: bool = False
    heavy: bool = False


def line_chart(series: Sequence[Series], title: str, x_label: str, y_label: str, width: int = 760) -> str:
    """Shares (0–100%) against a numeric x from 0, a polyline per series with 95% interval whiskers at its points.
    Each series is nudged a few pixels sideways so that whiskers at one x stay apart; light lines are drawn at 60%
    opacity under the heavy ones; a point's tooltip gives its figures."""
    xs = [p.x for s in series for p in s.points]
    if not xs:
        return ""
    right = legend_width([s.name for s in series]) + 16
    width = max(width, int(SHARED_LEFT + right) + 320)
    parts, frame = shared_axes(width, 340, right, nice_ticks(0, max(xs)), title, x_label, y_label)
    x, y = frame.x, frame.y
    drawn = sorted(enumerate(series), key=lambda item: item[1].heavy)  # heavy lines on top of the others
    for i, line in drawn:
        nudge = 3.0 * (i - (len(series) - 1) / 2)
        dash = ' stroke-dasharray="6,4"' if line.dashed else ""
        coordinates = " ".join(f"{x(p.x) + nudge:.1f},{y(p.y):.1f}" for p in line.points)
        parts.append(f'<g opacity="{1 if line.heavy else 0.6}">')
        parts.append(
            f'<polyline fill="none" stroke="{line.colour}" stroke-width="{3 if line.heavy else 1.6}"{dash}'
            f' points="{coordinates}"/>'
        )
        for p in line.points:
            cx = x(p.x) + nudge
            parts.append(draw_whisker(cx, y(p.low), y(p.high), line.colour))
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{y(p.y):.1f}" r="{4 if line.heavy else 3}" fill="{line.colour}">'
                f"<title>{escape(f'{line.name} at {p.x:g}: {p.y:.0%} [{p.low:.0%}, {p.high:.0%}]')}</title></circle>"
            )
        parts.append("</g>")
    parts.append(legend([Entry(s.name, s.colour, s.dashed) for s in series], frame.left + frame.width + 16, frame.top))
    parts.append("</svg>")
    return figure(title, "".join(parts))
