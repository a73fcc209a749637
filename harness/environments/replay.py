"""Replaying an episode for scoring: the model's calls and the right calls, turn by turn, each on fresh
environments, and what each turn showed (`TurnFacts`), as BFCL's multi-turn checker reads it.

State is cumulative, like BFCL: both sides keep their environments across turns, and the model's calls in a turn
whose right answer calls nothing still run and shape later turns.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from harness.environments.calls import TurnPlan
from harness.environments.registry import EnvironmentSetupError
from harness.environments.results import missing_results
from harness.environments.sandbox import Sandbox
from harness.types.episode_log import TurnFacts
from harness.types.run_log import ToolCall
from harness.types.suite import Episode, Tool

_SHOWN_CHARS = 300
"""How much of a missing result `TurnFacts` keeps."""
_replay_ids = itertools.count()


def replay_turns(
    sandbox: Sandbox,
    episode: Episode,
    suite_tools: Mapping[str, Tool],
    model_turns: Sequence[Sequence[Sequence[ToolCall]]],
) -> list[TurnFacts]:
    """One `TurnFacts` per turn of the episode: `model_turns[t][s]` are the calls of step s of turn t, run on a
    "model" namespace with the tools offered by then; each turn's `expected` calls run on a "gold" namespace with
    every tool of the episode. A turn the model was never asked (`model_turns` shorter than the episode) counts as
    one without calls, so the gold side still advances; the scoring rules tell such turns apart from the log.

    The whole trajectory goes to the worker in one request (`Sandbox.replay`); when that runs past one call's time
    limit or the worker dies, the namespaces are as they were opened and the turns are replayed call by call, each
    call under its own limit: both ways give the same facts."""
    if len(model_turns) > len(episode.turns):
        raise ValueError(f"episode {episode.id}: {len(model_turns)} turns of calls for {len(episode.turns)} turns")
    offered: list[list[str]] = []
    keys = list(episode.tools)
    for turn in episode.turns:
        keys = keys + turn.tools_added
        offered.append(keys)
    every_tool = _tool_environments(episode, suite_tools, offered[-1])
    suffix = f"{episode.id}#{next(_replay_ids)}"
    model, gold = f"model:{suffix}", f"gold:{suffix}"
    sandbox.open(model, episode.environment, {}, long_context=episode.long_context)
    try:
        sandbox.open(gold, episode.environment, every_tool, long_context=episode.long_context)
        try:
            batched = _batched(sandbox, episode, suite_tools, model_turns, offered, model, gold)
            if batched is not None:
                return batched
            return _facts(sandbox, episode, suite_tools, model_turns, offered, model, gold)
        finally:
            sandbox.close(gold)
    finally:
        sandbox.close(model)


def _batched(
    sandbox: Sandbox,
    episode: Episode,
    suite_tools: Mapping[str, Tool],
    model_turns: Sequence[Sequence[Sequence[ToolCall]]],
    offered: list[list[str]],
    model: str,
    gold: str,
) -> list[TurnFacts] | None:
    """The facts from one `Sandbox.replay` request, or None when it ran past its limit (nothing ran then)."""
    plan = [
        TurnPlan(
            tools=_tool_environments(episode, suite_tools, offered[index]),
            model_calls=[
                (call.name, call.arguments)
                for step in (model_turns[index] if index < len(model_turns) else [])
                for call in step
            ],
            gold_calls=[(call.function, call.arguments) for call in turn.expected],
        )
        for index, turn in enumerate(episode.turns)
    ]
    replayed = sandbox.replay(model, gold, plan, shown_chars=_SHOWN_CHARS)
    if replayed is None:
        return None
    return [
        TurnFacts(
            state_equal=turn.comparison.equal,
            differences=turn.comparison.differences,
            missing_results=turn.missing_results,
        )
        for turn in replayed
    ]


def _facts(
    sandbox: Sandbox,
    episode: Episode,
    suite_tools: Mapping[str, Tool],
    model_turns: Sequence[Sequence[Sequence[ToolCall]]],
    offered: list[list[str]],
    model: str,
    gold: str,
) -> list[TurnFacts]:
    model_results: list[str] = []
    facts: list[TurnFacts] = []
    for index, turn in enumerate(episode.turns):
        sandbox.declare(model, _tool_environments(episode, suite_tools, offered[index]))
        steps = model_turns[index] if index < len(model_turns) else []
        model_results.extend(sandbox.call(model, call.name, call.arguments).result for step in steps for call in step)
        gold_results = [sandbox.call(gold, call.function, call.arguments).result for call in turn.expected]
        comparison = sandbox.compare(model, gold)
        facts.append(
            TurnFacts(
                state_equal=comparison.equal,
                differences=comparison.differences,
                missing_results=missing_results(gold_results, model_results, _SHOWN_CHARS),
            )
        )
    return facts


def _tool_environments(episode: Episode, suite_tools: Mapping[str, Tool], keys: Sequence[str]) -> dict[str, str]:
    """Tool name -> environment for the tools offered under these keys; a tool without an environment cannot run
    in an episode."""
    environments: dict[str, str] = {}
    for key in keys:
        tool = suite_tools[key]
        if tool.environment is None:
            raise EnvironmentSetupError(f"episode {episode.id}: tool {key!r} names no environment to run on")
        environments[tool.name] = tool.environment
    return environments
