"""Wilson intervals and the exact McNemar test against independently computed references."""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq
from scipy.stats import binomtest

from harness.stats import Z_95, mcnemar_exact, wilson


def score_test_bounds(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval by its definition: the proportions p the score test does not reject at 5%,
    |k - n p| = z sqrt(n p (1 - p)), found numerically on each side of k / n."""

    def edge(p: float) -> float:
        return abs(k - n * p) - Z_95 * math.sqrt(n * p * (1 - p))

    p_hat = min(max(k / n, 1e-12), 1 - 1e-12)  # the score statistic is 0/0 exactly at 0 and 1
    low = brentq(edge, 1e-12, p_hat) if edge(1e-12) > 0 else 0.0
    high = brentq(edge, p_hat, 1 - 1e-12) if edge(1 - 1e-12) > 0 else 1.0
    return low, high


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (5, 10), (1, 4), (70, 100), (1, 1), (149, 150), (3, 1000)])
def test_wilson_is_the_score_test_interval(k: int, n: int) -> None:
    interval = wilson(k, n)
    low, high = score_test_bounds(k, n)
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)
    assert interval.value == k / n


def test_wilson_closed_form_at_zero() -> None:
    assert wilson(0, 10).high == pytest.approx(Z_95**2 / (10 + Z_95**2))


def test_wilson_no_trials_and_bad_input() -> None:
    empty = wilson(0, 0)
    assert (empty.value, empty.low, empty.high) == (None, 0.0, 1.0)
    with pytest.raises(ValueError, match="successes must be within"):
        wilson(5, 3)


@pytest.mark.parametrize(("b", "c"), [(0, 0), (1, 0), (5, 5), (0, 8), (3, 12), (20, 9), (100, 70)])
def test_mcnemar_matches_the_exact_binomial_test(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-9)


def test_mcnemar_known_values() -> None:
    assert mcnemar_exact(0, 8) == pytest.approx(2 / 256)
    assert mcnemar_exact(0, 5) == pytest.approx(0.0625)
