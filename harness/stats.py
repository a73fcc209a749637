"""Statistics in one place, so every report and gate computes intervals and tests the same way."""

from __future__ import annotations

import math

from harness.types import Proportion

Z_95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z_95) -> Proportion:
    """Wilson score interval: unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n,
    which matters for adapters that score 0% or 100% on a small suite."""
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be within 0..{trials}, got {successes}")
    if trials == 0:
        return Proportion(successes=0, trials=0, low=0.0, high=1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # At 0 and n the bounds are exactly 0 and 1; floating point would leave them a hair inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Proportion(successes=successes, trials=trials, low=low, high=high)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs (cases only A got right, only B got right).

    Exact binomial rather than the chi-square approximation: suites are small and discordant counts often single
    digits, where the approximation is wrong.
    """
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def holm(p_values: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given: ranking N adapters runs N(N-1)/2 pairwise tests, and at 5% each
    a family of 15 would call some pair different by chance alone more often than not. Holm controls the chance of
    any false call at the nominal level, and is uniformly more powerful than Bonferroni."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
