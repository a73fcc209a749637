"""Reading the case rules on a run whose variants may have stopped asking early (issue 26).

A run asks its cases in one seeded order, the same for every variant (`AskingOrder`); the scheduler reads the
rules after every batch of it, at the looks, and stops asking a variant once every rule that reads it is decided.
A rule is read here the same way, so that the gate on a stopped run, and any later re-score of it, gives the
verdicts that stopped it:
- a rule whose variants answered every case it reads takes its full-sample verdict, today's;
- else it takes the first look at which its verdict was decided (each rule's sequential test is anytime-valid, so
  stopping at the first decisive look keeps its error level), reading only looks up to which every variant it
  reads answered each of its cases: a look past where a variant stopped is no look for the rules that read it;
- else it is undecided, with an estimate of the answers it would still need.
Run folders written before the order existed have every case answered or are incomplete, which stays an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.runs.view import RunView
from harness.types import CaseKey, CaseScore, IntervalPoint, RuleResult, Status

Judge = Callable[[list[CaseScore], int], RuleResult]
"""A rule's verdict on the scores of the variants it reads over the cases all of them answered so far, given how
many of its cases are not answered by all of them yet (0: the full sample)."""


@dataclass(frozen=True)
class CaseRule:
    """A gate rule that reads single-turn answers, with what it reads, for the looks and the scheduler."""

    name: str
    variant: str
    """The judged variant."""
    suite: str | None
    reads: tuple[str, ...]
    """Variants whose answers it reads, the judged one first (a paired rule also reads its reference)."""
    cases: frozenset[CaseKey]
    """The cases it reads, before narrowing to those every variant in `reads` is asked."""
    judge: Judge


class Looks:
    """What each variant was asked and has answered, by position in the run's order."""

    def __init__(self, view: RunView) -> None:
        order = view.manifest.asking
        self.positions = {key: index for index, key in enumerate(order.cases)} if order else None
        self.looks = order.looks() if order else []
        keys = [(name, case.id) for name, suite in view.suites.items() for case in suite.cases]
        variants = {variant.name: variant for variant in view.manifest.variants}
        self.scores: dict[str, dict[CaseKey, CaseScore]] = {}
        for score in view.scores:
            self.scores.setdefault(score.variant, {})[score.key] = score
        self.asked = {
            name: {key for key in keys if name not in variants or variants[name].asks(*key)}
            for name in dict.fromkeys([*variants, *self.scores])
        }

    def population(self, rule: CaseRule) -> set[CaseKey]:
        """The rule's cases that every variant it reads is asked."""
        found = set(rule.cases)
        for variant in rule.reads:
            found &= self.asked.get(variant, set())
        return found

    def answered(self, rule: CaseRule, keys: Iterable[CaseKey]) -> set[CaseKey]:
        return {key for key in keys if all(key in self.scores.get(v, {}) for v in rule.reads)}

    def scores_on(self, rule: CaseRule, keys: set[CaseKey]) -> list[CaseScore]:
        return [self.scores[v][key] for v in rule.reads for key in sorted(keys)]

    def unanswered(self, variant: str, cases: Iterable[CaseKey]) -> set[CaseKey]:
        """The cases the variant is asked and has no answer to."""
        return {key for key in cases if key in self.asked.get(variant, ()) and key not in self.scores.get(variant, {})}

    def answers(self, variant: str) -> int:
        return len(self.scores.get(variant, {}))


def decide(rule: CaseRule, looks: Looks) -> RuleResult:
    """The rule's verdict on the run as its looks read it (see the module's docstring)."""
    population = looks.population(rule)
    answered = looks.answered(rule, population)
    left = len(population) - len(answered)
    if looks.positions is None:
        if left:
            short = next(v for v in rule.reads if looks.unanswered(v, population))
            return _result(rule, Status.ERROR, f"{short} has not answered every case it was asked")
        return rule.judge(looks.scores_on(rule, answered), 0)
    track: list[IntervalPoint] = []
    first: RuleResult | None = None
    last: RuleResult | None = None
    for look in looks.looks:
        before = {key for key in population if looks.positions[key] < look}
        if looks.answered(rule, before) != before:
            break  # a variant it reads stopped before this look
        last = rule.judge(looks.scores_on(rule, before), len(population) - len(before))
        last = last.model_copy(update={"answers": len(before)})
        track += last.track
        if first is None and last.status is not Status.UNDECIDED:
            first = last
        if len(before) == len(population):
            break
    if not left:
        final = rule.judge(looks.scores_on(rule, answered), 0)
        return final.model_copy(update={"track": track or final.track, "answers": len(answered)})
    if first is not None:
        return first.model_copy(update={"track": track})
    if last is None:
        last = rule.judge([], len(population)).model_copy(update={"answers": 0})
    return last.model_copy(update={"track": track})


def _result(rule: CaseRule, status: Status, detail: str) -> RuleResult:
    return RuleResult(rule=rule.name, variant=rule.variant, suite=rule.suite, status=status, detail=detail)
