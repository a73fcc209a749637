"""`harness.sequential` against its definitions: the without-replacement confidence sequence against the prior over
posterior ratio computed from the hypergeometric likelihood by brute force, the mixture e-value against numerical
integration and its martingale step, and every full-sample verdict against today's rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import betabinom

from harness.sequential import (
    Verdict,
    burden,
    floor,
    mixture_e_value,
    must_beat,
    population_interval,
    sign_test_e_value,
    split,
)
from harness.stats import mcnemar_exact

ALPHA = 0.05


def sequence_likelihood(successes: int, observed: int, population: int, total: int) -> float:
    """The chance of one particular order of `successes` ones in `observed` draws without replacement from a
    population of `population` with `total` ones: falling factorials of ones and zeros over those of the whole."""
    ones = math.perm(total, successes) if successes <= total else 0
    zeros = math.perm(population - total, observed - successes) if observed - successes <= population - total else 0
    return ones * zeros / math.perm(population, observed)


def brute_force_interval(successes: int, observed: int, population: int, alpha: float) -> tuple[int, int]:
    """Waudby-Smith and Ramdas's set {N+ : prior(N+) / posterior_n(N+) < 1/alpha} from Bayes' rule itself."""
    prior = betabinom.pmf(np.arange(population + 1), population, 1, 1)
    likelihood = [sequence_likelihood(successes, observed, population, t) for t in range(population + 1)]
    evidence = sum(p * lik for p, lik in zip(prior, likelihood, strict=True))
    kept = [t for t in range(population + 1) if likelihood[t] > 0 and evidence / likelihood[t] < 1 / alpha]
    return min(kept), max(kept)


@pytest.mark.parametrize(
    ("successes", "observed", "population"),
    [(0, 0, 10), (0, 1, 10), (3, 5, 10), (10, 20, 40), (0, 20, 40), (20, 20, 40), (39, 40, 40), (7, 12, 13)],
)
def test_interval_is_the_prior_posterior_ratio_set(successes: int, observed: int, population: int) -> None:
    interval = population_interval(successes, observed, population, ALPHA)
    assert (interval.low, interval.high) == brute_force_interval(successes, observed, population, ALPHA)
    assert successes <= interval.low <= interval.high <= successes + population - observed


@pytest.mark.parametrize("population", [1, 7, 80, 134])
def test_full_sample_interval_is_the_observed_count(population: int) -> None:
    for successes in range(population + 1):
        interval = population_interval(successes, population, population, ALPHA)
        assert (interval.low, interval.high) == (successes, successes)


@pytest.mark.parametrize(
    ("successes", "population", "minimum"),
    [
        (28, 80, 0.35),  # exactly at the minimum passes, as `rate >= minimum` does today
        (27, 80, 0.35),
        (36, 80, 0.35),
        (10, 80, 0.35),
        (0, 10, 0.0),
        (0, 10, 0.01),
        (10, 10, 1.0),
        (9, 10, 1.0),
        (1, 3, 1 / 3),
        (7, 134, 0.05),
    ],
)
def test_full_sample_floor_is_todays_point_estimate(successes: int, population: int, minimum: float) -> None:
    today = Verdict.PASSED if successes / population >= minimum else Verdict.FAILED
    assert floor(successes, population, population, minimum, ALPHA) is today


@pytest.mark.parametrize(
    ("successes", "observed", "population", "minimum", "decision"),
    [
        (0, 0, 80, 0.35, Verdict.UNDECIDED),
        (28, 28, 80, 0.35, Verdict.PASSED),  # enough successes already, whatever the rest
        (0, 53, 80, 0.35, Verdict.FAILED),  # too few cases left to reach it
        (0, 16, 80, 0.35, Verdict.FAILED),
        (16, 16, 80, 0.35, Verdict.PASSED),
        (8, 16, 80, 0.35, Verdict.UNDECIDED),
        (29, 64, 80, 0.35, Verdict.PASSED),
    ],
)
def test_floor_decides_early(successes: int, observed: int, population: int, minimum: float, decision: Verdict) -> None:
    assert floor(successes, observed, population, minimum, ALPHA) is decision


@pytest.mark.parametrize(("population", "total"), [(40, 14), (80, 28), (80, 60), (30, 1)])
def test_sequence_covers_the_population_rate_under_continuous_monitoring(population: int, total: int) -> None:
    """Over random orders, the true count leaves the interval at some draw in at most alpha of them (plus three
    standard errors of the simulation); narrowing need not be monotone, validity must hold at every draw."""
    rng = np.random.default_rng(population * 1000 + total)
    orders = 300
    memo: dict[tuple[int, int], tuple[int, int]] = {}
    missed = 0
    for _ in range(orders):
        draws = rng.permutation(np.r_[np.ones(total, dtype=int), np.zeros(population - total, dtype=int)])
        seen = np.cumsum(draws)
        for n in range(1, population + 1):
            key = (int(seen[n - 1]), n)
            if key not in memo:
                memo[key] = population_interval(*key, population, ALPHA)[:2]
            low, high = memo[key]
            if not low <= total <= high:
                missed += 1
                break
    assert missed / orders <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / orders)


def integrated_e_value(k: int, n: int, p0: float, low: float, high: float) -> float:
    """The likelihood ratio averaged over a uniform prior on [low, high], by quadrature."""
    ratio, _ = quad(lambda p: (p / p0) ** k * ((1 - p) / (1 - p0)) ** (n - k), low, high)
    return ratio / (high - low)


@pytest.mark.parametrize(
    ("k", "n", "p0"), [(0, 0, 0.5), (3, 4, 0.5), (10, 12, 0.5), (2, 20, 0.5), (7, 30, 0.1), (1, 25, 0.2)]
)
def test_mixture_e_value_is_the_averaged_likelihood_ratio(k: int, n: int, p0: float) -> None:
    above, below = integrated_e_value(k, n, p0, p0, 1), integrated_e_value(k, n, p0, 0, p0)
    assert float(mixture_e_value(k, n, p0, "greater")) == pytest.approx(above, rel=1e-8)
    assert float(mixture_e_value(k, n, p0, "less")) == pytest.approx(below, rel=1e-8)
    assert float(mixture_e_value(k, n, p0, "two-sided")) == pytest.approx((above + below) / 2, rel=1e-8)


@pytest.mark.parametrize("p0", [0.5, 0.1, 0.3])
def test_mixture_e_value_is_a_martingale_at_the_null(p0: float) -> None:
    """One more trial at the null rate leaves the expected e-value where it was, at every count."""
    for n in range(12):
        k = np.arange(n + 1)
        for alternative in ("greater", "less", "two-sided"):
            now = mixture_e_value(k, n, p0, alternative)
            step = p0 * mixture_e_value(k + 1, n + 1, p0, alternative) + (1 - p0) * mixture_e_value(
                k, n + 1, p0, alternative
            )
            np.testing.assert_allclose(step, now, rtol=1e-10)


def test_sign_test_e_value_counts_discordant_pairs_only() -> None:
    assert float(sign_test_e_value(0, 0)) == 1.0
    assert float(sign_test_e_value(10, 0)) == pytest.approx(2**11 * (1 - 0.5**11) / 11)
    assert float(sign_test_e_value(0, 10)) < 1


@pytest.mark.parametrize(
    ("better", "worse", "remaining", "decision"),
    [
        (10, 0, 50, Verdict.PASSED),  # e-value 186 >= 40 before the last case
        (6, 0, 50, Verdict.UNDECIDED),  # e-value 18: not yet
        (3, 1, 50, Verdict.UNDECIDED),
        (0, 10, 5, Verdict.FAILED),  # five more cases cannot turn it
        (0, 10, 60, Verdict.UNDECIDED),
        (10, 2, 0, Verdict.FAILED),  # McNemar p = 0.039: passes today at 0.05, not at the full-sample share
        (12, 1, 0, Verdict.PASSED),  # p = 0.0034
        (5, 5, 0, Verdict.FAILED),
    ],
)
def test_must_beat(better: int, worse: int, remaining: int, decision: Verdict) -> None:
    assert must_beat(better, worse, remaining, ALPHA) is decision


def test_full_sample_must_beat_differs_from_today_only_between_the_shares() -> None:
    """Every count of up to 134 discordant pairs: a verdict differs from today's only where today passes on a
    McNemar p in [alpha / 2, alpha) and the e-process had not reached its bound; never the other way."""
    sequential, full_sample = split(ALPHA)
    for discordant in range(135):
        for better in range(discordant + 1):
            worse = discordant - better
            p = mcnemar_exact(worse, better)
            today = better > worse and p < ALPHA
            now = must_beat(better, worse, 0, ALPHA) is Verdict.PASSED
            if today != now:
                assert today and full_sample <= p < ALPHA, (better, worse, p)
                assert float(sign_test_e_value(better, worse)) < 1 / sequential


@pytest.mark.parametrize(
    ("e_value", "remaining", "fails_at_full_sample", "decision"),
    [
        (40.0, 30, False, Verdict.FAILED),  # 1 / (alpha / 2): evidence fails it early
        (39.9, 30, True, Verdict.UNDECIDED),
        (39.9, 0, True, Verdict.FAILED),
        (0.5, 0, False, Verdict.PASSED),
        (40.0, 0, False, Verdict.FAILED),
    ],
)
def test_burden(e_value: float, remaining: int, fails_at_full_sample: bool, decision: Verdict) -> None:
    assert burden(e_value, remaining, fails_at_full_sample, ALPHA) is decision
