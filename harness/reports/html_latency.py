"""The latency part of the HTML report: per concurrency level and per metric, the distribution of each arm
beside the ratios of medians with their intervals, each ratio chart shaded with the A/A noise band of its own
metric (a TPOT band says nothing about TTFT, whose noise on a shared machine is far larger)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from harness.reports.svg import Curve, Ratio, cdf_chart, ratio_chart
from harness.types import LatencySample, LatencySummary

_METRIC_ORDER = ("ttft_s", "tpot_s", "e2e_s")


def _metrics_at(summary: LatencySummary, level: int) -> list[str]:
    """The metrics compared at one level, in the order a request lives them."""
    found = {c.metric for c in summary.comparisons if c.concurrency == level}
    return sorted(found, key=lambda m: _METRIC_ORDER.index(m) if m in _METRIC_ORDER else len(_METRIC_ORDER))


def _curves(samples: Sequence[LatencySample], level: int, metric: str) -> list[Curve]:
    """One curve per arm in milliseconds, coloured by the variant it serves; the A/A control arm dashed."""
    values: dict[str, list[float]] = {}
    variants: dict[str, str] = {}
    for s in samples:
        value = getattr(s, metric, None)
        if s.concurrency == level and s.error is None and isinstance(value, float):
            values.setdefault(s.arm, []).append(1000 * value)
            variants[s.arm] = s.variant
    return [Curve(arm, variants[arm], v, dashed=arm != variants[arm]) for arm, v in values.items()]


def _band(summary: LatencySummary, level: int, metric: str) -> tuple[float, float] | None:
    floor = summary.noise_floor.get(str(level), {}).get(metric)
    return (1 - floor, 1 + floor) if floor else None


def _metric_pair(
    summary: LatencySummary, samples: Sequence[LatencySample], level: int, metric: str, colours: Mapping[str, str]
) -> str:
    """One metric at one level: the distribution per arm, and the ratios under that metric's noise band."""
    label = summary.label(metric)
    comparisons = [c for c in summary.comparisons if c.concurrency == level and c.metric == metric]
    served = {s.arm: s.variant for s in samples}  # an A/A control arm serves a variant under another name
    ratios = [
        Ratio(
            f"{c.numerator} / {c.denominator}",
            served.get(c.numerator, c.numerator),
            c.estimate.ratio,
            c.estimate.low,
            c.estimate.high,
        )
        for c in comparisons
    ]
    band = _band(summary, level, metric)
    noise = f"grey: A/A noise band ±{band[1] - 1:.1%}" if band else "no A/A control"
    distribution = cdf_chart(
        _curves(samples, level, metric),
        colours,
        f"{label} per request at concurrency {level}: distribution per arm",
        x_label=f"{label} (ms)",
    )
    ratio = ratio_chart(
        ratios,
        colours,
        band,
        f"{label} ratio of medians at concurrency {level}, 95% CI; {noise}",
        x_label=f"{label} ratio, numerator / denominator (1 = equal)",
    )
    verdicts = "".join(f"<li>{'A/A control: ' if c.control else ''}{escape(c.verdict.text)}</li>" for c in comparisons)
    return f'<div class="pair">{distribution}{ratio}</div><ul>{verdicts}</ul>'


def latency_section(
    summary: LatencySummary | None, samples: Sequence[LatencySample], colours: Mapping[str, str]
) -> str:
    """Every latency level and metric of the run's study, or a line saying the run has none."""
    if summary is None:
        return '<h2>Latency</h2><p class="muted">No latency study in this run folder.</p>'
    parts = ["<h2>Latency</h2>", f"<p>{escape(summary.prefix_cache_note)}</p>"]
    for level in sorted({a.concurrency for a in summary.arms}):
        parts.append(f"<h3>Concurrency {level}</h3>")
        parts += [_metric_pair(summary, samples, level, m, colours) for m in _metrics_at(summary, level)]
    parts += [
        f"<p>Physical floor for {escape(adapter)} unmerged: +{floor:.2%} weight reads per decode step.</p>"
        for adapter, floor in summary.read_floor.items()
    ]
    return "".join(parts)
