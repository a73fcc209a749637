"""The conversation loop: one multi-turn episode asked of one variant, its calls run against the episode's
environments, every request appended to the run log as it happens.

Per user turn: the conversation so far plus the turn's messages go out with the tools offered by then; each call
in the answer runs in the sandbox (declared tools only, limits per call), the assistant turn with its calls and one
tool message per result join the conversation, and the model is asked again, until it answers without a call (the
end of the turn) or the turn reaches the step cap. A request the served context cannot hold ends the episode as a
context overflow; any other failed request ends it as a request error, which a resumed run asks again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from harness.environments import CallOutcome, Sandbox
from harness.generation.settings import GenerationSettings
from harness.parsing import prose
from harness.runs.folder import RunFolder
from harness.scoring import readings
from harness.serving.backends.base import Backend
from harness.types import (
    Answer,
    Episode,
    EpisodeEnd,
    EpisodeStatus,
    EpisodeStep,
    Execution,
    Message,
    MessageCall,
    Suite,
    Tool,
    Variant,
)

_CONTEXT_OVERFLOW = re.compile(r"maximum context length|maximum model length|max_model_len|context window", re.I)
"""What vLLM (and OpenAI) say when a prompt and its answer cannot fit the served context."""


@dataclass(frozen=True)
class EpisodeItem:
    """One episode still to ask a variant, as the attempt numbered `attempt`."""

    variant: str
    suite: Suite
    episode: Episode
    attempt: int

    def ended(self, status: EpisodeStatus, turns_asked: int, detail: str = "") -> EpisodeEnd:
        """The line that closes this attempt."""
        return EpisodeEnd(**self.ids(), status=status, turns_asked=turns_asked, detail=detail)

    def ids(self) -> dict[str, str | int]:
        """What every line of this attempt in the log starts with."""
        return {
            "variant": self.variant,
            "suite": self.suite.name,
            "episode_id": self.episode.id,
            "attempt": self.attempt,
        }

    @property
    def namespace(self) -> str:
        """The sandbox namespace of this attempt: unique across everything a run has open at once."""
        return f"{self.variant}\x1f{self.suite.name}\x1f{self.episode.id}\x1f{self.attempt}"


def pending_episodes(variants: list[Variant], suites: list[Suite], folder: RunFolder) -> dict[str, list[EpisodeItem]]:
    """Per variant, the episodes it is asked with no finished attempt in the log (an attempt that ended in a
    request error is asked again), each numbered after the last attempt the log holds."""
    finished, attempts = folder.read_episode_log()
    work: dict[str, list[EpisodeItem]] = {}
    for variant in variants:
        items = work.setdefault(variant.name, [])
        for suite in suites:
            for episode in suite.episodes:
                key = (variant.name, suite.name, episode.id)
                done = finished.get(key)
                if variant.asks(suite.name, episode.id) and (
                    done is None or done.end.status is EpisodeStatus.REQUEST_ERROR
                ):
                    items.append(EpisodeItem(variant.name, suite, episode, attempts.get(key, 0) + 1))
    return work


@dataclass(frozen=True)
class EpisodeRunner:
    """What every episode of a run shares: the sandbox its tools run in, the step cap and where records go."""

    sandbox: Sandbox
    max_steps: int
    record: Callable[[EpisodeStep | EpisodeEnd], None]

    async def run(self, item: EpisodeItem, backend: Backend, settings: GenerationSettings) -> None:
        """Ask one episode to its end; the sandbox namespace is closed whatever happens. `BackendUnavailable`
        propagates with the attempt left unfinished, so a restarted server asks it again from its first turn."""
        tools = {tool.key: tool for tool in item.suite.tools}
        offered = list(item.episode.tools)
        self.sandbox.open(
            item.namespace, item.episode.environment, _declared(tools, offered), long_context=item.episode.long_context
        )
        try:
            status, asked, detail = await self._turns(item, backend, settings, tools, offered)
        finally:
            self.sandbox.close(item.namespace)
        self.record(item.ended(status, asked, detail))

    async def _turns(
        self,
        item: EpisodeItem,
        backend: Backend,
        settings: GenerationSettings,
        tools: Mapping[str, Tool],
        offered: list[str],
    ) -> tuple[EpisodeStatus, int, str]:
        """Every turn in order; returns how the attempt ended, the turns asked and why it ended early."""
        conversation: list[Message] = []
        for index, turn in enumerate(item.episode.turns):
            if turn.tools_added:
                offered += [key for key in turn.tools_added if key not in offered]
                self.sandbox.declare(item.namespace, _declared(tools, turn.tools_added))
            sent: list[Message] = list(turn.messages)
            for step in range(self.max_steps + 1):
                if step == self.max_steps:
                    return EpisodeStatus.STEP_LIMIT, index + 1, f"turn {index} still calling after {step} requests"
                offer = [tools[key] for key in offered]
                answer = await backend.generate([*conversation, *sent], offer, settings)
                calls, errors = _calls(answer, index, step)
                executions = [await self._execute(item.namespace, call) for call in calls]
                self.record(
                    EpisodeStep(
                        **item.ids(),
                        turn=index,
                        step=step,
                        sent=sent,
                        tools=[tool.name for tool in offer],
                        answer=answer,
                        calls=calls,
                        parse_errors=errors,
                        executions=executions,
                    )
                )
                if answer.error is not None:
                    overflow = _CONTEXT_OVERFLOW.search(answer.error) is not None
                    status = EpisodeStatus.CONTEXT_OVERFLOW if overflow else EpisodeStatus.REQUEST_ERROR
                    return status, index + 1, answer.error
                conversation += [*sent, Message(role="assistant", content=prose(answer.text), tool_calls=calls or None)]
                if not calls:
                    break
                sent = [Message(role="tool", content=e.sent, tool_call_id=e.call_id) for e in executions]
        return EpisodeStatus.COMPLETE, len(item.episode.turns), ""

    async def _execute(self, namespace: str, call: MessageCall) -> Execution:
        """One call in the sandbox, off the event loop: a slow tool must not stall the other episodes' streams."""
        outcome: CallOutcome = await asyncio.to_thread(self.sandbox.call, namespace, call.name, call.arguments)
        return Execution(
            call_id=call.id,
            name=call.name,
            arguments=call.arguments,
            result=outcome.result,
            error=outcome.error,
            sent=outcome.sent,
            elapsed_s=outcome.elapsed_s,
        )


def _declared(tools: Mapping[str, Tool], keys: list[str]) -> dict[str, str]:
    """Tool name → environment that runs it, for the tools offered by these keys (the suite rules guarantee each
    has an environment)."""
    return {tools[key].name: str(tools[key].environment) for key in keys}


def _calls(answer: Answer, turn: int, step: int) -> tuple[list[MessageCall], list[str]]:
    """The calls of an answer as the lenient reading finds them (what the model meant), with ids unique within the
    episode; a failed request has none."""
    if answer.error is not None:
        return [], []
    _, lenient = readings(answer)
    calls = [
        MessageCall(id=f"call_{turn}_{step}_{number}", name=call.name, arguments=call.arguments)
        for number, call in enumerate(lenient.calls)
    ]
    return calls, list(lenient.errors)
