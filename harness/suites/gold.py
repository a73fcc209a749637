"""Right answers to the built-in episodes, run in-process on the built-in environment classes: the results each
gold call returns, and the whole conversation a right answer holds (for training data and for reading an episode).

Only the harness's own episodes run here, never a model's calls: those go through the sandbox. The classes are
ours and deterministic, so fresh instances in this process give the results the sandbox gives.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from harness.environments.registry import BUILTIN_PACKAGE, ENVIRONMENTS
from harness.types import EnvironmentState, Episode, GoldCall, Message, MessageCall, Tool

BUILTIN_CLASSES: Mapping[str, type] = MappingProxyType(
    {
        name: getattr(importlib.import_module(module), class_name)
        for name, (module, class_name) in ENVIRONMENTS.items()
        if module.startswith(f"{BUILTIN_PACKAGE}.")
    }
)
"""The built-in environments by the names episodes give them: the sandbox's registry entries of our package, so
that an environment registered there runs here too."""

ERROR_PREFIX = "Error during execution: "
"""How a raised error reads as a result, as BFCL writes it."""


class Shape(StrEnum):
    """What an episode exercises; the suite covers each several times."""

    CHAINED = "chained"
    """A result feeds a later call's arguments (an id found, then used)."""
    ASK_THEN_ACT = "ask_then_act"
    """A turn leaves a required value out (the right answer asks); the next gives it."""
    TOOL_ERROR = "tool_error"
    """A call fails for a reason the user must hear (funds, stock, an overlap); it is made once, not retried."""
    SMALL_TALK = "small_talk"
    """A turn wants words, no call."""
    LATER_TOOL = "later_tool"
    """A tool is offered only from a later turn on."""


@dataclass(frozen=True)
class GoldEpisode:
    """An episode with what the suite file does not hold: the shapes it covers and the text closing each turn."""

    episode: Episode
    shapes: frozenset[Shape]
    replies: tuple[str, ...]
    """The right answer's last assistant message of each turn (a question back on an `ask` turn)."""


def result_text(result: object) -> str:
    """A result as the model reads it, the way BFCL turns results into text: a string as is, a dict as JSON."""
    if isinstance(result, str):
        return result
    if isinstance(result, dict):
        try:
            return json.dumps(result)
        except (TypeError, ValueError):
            return str(result)
    return str(result)


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {name: member for name, member in vars(cls).items() if callable(member) and not name.startswith("_")}


class LocalEnvironments:
    """Fresh instances of built-in classes for one episode, called through a fixed table of their public
    methods."""

    def __init__(self, environments: Sequence[EnvironmentState], tools: Iterable[Tool], long_context: bool) -> None:
        self._instances: dict[str, object] = {}
        for environment in environments:
            instance = BUILTIN_CLASSES[environment.name]()
            instance._load_scenario(dict(environment.state), long_context=long_context)  # type: ignore[attr-defined]
            self._instances[environment.name] = instance
        self._methods = {
            tool.name: (
                self._instances[tool.environment],
                _public_methods(BUILTIN_CLASSES[tool.environment])[tool.name],
            )
            for tool in tools
            if tool.environment in self._instances
        }

    def call(self, call: GoldCall) -> str:
        """The call's result text, or the error it raised as BFCL writes it."""
        instance, method = self._methods[call.function]
        try:
            return result_text(method(instance, **call.arguments))
        except (ValueError, TypeError) as error:
            return f"{ERROR_PREFIX}{error}"

    def state(self) -> dict[str, dict[str, Any]]:
        """Every environment's public attributes, the state an episode's turns are compared on."""
        return {
            name: {key: value for key, value in vars(instance).items() if not key.startswith("_")}
            for name, instance in self._instances.items()
        }


def episode_tools(episode: Episode, tools: Mapping[str, Tool]) -> list[Tool]:
    """Every tool the episode offers at some turn."""
    keys = [*episode.tools, *(key for turn in episode.turns for key in turn.tools_added)]
    return [tools[key] for key in keys]


def gold_results(episode: Episode, tools: Mapping[str, Tool]) -> list[list[str]]:
    """The result of every expected call, turn by turn, replayed on fresh environments."""
    live = LocalEnvironments(episode.environment, episode_tools(episode, tools), episode.long_context)
    return [[live.call(call) for call in turn.expected] for turn in episode.turns]


def gold_conversation(gold: GoldEpisode, tools: Mapping[str, Tool]) -> list[Message]:
    """The whole conversation of a right answer: each turn's user messages, one assistant message per expected
    call (a chained call needs the result before it) with the call's `tool` result, then the closing text."""
    messages: list[Message] = []
    results = gold_results(gold.episode, tools)
    for t, (turn, reply) in enumerate(zip(gold.episode.turns, gold.replies, strict=True)):
        messages += turn.messages
        for s, (call, result) in enumerate(zip(turn.expected, results[t], strict=True)):
            call_id = f"call_{t}_{s}"
            made = MessageCall(id=call_id, name=call.function, arguments=call.arguments)
            messages.append(Message(role="assistant", content="", tool_calls=[made]))
            messages.append(Message(role="tool", content=result, tool_call_id=call_id))
        messages.append(Message(role="assistant", content=reply))
    return messages
