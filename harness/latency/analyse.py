"""The analysis of a latency study: percentiles per arm and ratio verdicts per pair, a pure function of the
samples in `latency.jsonl`. Apart from the measurement so that readers of a run (reports, compare, the gate) can
recompute or compare without importing servers, backends or the runner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from harness.latency.settings import LatencySettings
from harness.latency.stats import CONTROL_FAMILY_ALPHA, control_verdict, noise_floor, ratio_of_medians, verdict
from harness.types import (
    ArmStats,
    LatencyComparison,
    LatencySample,
    LatencySummary,
    LevelBlocks,
    PrefixCache,
    RatioEstimate,
    metric_label,
)

METRICS = ("ttft_s", "tpot_s", "e2e_s")
MEASURED: PrefixCache = "cold"
"""How the study measures TTFT (see `harness.latency.measure`)."""
Pair = tuple[str, str, bool]
"""(numerator arm, denominator arm, is the A/A control)."""


def block_samples(samples: Iterable[LatencySample], level: int, arm: str, metric: str) -> dict[int, list[float]]:
    """One arm's successful values of a metric at one concurrency level, by the block they ran in: the unit the
    study randomised, hence the unit its ratios resample."""
    found: dict[int, list[float]] = defaultdict(list)
    for sample in samples:
        value = getattr(sample, metric)
        if sample.concurrency == level and sample.arm == arm and sample.error is None and value is not None:
            found[sample.block].append(value)
    return found


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    p50, p90, p99 = np.percentile(values, [50, 90, 99])
    return {"p50": float(p50), "p90": float(p90), "p99": float(p99)}


def _arm_stats(level: int, arm: str, members: list[LatencySample]) -> ArmStats:
    good = [s for s in members if s.error is None and s.e2e_s]
    percentiles = {m: _percentiles([getattr(s, m) for s in good if getattr(s, m) is not None]) for m in METRICS}
    percentiles["itl_s"] = _percentiles([gap for s in good for gap in s.itl_s])
    rates = [s.output_tokens / s.e2e_s for s in good if s.output_tokens and s.e2e_s]
    return ArmStats(
        concurrency=level,
        arm=arm,
        requests=len(good),
        errors=len(members) - len(good),
        percentiles=percentiles,
        output_tokens_per_s=float(np.median(rates)) if rates else 0.0,
    )


Estimates = dict[tuple[str, str, str], tuple[RatioEstimate, RatioEstimate | None]]
"""(metric, numerator, denominator) → the 95% estimate, and for the control the family-wise one that judges it."""


def _estimates(
    by_arm: dict[tuple[int, str], list[LatencySample]],
    level: int,
    pairs: Sequence[Pair],
    settings: LatencySettings,
    controls: int,
) -> Estimates:
    """Every pair's ratio at one level; the A/A control also at the confidence its family of `controls` needs."""
    estimates: Estimates = {}
    for metric in METRICS:
        for numerator, denominator, control in pairs:
            num = block_samples(by_arm.get((level, numerator), []), level, numerator, metric)
            den = block_samples(by_arm.get((level, denominator), []), level, denominator, metric)
            estimate = ratio_of_medians(num, den, resamples=settings.resamples, seed=settings.seed)
            if estimate is None:
                continue
            judge = None
            if control:
                family = 1 - CONTROL_FAMILY_ALPHA / controls
                judge = ratio_of_medians(num, den, resamples=settings.resamples, seed=settings.seed, confidence=family)
            estimates[(metric, numerator, denominator)] = (estimate, judge)
    return estimates


def _comparisons(level: int, estimates: Estimates, floors: dict[str, float]) -> list[LatencyComparison]:
    """The verdict on every estimate: the control states its floor, every other pair is judged against it."""
    comparisons = []
    for (metric, numerator, denominator), (estimate, judge) in estimates.items():
        name = f"{numerator} vs {denominator}, {metric_label(metric, MEASURED)}"
        judged = control_verdict(name, estimate, judge) if judge else verdict(name, estimate, floors[metric])
        comparisons.append(
            LatencyComparison(
                concurrency=level,
                metric=metric,
                numerator=numerator,
                denominator=denominator,
                estimate=estimate,
                verdict=judged,
                control=judge is not None,
            )
        )
    return comparisons


def analyse(
    samples: Sequence[LatencySample],
    pairs: Sequence[Pair],
    settings: LatencySettings,
    read_floor: dict[str, float],
    seconds: float | None = None,
) -> LatencySummary:
    """Percentiles per arm and ratios per pair; pure, so reports can recompute it from the log (of a study that
    measured cold, as every study since the cold design does)."""
    by_arm: dict[tuple[int, str], list[LatencySample]] = defaultdict(list)
    for sample in samples:
        by_arm[(sample.concurrency, sample.arm)].append(sample)
    arms = [_arm_stats(level, arm, members) for (level, arm), members in sorted(by_arm.items())]
    comparisons: list[LatencyComparison] = []
    floors: dict[str, dict[str, float]] = {}
    levels = sorted({s.concurrency for s in samples})
    blocks = {
        str(level): LevelBlocks(measured=len({s.block for s in samples if s.concurrency == level}), cap=settings.blocks)
        for level in levels
    }
    controls = len(levels) * len(METRICS) * sum(control for _, _, control in pairs)
    for level in levels:
        estimates = _estimates(by_arm, level, pairs, settings, controls)
        floors[str(level)] = {
            metric: noise_floor(next((e for (m, _, _), (e, j) in estimates.items() if m == metric and j), None))
            for metric in METRICS
        }
        comparisons += _comparisons(level, estimates, floors[str(level)])
    return LatencySummary(
        arms=arms,
        comparisons=comparisons,
        noise_floor=floors,
        prefix_cache=MEASURED,
        read_floor=read_floor,
        seconds=seconds,
        blocks=blocks,
    )
