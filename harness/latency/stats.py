"""Statistics of a latency study: ratios of medians between two arms with intervals that resample blocks, a
paired rank test over blocks, and a verdict that an A/A control keeps honest.

Why blocks: requests inside one block ran at the same moment of the machine's life (same neighbours, same
thermal state, same cache warmth), so they are not independent; the block is the unit that was randomised, hence
the unit that is resampled. Two arms measured in the same blocks are paired: the bootstrap draws the same blocks
for both, which cancels drift that hits every arm alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import wilcoxon

from harness.types import RatioEstimate, Verdict

BlockSamples = Mapping[int, Sequence[float]]
"""Block number → the samples of one arm in that block."""


def _pooled_median(samples: BlockSamples, blocks: Sequence[int]) -> float:
    return float(np.median(np.concatenate([np.asarray(samples[b], dtype=float) for b in blocks])))


def _resampled_medians(per_block: list[np.ndarray], chosen: np.ndarray) -> np.ndarray:
    """The pooled median of each bootstrap replicate (a row of block indices)."""
    sizes = {len(values) for values in per_block}
    if len(sizes) == 1:  # the usual case: one vectorised median over (replicates, blocks x samples)
        stacked = np.stack(per_block)[chosen]
        return np.median(stacked.reshape(len(chosen), -1), axis=1)
    return np.array([np.median(np.concatenate([per_block[j] for j in row])) for row in chosen])


def ratio_of_medians(
    numerator: BlockSamples,
    denominator: BlockSamples,
    *,
    resamples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> RatioEstimate | None:
    """The ratio of medians with a paired block bootstrap (percentile interval at `confidence`, 95% unless a
    family of tests asks for more); None without shared blocks."""
    blocks = sorted(b for b in numerator.keys() & denominator.keys() if len(numerator[b]) and len(denominator[b]))
    if not blocks:
        return None
    ratio = _pooled_median(numerator, blocks) / _pooled_median(denominator, blocks)
    rng = np.random.default_rng(seed)
    num = [np.asarray(numerator[b], dtype=float) for b in blocks]
    den = [np.asarray(denominator[b], dtype=float) for b in blocks]
    chosen = rng.integers(0, len(blocks), (resamples, len(blocks)))
    ratios = _resampled_medians(num, chosen) / _resampled_medians(den, chosen)
    tail = (1 - confidence) / 2
    low, high = np.quantile(ratios, [tail, 1 - tail])
    logs = [math.log(np.median(n) / np.median(d)) for n, d in zip(num, den, strict=True)]
    p_value = 1.0
    if len(logs) >= 2 and any(value != 0 for value in logs):
        p_value = float(wilcoxon(logs).pvalue)
    return RatioEstimate(
        ratio=ratio,
        low=float(low),
        high=float(high),
        p_value=p_value,
        blocks=len(blocks),
        samples=(sum(len(n) for n in num), sum(len(d) for d in den)),
    )


def noise_floor(control: RatioEstimate | None) -> float:
    """The A/A control's largest deviation from 1 within its interval: differences smaller than this cannot be
    told from this machine's noise in this run."""
    if control is None:
        return 0.0
    return max(abs(control.high - 1), abs(1 - control.low))


CONTROL_FAMILY_ALPHA = 0.01
"""Chance that a sound run is told that its control failed, over all the control comparisons of one study: one
claim for the whole family (Bonferroni), and a strict one, because that claim sends the user to rerun."""


def control_verdict(name: str, estimate: RatioEstimate, family_check: RatioEstimate) -> Verdict:
    """The A/A control states the floor it sets (from its 95% interval); if `family_check` (the same comparison
    at confidence 1 - CONTROL_FAMILY_ALPHA / controls in the study) excludes 1, the run's noise defeated the
    design (a drift the blocks did not absorb) and that is reported, not hidden."""
    text = f"{name}: the noise floor of this run is {noise_floor(estimate):.1%}"
    if family_check.low > 1 or family_check.high < 1:
        return Verdict(different=True, text=text + "; the control itself differs, so treat every verdict with care")
    return Verdict(different=False, text=text)


def verdict(name: str, estimate: RatioEstimate, floor: float) -> Verdict:
    """Significant only when the interval excludes 1 and the whole interval lies beyond the noise floor."""
    beyond = estimate.low > 1 + floor or estimate.high < 1 - floor
    if not beyond:
        return Verdict(different=False, text=f"{name}: no difference above the noise floor of {floor:.1%}")
    word = "slower" if estimate.ratio > 1 else "faster"
    pct = abs(estimate.ratio - 1)
    low, high = sorted((abs(estimate.low - 1), abs(estimate.high - 1)))
    return Verdict(different=True, text=f"{name} is {pct:.1%} {word}, 95% CI [{low:.1%}, {high:.1%}]")
