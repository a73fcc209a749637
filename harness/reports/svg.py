"""Small inline SVG charts for the HTML reports: no plotting library, no script, nothing fetched. Every label
is escaped (variant and suite names come from configs, but nothing in a report is trusted).

Each chart comes as a `<figure>` whose `<figcaption>` is its visible title (it wraps on a phone, which SVG text
does not), its SVG scales down to the width of the page (`viewBox`), and its axes carry labels and round ticks.
Colours come from one mapping, `variant_colours`, that a page builds once and hands to every chart, so a
variant keeps its colour from chart to chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5")
UNKNOWN_COLOUR = "#888"
CHAR_WIDTH = 6.2
"""Approximate width of one character of 11 px sans-serif text, to leave room for labels."""


def variant_colours(variants: Sequence[str]) -> dict[str, str]:
    """The page's one mapping from variant to colour, in the run's variant order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(dict.fromkeys(variants))}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering [low, high] with about `count` ticks,
    so an axis reads 100, 150, 200 instead of 85.5, 123.0, 160.4."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    return [round(first + i * step, 10) for i in range(round((last - first) / step) + 1)]


def _tick_label(value: float) -> str:
    return f"{value:g}"


def figure(title: str, svg: str) -> str:
    """A chart with its visible title; the title is also the SVG's accessible name."""
    return f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{svg}</figure>'


def _svg_open(width: float, height: float, title: str) -> str:
    """An SVG that shrinks with the page down to three quarters of its size (text stays legible on a phone;
    the figure scrolls sideways below that)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width:{width:.0f}px;min-width:{0.75 * width:.0f}px" role="img"><title>{escape(title)}</title>'
    )


def draw_text(
    x: float, y: float, label: str, anchor: str = "middle", size: int = 11, rotate: int = 0, halo: bool = False
) -> str:
    """A label; `halo` outlines it in white, to stay legible over the lines of a plot."""
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    outline = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{transform}{outline}>'
        f"{escape(label)}</text>"
    )


def draw_line(x1: float, y1: float, x2: float, y2: float, stroke: str = "#222", extra: str = "") -> str:
    """A line segment (axes, ticks, guides)."""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'


@dataclass(frozen=True)
class Entry:
    """One line of a legend: a name, its colour, and whether its line is dashed."""

    name: str
    colour: str
    dashed: bool = False


def legend(entries: Sequence[Entry], x: float, y: float) -> str:
    parts = []
    for i, entry in enumerate(entries):
        top = y + 16 * i
        dash = ' stroke-dasharray="4,3"' if entry.dashed else ""
        parts.append(draw_line(x, top + 5, x + 12, top + 5, entry.colour, f' stroke-width="4"{dash}'))
        parts.append(draw_text(x + 16, top + 9, entry.name, anchor="start"))
    return "".join(parts)


def legend_width(names: Sequence[str]) -> float:
    """How wide a legend of these names draws, from an average character width (SVG cannot measure text)."""
    return 28 + CHAR_WIDTH * max((len(n) for n in names), default=0)


@dataclass(frozen=True)
class Bar:
    group: str
    series: str
    value: float
    low: float
    high: float


def _y_axis(left: float, top: float, plot_w: float, plot_h: float, label: str) -> str:
    """A 0–100% axis with grid lines and its label written up the left side."""
    parts = []
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(draw_line(left, y, left + plot_w, y, "#ddd"))
        parts.append(draw_text(left - 4, y + 4, f"{tick}%", anchor="end", size=10))
    parts.append(draw_line(left, top, left, top + plot_h, "#888"))
    parts.append(draw_text(12, top + plot_h / 2, label, size=11, rotate=-90))
    return "".join(parts)


def draw_whisker(cx: float, y_low: float, y_high: float, stroke: str = "#222") -> str:
    """An interval as a vertical whisker with caps, centred on `cx`."""
    caps = "".join(draw_line(cx - 3, yy, cx + 3, yy, stroke) for yy in (y_low, y_high))
    return draw_line(cx, y_low, cx, y_high, stroke) + caps


def bar_chart(
    bars: Sequence[Bar], colours: Mapping[str, str], title: str, y_label: str, x_label: str, height: int = 320
) -> str:
    """Grouped bars (0–100%) with 95% interval whiskers, one colour per series from `colours`."""
    groups = list(dict.fromkeys(b.group for b in bars))
    series = [s for s in colours if any(b.series == s for b in bars)]
    slanted = len(groups) > 6  # slanted labels end under their group, so long names hang clear of the next one
    longest = max((len(g) for g in groups), default=0)
    left = max(60, int(5 * longest)) if slanted else 60
    right = legend_width(series) + 16
    top, bottom = 12, (30 + int(4 * longest)) if slanted else 44
    width = max(760, left + right + 12 * len(groups) * len(series))  # bars stay wide enough to see
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(1, len(groups))
    bar_w = slot * 0.8 / max(1, len(series))
    parts = [_svg_open(width, height, title), _y_axis(left, top, plot_w, plot_h, y_label)]
    for b in bars:
        x = left + groups.index(b.group) * slot + slot * 0.1 + series.index(b.series) * bar_w
        y = top + plot_h * (1 - b.value)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.9:.1f}" height="{top + plot_h - y:.1f}" '
            f'fill="{colours.get(b.series, UNKNOWN_COLOUR)}">'
            f"<title>{escape(f'{b.series} on {b.group}: {b.value:.1%} [{b.low:.1%}, {b.high:.1%}]')}</title></rect>"
        )
        parts.append(draw_whisker(x + bar_w * 0.45, top + plot_h * (1 - b.low), top + plot_h * (1 - b.high)))
    for gi, group in enumerate(groups):
        x = left + gi * slot + slot / 2
        parts.append(
            draw_text(x, top + plot_h + 16, group, anchor="end" if slanted else "middle", rotate=-30 * slanted)
        )
    parts.append(draw_text(left + plot_w / 2, height - 4, x_label))
    parts.append(legend([Entry(s, colours[s]) for s in series], left + plot_w + 16, top))
    parts.append("</svg>")
    return figure(title, "".join(parts))


@dataclass(frozen=True)
class Curve:
    """One arm's samples of a latency metric, drawn in its variant's colour (dashed for an A/A control arm)."""

    name: str
    variant: str
    values: Sequence[float]
    dashed: bool = False


def _x_ticks(left: float, top: float, plot_w: float, plot_h: float, ticks: Sequence[float]) -> str:
    """Vertical grid lines with round labels under a plot whose x axis runs from ticks[0] to ticks[-1]."""
    parts = []
    for tick in ticks:
        x = left + plot_w * (tick - ticks[0]) / (ticks[-1] - ticks[0])
        parts.append(draw_line(x, top, x, top + plot_h, "#eee"))
        parts.append(draw_text(x, top + plot_h + 14, _tick_label(tick), size=10))
    return "".join(parts)


def _polyline(curve: Curve, colour: str, x: Callable[[float], float], y: Callable[[float], float]) -> str:
    ordered = sorted(curve.values)
    points = " ".join(f"{x(v):.1f},{y((k + 1) / len(ordered)):.1f}" for k, v in enumerate(ordered))
    dash = ' stroke-dasharray="5,3"' if curve.dashed else ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="1.6"{dash} points="{points}"/>'


SHARED_LEFT = 60
"""Room for the 0–100% axis's ticks and label, left of a plot of shares."""


@dataclass(frozen=True)
class ChartFrame:
    """The plot area of a chart of shares (0–100%) against a numeric x axis, and the maps from values to pixels."""

    left: float
    top: float
    width: float
    height: float
    ticks: Sequence[float]
    """The x axis's round ticks, its first and last the ends of the axis."""

    def x(self, value: float) -> float:
        return self.left + self.width * (value - self.ticks[0]) / (self.ticks[-1] - self.ticks[0])

    def y(self, share: float) -> float:
        return self.top + self.height * (1 - share)


def shared_axes(
    width: float, height: float, right: float, ticks: Sequence[float], title: str, x_label: str, y_label: str
) -> tuple[list[str], ChartFrame]:
    """The opening of such a chart, its axes, ticks and labels drawn, leaving `right` pixels for a legend or labels;
    and its frame."""
    left, top, bottom = SHARED_LEFT, 12, 44
    frame = ChartFrame(left, top, width - left - right, height - top - bottom, ticks)
    parts = [_svg_open(width, height, title), _y_axis(left, top, frame.width, frame.height, y_label)]
    parts.append(_x_ticks(left, top, frame.width, frame.height, ticks))
    parts.append(draw_line(left, top + frame.height, left + frame.width, top + frame.height, "#888"))
    parts.append(draw_text(left + frame.width / 2, height - 6, x_label))
    return parts, frame


def cdf_chart(
    curves: Sequence[Curve], colours: Mapping[str, str], title: str, x_label: str, width: int = 560, height: int = 260
) -> str:
    """Empirical CDFs of one metric per arm: the share of requests at or below each value (values as given)."""
    values = [v for curve in curves for v in curve.values]
    if not values:
        return ""
    right = legend_width([c.name for c in curves]) + 12
    width = max(width, SHARED_LEFT + right + 240)
    parts, frame = shared_axes(width, height, right, nice_ticks(min(values), max(values)), title, x_label,
                               "share of requests ≤ x")  # fmt: skip
    parts += [_polyline(c, colours.get(c.variant, UNKNOWN_COLOUR), frame.x, frame.y) for c in curves]
    entries = [Entry(c.name, colours.get(c.variant, UNKNOWN_COLOUR), c.dashed) for c in curves]
    parts.append(legend(entries, frame.left + frame.width + 12, frame.top))
    parts.append("</svg>")
    return figure(title, "".join(parts))


@dataclass(frozen=True)
class Ratio:
    """One arm over another on one metric; drawn in the colour of `variant`, the numerator's."""

    label: str
    variant: str
    ratio: float
    low: float
    high: float


def _ratio_axis(ratios: Sequence[Ratio], band: tuple[float, float] | None) -> list[float]:
    """Round ticks over every interval, the noise band and 1; never below 0, which no ratio of times can be."""
    lo = min([r.low for r in ratios] + [band[0] if band else 1.0, 0.95])
    hi = max([r.high for r in ratios] + [band[1] if band else 1.0, 1.05])
    return [t for t in nice_ticks(max(0.0, lo), hi) if t >= 0]


def ratio_chart(
    ratios: Sequence[Ratio],
    colours: Mapping[str, str],
    band: tuple[float, float] | None,
    title: str,
    x_label: str,
    width: int = 560,
) -> str:
    """Ratios with 95% intervals on one axis, the A/A noise band of their one metric shaded around 1."""
    if not ratios:
        return ""
    left = 16 + CHAR_WIDTH * max(len(r.label) for r in ratios)
    width = max(width, int(left) + 260)
    right, top, row = 16, 10, 26
    plot_w, plot_h = width - left - right, row * len(ratios)
    height = top + plot_h + 40
    ticks = _ratio_axis(ratios, band)

    def x(value: float) -> float:
        return left + plot_w * (min(max(value, ticks[0]), ticks[-1]) - ticks[0]) / (ticks[-1] - ticks[0])

    parts = [_svg_open(width, height, title), _x_ticks(left, top, plot_w, plot_h, ticks)]
    if band:
        parts.append(
            f'<rect x="{x(band[0]):.1f}" y="{top}" width="{x(band[1]) - x(band[0]):.1f}" height="{plot_h}" '
            f'fill="#ddd" class="noise-band"><title>A/A noise band {band[0]:.3f}–{band[1]:.3f}</title></rect>'
        )
    parts.append(draw_line(x(1), top, x(1), top + plot_h, "#888", ' stroke-dasharray="3,3"'))
    for i, r in enumerate(ratios):
        y = top + row * i + row / 2
        colour = colours.get(r.variant, UNKNOWN_COLOUR)
        parts.append(draw_text(left - 8, y + 4, r.label, anchor="end"))
        parts.append(draw_line(x(r.low), y, x(r.high), y, colour, ' stroke-width="2"'))
        parts.append(
            f'<circle cx="{x(r.ratio):.1f}" cy="{y:.1f}" r="4" fill="{colour}" stroke="#222">'
            f"<title>{escape(f'{r.label}: {r.ratio:.3f} [{r.low:.3f}, {r.high:.3f}]')}</title></circle>"
        )
    parts.append(draw_text(left + plot_w / 2, height - 6, x_label))
    parts.append("</svg>")
    return figure(title, "".join(parts))
