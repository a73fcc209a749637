"""`make perf-gate`: the sequential gate decisions (`harness/sequential.py`) against naive repeated fixed-sample
testing, on thousands of simulated runs at known rates.

Each run asks its cases in a random order and reads its rule after every answer (continuous checking), then after
every `BATCH` of the rule's own answers (about a look of the bench's scheduler), stopping at the first decided
verdict. Sequential: the anytime-valid decisions. Naive: today's test re-run at every look and acted on as soon as it decides (the Wilson interval wholly above or below a floor, exact
McNemar below alpha), today's verdict at the last case. A wrong verdict is, for a floor, one that differs from the
rate of the whole suite (the finite population the floor is about: a run's cases are a random permutation of
fixed outcomes); for a paired rule, one that differs from the truth of the rates the cases were drawn at (A/A: no
difference, so a pass of `must_beat` or a fail of `no_regression` is wrong). Where the rule's null holds, its
wrong-verdict rate is bounded by alpha ("bound"); elsewhere a wrong verdict is a missed difference, which no test
of this size bounds. Answers are the mean number of cases asked, beside the fixed sample every run asks today.

Every decision is the module's own function, evaluated once per distinct count (runs share most of them), so
thousands of runs take seconds. Seeded: the same table every time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from harness.sequential import Verdict, burden, floor, must_beat, sign_test_e_value, split
from harness.stats import mcnemar_exact, wilson

BATCH = 16
"""A rule's own answers between two looks. The scheduler's batch counts positions of the order over every suite
(`[suites] batch`, 48): on the bench that is about 29 held-out cases (a floor's) and 13 out-of-distribution cases
that expect a call (`must_beat`'s) per look; 16 stands between the two."""
ALPHA = 0.05
RUNS = 4000
SEED = 26
FLOOR_CASES = 80
"""A suite the size of the bench's in-distribution held-out sample."""
MINIMUM = 0.35
PAIRED_CASES = 128
"""Cases that expect a call, as many as the bench's base model answers."""

Rule = Callable[[NDArray[np.int64], NDArray[np.int64], int], NDArray[np.int8]]
"""(counts a, counts b, cases) of every run at one look → each run's decision code."""

_CODES = {Verdict.UNDECIDED: 0, Verdict.PASSED: 1, Verdict.FAILED: 2}


class Outcome(NamedTuple):
    """One scenario under one way of deciding: how often the verdict was wrong, how many answers it took."""

    wrong: float
    answers: float


def looks(cases: int, batch: int) -> list[int]:
    """The number of answers at each look: after every batch, and at the last case."""
    return sorted({*range(batch, cases, batch), cases})


def by_count(decide: Callable[[int, int, int], Verdict]) -> Rule:
    """A scalar decision over every run at once, each distinct (a, b, remaining) decided once."""

    def rule(a: NDArray[np.int64], b: NDArray[np.int64], remaining: int) -> NDArray[np.int8]:
        pairs, index = np.unique(np.stack([a, b]), axis=1, return_inverse=True)
        codes = np.array([_CODES[decide(int(x), int(y), remaining)] for x, y in pairs.T], dtype=np.int8)
        return codes[index.ravel()]

    return rule


def run(a: NDArray[np.int64], b: NDArray[np.int64], rule: Rule, right: Verdict, batch: int | None) -> Outcome:
    """Read `rule` after every `batch` answers of runs whose per-case counts are `a`, `b` (runs x cases, 0 or 1
    each), or only at the last case when `batch` is None, and stop each run at its first decision; the last look
    always decides."""
    cases = a.shape[1]
    count_a, count_b = np.cumsum(a, axis=1), np.cumsum(b, axis=1)
    verdict = np.zeros(len(a), dtype=np.int8)
    answers = np.full(len(a), cases)
    for n in looks(cases, batch) if batch else [cases]:
        codes = rule(count_a[:, n - 1], count_b[:, n - 1], cases - n)
        new = (verdict == 0) & (codes != 0)
        verdict[new], answers[new] = codes[new], n
    assert (verdict != 0).all(), "the last look must decide every run"
    return Outcome(wrong=float(np.mean(verdict != _CODES[right])), answers=float(answers.mean()))


def floor_rules(cases: int, minimum: float, alpha: float) -> tuple[Rule, Rule]:
    """(sequential, naive) for a floor; a is the successes, b unused."""

    def naive(successes: int, _: int, remaining: int) -> Verdict:
        observed = cases - remaining
        if not remaining:
            return Verdict.PASSED if successes / observed >= minimum else Verdict.FAILED
        interval = wilson(successes, observed)
        if interval.low >= minimum:
            return Verdict.PASSED
        return Verdict.FAILED if interval.high < minimum else Verdict.UNDECIDED

    return by_count(lambda k, _, r: floor(k, cases - r, cases, minimum, alpha)), by_count(naive)


def must_beat_rules(alpha: float) -> tuple[Rule, Rule]:
    """(sequential, naive) for `must_beat`; a counts the cases only the judged variant got right, b the
    reference's. Naive passes at the first look where McNemar is significant, as re-running today's test does."""

    def naive(better: int, worse: int, remaining: int) -> Verdict:
        if better > worse and mcnemar_exact(worse, better) < alpha:
            return Verdict.PASSED
        return Verdict.UNDECIDED if remaining else Verdict.FAILED

    return by_count(lambda b, w, r: must_beat(b, w, r, alpha)), by_count(naive)


def regression_rules(alpha: float) -> tuple[Rule, Rule]:
    """(sequential, naive) for `no_regression`; a counts the cases lost against the baseline, b those gained."""
    full_sample = split(alpha)[1]

    def sequential(lost: int, gained: int, remaining: int) -> Verdict:
        fails = lost > gained and mcnemar_exact(gained, lost) < full_sample
        return burden(float(sign_test_e_value(lost, gained)), remaining, fails, alpha)

    def naive(lost: int, gained: int, remaining: int) -> Verdict:
        if lost > gained and mcnemar_exact(gained, lost) < alpha:
            return Verdict.FAILED
        return Verdict.UNDECIDED if remaining else Verdict.PASSED

    return by_count(sequential), by_count(naive)


class Scenario(NamedTuple):
    name: str
    truth: Verdict
    bound: float | None
    """Where the rule's null holds, the most its sequential wrong-verdict rate can be (None elsewhere)."""
    cases: int
    draw: Callable[[np.random.Generator, int], tuple[NDArray[np.int64], NDArray[np.int64]]]
    rules: tuple[Rule, Rule]


def suite(successes: int) -> Callable[[np.random.Generator, int], tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Runs over one suite of FLOOR_CASES fixed outcomes, each in its own random order (sampling without
    replacement)."""

    def draw(rng: np.random.Generator, runs: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        outcomes = np.zeros((runs, FLOOR_CASES), dtype=np.int64)
        outcomes[:, :successes] = 1
        return rng.permuted(outcomes, axis=1), np.zeros_like(outcomes)

    return draw


def pairs(
    only_a: float, only_b: float
) -> Callable[[np.random.Generator, int], tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Runs over PAIRED_CASES cases drawn independently: discordant one way with chance `only_a`, the other with
    `only_b`, concordant otherwise."""

    def draw(rng: np.random.Generator, runs: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        kind = rng.choice(3, size=(runs, PAIRED_CASES), p=[1 - only_a - only_b, only_a, only_b])
        return (kind == 1).astype(np.int64), (kind == 2).astype(np.int64)

    return draw


def scenarios(alpha: float = ALPHA) -> list[Scenario]:
    """Floors below, at and above the minimum; paired rules under their null (A/A) and under small and large
    differences. A paired rule's sequential bound is the e-process's share plus one direction of the two-sided
    full-sample test at the other share (a pass of `must_beat` and a fail of `no_regression` need the
    difference one way)."""
    floors = floor_rules(FLOOR_CASES, MINIMUM, alpha)
    beat, regression = must_beat_rules(alpha), regression_rules(alpha)
    sequential, full_sample = split(alpha)
    paired_bound = sequential + full_sample / 2
    passed, failed = Verdict.PASSED, Verdict.FAILED
    rows = [(k, passed if k / FLOOR_CASES >= MINIMUM else failed) for k in (10, 24, 27, 28, 30, 36, 44)]
    return [
        *(
            Scenario(f"floor {k}/{FLOOR_CASES} vs {MINIMUM:.0%}", truth, alpha, FLOOR_CASES, suite(k), floors)
            for k, truth in rows
        ),
        Scenario("must_beat A/A 15%/15%", failed, paired_bound, PAIRED_CASES, pairs(0.15, 0.15), beat),
        Scenario("must_beat 19%/11%", passed, None, PAIRED_CASES, pairs(0.19, 0.11), beat),
        Scenario("must_beat 25%/5%", passed, None, PAIRED_CASES, pairs(0.25, 0.05), beat),
        Scenario("no_regression A/A 10%/10%", passed, paired_bound, PAIRED_CASES, pairs(0.10, 0.10), regression),
        Scenario("no_regression 20%/5%", failed, None, PAIRED_CASES, pairs(0.20, 0.05), regression),
    ]


class Outcomes(NamedTuple):
    sequential: Outcome
    naive: Outcome
    """Today's test re-run after every batch, acted on when it decides."""
    fixed: Outcome
    """Today's test once, on every case: its wrong-verdict rate is its own level (or its power's complement)."""


def simulate(scenario: Scenario, runs: int, seed: int, batch: int = BATCH) -> Outcomes:
    """Every way of deciding on the same simulated runs, the first two read after every `batch` answers."""
    a, b = scenario.draw(np.random.default_rng(seed), runs)
    sequential, naive = scenario.rules
    truth = scenario.truth
    return Outcomes(run(a, b, sequential, truth, batch), run(a, b, naive, truth, batch), run(a, b, naive, truth, None))


CONTINUOUS = 1
"""A look after every answer: the most often a rule can be read, where naive re-testing errs the most."""


def table(batch: int) -> None:
    """Every scenario, its rules read after every `batch` answers."""
    print(f"\nRead after every {'answer (continuous checking)' if batch == 1 else f'batch of {batch} answers'}:")
    header = (
        f"{'scenario':26} {'truth':6}  {'wrong: seq':>10} {'bound':>5} {'naive':>6} {'fixed':>6}"
        f"  {'answers: seq':>12} {'naive':>5} {'fixed':>5}"
    )
    print(header)
    print("-" * len(header))
    for index, scenario in enumerate(scenarios()):
        sequential, naive, fixed = simulate(scenario, RUNS, SEED + index, batch)
        bound = "-" if scenario.bound is None else f"{scenario.bound:.3f}"
        print(
            f"{scenario.name:26} {scenario.truth.value:6}  {sequential.wrong:>10.3f} {bound:>5} {naive.wrong:>6.3f}"
            f" {fixed.wrong:>6.3f}  {sequential.answers:>12.1f} {naive.answers:>5.1f} {fixed.answers:>5.0f}"
        )


def main() -> int:
    print(
        f"{RUNS} simulated runs per scenario (seed {SEED}), alpha {ALPHA:g}.\nFloors: a suite of {FLOOR_CASES}"
        f" cases in random order, minimum {MINIMUM:.0%}; the suite's own rate is the truth.\nPaired:"
        f" {PAIRED_CASES} cases, discordant each way at the rates shown."
    )
    table(CONTINUOUS)
    table(BATCH)
    print(
        "\nwrong: share of runs whose verdict differs from the truth. seq: harness.sequential, read at every look;"
        "\nbound: the most it can be where the rule's null holds. naive: today's test re-run at every look and"
        "\nacted on at once (Wilson 95% interval wholly above or below the floor, McNemar p < alpha); where the"
        "\nnull holds, each look errs in the wrong direction at up to alpha / 2, which repeated looks exceed."
        "\nfixed: today's test once on every case (a floor's point estimate is the truth; paired: its own level,"
        "\nor missed power). answers: the mean number asked before the verdict."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
