"""Scoring episodes from replay facts: the turn rules per kind and semantics, early ends, the summary's counts and
the paired test on progress. Pure: no environment runs here (replay has its own tests)."""

from __future__ import annotations

import pytest

from harness.scoring.episode import progress_test, score_episode, summarise_episodes
from harness.types import (
    EnvironmentState,
    Episode,
    EpisodeScore,
    EpisodeStatus,
    GoldCall,
    Message,
    Semantics,
    Turn,
    TurnError,
    TurnFacts,
    TurnKind,
    TurnScore,
)

RIGHT = TurnFacts(state_equal=True)
WRONG_STATE = TurnFacts(state_equal=False, differences=["Bank.accounts: model {...} != expected {...}"])
MISSING = TurnFacts(state_equal=True, missing_results=['{"balance": 10}'])


def turn(kind: TurnKind) -> Turn:
    expected = [GoldCall(function="f")] if kind is TurnKind.ACT else []
    return Turn(kind=kind, messages=[Message(role="user", content="hi")], expected=expected)


def episode(*kinds: TurnKind) -> Episode:
    return Episode(
        id="e", environment=[EnvironmentState(name="bank")], tools=["f"], turns=[turn(kind) for kind in kinds]
    )


# (kind, calls in the turn, facts, semantics, error) : one turn judged
TURN_TABLE = [
    (TurnKind.ACT, 2, RIGHT, Semantics.SCHEMA, None),
    (TurnKind.ACT, 0, RIGHT, Semantics.SCHEMA, TurnError.NO_CALL),
    (TurnKind.ACT, 0, RIGHT, Semantics.BFCL, TurnError.NO_CALL),
    (TurnKind.ACT, 1, WRONG_STATE, Semantics.BFCL, TurnError.WRONG_STATE),
    (TurnKind.ACT, 1, MISSING, Semantics.SCHEMA, TurnError.MISSING_RESULT),
    (TurnKind.ACT, 1, TurnFacts(state_equal=False, missing_results=["x"]), Semantics.SCHEMA, TurnError.WRONG_STATE),
    (TurnKind.ASK, 0, RIGHT, Semantics.SCHEMA, None),
    (TurnKind.ASK, 1, RIGHT, Semantics.SCHEMA, TurnError.INVENTED_VALUE),
    (TurnKind.ASK, 1, WRONG_STATE, Semantics.BFCL, None),  # BFCL never reads a turn with no right calls
    (TurnKind.REPLY, 0, RIGHT, Semantics.SCHEMA, None),
    (TurnKind.REPLY, 3, RIGHT, Semantics.SCHEMA, TurnError.SPURIOUS_CALL),
    (TurnKind.REPLY, 3, RIGHT, Semantics.BFCL, None),
]


@pytest.mark.parametrize(("kind", "calls", "facts", "semantics", "error"), TURN_TABLE)
def test_one_turn(kind: TurnKind, calls: int, facts: TurnFacts, semantics: Semantics, error: TurnError | None) -> None:
    score = score_episode(
        episode(kind),
        EpisodeStatus.COMPLETE,
        suite="s",
        variant="v",
        turns_asked=1,
        calls=[calls],
        steps=[calls + 1],
        facts=[facts],
        semantics=semantics,
    )
    (judged,) = score.turns
    assert (judged.passed, judged.error) == (error is None, error)
    assert (judged.calls, judged.steps) == (calls, calls + 1)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (EpisodeStatus.STEP_LIMIT, TurnError.STEP_LIMIT),
        (EpisodeStatus.CONTEXT_OVERFLOW, TurnError.CONTEXT_OVERFLOW),
        (EpisodeStatus.REQUEST_ERROR, TurnError.REQUEST_ERROR),
    ],
)
def test_an_early_end_fails_its_turn_and_leaves_the_rest_unasked(status: EpisodeStatus, error: TurnError) -> None:
    """The turn the attempt ended in fails with the end's error whatever its facts say; the turns after it were
    never asked; the turns before it are judged as usual, so progress counts them."""
    score = score_episode(
        episode(TurnKind.ACT, TurnKind.ACT, TurnKind.REPLY),
        status,
        suite="s",
        variant="v",
        turns_asked=2,
        calls=[1, 20],
        steps=[2, 20],
        facts=[RIGHT, RIGHT],
        semantics=Semantics.SCHEMA,
    )
    assert [t.error for t in score.turns] == [None, error, TurnError.NOT_ASKED]
    assert (score.passed, score.progress, score.first_error, score.steps) == (False, 1, error, 22)


def scored(
    variant: str, episode_id: str, passed: list[bool], status: EpisodeStatus = EpisodeStatus.COMPLETE
) -> EpisodeScore:
    turns = [
        TurnScore(turn=i, kind=TurnKind.ACT, passed=p, error=None if p else TurnError.WRONG_STATE, steps=2, calls=1)
        for i, p in enumerate(passed)
    ]
    return EpisodeScore(suite="s", episode_id=episode_id, variant=variant, status=status, turns=turns)


def test_summary_counts_episodes_turns_progress_and_what_is_missing() -> None:
    scores = [
        scored("a", "1", [True, True, True]),
        scored("a", "2", [True, False, True]),
        scored("a", "3", [False, False], EpisodeStatus.STEP_LIMIT),
    ]
    (group,) = summarise_episodes(scores, {"a": {"s": 4}}).groups
    assert (group.episodes.successes, group.episodes.trials) == (1, 3)
    assert (group.turns.successes, group.turns.trials) == (5, 8)
    assert group.progress == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert group.steps == pytest.approx((6 + 6 + 4) / 3)
    assert group.missing == 1
    assert group.ended == {EpisodeStatus.COMPLETE: 2, EpisodeStatus.STEP_LIMIT: 1}
    assert group.errors == {TurnError.WRONG_STATE: 2}


def test_a_variant_asked_but_with_nothing_finished_is_all_missing() -> None:
    (group,) = summarise_episodes([], {"a": {"s": 5}}).groups
    assert (group.episodes.trials, group.missing, group.progress) == (0, 5, None)


def test_progress_test_sees_partial_progress_that_all_or_nothing_calls_a_tie() -> None:
    """B gets one turn further than A on ten episodes and whole on none: McNemar on whole episodes sees no
    discordant pair, the sign test on progress sees 10 to 0."""
    a = [scored("a", str(i), [True, False, False]) for i in range(10)]
    b = [scored("b", str(i), [True, True, False]) for i in range(10)] + [scored("b", "extra", [True, True, True])]
    test = progress_test(a, b)
    assert (test.cases, test.only_a, test.only_b) == (10, 0, 10)
    assert test.p_value < 0.01
    assert progress_test(a, a).p_value == 1.0
