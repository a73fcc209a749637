"""Executing tool calls safely: the parent side of the environment worker (`harness.environments.worker`).

Model output is untrusted. A call reaches an environment only as a request to a separate process that runs a
declared tool by name with JSON arguments, so nothing the model sends is evaluated, and a call that hangs, eats
memory or crashes costs that process, which is killed, restarted, and brought back to the state before the bad call
by replaying every namespace's completed calls in order (the environments are deterministic given their state).
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from harness.environments.calls import (
    CallOutcome,
    Limits,
    ReplayedTurn,
    StateComparison,
    TurnPlan,
    argument_problem,
)
from harness.environments.registry import EnvironmentSetupError, environment_source
from harness.environments.results import ERROR_PREFIX, cut
from harness.environments.worker_process import WorkerLost, WorkerProcess

if TYPE_CHECKING:
    from harness.types.base import JsonValue
    from harness.types.suite import EnvironmentState

log = logging.getLogger(__name__)

_SETUP_TIMEOUT_S = 60.0
"""Limit on opening, comparing and snapshotting, which run environment code the model does not choose."""


@dataclass
class _Namespace:
    """What the parent needs to rebuild a namespace in a new worker."""

    environments: list[dict[str, Any]]
    """`{"name", "state"}` of each environment."""
    long_context: bool
    """Whether they load their long-context variant."""
    tools: dict[str, str]
    """Every tool declared so far -> its environment."""
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Completed calls (`name`, `arguments`) that entered a tool, in order: replayed after a restart."""


class Sandbox:
    """Environments of episodes, grouped in namespaces, in one worker process started on first use. Thread-safe:
    one request at a time."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits if limits is not None else Limits()
        self._lock = threading.RLock()
        self._worker: WorkerProcess | None = None
        self._namespaces: dict[str, _Namespace] = {}

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None
            self._namespaces.clear()

    def open(
        self,
        namespace: str,
        environments: Sequence[EnvironmentState],
        tools: Mapping[str, str],
        *,
        long_context: bool = False,
    ) -> None:
        """Fresh instances of the environments, in fresh copies of their modules; `tools` (tool name ->
        environment name) are the only names a call may run. An unknown environment, a missing class file or a
        state the class rejects is an `EnvironmentSetupError`."""
        with self._lock:
            if namespace in self._namespaces:
                raise ValueError(f"namespace {namespace!r} is already open")
            names = [environment.name for environment in environments]
            if len(set(names)) != len(names):
                raise EnvironmentSetupError(f"an environment is listed twice: {names}")
            for name in names:
                environment_source(name)
            _check_tools(tools, set(names))
            record = _Namespace(
                environments=[{"name": env.name, "state": env.state} for env in environments],
                long_context=long_context,
                tools=dict(tools),
            )
            self._open_in_worker(namespace, record)
            self._namespaces[namespace] = record

    def declare(self, namespace: str, tools: Mapping[str, str]) -> None:
        """Offer more tools (tool name -> environment name) from now on."""
        with self._lock:
            record = self._record(namespace)
            _check_tools(tools, {environment["name"] for environment in record.environments})
            record.tools.update(tools)
            self._setup_request({"op": "declare", "namespace": namespace, "tools": dict(tools)})

    def call(self, namespace: str, name: str, arguments: Mapping[str, JsonValue]) -> CallOutcome:
        """Run one call of the model. Never raises for anything the model sent: a refusal, an exception, a
        timeout or running out of memory is an error result."""
        with self._lock:
            record = self._record(namespace)
            problem = argument_problem(arguments)
            if problem is not None:
                return self._outcome(f"{ERROR_PREFIX}{problem}", True, 0.0)
            payload = {"op": "call", "namespace": namespace, "name": name, "arguments": dict(arguments)}
            start = time.perf_counter()
            try:
                answer = self._ready_worker().request(payload, self.limits.time_s)
            except WorkerLost as lost:
                elapsed = time.perf_counter() - start
                self._restart()
                why = (
                    f"the call ran past its time limit of {self.limits.time_s:g} s"
                    if lost.timed_out
                    else "the environment process died during the call (out of memory?)"
                )
                return self._outcome(f"{ERROR_PREFIX}{why}", True, elapsed)
            if answer["ran"]:
                record.calls.append({"name": name, "arguments": payload["arguments"]})
            return self._outcome(answer["result"], answer["error"], answer["elapsed_s"])

    def compare(self, a: str, b: str) -> StateComparison:
        """BFCL's state check of namespace `a` (the model's) against `b` (the expected): every public attribute
        of each environment of `b` against the same attribute in `a`, with `!=`."""
        with self._lock:
            left, right = self._record(a), self._record(b)
            if [env["name"] for env in left.environments] != [env["name"] for env in right.environments]:
                raise ValueError(f"namespaces {a!r} and {b!r} hold different environments")
            answer = self._setup_request({"op": "compare", "a": a, "b": b})
            return StateComparison(equal=answer["equal"], differences=answer["differences"])

    def replay(
        self, model: str, gold: str, turns: Sequence[TurnPlan], *, shown_chars: int
    ) -> list[ReplayedTurn] | None:
        """A trajectory in one request: per turn, declare `tools` on `model`, run the model's calls there and the
        right calls on `gold`, compare the states, and list the turn's right results the model's results so far
        lack. Each call is run and refused exactly as `call` runs it, and the answer is what `declare`, `call` and
        `compare` one by one would give. The whole request gets one call's time limit: when it runs past that (a
        call too slow or a compute bomb) or the worker dies, the worker is killed and restarted, which brings both
        namespaces back to their state before this request, and the answer is None: the caller then makes the
        calls one by one, each under its own limit."""
        with self._lock:
            left, right = self._record(model), self._record(gold)
            if [env["name"] for env in left.environments] != [env["name"] for env in right.environments]:
                raise ValueError(f"namespaces {model!r} and {gold!r} hold different environments")
            names = {environment["name"] for environment in left.environments}
            for turn in turns:
                _check_tools(turn.tools, names)
            payload = {
                "op": "replay",
                "model": model,
                "gold": gold,
                "shown_chars": shown_chars,
                "turns": [
                    {
                        "tools": dict(turn.tools),
                        "model": [_planned_call(name, arguments) for name, arguments in turn.model_calls],
                        "gold": [_planned_call(name, arguments) for name, arguments in turn.gold_calls],
                    }
                    for turn in turns
                ],
            }
            try:
                answer = self._ready_worker().request(payload, self.limits.time_s)
            except WorkerLost:
                self._restart()
                return None
            if "error" in answer:
                raise EnvironmentSetupError(answer["error"])
            for turn in turns:
                left.tools.update(turn.tools)
            for record, side in ((left, "model"), (right, "gold")):
                planned = [call for turn in payload["turns"] for call in turn[side]]
                record.calls.extend(
                    {"name": call["name"], "arguments": call["arguments"]}
                    for call, ran in zip(planned, answer["ran"][side], strict=True)
                    if ran
                )
            return [
                ReplayedTurn(
                    comparison=StateComparison(equal=turn["equal"], differences=turn["differences"]),
                    missing_results=turn["missing"],
                )
                for turn in answer["turns"]
            ]

    def state(self, namespace: str) -> dict[str, JsonValue]:
        """Each environment's public state, JSON-able, for logs."""
        with self._lock:
            self._record(namespace)
            state: dict[str, JsonValue] = self._setup_request({"op": "state", "namespace": namespace})["state"]
            return state

    def close(self, namespace: str) -> None:
        """Forget a namespace and its instances."""
        with self._lock:
            self._record(namespace)
            del self._namespaces[namespace]
            if self._worker is not None:
                self._setup_request({"op": "close", "namespace": namespace})

    def _record(self, namespace: str) -> _Namespace:
        if namespace not in self._namespaces:
            raise ValueError(f"namespace {namespace!r} is not open")
        return self._namespaces[namespace]

    def _outcome(self, result: str, error: bool, elapsed_s: float) -> CallOutcome:
        return CallOutcome(result=result, error=error, sent=cut(result, self.limits.sent_chars), elapsed_s=elapsed_s)

    def _ready_worker(self) -> WorkerProcess:
        if self._worker is None:
            self._restart()
        assert self._worker is not None
        return self._worker

    def _setup_request(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A request that runs no model-chosen code: a failure to answer is a setup error, not a tool result."""
        try:
            answer = self._ready_worker().request(payload, _SETUP_TIMEOUT_S)
        except WorkerLost as lost:
            self._restart()
            raise EnvironmentSetupError(f"the environment worker {lost} during {payload['op']!r}") from None
        if "error" in answer:
            raise EnvironmentSetupError(answer["error"])
        return answer

    def _open_in_worker(self, namespace: str, record: _Namespace) -> None:
        self._setup_request(
            {
                "op": "open",
                "namespace": namespace,
                "environments": record.environments,
                "long_context": record.long_context,
                "tools": record.tools,
            }
        )

    def _restart(self) -> None:
        """Start a new worker and rebuild every namespace: open it, declare its tools, replay its completed calls
        in order. A replayed call that fails to answer again is dropped with the calls after it (logged), so a
        restart always ends."""
        if self._worker is not None:
            self._worker.kill()
        while True:
            self._worker = WorkerProcess(self.limits.memory_mb)
            try:
                for namespace, record in self._namespaces.items():
                    self._rebuild(namespace, record)
                return
            except WorkerLost:
                self._worker.kill()

    def _rebuild(self, namespace: str, record: _Namespace) -> None:
        assert self._worker is not None
        open_answer = self._worker.request(
            {
                "op": "open",
                "namespace": namespace,
                "environments": record.environments,
                "long_context": record.long_context,
            },
            _SETUP_TIMEOUT_S,
        )
        if "error" in open_answer:
            raise EnvironmentSetupError(open_answer["error"])
        self._worker.request({"op": "declare", "namespace": namespace, "tools": record.tools}, _SETUP_TIMEOUT_S)
        for index, call in enumerate(record.calls):
            try:
                self._worker.request({"op": "call", "namespace": namespace, **call}, self.limits.time_s)
            except WorkerLost:
                log.warning(
                    "namespace %s: replaying call %d (%s) failed again; its state keeps only the calls before it",
                    namespace,
                    index,
                    call["name"],
                )
                del record.calls[index:]
                raise


def _check_tools(tools: Mapping[str, str], environments: set[str]) -> None:
    for tool, environment in tools.items():
        if environment not in environments:
            raise EnvironmentSetupError(
                f"tool {tool!r} runs on environment {environment!r}, which this episode does not have"
            )


def _planned_call(name: str, arguments: Mapping[str, JsonValue]) -> dict[str, Any]:
    """A call as `Sandbox.replay` sends it: its name and arguments, or the refusal `call` would give without
    sending it."""
    problem = argument_problem(arguments)
    if problem is not None:
        return {"result": f"{ERROR_PREFIX}{problem}"}
    return {"name": name, "arguments": dict(arguments)}


@functools.cache
def _checker() -> Sandbox:
    """The sandbox `check_environment` loads states in: one worker for every check of a process."""
    return Sandbox()


_check_ids = itertools.count()


def check_environment(environment: EnvironmentState, *, long_context: bool = False) -> str | None:
    """Why an environment cannot be set up (an unknown name, a missing class file, a state its class rejects), or
    None when it loads."""
    namespace = f"check-{next(_check_ids)}"
    try:
        _checker().open(namespace, [environment], {}, long_context=long_context)
    except EnvironmentSetupError as error:
        return str(error)
    _checker().close(namespace)
    return None
