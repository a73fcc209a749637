"""Writing one of the harness's own episodes: user turns, and the gold calls a right answer makes, run on live
environments as they are added, so that a later call carries the id or reference an earlier one returned, a call
meant to fail is known to fail and every other call to succeed. Both generated multi-turn suites (the built-in one
and the held-out one) write their episodes with it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from harness.suites.gold import ERROR_PREFIX, GoldEpisode, LocalEnvironments, Shape
from harness.types import EnvironmentState, Episode, GoldCall, Message, Tool, Turn, TurnKind


class Script:
    """One episode being written: user turns, gold calls run on a live environment as they are added, and the
    text closing each turn."""

    def __init__(
        self, episode_id: str, environment: EnvironmentState, tools: Sequence[Tool], later: tuple[str, ...] = ()
    ) -> None:
        """`tools` may hold other environments' tools: the episode offers those of its own environment, from the
        first turn except the `later` ones."""
        self.episode_id = episode_id
        self._environment = environment
        own = [tool for tool in tools if tool.environment == environment.name]
        self._live = LocalEnvironments([environment], own, long_context=False)
        self._tools = [tool.key for tool in own if tool.key not in later]
        self._turns: list[Turn] = []
        self._replies: list[str] = []
        self._open: dict[str, Any] | None = None

    def user(self, kind: TurnKind, text: str, added: tuple[str, ...] = ()) -> None:
        messages = [Message(role="user", content=text)]
        self._open = {"kind": kind, "messages": messages, "tools_added": list(added), "expected": []}

    def _run(self, function: str, arguments: dict[str, Any]) -> str:
        assert self._open is not None, "a call belongs to a user turn"
        call = GoldCall(function=function, arguments=arguments)
        self._open["expected"].append(call)
        return self._live.call(call)

    def call(self, function: str, **arguments: Any) -> dict[str, Any]:
        """Record a call a right answer makes, and what it returned; a failure here is a broken template."""
        text = self._run(function, arguments)
        if text.startswith(ERROR_PREFIX):
            raise ValueError(f"{self.episode_id}: gold call {function}({arguments}) failed: {text}")
        result: dict[str, Any] = json.loads(text)
        return result

    def fail(self, function: str, **arguments: Any) -> str:
        """Record a call a right answer makes once and that fails, and the error it returned."""
        text = self._run(function, arguments)
        if not text.startswith(ERROR_PREFIX):
            raise ValueError(f"{self.episode_id}: gold call {function}({arguments}) was meant to fail: {text}")
        return text.removeprefix(ERROR_PREFIX)

    def reply(self, text: str) -> None:
        assert self._open is not None, "a reply closes a user turn"
        self._turns.append(Turn(**self._open))
        self._replies.append(text)
        self._open = None

    def done(self, *shapes: Shape) -> GoldEpisode:
        episode = Episode(id=self.episode_id, environment=[self._environment], tools=self._tools, turns=self._turns)
        return GoldEpisode(episode=episode, shapes=frozenset(shapes), replies=tuple(self._replies))
