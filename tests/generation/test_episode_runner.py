"""The conversation loop on a scripted model and BFCL's real classes: what it sends, what it runs, what it logs,
how each way of ending is scored, and how an episode cut by a dead endpoint resumes as a new attempt.

The scripted model is a real backend (it speaks the one protocol every backend speaks) whose answers are a
function of the conversation it is sent, the way inspect_ai's mock model serves its tests: the engine's own loop is
tested against vLLM in test_run_vllm.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from harness.environments import Sandbox
from harness.generation.episodes import EpisodeItem, EpisodeRunner, pending_episodes
from harness.generation.settings import GenerationSettings
from harness.parsing import format_tool_calls
from harness.runs.folder import RunFolder
from harness.runs.score import score_finished
from harness.serving.backends.base import BackendUnavailable
from harness.suites.bfcl_multi_turn import load_category
from harness.types import (
    Answer,
    EpisodeStatus,
    Message,
    Semantics,
    Suite,
    Tool,
    ToolCall,
    TurnError,
    Variant,
)

Script = Callable[[Sequence[Message], Sequence[Tool]], Answer]


class ScriptedModel:
    """A backend whose answer is `script(messages, tools)`; it counts the requests it was sent."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[list[Message]] = []

    async def generate(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> Answer:
        self.requests.append(list(messages))
        return self.script(messages, tools)

    async def aclose(self) -> None:
        return None


@pytest.fixture(scope="module")
def suite() -> Suite:
    """The first two episodes of BFCL's base category: GorillaFileSystem and TwitterAPI, four turns each."""
    loaded, _ = load_category("multi_turn_base")
    return loaded.model_copy(update={"episodes": loaded.episodes[:2]})


def turn_of(messages: Sequence[Message]) -> int:
    return sum(m.role == "user" for m in messages) - 1


def right_answers(suite: Suite) -> Script:
    """Each turn's right calls in one answer, then words once their results are back."""

    def script(messages: Sequence[Message], tools: Sequence[Tool]) -> Answer:
        if messages[-1].role == "tool":
            return Answer(text="Done.")
        episode = next(e for e in suite.episodes if e.turns[0].messages[0] == messages[0])
        calls = [ToolCall(name=c.function, arguments=c.arguments) for c in episode.turns[turn_of(messages)].expected]
        return Answer(text=format_tool_calls(calls))

    return script


def run_episodes(folder: RunFolder, suite: Suite, model: ScriptedModel, max_steps: int = 20) -> None:
    variant = Variant(name="v", role="base", model="m")
    items = pending_episodes([variant], [suite], folder)["v"]

    async def ask_all() -> None:
        with Sandbox() as sandbox:
            runner = EpisodeRunner(sandbox, max_steps, folder.append_episode_record)
            for item in items:
                await runner.run(item, model, GenerationSettings())

    asyncio.run(ask_all())


def scores(folder: RunFolder, suite: Suite) -> dict[str, object]:
    finished, _ = folder.read_episode_log()
    with Sandbox() as sandbox:
        return {
            key[2]: score_finished(sandbox, {suite.name: suite}, {suite.name: Semantics.BFCL}, done)
            for key, done in finished.items()
        }


def test_right_calls_pass_every_turn_and_every_step_is_logged(tmp_path: Path, suite: Suite) -> None:
    folder = RunFolder(tmp_path)
    model = ScriptedModel(right_answers(suite))
    run_episodes(folder, suite, model)
    finished, attempts = folder.read_episode_log()
    assert set(attempts.values()) == {1} and len(finished) == 2
    episode = suite.episodes[0]
    done = finished[("v", suite.name, episode.id)]
    assert done.end.status is EpisodeStatus.COMPLETE and done.end.turns_asked == len(episode.turns)
    assert [(s.turn, s.step) for s in done.steps] == [(t, s) for t in range(len(episode.turns)) for s in (0, 1)]
    first = done.steps[0]
    assert first.sent == episode.turns[0].messages  # the whole conversation on the first request
    assert [c.name for c in first.calls] == [c.function for c in episode.turns[0].expected]
    assert all(not e.error for e in first.executions) and all(e.sent == e.result for e in first.executions)
    follow_up = done.steps[1]
    assert [m.role for m in follow_up.sent] == ["tool"] * len(first.calls)
    assert [m.tool_call_id for m in follow_up.sent] == [c.id for c in first.calls]
    # what the model was sent on the follow-up: the user turn, its own calls, one result per call
    sent = model.requests[1]
    assert sent[1].role == "assistant" and sent[1].tool_calls == first.calls and sent[1].content == ""
    judged = scores(folder, suite)
    assert all(score.passed for score in judged.values()), judged


def test_a_silent_model_fails_the_first_turn_needing_calls(tmp_path: Path, suite: Suite) -> None:
    folder = RunFolder(tmp_path)
    run_episodes(folder, suite, ScriptedModel(lambda messages, tools: Answer(text="I cannot help with that.")))
    score = scores(folder, suite)[suite.episodes[0].id]
    assert score.status is EpisodeStatus.COMPLETE and score.steps == len(suite.episodes[0].turns)
    assert (score.passed, score.progress, score.first_error) == (False, 0, TurnError.NO_CALL)


def test_a_model_that_keeps_calling_is_cut_at_the_step_cap(tmp_path: Path, suite: Suite) -> None:
    folder = RunFolder(tmp_path)
    loop = ScriptedModel(lambda messages, tools: Answer(text=format_tool_calls([ToolCall(name="pwd", arguments={})])))
    run_episodes(folder, suite, loop, max_steps=3)
    finished, _ = folder.read_episode_log()
    done = finished[("v", suite.name, suite.episodes[0].id)]
    assert (done.end.status, done.end.turns_asked, len(done.steps)) == (EpisodeStatus.STEP_LIMIT, 1, 3)
    score = scores(folder, suite)[suite.episodes[0].id]
    assert [t.error for t in score.turns] == [TurnError.STEP_LIMIT] + [TurnError.NOT_ASKED] * 3


def test_a_prompt_the_context_cannot_hold_ends_the_episode(tmp_path: Path, suite: Suite) -> None:
    """vLLM's answer to a prompt longer than the served context: the episode ends as context_overflow."""
    error = "HTTP 400: This model's maximum context length is 4096 tokens. However, you requested 5120 tokens"
    folder = RunFolder(tmp_path)
    run_episodes(folder, suite, ScriptedModel(lambda messages, tools: Answer(error=error)))
    score = scores(folder, suite)[suite.episodes[0].id]
    assert score.status is EpisodeStatus.CONTEXT_OVERFLOW
    assert score.turns[0].error is TurnError.CONTEXT_OVERFLOW


def test_a_refused_call_is_an_error_the_model_sees_and_the_run_goes_on(tmp_path: Path, suite: Suite) -> None:
    """A call of something that is no declared tool: an error result in the log and in the next request."""
    hostile = [ToolCall(name="__class__", arguments={}), ToolCall(name="_load_scenario", arguments={"config": {}})]

    def script(messages: Sequence[Message], tools: Sequence[Tool]) -> Answer:
        return Answer(text="ok") if messages[-1].role == "tool" else Answer(text=format_tool_calls(hostile))

    folder = RunFolder(tmp_path)
    run_episodes(folder, suite, ScriptedModel(script))
    finished, _ = folder.read_episode_log()
    done = finished[("v", suite.name, suite.episodes[0].id)]
    assert done.end.status is EpisodeStatus.COMPLETE
    executions = done.steps[0].executions
    assert [e.error for e in executions] == [True, True]
    assert all(e.result.startswith("Error during execution") for e in executions)
    assert [m.content for m in done.steps[1].sent] == [e.sent for e in executions]


def test_an_episode_cut_by_a_dead_endpoint_resumes_from_its_first_turn(tmp_path: Path, suite: Suite) -> None:
    """The endpoint dies during the second turn: no end line, so the next run asks the episode again as attempt 2
    from its first turn, and only that attempt is scored."""
    right = right_answers(suite)
    dead = {"after": 3}

    def dies(messages: Sequence[Message], tools: Sequence[Tool]) -> Answer:
        dead["after"] -= 1
        if dead["after"] < 0:
            raise BackendUnavailable("connection refused")
        return right(messages, tools)

    folder = RunFolder(tmp_path)
    one = suite.model_copy(update={"episodes": suite.episodes[:1]})
    with pytest.raises(BackendUnavailable):
        run_episodes(folder, one, ScriptedModel(dies))
    finished, attempts = folder.read_episode_log()
    key = ("v", one.name, one.episodes[0].id)
    assert key not in finished and attempts[key] == 1
    assert [
        item.attempt for item in pending_episodes([Variant(name="v", role="base", model="m")], [one], folder)["v"]
    ] == [2]
    run_episodes(folder, one, ScriptedModel(right))
    finished, attempts = folder.read_episode_log()
    done = finished[key]
    assert (done.end.attempt, attempts[key]) == (2, 2)
    assert {s.attempt for s in done.steps} == {2} and done.steps[0].turn == 0
    assert scores(folder, one)[one.episodes[0].id].passed
    assert not pending_episodes([Variant(name="v", role="base", model="m")], [one], folder)["v"]


def test_episode_item_namespaces_are_unique_per_attempt(suite: Suite) -> None:
    episode = suite.episodes[0]
    names = {EpisodeItem(v, suite, episode, a).namespace for v in ("a", "b") for a in (1, 2)}
    assert len(names) == 4
