"""What each judged variant's verdict rests on: the rules that decided it, the answers it took and, for the rule
that settled it, how its interval narrowed. Every output says so beside the verdict (console, HTML, Markdown),
since the scheduler stops asking a variant once its rules are decided. Pure: a GateResult in, rules and words out."""

from __future__ import annotations

from harness.types import Decision, GateResult, IntervalPoint, RuleResult, Status, VariantVerdict

_DECIDING = {
    Decision.PASSED: Status.PASSED,
    Decision.MISSED: Status.PASSED,
    Decision.FAILED: Status.FAILED,
    Decision.CAUGHT: Status.FAILED,
    Decision.UNDECIDED: Status.UNDECIDED,
    Decision.ERROR: Status.ERROR,
}
"""The rules a decision rests on, by their status: a pass needs every rule passed, a failure (or a catch) any
failed one, an open verdict is open on its undecided rules, and one not evaluable lacks the data of its errors."""


def rule_label(rule: RuleResult) -> str:
    """`min_full_match[heldout]`: a rule with the suite it judged, as every output names it."""
    return f"{rule.rule}[{rule.suite}]" if rule.suite else rule.rule


def deciding_rules(result: GateResult, verdict: VariantVerdict) -> list[RuleResult]:
    """The rules of the variant that its decision rests on, in the order they were evaluated."""
    status = _DECIDING[verdict.decision]
    return [r for r in result.results if r.variant == verdict.variant and r.status is status]


def settling_rule(result: GateResult, verdict: VariantVerdict) -> RuleResult | None:
    """The one rule that settled the verdict, among those that count answers: one failure settles a failure, so the
    earliest failed rule; a pass waits for every rule, so the latest; an open verdict waits for the rule that needs the
    most answers still. None for a verdict not evaluable, or one whose rules read no answers (latency)."""
    rules = [r for r in deciding_rules(result, verdict) if r.answers is not None]
    if not rules or verdict.decision is Decision.ERROR:
        return None
    if verdict.decision is Decision.UNDECIDED:
        return max(rules, key=lambda r: r.needed or 0)
    if verdict.decision in (Decision.FAILED, Decision.CAUGHT):
        return min(rules, key=lambda r: r.answers or 0)
    return max(rules, key=lambda r: r.answers or 0)


def stopped_at(result: GateResult, variant: str) -> tuple[int, int] | None:
    """The cases the variant answered when judged and those it would answer in full, where it stopped before the
    end; None where it answered every case (its verdicts are today's full-sample ones, and the outputs read as
    they did) or the gate did not count them (a gate.json from before the scheduler)."""
    answers, population = result.answers.get(variant), result.population.get(variant)
    if answers is None or population is None or answers >= population:
        return None
    return answers, population


def answered(result: GateResult, variant: str) -> str | None:
    """`40 of 134 answers`, for a variant that stopped early (`stopped_at`)."""
    stopped = stopped_at(result, variant)
    return None if stopped is None else f"{stopped[0]} of {stopped[1]} answers"


def needed_words(rule: RuleResult) -> str:
    """`about 40 more answers` for an undecided rule, as far as the gate could estimate it."""
    return "more answers (no estimate)" if rule.needed is None else f"about {rule.needed} more answers"


def deciding_look(rule: RuleResult) -> IntervalPoint | None:
    """The interval at the look that decided the rule (its last look for one still open); None without a track."""
    if not rule.track:
        return None
    return next((p for p in rule.track if p.answers == rule.answers), rule.track[-1])


def narrowed(rule: RuleResult) -> bool:
    """Whether the rule's track holds an interval read before its full sample: one asked to the end holds only
    its observed rate, a point, with nothing narrowing to draw."""
    return any(point.low < point.high for point in rule.track)


def narrowest_call(result: GateResult) -> RuleResult | None:
    """Of the rules that settled the verdict of a variant that stopped early, the one whose interval took the most
    answers to decide (or is still open): where the run's answers went, which the console shows as its interval
    narrowing."""
    settling = [
        rule
        for v in result.verdicts
        if stopped_at(result, v.variant) is not None
        and (rule := settling_rule(result, v)) is not None
        and len(rule.track) > 1
        and narrowed(rule)
    ]
    return max(settling, key=lambda r: (r.status is Status.UNDECIDED, r.answers or 0), default=None)
