"""The environment worker: a subprocess that holds every environment instance of a `Sandbox` and runs tool calls on
them, so a call that hangs, eats memory or crashes takes down this process and never the run.

It speaks JSON lines: one request per line on its stdin, one answer per line on its stdout, nothing pickled. Tool
code is trusted (the classes in the registry) but the names and arguments are model output: a call runs only a
function defined on the environment's class, under a name the suite declared, with the JSON arguments as keywords.
"""

from __future__ import annotations

import contextlib
import decimal
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import math
import os
import resource
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MethodType, ModuleType
from typing import Any

from harness.environments.registry import (
    BFCL_PACKAGE,
    EnvironmentSetupError,
    EnvironmentSource,
    bfcl_directory,
    environment_source,
)
from harness.environments.results import ERROR_PREFIX, missing_results, result_text
from harness.environments.worker_imports import fresh_imports

_STATE_DEPTH = 32
"""How deep `snapshot` follows nested values before it writes a placeholder."""
_REPR_CHARS = 200
"""How much of each value a state difference shows."""
_MPMATH_PREC = 53
"""mpmath's precision when it is first imported (15 digits): what an operation that imported it leaves."""


_sink: list[Any] = []
"""The open /dev/null that tool output goes to, reopened if a tool closed it."""


def _null_sink() -> Any:
    if not _sink or _sink[0].closed:
        _sink[:] = [open(os.devnull, "w")]  # noqa: SIM115 - lives as long as the worker
    return _sink[0]


@contextlib.contextmanager
def preserved_process_settings() -> Iterator[None]:
    """Process-wide settings that tools change are put back after each operation: the `decimal` context
    (MathAPI.square_root sets its precision) and mpmath's precision (MathAPI.logarithm sets `mp.dps`); tool output
    on stdout is thrown away."""
    context = decimal.getcontext().copy()
    mpmath = sys.modules.get("mpmath")
    precision = mpmath.mp.prec if mpmath is not None else None
    try:
        sink = _null_sink()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        decimal.setcontext(context)
        mpmath = sys.modules.get("mpmath")
        if mpmath is not None:
            mpmath.mp.prec = precision if precision is not None else _MPMATH_PREC


def snapshot(value: object, depth: int = 0, path: frozenset[int] = frozenset()) -> Any:
    """A JSON-able copy of a value for logs: objects by their public attributes, containers element by element,
    anything else by `str()`; nesting deeper than `_STATE_DEPTH` and references back up the path (a directory's
    parent) become placeholders."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= 10_000 else f"<int of {value.bit_length()} bits>"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if id(value) in path:
        return f"<cycle: {type(value).__name__}>"
    if depth >= _STATE_DEPTH:
        return f"<{type(value).__name__} nested deeper than {_STATE_DEPTH}>"
    inner = path | {id(value)}
    if isinstance(value, dict):
        return {str(key): snapshot(item, depth + 1, inner) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [snapshot(item, depth + 1, inner) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((snapshot(item, depth + 1, inner) for item in value), key=repr)
    if hasattr(value, "__dict__") and not isinstance(value, type | ModuleType):
        return {key: snapshot(item, depth + 1, inner) for key, item in vars(value).items() if not key.startswith("_")}
    return str(value)


def _short(value: object) -> str:
    try:
        text = repr(value)
    except Exception as error:
        text = f"<unprintable {type(value).__name__}: {error}>"
    return text if len(text) <= _REPR_CHARS else f"{text[:_REPR_CHARS]}..."


def find_tool(instance: object, name: str) -> MethodType | None:
    """The method a declared tool name runs: a function defined in the class body of the instance's class or one
    of its bases (never an instance attribute, a property, a class attribute or anything inherited from `object`),
    bound to the instance; None for anything else."""
    if name.startswith("_"):
        return None
    for klass in type(instance).__mro__:
        if klass is object:
            return None
        if name in klass.__dict__:
            function = klass.__dict__[name]
            return MethodType(function, instance) if inspect.isfunction(function) else None
    return None


@dataclass
class Namespace:
    """The environments of one namespace: their instances, the modules their classes came from, the tools."""

    instances: dict[str, object]
    """Environment name -> instance."""
    modules: dict[str, ModuleType]
    """The namespace's own copies of the environment modules, by dotted name."""
    tools: dict[str, str] = field(default_factory=dict)
    """Declared tool name -> environment name: the only names a call may run."""

    def counterpart(self, klass: type) -> type | None:
        """This namespace's copy of a class from another namespace's copy of the same module."""
        module = self.modules.get(klass.__module__)
        found: object = module
        for part in klass.__qualname__.split("."):
            found = vars(found).get(part) if hasattr(found, "__dict__") else None
        return found if isinstance(found, type) else None


def _translate(value: object, target: Namespace, memo: dict[int, object]) -> object:
    """A copy of a model-side value whose environment objects are instances of the target namespace's classes.

    Namespaces load their own module copies, so a `Directory` of one is not an instance of the other's `Directory`
    and BFCL's `__eq__` methods (`isinstance(other, Directory)`) would call equal trees different. BFCL compares
    objects of one module; translating the model's side into the expected side's classes compares them the same
    way."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if id(value) in memo:
        return memo[id(value)]
    kind = type(value)
    if kind is dict:
        copy: dict[object, object] = {}
        memo[id(value)] = copy
        for key, item in value.items():
            copy[_translate(key, target, memo)] = _translate(item, target, memo)
        return copy
    if kind is list:
        items: list[object] = []
        memo[id(value)] = items
        items.extend(_translate(item, target, memo) for item in value)
        return items
    if kind in (tuple, set, frozenset):
        return kind(_translate(item, target, memo) for item in value)
    counterpart = target.counterpart(kind)
    if counterpart is None or counterpart is kind or not hasattr(value, "__dict__"):
        return value
    twin = object.__new__(counterpart)
    memo[id(value)] = twin
    for key, item in vars(value).items():
        twin.__dict__[key] = _translate(item, target, memo)
    return twin


class Worker:
    """Every namespace of one sandbox, and the operations the parent asks for (`handle`)."""

    def __init__(self) -> None:
        self.namespaces: dict[str, Namespace] = {}

    def handle(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Run one request; a setup problem is an answer with `error`, not an exception."""
        operation = request["op"]
        try:
            with preserved_process_settings():
                if operation == "open":
                    answer = self.open(request["namespace"], request["environments"], request["long_context"])
                    self.namespaces[request["namespace"]].tools.update(request.get("tools", {}))
                    return answer
                if operation == "declare":
                    self.namespaces[request["namespace"]].tools.update(request["tools"])
                    return {}
                if operation == "call":
                    return self.call(request["namespace"], request["name"], request["arguments"])
                if operation == "compare":
                    return self.compare(request["a"], request["b"])
                if operation == "replay":
                    return self.replay(request["model"], request["gold"], request["turns"], request["shown_chars"])
                if operation == "state":
                    return {"state": self.state(request["namespace"])}
                if operation == "close":
                    self.namespaces.pop(request["namespace"], None)
                    return {}
        except EnvironmentSetupError as error:
            return {"error": str(error)}
        raise ValueError(f"unknown operation {operation!r}")

    def open(self, namespace: str, environments: Sequence[Mapping[str, Any]], long_context: bool) -> dict[str, Any]:
        """Fresh instances of each environment, loaded with its state, in fresh copies of their modules."""
        sources = [environment_source(environment["name"]) for environment in environments]
        bfcl = bfcl_directory() if any(source.module.startswith(BFCL_PACKAGE) for source in sources) else None
        instances: dict[str, object] = {}
        with fresh_imports(bfcl) as modules:
            for source, environment in zip(sources, environments, strict=True):
                instances[source.name] = _instance(source, environment["state"], long_context)
        self.namespaces[namespace] = Namespace(instances=instances, modules=modules)
        return {}

    def call(self, namespace: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run one tool call: `ran` says whether a tool method was entered (the parent replays those after a
        restart); refusals and exceptions are results starting with `ERROR_PREFIX`."""
        start = time.perf_counter()
        space = self.namespaces[namespace]
        environment = space.tools.get(name) if type(name) is str else None
        method = find_tool(space.instances[environment], name) if environment in space.instances else None
        if method is None:
            text = f"{ERROR_PREFIX}no tool named {_short(name)} is available"
            return {"result": text, "error": True, "ran": False, "elapsed_s": time.perf_counter() - start}
        try:
            text, error = result_text(method(**arguments)), False
        except MemoryError:
            text, error = f"{ERROR_PREFIX}the call ran out of memory", True
        except BaseException as exception:
            text, error = f"{ERROR_PREFIX}{exception}", True
        return {"result": text, "error": error, "ran": True, "elapsed_s": time.perf_counter() - start}

    def compare(self, model: str, expected: str) -> dict[str, Any]:
        """BFCL's state check: every public attribute in `vars()` of each expected instance against the model's
        attribute of the same name, with `!=`."""
        model_space, expected_space = self.namespaces[model], self.namespaces[expected]
        differences: list[str] = []
        for name, expected_instance in expected_space.instances.items():
            model_instance = model_space.instances[name]
            label = type(expected_instance).__name__
            for attribute, expected_value in vars(expected_instance).items():
                if attribute.startswith("_"):
                    continue
                model_value = vars(model_instance).get(attribute, "<missing>")
                try:
                    differs = bool(_translate(model_value, expected_space, {}) != expected_value)
                except Exception as error:
                    differs, model_value = True, f"<not comparable: {error}>"
                if differs:
                    differences.append(
                        f"{label}.{attribute}: model {_short(model_value)} != expected {_short(expected_value)}"
                    )
        return {"equal": not differences, "differences": differences}

    def replay(self, model: str, gold: str, turns: Sequence[Mapping[str, Any]], shown_chars: int) -> dict[str, Any]:
        """A whole trajectory in one request, exactly as the parent would run it call by call: per turn, declare
        the model's new tools, run its calls on `model` and the right calls on `gold` (each call on its own, under
        `preserved_process_settings` as a `call` request is), compare the states, and list the right results the
        model's results so far lack (`missing_results`, each cut to `shown_chars`). A call given as `{"result"}`
        was refused by the parent before sending and runs nothing. `ran` lists, per namespace, whether each call
        entered a tool, under `model` and `gold` (what the parent records for a restart). Time limits are the parent's: it gives the whole
        request one call's time limit and falls back to calls one by one when the answer does not come."""
        facts: list[dict[str, Any]] = []
        ran: dict[str, list[bool]] = {"model": [], "gold": []}
        model_results: list[str] = []
        for turn in turns:
            self.namespaces[model].tools.update(turn["tools"])
            model_results.extend(self._replayed(model, call, ran["model"]) for call in turn["model"])
            gold_results = [self._replayed(gold, call, ran["gold"]) for call in turn["gold"]]
            with preserved_process_settings():
                comparison = self.compare(model, gold)
            facts.append({**comparison, "missing": missing_results(gold_results, model_results, shown_chars)})
        return {"turns": facts, "ran": ran}

    def _replayed(self, namespace: str, call: Mapping[str, Any], ran: list[bool]) -> str:
        if "result" in call:
            ran.append(False)
            result: str = call["result"]
            return result
        with preserved_process_settings():
            answer = self.call(namespace, call["name"], call["arguments"])
        ran.append(answer["ran"])
        text: str = answer["result"]
        return text

    def state(self, namespace: str) -> dict[str, Any]:
        """Each environment's public state, JSON-able."""
        return {name: snapshot(instance) for name, instance in self.namespaces[namespace].instances.items()}


def _instance(source: EnvironmentSource, state: dict[str, Any], long_context: bool) -> object:
    """A new instance of an environment loaded with a state; anything that goes wrong is an `EnvironmentSetupError`
    naming the environment."""
    name = source.name
    try:
        module = importlib.import_module(source.module)
    except Exception as error:
        raise EnvironmentSetupError(
            f"environment {name!r}: loading {source.file} failed: {_described(error)}"
        ) from error
    klass = vars(module).get(source.class_name)
    if not isinstance(klass, type):
        raise EnvironmentSetupError(f"environment {name!r}: {source.file} has no class {source.class_name}")
    try:
        instance = klass()
        loader = _protocol_method(instance, "_load_scenario")
        if loader is not None:
            loader(state, long_context=long_context)
        elif state:
            raise ValueError(f"{source.class_name} is stateless and takes no state")
    except Exception as error:
        raise EnvironmentSetupError(f"environment {name!r} rejects its state: {_described(error)}") from error
    return instance


def _protocol_method(instance: object, name: str) -> MethodType | None:
    """A method of the instance's class by a name the harness chose (the protocol's `_load_scenario`)."""
    function = inspect.getattr_static(type(instance), name, None)
    return MethodType(function, instance) if inspect.isfunction(function) else None


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _limit_memory(megabytes: int) -> None:
    """Cap the address space at what the worker uses now plus the budget, so a runaway allocation raises
    MemoryError (or kills the worker, which the parent restarts) instead of taking the machine's memory."""
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = used + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> None:
    """Serve requests until stdin closes. The protocol streams are private copies of fds 0 and 1, which are then
    pointed at /dev/null: nothing a tool prints or reads (even below Python) can touch the protocol."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(int(sys.argv[1]))
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    worker = Worker()
    answers.write(b'{"ready": true}\n')
    answers.flush()
    for line in requests:
        request = json.loads(line)
        answer = worker.handle(request)
        answers.write(json.dumps({"id": request["id"], **answer}).encode() + b"\n")
        answers.flush()


if __name__ == "__main__":
    main()
