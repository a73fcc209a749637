"""Small inline SVG charts for the HTML report: no plotting library, no script, nothing fetched. Every label
is escaped (variant and suite names come from configs, but nothing in a report is trusted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5")


@dataclass(frozen=True)
class Bar:
    group: str
    series: str
    value: float
    low: float
    high: float


def _text(x: float, y: float, label: str, anchor: str = "middle", size: int = 11, rotate: bool = False) -> str:
    transform = f' transform="rotate(-30 {x:.1f} {y:.1f})"' if rotate else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{transform}>{escape(label)}</text>'


def legend(series: Sequence[str], x: float, y: float) -> str:
    parts = []
    for i, name in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y + 16 * i:.1f}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y + 16 * i + 9, name, anchor="start"))
    return "".join(parts)


def bar_chart(bars: Sequence[Bar], title: str, width: int = 760, height: int = 300) -> str:
    """Grouped bars (0–100%) with 95% interval whiskers."""
    groups = list(dict.fromkeys(b.group for b in bars))
    series = list(dict.fromkeys(b.series for b in bars))
    slanted = len(groups) > 6  # slanted labels end under their group, so long names hang clear of the next one
    longest = max((len(g) for g in groups), default=0)
    left = max(40, int(5 * longest)) if slanted else 40  # room for the first slanted label
    right = max(170, 24 + int(6.5 * max((len(s) for s in series), default=0)))  # room for the legend
    top, bottom = 24, 70
    width = max(width, left + right + 12 * len(groups) * len(series))  # bars stay wide enough to see
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(1, len(groups))
    bar_w = slot * 0.8 / max(1, len(series))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    parts.append(f"<title>{escape(title)}</title>")
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(_text(left - 4, y + 4, f"{tick}%", anchor="end", size=10))
    for b in bars:
        gi, si = groups.index(b.group), series.index(b.series)
        x = left + gi * slot + slot * 0.1 + si * bar_w
        y = top + plot_h * (1 - b.value)
        colour = PALETTE[si % len(PALETTE)]
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.9:.1f}" height="{top + plot_h - y:.1f}" fill="{colour}">'
            f"<title>{escape(f'{b.series} on {b.group}: {b.value:.1%} [{b.low:.1%}, {b.high:.1%}]')}</title></rect>"
        )
        cx = x + bar_w * 0.45
        y_low, y_high = top + plot_h * (1 - b.low), top + plot_h * (1 - b.high)
        parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{y_low:.1f}" y2="{y_high:.1f}" stroke="#222"/>')
        for yy in (y_low, y_high):
            parts.append(f'<line x1="{cx - 3:.1f}" x2="{cx + 3:.1f}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#222"/>')
    for gi, group in enumerate(groups):
        x = left + gi * slot + slot / 2
        parts.append(_text(x, top + plot_h + 16, group, anchor="end" if slanted else "middle", rotate=slanted))
    parts.append(legend(series, left + plot_w + 16, top))
    parts.append("</svg>")
    return "".join(parts)


def cdf_chart(
    curves: dict[str, Sequence[float]], title: str, unit: str = "ms", width: int = 760, height: int = 280
) -> str:
    """Empirical CDFs of one latency metric per arm (values in seconds, drawn in milliseconds)."""
    values = [v for curve in curves.values() for v in curve]
    if not values:
        return ""
    left, right, top, bottom = 50, 190, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = min(values) * 1000, max(values) * 1000
    span = (high - low) or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    parts.append(f"<title>{escape(title)}</title>")
    for tick in range(5):
        value = low + span * tick / 4
        x = left + plot_w * tick / 4
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#eee"/>')
        parts.append(_text(x, top + plot_h + 14, f"{value:.1f}", size=10))
    parts.append(_text(left + plot_w / 2, height - 6, unit, size=10))
    for i, curve in enumerate(curves.values()):
        ordered = sorted(v * 1000 for v in curve)
        points = " ".join(
            f"{left + plot_w * (v - low) / span:.1f},{top + plot_h * (1 - (k + 1) / len(ordered)):.1f}"
            for k, v in enumerate(ordered)
        )
        parts.append(
            f'<polyline fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="1.5" points="{points}"/>'
        )
    parts.append(legend(list(curves), left + plot_w + 16, top))
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Ratio:
    label: str
    ratio: float
    low: float
    high: float


def ratio_chart(ratios: Sequence[Ratio], band: tuple[float, float] | None, title: str, width: int = 760) -> str:
    """Ratios with 95% intervals on a shared axis, the A/A noise band shaded around 1."""
    if not ratios:
        return ""
    left, right, row = 260, 30, 26
    height = 30 + row * len(ratios)
    lo = min([r.low for r in ratios] + [band[0] if band else 1.0, 0.95])
    hi = max([r.high for r in ratios] + [band[1] if band else 1.0, 1.05])
    plot_w = width - left - right

    def x(value: float) -> float:
        return left + plot_w * (value - lo) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    parts.append(f"<title>{escape(title)}</title>")
    if band:
        parts.append(
            f'<rect x="{x(band[0]):.1f}" y="4" width="{x(band[1]) - x(band[0]):.1f}" height="{height - 24}" '
            'fill="#ddd"><title>A/A noise band</title></rect>'
        )
    parts.append(
        f'<line x1="{x(1):.1f}" x2="{x(1):.1f}" y1="4" y2="{height - 20}" stroke="#888" stroke-dasharray="3,3"/>'
    )
    for i, r in enumerate(ratios):
        y = 18 + row * i
        parts.append(_text(left - 8, y + 4, r.label, anchor="end"))
        parts.append(
            f'<line x1="{x(r.low):.1f}" x2="{x(r.high):.1f}" y1="{y}" y2="{y}" stroke="#222" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{x(r.ratio):.1f}" cy="{y}" r="4" fill="{PALETTE[0]}">'
            f"<title>{escape(f'{r.label}: {r.ratio:.3f} [{r.low:.3f}, {r.high:.3f}]')}</title></circle>"
        )
    for value in (lo, 1.0, hi):
        parts.append(_text(x(value), height - 6, f"{value:.2f}", size=10))
    parts.append("</svg>")
    return "".join(parts)
