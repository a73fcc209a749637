"""The built-in multi-turn suite: the committed file is what the generator writes, it is valid, it covers every
episode shape over the three environments, each episode fits a 4096-token context, and its gold conversations
hold together (each call answered by its result, a failing call made once and changing nothing)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from harness.cli import main
from harness.suites.files import load_suite_file, suite_json
from harness.suites.gold import ERROR_PREFIX, GoldEpisode, LocalEnvironments, Shape, gold_conversation, gold_results
from harness.suites.multi_turn_builtin import built_in_episodes, built_in_suite
from harness.suites.multi_turn_tools import TOOLS
from harness.types import TurnKind

ROOT = Path(__file__).resolve().parent.parent
SUITE_FILE = ROOT / "suites" / "conversations" / "multi_turn.json"
GOLD = built_in_episodes()
TOOLS_BY_KEY = {tool.key: tool for tool in TOOLS}
CHARS_PER_TOKEN = 3.5
"""SmolLM2's tokenizer is not cached here: a prompt's size is estimated from its characters, conservatively."""
CONTEXT = 4096


def test_committed_suite_is_what_the_generator_writes() -> None:
    assert SUITE_FILE.read_text(encoding="utf-8") == suite_json(built_in_suite()), (
        "regenerate: harness suites multi-turn --out suites/conversations/multi_turn.json"
    )


def test_committed_suite_is_valid() -> None:
    loaded = load_suite_file(SUITE_FILE)
    assert loaded.ok, [str(problem) for problem in loaded.problems]


def test_size_and_coverage() -> None:
    episodes = [gold.episode for gold in GOLD]
    assert len(episodes) >= 60 and sum(len(episode.turns) for episode in episodes) >= 180
    assert Counter(episode.environment[0].name for episode in episodes).keys() == {"bank", "shop", "calendar"}
    shapes = Counter(shape for gold in GOLD for shape in gold.shapes)
    assert all(shapes[shape] >= 10 for shape in Shape), shapes
    assert len({episode.id for episode in episodes}) == len(episodes)


def _prompt_chars(gold: GoldEpisode) -> int:
    tools = [TOOLS_BY_KEY[key].model_dump(mode="json") for key in gold.episode.tools]
    tools += [TOOLS_BY_KEY[key].model_dump(mode="json") for turn in gold.episode.turns for key in turn.tools_added]
    messages = [message.chat() for message in gold_conversation(gold, TOOLS_BY_KEY)]
    return len(json.dumps(tools)) + len(json.dumps(messages))


def test_every_episode_fits_the_context_with_room_to_spare() -> None:
    longest = max(_prompt_chars(gold) for gold in GOLD) / CHARS_PER_TOKEN
    assert longest < CONTEXT * 0.6, f"longest episode ~{longest:.0f} tokens"


@pytest.mark.parametrize("gold", GOLD, ids=[gold.episode.id for gold in GOLD])
def test_gold_conversation_holds_together(gold: GoldEpisode) -> None:
    episode = gold.episode
    results = [result for turn in gold_results(episode, TOOLS_BY_KEY) for result in turn]
    failures = [result for result in results if result.startswith(ERROR_PREFIX)]
    assert len(failures) == (1 if Shape.TOOL_ERROR in gold.shapes else 0)
    messages = gold_conversation(gold, TOOLS_BY_KEY)
    calls = [call for message in messages if message.tool_calls for call in message.tool_calls]
    answers = [message for message in messages if message.role == "tool"]
    assert [call.id for call in calls] == [answer.tool_call_id for answer in answers]
    assert [answer.content for answer in answers] == results
    assert sum(message.role == "user" for message in messages) == len(episode.turns)
    assert all(message.content for message in messages if message.role == "assistant" and not message.tool_calls)


@pytest.mark.parametrize("gold", GOLD, ids=[gold.episode.id for gold in GOLD])
def test_each_shape_is_what_it_says(gold: GoldEpisode) -> None:
    episode = gold.episode
    kinds = [TurnKind(turn.kind) for turn in episode.turns]
    live = LocalEnvironments(episode.environment, TOOLS, episode.long_context)
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
        name = TOOLS_BY_KEY[key].name
        assert any(call.function == name for call in episode.turns[t].expected)
        assert not any(call.function == name for turn in episode.turns[:t] for call in turn.expected)
    if Shape.CHAINED in gold.shapes:
        produced = " ".join(result for turn in gold_results(episode, TOOLS_BY_KEY) for result in turn)
        fed = [
            value
            for turn in episode.turns
            for call in turn.expected
            for value in call.arguments.values()
            if isinstance(value, str) and value[:2] in ("A-", "P-", "O-", "E-") and f'"{value}"' in produced
        ]
        assert fed, "a chained episode passes an id a result gave"


def test_another_seed_gives_other_episodes() -> None:
    assert built_in_episodes(seed=1)[0].episode != GOLD[0].episode
    assert built_in_episodes()[0] == GOLD[0]


def test_the_command_writes_the_committed_suite(tmp_path: Path) -> None:
    written = tmp_path / "multi_turn.json"
    assert main(["suites", "multi-turn", "--out", str(written)]) == 0
    assert written.read_text(encoding="utf-8") == SUITE_FILE.read_text(encoding="utf-8")
