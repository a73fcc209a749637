"""The generated multi-turn suites (the built-in one, and the held-out in-distribution one): each committed file is
what its generator writes, it is valid, it covers its episode shapes over its environments, each episode fits a
4096-token context, its gold conversations hold together (each call answered by its result, a failing call made
once and changing nothing), and the gold calls, made by a model, pass every turn in the sandbox."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli import main
from harness.environments import Sandbox
from harness.environments.replay import replay_turns
from harness.scoring.episode import score_episode
from harness.suites import heldout_multi_turn, multi_turn_builtin, multi_turn_tools
from harness.suites.files import load_suite_file, suite_json
from harness.suites.gold import ERROR_PREFIX, GoldEpisode, LocalEnvironments, Shape, gold_conversation, gold_results
from harness.types import (
    Episode,
    EpisodeScore,
    EpisodeStatus,
    Semantics,
    Suite,
    Tool,
    ToolCall,
    TurnError,
    TurnKind,
)

ROOT = Path(__file__).resolve().parents[2]
CHARS_PER_TOKEN = 3.5
"""SmolLM2's tokenizer is not cached here: a prompt's size is estimated from its characters."""
CONTEXT = 4096


@dataclass(frozen=True)
class Generated:
    """A generated multi-turn suite, and what it must cover."""

    command: str
    """The `harness suites` subcommand that writes it."""
    file: str
    """Where it is committed, under suites/conversations/."""
    make: Callable[..., Suite]
    """Its generator, taking a seed."""
    episodes: Callable[..., list[GoldEpisode]]
    """Its gold episodes, taking a seed."""
    tools: tuple[Tool, ...]
    environments: frozenset[str]
    distribution: str
    size: tuple[int, int]
    """Fewest episodes and user turns."""
    shapes: frozenset[Shape]
    """Shapes each covered ten times or more; no other shape is covered."""

    @property
    def path(self) -> Path:
        return ROOT / "suites" / "conversations" / self.file

    @property
    def tools_by_key(self) -> dict[str, Tool]:
        return {tool.key: tool for tool in self.tools}


SUITES = [
    Generated("multi-turn", "multi_turn.json", multi_turn_builtin.built_in_suite, multi_turn_builtin.built_in_episodes,
              multi_turn_tools.TOOLS, frozenset({"bank", "shop", "calendar"}), "out", (60, 180), frozenset(Shape)),
    Generated("heldout-multi-turn", "heldout_multi_turn.json", heldout_multi_turn.heldout_suite,
              heldout_multi_turn.heldout_episodes, heldout_multi_turn.TOOLS,
              frozenset({"parking", "storage", "bike_share"}), "in", (40, 120),
              frozenset({Shape.CHAINED, Shape.ASK_THEN_ACT, Shape.SMALL_TALK})),
]  # fmt: skip
SUITE_IDS = [suite.command for suite in SUITES]
GOLD = {suite.command: suite.episodes() for suite in SUITES}
EPISODES = [(suite, gold) for suite in SUITES for gold in GOLD[suite.command]]
EPISODE_IDS = [gold.episode.id for _, gold in EPISODES]


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_committed_suite_is_what_the_generator_writes(suite: Generated) -> None:
    assert suite.path.read_text(encoding="utf-8") == suite_json(suite.make()), (
        f"regenerate: harness suites {suite.command} --out suites/conversations/{suite.file}"
    )


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_committed_suite_is_valid(suite: Generated) -> None:
    loaded = load_suite_file(suite.path)
    assert loaded.ok, [str(problem) for problem in loaded.problems]
    assert loaded.suite is not None and loaded.suite.distribution == suite.distribution


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_size_and_coverage(suite: Generated) -> None:
    episodes = [gold.episode for gold in GOLD[suite.command]]
    assert len(episodes) >= suite.size[0] and sum(len(episode.turns) for episode in episodes) >= suite.size[1]
    assert Counter(episode.environment[0].name for episode in episodes).keys() == suite.environments
    shapes = Counter(shape for gold in GOLD[suite.command] for shape in gold.shapes)
    assert shapes.keys() == suite.shapes and all(shapes[shape] >= 10 for shape in suite.shapes), shapes
    assert len({episode.id for episode in episodes}) == len(episodes)


def _prompt_chars(gold: GoldEpisode, tools: Mapping[str, Tool]) -> int:
    keys = [*gold.episode.tools, *(key for turn in gold.episode.turns for key in turn.tools_added)]
    messages = [message.chat() for message in gold_conversation(gold, tools)]
    return len(json.dumps([tools[key].model_dump(mode="json") for key in keys])) + len(json.dumps(messages))


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_every_episode_fits_the_context_with_room_to_spare(suite: Generated) -> None:
    longest = max(_prompt_chars(gold, suite.tools_by_key) for gold in GOLD[suite.command]) / CHARS_PER_TOKEN
    assert longest < CONTEXT * 0.6, f"longest episode ~{longest:.0f} tokens"


@pytest.mark.parametrize(("suite", "gold"), EPISODES, ids=EPISODE_IDS)
def test_gold_conversation_holds_together(suite: Generated, gold: GoldEpisode) -> None:
    episode, tools = gold.episode, suite.tools_by_key
    results = [result for turn in gold_results(episode, tools) for result in turn]
    failures = [result for result in results if result.startswith(ERROR_PREFIX)]
    assert len(failures) == (1 if Shape.TOOL_ERROR in gold.shapes else 0)
    messages = gold_conversation(gold, tools)
    calls = [call for message in messages if message.tool_calls for call in message.tool_calls]
    answers = [message for message in messages if message.role == "tool"]
    assert [call.id for call in calls] == [answer.tool_call_id for answer in answers]
    assert [answer.content for answer in answers] == results
    assert sum(message.role == "user" for message in messages) == len(episode.turns)
    assert all(message.content for message in messages if message.role == "assistant" and not message.tool_calls)


@pytest.mark.parametrize(("suite", "gold"), EPISODES, ids=EPISODE_IDS)
def test_each_shape_is_what_it_says(suite: Generated, gold: GoldEpisode) -> None:
    episode, tools = gold.episode, suite.tools_by_key
    kinds = [TurnKind(turn.kind) for turn in episode.turns]
    live = LocalEnvironments(episode.environment, suite.tools, episode.long_context)
    for turn, kind in zip(episode.turns, kinds, strict=True):
        before = json.dumps(live.state(), sort_keys=True)
        results = [live.call(call) for call in turn.expected]
        if any(result.startswith(ERROR_PREFIX) for result in results):
            assert kind is TurnKind.ACT and json.dumps(live.state(), sort_keys=True) == before
            assert results[-1].startswith(ERROR_PREFIX), "the failing call ends its turn: it is not retried"
    asks = [t for t, kind in enumerate(kinds) if kind is TurnKind.ASK]
    assert all(kinds[t + 1] is TurnKind.ACT for t in asks) and bool(asks) == (Shape.ASK_THEN_ACT in gold.shapes)
    assert (TurnKind.REPLY in kinds) == (Shape.SMALL_TALK in gold.shapes)
    added = {key: t for t, turn in enumerate(episode.turns) for key in turn.tools_added}
    assert bool(added) == (Shape.LATER_TOOL in gold.shapes)
    for key, t in added.items():
        name = tools[key].name
        assert any(call.function == name for call in episode.turns[t].expected)
        assert not any(call.function == name for turn in episode.turns[:t] for call in turn.expected)
    if Shape.CHAINED in gold.shapes:
        produced = " ".join(result for turn in gold_results(episode, tools) for result in turn)
        said = " ".join(message.content for turn in episode.turns for message in turn.messages)
        fed = [
            value
            for turn in episode.turns
            for call in turn.expected
            for value in call.arguments.values()
            if isinstance(value, str) and f'"{value}"' in produced and value not in said
        ]
        assert fed, "a chained episode passes an id a result gave, which no user message says"


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_another_seed_gives_other_episodes(suite: Generated) -> None:
    assert suite.episodes(seed=1)[0].episode != GOLD[suite.command][0].episode
    assert suite.episodes()[0] == GOLD[suite.command][0]


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_the_command_writes_the_committed_suite(suite: Generated, tmp_path: Path) -> None:
    written = tmp_path / suite.file
    assert main(["suites", suite.command, "--out", str(written)]) == 0
    assert written.read_text(encoding="utf-8") == suite.path.read_text(encoding="utf-8")


# What a model answering with the gold calls is judged, in the sandbox the runs use


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as opened:
        yield opened


ModelTurns = list[list[list[ToolCall]]]
"""Turn → step → calls, as a model makes them."""


def _gold_calls(episode: Episode) -> ModelTurns:
    """Each expected call in a step of its own, as a model that needs each result before the next call makes them."""
    return [[[ToolCall(name=c.function, arguments=c.arguments)] for c in turn.expected] for turn in episode.turns]


def _judged(sandbox: Sandbox, suite: Generated, episode: Episode, calls: ModelTurns) -> EpisodeScore:
    facts = replay_turns(sandbox, episode, suite.tools_by_key, calls)
    return score_episode(
        episode,
        EpisodeStatus.COMPLETE,
        suite=suite.command,
        variant="model",
        turns_asked=len(episode.turns),
        calls=[sum(len(step) for step in turn) for turn in calls],
        steps=[len(turn) + 1 for turn in calls],
        facts=facts,
        semantics=Semantics.SCHEMA,
    )


@pytest.mark.parametrize("suite", SUITES, ids=SUITE_IDS)
def test_the_gold_calls_pass_every_turn(sandbox: Sandbox, suite: Generated) -> None:
    for gold in GOLD[suite.command]:
        judged = _judged(sandbox, suite, gold.episode, _gold_calls(gold.episode))
        assert judged.passed, (gold.episode.id, [(t.turn, t.error, t.detail) for t in judged.turns if not t.passed])


def _looked_up_again(episode: Episode) -> ModelTurns:
    """The gold calls, with the lookup made again before each action of a later turn."""
    calls = _gold_calls(episode)
    first = next(t for t, steps in enumerate(calls) if steps)
    lookup = calls[first][0]
    return [[lookup, *steps] if t > first and steps else steps for t, steps in enumerate(calls)]


def _another_record(episode: Episode) -> ModelTurns:
    """The gold calls, with the last action made on another record (or on an id no record has, where the user has
    one record and nobody else any)."""
    calls = _gold_calls(episode)
    t = max(t for t, steps in enumerate(calls) if steps)
    (action,) = calls[t][-1]
    id_parameter, target = next(iter(action.arguments.items()))
    (records,) = (value for value in episode.environment[0].state.values() if isinstance(value, dict))
    other = next((record_id for record_id in records if record_id != target), f"{target}0")
    calls[t][-1] = [action.model_copy(update={"arguments": {**action.arguments, id_parameter: other}})]
    return calls


# (what the model does instead of the gold calls, whether each episode passes, the error of the turn that fails)
VARIANTS: list[tuple[Callable[[Episode], ModelTurns], bool, TurnError | None]] = [
    (_looked_up_again, True, None),
    (_another_record, False, TurnError.WRONG_STATE),
]


@pytest.mark.parametrize(("variant", "passes", "error"), VARIANTS, ids=[v[0].__name__ for v in VARIANTS])
def test_on_the_heldout_suite_a_repeated_lookup_passes_and_another_record_fails(
    sandbox: Sandbox, variant: Callable[[Episode], ModelTurns], passes: bool, error: TurnError | None
) -> None:
    suite = SUITES[1]
    for gold in GOLD[suite.command]:
        judged = _judged(sandbox, suite, gold.episode, variant(gold.episode))
        assert judged.passed == passes, gold.episode.id
        assert {t.error for t in judged.turns} - {None} == ({error} if error else set())
