"""The verdict of each rule that reads single-turn answers, on the answers so far (`gate.looks.Judge`): with every
case answered, today's fixed-sample verdict; before, an anytime-valid one (`harness.sequential`) that may decide
early or leave the rule undecided. Each function returns the judge of one rule; `gate.rules` says which rules a
run has and `gate.looks` when each is read.

Where a rule has both an anytime-valid test and a fixed-sample one, its alpha is split between them
(`sequential.split`): `must_beat` and `merged_gap` run today's McNemar test at alpha / 2 on a full sample, and the
parse-error ceiling keeps its 95% Wilson interval (a one-sided test at 2.5%) beside an e-process at alpha / 2.
Floors spend no alpha on a full sample: their verdict there is a count, not a test.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.gate.looks import Judge
from harness.scoring import paired, paired_test, shared_cases
from harness.sequential import (
    Verdict,
    floor,
    mixture_e_value,
    must_beat,
    population_interval,
    sign_test_e_value,
    split,
)
from harness.stats import mcnemar_exact, wilson
from harness.types import CaseKey, CaseScore, IntervalPoint, ParseMode, RuleResult, Status

_STATUS = {Verdict.PASSED: Status.PASSED, Verdict.FAILED: Status.FAILED, Verdict.UNDECIDED: Status.UNDECIDED}


def result(rule: str, variant: str, suite: str | None, status: Status, detail: str, **more: object) -> RuleResult:
    return RuleResult(rule=rule, variant=variant, suite=suite, status=status, detail=detail, **more)


def judged(rule: str, variant: str, suite: str | None, passed: bool, detail: str) -> RuleResult:
    return result(rule, variant, suite, Status.PASSED if passed else Status.FAILED, detail)


def floor_needed(successes: int, observed: int, population: int, minimum: float, alpha: float) -> int:
    """Roughly how many more answers would decide a floor: the first count of answers at which the confidence
    sequence would leave the minimum behind if the rate so far held (a projection, not a promise; the whole
    population always decides, so it is at most the cases left)."""
    rate = successes / observed if observed else 0.5
    for more in range(observed + 1, population):
        if floor(round(rate * more), more, population, minimum, alpha) is not Verdict.UNDECIDED:
            return more - observed
    return population - observed


def floor_rule(
    name: str,
    variant: str,
    suite: str | None,
    minimum: float,
    alpha: float,
    mode: ParseMode,
    words: Callable[[int, int], str],
) -> Judge:
    """A floor on the rate of right answers over the rule's cases (`min_full_match`, `min_relevance`, `min_ask`):
    today's comparison on a full sample; before, the confidence sequence for sampling without replacement.
    `words(right, answered)` says what was counted, as the rule's detail starts."""

    def judge(scores: list[CaseScore], left: int) -> RuleResult:
        right, answered = sum(s.outcome(mode).full_match for s in scores), len(scores)
        population = answered + left
        if not left:
            rate = wilson(right, answered)
            detail = f"{words(right, answered)}, {rate.value or 0:.1%} [{rate.low:.1%}, {rate.high:.1%}]"
            point = IntervalPoint(answers=answered, low=right / answered, high=right / answered)
            verdict = judged(name, variant, suite, (rate.value or 0) >= minimum, f"{detail}; minimum {minimum:.0%}")
            return verdict.model_copy(update={"track": [point], "threshold": minimum})
        interval = population_interval(right, answered, population, alpha)
        low, high = interval.low / population, interval.high / population
        verdict = floor(right, answered, population, minimum, alpha)
        detail = (
            f"{words(right, answered)} so far, {answered} of {population} asked: the rate over all {population}"
            f" lies in [{low:.1%}, {high:.1%}] (anytime-valid at {alpha:g}); minimum {minimum:.0%}"
        )
        needed = floor_needed(right, answered, population, minimum, alpha) if verdict is Verdict.UNDECIDED else None
        point = IntervalPoint(answers=answered, low=low, high=high)
        return result(name, variant, suite, _STATUS[verdict], detail, needed=needed, track=[point], threshold=minimum)

    return judge


def parse_error_rule(variant: str, suite: str, limit: float, alpha: float) -> Judge:
    """Outputs vLLM's parser cannot read, at most `limit` of a suite's: today a full sample fails when the 95%
    interval of the rate lies wholly above it. Before, an e-process of the rate above the limit fails it early; it
    passes early once the confidence sequence of the suite's count lies wholly at or below the limit, which makes
    the full-sample test pass too (the interval's low end is under the rate)."""
    rule = "strict_parse_errors"
    sequential = split(alpha)[0]

    def judge(scores: list[CaseScore], left: int) -> RuleResult:
        errors, answered = sum(s.strict.parse_error for s in scores), len(scores)
        population = answered + left
        if not left:
            rate = wilson(errors, answered)
            detail = (
                f"strict parse errors {rate.value or 0:.1%} of {answered} (95% interval {rate.low:.0%}-"
                f"{rate.high:.0%}), maximum {limit:.0%}: fails when the whole interval lies above it"
            )
            return judged(rule, variant, suite, rate.low <= limit, detail)
        if limit <= 0 or limit >= 1:
            evidence = float("inf") if limit <= 0 and errors else 0.0
        else:
            evidence = float(mixture_e_value(errors, answered, limit, "greater"))
        high = population_interval(errors, answered, population, sequential).high / population
        status = Status.FAILED if evidence >= 1 / sequential else Status.PASSED if high <= limit else Status.UNDECIDED
        detail = (
            f"strict parse errors {errors} of {answered} so far, {answered} of {population} asked: e-value"
            f" {evidence:.3g} (fails at {1 / sequential:g}), the rate over all {population} at most {high:.0%};"
            f" maximum {limit:.0%}"
        )
        return result(rule, variant, suite, status, detail, needed=left if status is Status.UNDECIDED else None)

    return judge


def regression_rule(
    variant: str,
    suite: str,
    reference: str,
    before: dict[CaseKey, bool],
    population: set[CaseKey],
    alpha: float,
    mode: ParseMode,
) -> Judge:
    """No drop against the baseline's outcomes that chance does not explain. On the same cases: an e-process over
    the cases lost against those gained fails it early; a full sample takes today's McNemar test at alpha / 2 (or
    the e-process). On other cases: today's intervals, on a full sample only."""
    rule, (sequential, full_sample) = "no_regression", split(alpha)
    same_cases = population == before.keys()

    def judge(scores: list[CaseScore], left: int) -> RuleResult:
        now = {s.key: s.outcome(mode).full_match for s in scores}
        if same_cases:
            test = paired((x, y) for _, x, y in shared_cases(now, before))
            evidence = float(sign_test_e_value(test.only_b, test.only_a))
            counts = f"{test.only_b} cases lost, {test.only_a} gained vs {reference}"
            if left:
                status = Status.FAILED if evidence >= 1 / sequential else Status.UNDECIDED
                detail = f"{counts} so far ({left} to ask); e-value {evidence:.3g} (fails at {1 / sequential:g})"
                return result(rule, variant, suite, status, detail, needed=left if status is Status.UNDECIDED else None)
            dropped = evidence >= 1 / sequential or (test.only_b > test.only_a and test.p_value < full_sample)
            detail = f"{counts}; McNemar p = {test.p_value:.3g} (fails below {full_sample:g})"
            return judged(rule, variant, suite, not dropped, detail)
        if left:
            detail = f"case sets differ from {reference}'s: judged once all {len(population)} are asked"
            return result(rule, variant, suite, Status.UNDECIDED, detail, needed=left)
        current = wilson(sum(now.values()), len(now))
        previous = wilson(sum(before.values()), len(before))
        detail = (
            f"case sets differ: {current.value or 0:.1%} [{current.low:.1%}, {current.high:.1%}] vs baseline"
            f" {previous.value or 0:.1%} [{previous.low:.1%}, {previous.high:.1%}]"
        )
        return judged(rule, variant, suite, current.high >= previous.low, detail)

    return judge


def _sides(scores: list[CaseScore], first: str, second: str, mode: ParseMode) -> tuple[int, int, int]:
    """Over the cases both variants answered: (cases, right only for `first`, right only for `second`)."""
    test = paired_test([s for s in scores if s.variant == first], [s for s in scores if s.variant == second], mode)
    return test.cases, test.only_a, test.only_b


def must_beat_rule(variant: str, reference: str, scope: str, alpha: float, mode: ParseMode) -> Judge:
    """More of the cases that expect a call right than `reference`, by more than chance (`sequential.must_beat`:
    an e-process over the discordant pairs at any look, today's exact McNemar at alpha / 2 on a full sample)."""
    rule = "must_beat"

    def judge(scores: list[CaseScore], left: int) -> RuleResult:
        cases, worse, better = _sides(scores, reference, variant, mode)
        verdict = must_beat(better, worse, left, alpha)
        asked = f"on {cases} cases {scope}that expect a call" + (f" so far ({left} to ask)" if left else "")
        evidence = float(sign_test_e_value(better, worse))
        sequential, full_sample = split(alpha)
        detail = (
            f"{asked}: {better} right only here, {worse} only for {reference}; e-value {evidence:.3g} (passes at"
            f" {1 / sequential:g})"
            + ("" if left else f", McNemar p = {mcnemar_exact(worse, better):.3g} (passes below {full_sample:g})")
        )
        needed = _must_beat_needed(better, worse, cases, left, alpha) if verdict is Verdict.UNDECIDED else None
        return result(rule, variant, None, _STATUS[verdict], detail, needed=needed)

    return judge


def _must_beat_needed(better: int, worse: int, cases: int, left: int, alpha: float) -> int:
    """The first count of further pairs at which `must_beat` would decide if the discordant pairs kept coming at
    the rates so far (at most the cases left)."""
    for more in range(1, left):
        scale = (cases + more) / cases if cases else 0.0
        if must_beat(round(better * scale), round(worse * scale), left - more, alpha) is not Verdict.UNDECIDED:
            return more
    return left


def merged_gap_rule(variant: str, unmerged: str, merged: str, gap: float, alpha: float, mode: ParseMode) -> Judge:
    """Unmerged and merged serving of one adapter do not differ on full match beyond chance by more than `gap`.
    A full sample takes today's McNemar test at alpha / 2; before, it fails early when a two-sided e-process over
    the discordant pairs is significant and the difference would exceed the gap whatever the cases left say, and
    passes early when no answer left could make the difference exceed it."""
    rule, (sequential, full_sample) = "merged_gap", split(alpha)

    def judge(scores: list[CaseScore], left: int) -> RuleResult:
        cases, only_a, only_b = _sides(scores, unmerged, merged, mode)
        population = cases + left
        counts = (
            f"full match differs on {only_a + only_b} of {cases} cases ({only_a} right only unmerged, {only_b} only"
            f" merged)"
        )
        evidence = float(mixture_e_value(only_a, only_a + only_b, 0.5, "two-sided"))
        if not left:
            p_value = mcnemar_exact(only_a, only_b)
            difference = (only_a - only_b) / cases if cases else 0.0
            significant = p_value < full_sample or evidence >= 1 / sequential
            detail = (
                f"{counts}, {difference:+.1%}; McNemar p = {p_value:.3g}; fails when p < {full_sample:g} (or the"
                f" e-value reaches {1 / sequential:g}) and the difference exceeds {gap:.0%}"
            )
            return judged(rule, variant, None, not (significant and abs(difference) > gap), detail)
        apart = abs(only_a - only_b)
        if evidence >= 1 / sequential and apart - left > gap * population:
            status = Status.FAILED
        elif apart + left <= gap * population:
            status = Status.PASSED
        else:
            status = Status.UNDECIDED
        detail = (
            f"{counts} so far ({left} to ask); e-value {evidence:.3g}; the gap allowed is {gap:.0%} of {population}"
        )
        return result(rule, variant, None, status, detail, needed=left if status is Status.UNDECIDED else None)

    return judge
