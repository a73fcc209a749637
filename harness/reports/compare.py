"""Paired comparison of two variants, in one run folder or across two, to choose which adapter to ship.

Only cases both variants answered are compared, case by case: wins (only B right), losses (only A right), ties.
The exact McNemar test says whether the wins and losses differ by more than chance; the accuracy difference gets
a percentile bootstrap interval over cases. Latency is compared where both variants were measured in the same
latency study (paired blocks); across runs, whose machines' states differ, only their medians are shown.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from harness.errors import HarnessError
from harness.latency.analyse import METRICS, block_samples
from harness.latency.stats import ratio_of_medians
from harness.runs.view import RunView
from harness.scoring import full_matches, paired, shared_cases
from harness.scoring.episode import progress_test
from harness.types import EpisodeScore, Frozen, ParseMode, RatioEstimate

ALPHA = 0.05
_RESAMPLES = 4000


class CompareError(HarnessError):
    """The two variants cannot be compared."""


class SuiteComparison(Frozen):
    suite: str
    """Suite name, or `all` for every shared case."""
    cases: int
    wins: int
    """Cases only B got right."""
    losses: int
    """Cases only A got right."""
    ties: int
    accuracy_a: float
    accuracy_b: float
    difference_low: float
    """Lower bound of the 95% interval of accuracy(B) − accuracy(A)."""
    difference_high: float
    p_value: float
    """Exact McNemar."""


class EpisodeComparison(Frozen):
    """Two variants on the multi-turn episodes of one suite (or `all`) both finished, paired on progress."""

    suite: str
    episodes: int
    further: int
    """Episodes on which B passed more turns before its first failure than A."""
    behind: int
    """Episodes on which A got further."""
    passed_a: float
    """Share of the shared episodes A passed whole."""
    passed_b: float
    p_value: float
    """Exact sign test over the episodes where one got further."""


class Comparison(Frozen):
    a: str
    b: str
    mode: ParseMode
    suites: list[SuiteComparison]
    episodes: list[EpisodeComparison] = Field(default_factory=list)
    """Per suite with episodes both variants finished, then `all`; empty when they share none."""
    latency: dict[str, RatioEstimate] = Field(default_factory=dict)
    """Metric → B over A at the lowest concurrency, when both were in one latency study."""
    recommendation: str


def _difference_interval(a: np.ndarray, b: np.ndarray, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(a), (_RESAMPLES, len(a)))
    differences = b[picks].mean(axis=1) - a[picks].mean(axis=1)
    low, high = np.quantile(differences, [0.025, 0.975])
    return float(low), float(high)


def _suite(name: str, pairs: list[tuple[bool, bool]], seed: int) -> SuiteComparison:
    a = np.array([x for x, _ in pairs], dtype=float)
    b = np.array([y for _, y in pairs], dtype=float)
    test = paired(pairs)
    low, high = _difference_interval(a, b, seed)
    return SuiteComparison(
        suite=name,
        cases=test.cases,
        wins=test.only_b,
        losses=test.only_a,
        ties=test.cases - test.only_a - test.only_b,
        accuracy_a=float(a.mean()),
        accuracy_b=float(b.mean()),
        difference_low=low,
        difference_high=high,
        p_value=test.p_value,
    )


def _latency(view: RunView, a: str, b: str) -> dict[str, RatioEstimate]:
    samples = view.latency_samples()
    levels = sorted({s.concurrency for s in samples if s.arm in (a, b)})
    found = {}
    for metric in METRICS:
        for level in levels:
            estimate = ratio_of_medians(
                block_samples(samples, level, b, metric), block_samples(samples, level, a, metric)
            )
            if estimate is not None:
                found[metric] = estimate
                break
    return found


def _episodes(a: list[EpisodeScore], b: list[EpisodeScore], suite: str) -> EpisodeComparison:
    test = progress_test(a, b)
    shared = {score.key for score in a} & {score.key for score in b}
    passed = [sum(score.passed for score in side if score.key in shared) / max(1, len(shared)) for side in (a, b)]
    return EpisodeComparison(
        suite=suite,
        episodes=test.cases,
        further=test.only_b,
        behind=test.only_a,
        passed_a=passed[0],
        passed_b=passed[1],
        p_value=test.p_value,
    )


def compare_episodes(view_a: RunView, a: str, view_b: RunView, b: str) -> list[EpisodeComparison]:
    """Per episode suite both variants finished episodes of, then all of them together; empty when none."""
    mine = [s for s in view_a.episode_scores if s.variant == a]
    theirs = [s for s in view_b.episode_scores if s.variant == b]
    suites = sorted({s.suite for s in mine} & {s.suite for s in theirs})
    if not suites:
        return []
    rows = [_episodes([s for s in mine if s.suite == n], [s for s in theirs if s.suite == n], n) for n in suites]
    return [*rows, _episodes(mine, theirs, "all")] if len(rows) > 1 else rows


def _speed(b: str, latency: dict[str, RatioEstimate]) -> str:
    tpot = latency.get("tpot_s")
    if tpot is not None and (tpot.low > 1 or tpot.high < 1):
        return f"; {b} is {abs(tpot.ratio - 1):.0%} {'slower' if tpot.ratio > 1 else 'faster'} per token"
    return ""


def _recommend_on_episodes(a: str, b: str, overall: EpisodeComparison, latency: dict[str, RatioEstimate]) -> str:
    if overall.p_value < ALPHA:
        winner, loser = (b, a) if overall.further > overall.behind else (a, b)
        return (
            f"ship {winner}: further than {loser} on {max(overall.further, overall.behind)} of {overall.episodes}"
            f" shared episodes, behind on {min(overall.further, overall.behind)} (sign test p ="
            f" {overall.p_value:.2g}){_speed(b, latency)}"
        )
    return (
        f"no significant difference between {a} and {b} on {overall.episodes} episodes (further on"
        f" {overall.further}, behind on {overall.behind}, p = {overall.p_value:.2g}): more episodes are needed to"
        f" choose{_speed(b, latency)}"
    )


def _recommend(a: str, b: str, overall: SuiteComparison, latency: dict[str, RatioEstimate]) -> str:
    speed = _speed(b, latency)
    diff = overall.accuracy_b - overall.accuracy_a
    if overall.p_value < ALPHA:
        winner, loser = (b, a) if diff > 0 else (a, b)
        return (
            f"ship {winner}: full match {100 * abs(diff):.1f} points above {loser} on {overall.cases} shared cases "
            f"({max(overall.wins, overall.losses)} vs {min(overall.wins, overall.losses)} discordant, "
            f"McNemar p = {overall.p_value:.2g}){speed}"
        )
    return (
        f"no significant accuracy difference between {a} and {b} on {overall.cases} cases "
        f"(difference {diff:+.1%}, 95% CI [{overall.difference_low:+.1%}, {overall.difference_high:+.1%}], "
        f"p = {overall.p_value:.2g}): more cases are needed to choose on accuracy{speed}"
    )


def pick_variants(view_a: RunView, view_b: RunView, a: str | None, b: str | None) -> tuple[str, str]:
    """The variants to compare: as given, else the unmerged adapters (two in one run, or one in each run)."""
    same = view_a.path == view_b.path
    for name, view in ((a, view_a), (b, view_b)):
        if name is not None and name not in view.variants:
            raise CompareError(f"{view.path}: no variant {name!r}; it has {', '.join(view.variants)}")
    loras_a = [v.name for v in view_a.variants_of("lora")]
    loras_b = [v.name for v in view_b.variants_of("lora")]
    if same and len(loras_a) == 2 and (a is None) != (b is None) and (a or b) in loras_a:
        given = a or b  # one of a run's two adapters named: the other one is what it is compared with
        other = next(name for name in loras_a if name != given)
        return (given, other) if a else (other, given)
    if a is None and b is None and same and len(loras_a) == 2:
        return loras_a[0], loras_a[1]
    if a is None:
        a = loras_a[0] if len(loras_a) == 1 else None
    if b is None:
        b = loras_b[0] if len(loras_b) == 1 and not same else None
    if a is None or b is None:
        missing = "--a" if a is None else "--b"
        view = view_a if a is None else view_b
        raise CompareError(
            f"{view.path}: say which variant to compare with {missing}; it has {', '.join(view.variants)}"
        )
    if same and a == b:
        raise CompareError(f"{view_a.path}: --a and --b are both {a!r}; a variant compared with itself decides nothing")
    return a, b


def compare(view_a: RunView, a: str, view_b: RunView, b: str, mode: ParseMode = ParseMode.STRICT) -> Comparison:
    """Compare variant `a` of one run with variant `b` of another (or the same) run: on the cases both answered,
    and on the episodes both finished. The recommendation reads the cases; a run of episodes only, the episodes."""
    shared = shared_cases(full_matches(view_a.scores_of(a), mode), full_matches(view_b.scores_of(b), mode))
    episodes = compare_episodes(view_a, a, view_b, b)
    latency = _latency(view_a, a, b) if view_a.path == view_b.path else {}
    if not shared and episodes:
        recommendation = _recommend_on_episodes(a, b, episodes[-1], latency)
        return Comparison(
            a=a, b=b, mode=mode, suites=[], episodes=episodes, latency=latency, recommendation=recommendation
        )
    if not shared:
        raise CompareError(f"{a} ({view_a.path}) and {b} ({view_b.path}) share no answered case and no episode")
    suites = []
    for index, suite in enumerate(sorted({suite for (suite, _), _, _ in shared})):
        pairs = [(x, y) for (name, _), x, y in shared if name == suite]
        suites.append(_suite(suite, pairs, seed=index))
    overall = _suite("all", [(x, y) for _, x, y in shared], seed=len(suites))
    return Comparison(
        a=a,
        b=b,
        mode=mode,
        suites=[*suites, overall],
        episodes=episodes,
        latency=latency,
        recommendation=_recommend(a, b, overall, latency),
    )
