"""Scoring an episode: a pure function of what the model did per turn and what replaying it showed.

Replaying the calls on fresh environments (`harness.environments.replay`) turns each turn into facts (is the state
right, which right results are missing); the rules here read only those facts, the calls counted per turn and how
the attempt ended. A turn that asks for calls passes when the model made some, the state is the one the right
calls leave and every right result is among the model's results so far (BFCL's state and response checks). A turn
whose right answer is a question or words passes when the model called nothing; BFCL never reads such turns, so
under `bfcl` semantics they pass whatever the model did (its calls still ran, and still change later state).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from statistics import fmean

from harness.scoring.paired import PairedTest, paired_counts, shared_cases
from harness.stats import wilson
from harness.types import (
    Episode,
    EpisodeGroup,
    EpisodeScore,
    EpisodeStatus,
    EpisodeSummary,
    Semantics,
    TurnError,
    TurnFacts,
    TurnKind,
    TurnScore,
)

_CUT_TURN = {
    EpisodeStatus.STEP_LIMIT: TurnError.STEP_LIMIT,
    EpisodeStatus.CONTEXT_OVERFLOW: TurnError.CONTEXT_OVERFLOW,
    EpisodeStatus.REQUEST_ERROR: TurnError.REQUEST_ERROR,
}
"""The error of the turn an attempt ended in, when it ended early."""
_DETAIL_ITEMS = 3


def score_episode(
    episode: Episode,
    status: EpisodeStatus,
    *,
    suite: str,
    variant: str,
    turns_asked: int,
    calls: Sequence[int],
    steps: Sequence[int],
    facts: Sequence[TurnFacts],
    semantics: Semantics,
) -> EpisodeScore:
    """The verdict on every turn of one attempt. `calls[t]` and `steps[t]` count the calls and requests of turn t,
    `facts[t]` is what replaying turn t showed, for the `turns_asked` turns that were asked; the turn an early end
    happened in fails with that end's error, and the turns after it were never asked."""
    scores: list[TurnScore] = []
    for index, turn in enumerate(episode.turns):
        if index >= turns_asked:
            scores.append(TurnScore(turn=index, kind=turn.kind, passed=False, error=TurnError.NOT_ASKED))
            continue
        counted = {"steps": steps[index], "calls": calls[index]}
        if status in _CUT_TURN and index == turns_asked - 1:
            error = _CUT_TURN[status]
            scores.append(TurnScore(turn=index, kind=turn.kind, passed=False, error=error, **counted))
            continue
        error, detail = _judge(turn.kind, calls[index], facts[index], semantics)
        scores.append(
            TurnScore(turn=index, kind=turn.kind, passed=error is None, error=error, detail=detail, **counted)
        )
    return EpisodeScore(suite=suite, episode_id=episode.id, variant=variant, status=status, turns=scores)


def _judge(kind: TurnKind, calls: int, facts: TurnFacts, semantics: Semantics) -> tuple[TurnError | None, str]:
    if kind is not TurnKind.ACT:
        if semantics is Semantics.BFCL or calls == 0:
            return None, ""
        if kind is TurnKind.ASK:
            return TurnError.INVENTED_VALUE, f"{calls} call(s) before the user gave the value the turn leaves out"
        return TurnError.SPURIOUS_CALL, f"{calls} call(s) where a reply in words was right"
    if calls == 0:
        return TurnError.NO_CALL, "no call where the turn needs calls"
    if not facts.state_equal:
        return TurnError.WRONG_STATE, "; ".join(facts.differences[:_DETAIL_ITEMS])
    if facts.missing_results:
        shown = "; ".join(facts.missing_results[:_DETAIL_ITEMS])
        return TurnError.MISSING_RESULT, f"{len(facts.missing_results)} right result(s) never produced: {shown}"
    return None, ""


EpisodesAsked = Mapping[str, Mapping[str, int]]
"""Variant → suite → episodes the variant was asked: what the run should hold."""


def summarise_episodes(scores: Iterable[EpisodeScore], asked: EpisodesAsked) -> EpisodeSummary:
    """Per variant × suite: episodes passed whole, turns passed, progress, steps, how episodes ended and why they
    failed. An asked episode without a finished attempt is missing, never a pass."""
    groups: dict[tuple[str, str], list[EpisodeScore]] = defaultdict(list)
    for variant, suites in asked.items():
        for suite in suites:
            groups[(variant, suite)] = []
    for score in scores:
        groups[(score.variant, score.suite)].append(score)
    return EpisodeSummary(
        groups=[
            _group(variant, suite, members, asked.get(variant, {}).get(suite, len(members)))
            for (variant, suite), members in sorted(groups.items())
        ]
    )


def _group(variant: str, suite: str, scores: list[EpisodeScore], asked: int) -> EpisodeGroup:
    turns = [turn for score in scores for turn in score.turns]
    return EpisodeGroup(
        variant=variant,
        suite=suite,
        episodes=wilson(sum(score.passed for score in scores), len(scores)),
        turns=wilson(sum(turn.passed for turn in turns), len(turns)),
        progress=fmean(score.progress / len(score.turns) for score in scores) if scores else None,
        steps=fmean(score.steps for score in scores) if scores else None,
        missing=max(0, asked - len(scores)),
        ended=dict(sorted(Counter(score.status for score in scores).items())),
        errors=dict(sorted(Counter(e for score in scores if (e := score.first_error) is not None).items())),
    )


def progress_test(a: Iterable[EpisodeScore], b: Iterable[EpisodeScore]) -> PairedTest:
    """Two variants on the episodes both finished, paired on how far each got (turns passed before the first
    failure): an exact sign test over the episodes where one got further, so an adapter that gets further on most
    episodes is told apart even when neither passes many whole."""
    progress_a = {score.key: score.progress for score in a}
    progress_b = {score.key: score.progress for score in b}
    return paired_counts([(x > y, y > x) for _, x, y in shared_cases(progress_a, progress_b)])
