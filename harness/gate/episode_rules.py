"""Gate rules on multi-turn episodes, read from the episode scores and summary as the case rules read theirs.

- `min_episodes` (per suite with episodes): the rate of episodes passed whole is at least the minimum; a suite with
  an episode the judged variant never finished fails to evaluate, as a case rule does on a missing answer.
- `must_beat_episodes` (per variant and reference it names): over the episodes both finished, in the scope of
  `must_beat_on`, the judged variant got further (more turns passed before the first failure) on more episodes
  than the reference did, by more than chance: an exact sign test at `alpha`. Paired on progress rather than on
  whole episodes, because a model that gets two turns further on most episodes but finishes few is better, and
  all-or-nothing would call it a tie.
"""

from __future__ import annotations

from harness.gate.settings import GateRules, references_of
from harness.patterns import most_specific
from harness.scoring.episode import progress_test
from harness.types import EpisodeGroup, EpisodeScore, RuleResult, Status


def episode_rules(
    variant: str,
    groups: dict[tuple[str, str], EpisodeGroup],
    scores: list[EpisodeScore],
    in_scope: set[str],
    rules: GateRules,
) -> list[RuleResult]:
    """Every episode rule for one judged variant; `in_scope` names the episode suites `must_beat_on` covers."""
    results = [_floor(variant, suite, group, rules) for (name, suite), group in groups.items() if name == variant]
    results = [result for result in results if result is not None]
    beaten = [score for score in scores if score.suite in in_scope]
    references = references_of(variant, rules.must_beat_episodes)
    results += [_must_beat(variant, reference, beaten, rules) for reference in references]
    return results


def _floor(variant: str, suite: str, group: EpisodeGroup, rules: GateRules) -> RuleResult | None:
    minimum = most_specific(rules.min_episodes, suite)
    if minimum is None:
        return None
    if group.missing or not group.episodes.trials:
        detail = f"{group.missing} of {group.missing + group.episodes.trials} episodes have no finished attempt"
        return RuleResult(rule="min_episodes", variant=variant, suite=suite, status=Status.ERROR, detail=detail)
    rate = group.episodes
    detail = (
        f"episodes passed whole {rate.successes} of {rate.trials}, {rate.value or 0:.1%} [{rate.low:.1%},"
        f" {rate.high:.1%}]; minimum {minimum:.0%}"
    )
    status = Status.PASSED if (rate.value or 0) >= minimum else Status.FAILED
    return RuleResult(rule="min_episodes", variant=variant, suite=suite, status=status, detail=detail)


def _must_beat(variant: str, reference: str, scores: list[EpisodeScore], rules: GateRules) -> RuleResult:
    rule = "must_beat_episodes"
    test = progress_test([s for s in scores if s.variant == reference], [s for s in scores if s.variant == variant])
    if not test.cases:
        detail = f"{variant} and {reference} finished no episode in common"
        return RuleResult(rule=rule, variant=variant, suite=None, status=Status.ERROR, detail=detail)
    better = test.only_b > test.only_a and test.p_value < rules.alpha
    detail = (
        f"on {test.cases} episodes: further here on {test.only_b}, further for {reference} on {test.only_a}; sign"
        f" test p = {test.p_value:.3g} (must be below {rules.alpha:g})"
    )
    status = Status.PASSED if better else Status.FAILED
    return RuleResult(rule=rule, variant=variant, suite=None, status=status, detail=detail)
