"""Anytime-valid decisions for the gate's rules: a verdict that may be read after every batch of answers and acted
on (stop asking) as soon as it is decided, at the error level each rule has today (issue 26).

Checking a fixed-sample test after every batch and stopping when it is significant inflates its error far beyond
the nominal level (`make perf-gate` shows by how much). The decisions here stay valid however often they are
read, because each rests on a nonnegative (super)martingale under the rule's null, and Ville's inequality bounds
the chance that such a process ever reaches 1/alpha by alpha (Ville 1939; Ramdas, Grünwald, Vovk and Shafer,
"Game-theoretic statistics and safe anytime-valid inference", Statistical Science 38(4), 2023).

Three kinds of rule, each with the full-sample verdict it has today:
- Floors (`min_full_match`, `min_relevance`, `min_ask`, `min_episodes`) compare the rate over the suite's own
  cases, a finite population, with a minimum (rate >= minimum passes). `floor` decides on a confidence sequence
  for sampling without replacement, which once every case is asked is exactly the observed rate: there it gives
  today's point-estimate verdict, and before, a verdict that differs from it with chance at most alpha.
- Rules that fail only on significant evidence (`no_regression`, `merged_gap`, the parse-error and latency
  ceilings) keep that burden: `burden` fails them early on an anytime-valid test, else they wait for their last
  case and take today's fixed-sample verdict there.
- `must_beat` needs evidence to pass: `must_beat` passes early on an e-process over the discordant pairs, else
  takes today's exact McNemar test once every case is asked.
Where a rule has both an anytime-valid test and a fixed-sample one, alpha is split between them (`split`), so
the chance of a wrong verdict stays at most alpha by a union bound; the price is that the full-sample test runs
at alpha / 2, and a p-value between alpha / 2 and alpha no longer decides as it does today (floors spend no
alpha at the full sample: their verdict there is a fact about the suite, not a test).

`gate.case_rules` reads each rule through these at the looks of a run's order (`gate.looks`), and the bench's
scheduler stops asking a variant once they decide every rule that reads it (`generation.schedule`).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, betaincc, betaln
from scipy.stats import betabinom

from harness.stats import mcnemar_exact

SEQUENTIAL_SHARE = 0.5
"""The part of a rule's alpha spent on its anytime-valid test; the rest goes to today's test at the full sample."""

Alternative = Literal["greater", "less", "two-sided"]


class Verdict(StrEnum):
    """Where one rule stands on the answers so far; named apart from the gate's per-variant `Decision`, which
    the gate derives from its rules' statuses."""

    PASSED = "passed"
    FAILED = "failed"
    UNDECIDED = "undecided"
    """The evidence so far decides neither way: ask more cases."""


class PopulationInterval(NamedTuple):
    """Where the number of successes over the whole suite can still be, at the confidence sequence's level."""

    low: int
    high: int
    population: int


def split(alpha: float) -> tuple[float, float]:
    """A rule's alpha as (anytime-valid share, full-sample share): the two tests together err at most alpha."""
    return alpha * SEQUENTIAL_SHARE, alpha * (1 - SEQUENTIAL_SHARE)


def population_interval(
    successes: int, observed: int, population: int, alpha: float, prior: tuple[float, float] = (1.0, 1.0)
) -> PopulationInterval:
    """The prior-posterior-ratio confidence sequence for the number of successes N+ in a population of N cases
    sampled without replacement in a uniformly random order (Waudby-Smith and Ramdas, "Confidence sequences for
    sampling without replacement", NeurIPS 2020, section 3, with their beta-binomial prior).

    With a BetaBinomial(N, a, b) prior on N+, the posterior after k successes in n draws puts the remaining
    N+ - k on BetaBinomial(N - n, a + k, b + n - k). At the true N+ the ratio prior / posterior is a nonnegative
    martingale starting at 1 (it is the mixture likelihood over the likelihood at the truth), so by Ville's
    inequality the set {N+ : ratio < 1 / alpha} misses the truth at some n with chance at most alpha, however
    often it is read. Values the draws rule out (fewer than k successes, or more than k plus the cases left) have
    posterior 0 and drop out; at n = N only N+ = k is left, so the sequence is the observed count. The prior
    shapes the width, never the validity; the uniform one (a = b = 1) favours no rate. The hull of the set is
    returned (with a = b >= 1 the posterior is log-concave and the set already an interval).
    """
    if not 0 <= successes <= observed <= population:
        raise ValueError(f"need 0 <= successes <= observed <= population, got {successes}, {observed}, {population}")
    a, b = prior
    candidates = np.arange(successes, successes + population - observed + 1)
    log_ratio = betabinom.logpmf(candidates, population, a, b) - betabinom.logpmf(
        candidates - successes, population - observed, a + successes, b + observed - successes
    )
    kept = candidates[log_ratio < math.log(1 / alpha)]
    return PopulationInterval(low=int(kept.min()), high=int(kept.max()), population=population)


def floor(successes: int, observed: int, population: int, minimum: float, alpha: float) -> Verdict:
    """A floor on the suite's rate (rate >= minimum passes, as today): passed once the confidence sequence lies
    wholly at or above the minimum, failed once wholly below, undecided otherwise. With every case asked the
    sequence is the observed count, so the verdict is today's, compared as today (`successes / trials`)."""
    interval = population_interval(successes, observed, population, alpha)
    if interval.low / population >= minimum:
        return Verdict.PASSED
    if interval.high / population < minimum:
        return Verdict.FAILED
    return Verdict.UNDECIDED


def mixture_e_value(
    successes: ArrayLike, trials: ArrayLike, null_rate: float, alternative: Alternative
) -> NDArray[np.float64]:
    """The e-process of Bernoulli trials against a success rate of `null_rate`: the likelihood ratio averaged over
    a uniform prior on the alternative's side of the null (Robbins' method of mixtures, Robbins 1970, "Statistical
    methods related to the law of the iterated logarithm", Ann. Math. Statist. 41(5); its beta-binomial form is
    Howard, Ramdas, McAuliffe and Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic confidence sequences",
    Ann. Statist. 49(2), section 3).

    For "greater", with k successes in n trials and p0 the null rate, in closed form:
        E = B(k + 1, n - k + 1) (1 - I_p0(k + 1, n - k + 1)) / ((1 - p0) p0^k (1 - p0)^(n - k)),
    the regularized incomplete beta function I giving the prior's mass above p0; "less" takes the mass below p0
    (I_p0, over p0), and "two-sided" the mean of the two, itself an e-process. Each likelihood ratio with a rate
    above p0 is a martingale at p0 and a supermartingale below it, so the mixture is valid for the whole one-sided
    null (rate <= p0), and Ville bounds the chance it ever reaches 1 / alpha by alpha. Vectorised over counts.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    p0 = null_rate
    log_null = k * math.log(p0) + (n - k) * math.log1p(-p0)
    log_beta = betaln(k + 1, n - k + 1)
    with np.errstate(divide="ignore"):
        above = np.exp(log_beta - log_null + np.log(betaincc(k + 1, n - k + 1, p0)) - math.log1p(-p0))
        below = np.exp(log_beta - log_null + np.log(betainc(k + 1, n - k + 1, p0)) - math.log(p0))
    if alternative == "greater":
        return above
    if alternative == "less":
        return below
    return (above + below) / 2


def sign_test_e_value(better: ArrayLike, worse: ArrayLike) -> NDArray[np.float64]:
    """Evidence that one side wins more of the discordant pairs than the other. Under McNemar's null each
    discordant pair goes either way with chance 1/2, a fair coin whatever the concordant cases do, so the
    one-sided mixture over the discordant pairs alone is an e-process (concordant cases leave it unchanged)."""
    better = np.asarray(better)
    return mixture_e_value(better, better + np.asarray(worse), 0.5, "greater")


def must_beat(better: int, worse: int, remaining: int, alpha: float) -> Verdict:
    """`must_beat` over the cases asked so far: `better` cases only the judged variant got right, `worse` only the
    reference, `remaining` not yet asked of both.

    Passed as soon as the sign-test e-process reaches 1 / (alpha / 2); else, once every case is asked, today's
    verdict at the other alpha / 2 (more right, exact two-sided McNemar p below it). Failed early only when it can
    no longer pass: not even every remaining case going to the judged variant would get there (both tests only
    grow with each such case, so checking that best case is enough; it costs no alpha). A full sample whose
    McNemar p lies in [alpha / 2, alpha) passed today and fails here unless the e-process passed it: the price of
    looking early.
    """
    sequential, full_sample = split(alpha)

    def passes(b: int, w: int, complete: bool) -> bool:
        if float(sign_test_e_value(b, w)) >= 1 / sequential:
            return True
        return complete and b > w and mcnemar_exact(w, b) < full_sample

    if passes(better, worse, remaining == 0):
        return Verdict.PASSED
    if remaining == 0 or not passes(better + remaining, worse, True):
        return Verdict.FAILED
    return Verdict.UNDECIDED


def burden(e_value: float, remaining: int, fails_at_full_sample: bool, alpha: float) -> Verdict:
    """A rule that fails only on significant evidence: failed as soon as its one-sided e-process (`e_value`, e.g.
    `sign_test_e_value` of the cases lost against those gained for `no_regression`, or `mixture_e_value` of parse
    errors above the ceiling) reaches 1 / (alpha / 2); else undecided until every case is asked, then today's
    fixed-sample verdict, which the caller computes at the other alpha / 2 (`split`)."""
    if e_value >= 1 / split(alpha)[0]:
        return Verdict.FAILED
    if remaining:
        return Verdict.UNDECIDED
    return Verdict.FAILED if fails_at_full_sample else Verdict.PASSED
