"""Executable environments: BFCL's own classes run from the wheel's files in the worker; a call runs only a declared
tool (hostile names, arguments and compute bombs are error results, and nothing else runs); a killed worker comes
back with every namespace's state; namespaces share no module globals and no precision settings; turns replay into
the facts BFCL's checker reads; and no module of the harness evaluates text."""

from __future__ import annotations

import ast
import decimal
import json
import sys
from pathlib import Path
from typing import Any

import mpmath
import pytest

from harness.environments import ENVIRONMENTS, EnvironmentSetupError, Limits, Sandbox, check_environment
from harness.environments.calls import MAX_ARGUMENT_DEPTH, TurnPlan, argument_problem
from harness.environments.registry import bfcl_directory, environment_source
from harness.environments.replay import replay_turns
from harness.environments.results import ERROR_PREFIX, result_text
from harness.environments.worker import Worker, find_tool
from harness.types.run_log import ToolCall
from harness.types.suite import EnvironmentState, Episode, GoldCall, Message, Tool, Turn, TurnKind

ROOT = Path(__file__).resolve().parents[2]
DATA = bfcl_directory().parents[2] / "data"
ENTRY = json.loads((DATA / "BFCL_v4_multi_turn_base.json").read_text().splitlines()[0])
GROUND_TRUTH = json.loads((DATA / "possible_answer" / "BFCL_v4_multi_turn_base.json").read_text().splitlines()[0])
GFS = "bfcl:GorillaFileSystem"
GFS_STATE = EnvironmentState(name=GFS, state=ENTRY["initial_config"]["GorillaFileSystem"])
GFS_TOOLS = {name: GFS for name in ("ls", "cd", "mkdir", "mv", "cat", "grep", "pwd")}
MATH = EnvironmentState(name="bfcl:MathAPI")
MATH_TOOLS = {name: "bfcl:MathAPI" for name in ("power", "square_root", "logarithm")}

# The first turn of multi_turn_base_0: (tool, arguments, the result BFCL's convention gives)
TURN_0: list[tuple[str, dict[str, Any], str]] = [
    ("cd", {"folder": "document"}, '{"current_working_directory": "document"}'),
    ("mkdir", {"dir_name": "temp"}, "None"),
    (
        "mv",
        {"source": "final_report.pdf", "destination": "temp"},
        "{\"result\": \"'final_report.pdf' moved to 'temp/final_report.pdf'\"}",
    ),
]


def deep(levels: int) -> dict[str, Any]:
    """A dict nested `levels` deep, built without recursion."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def nested_list(levels: int) -> list[Any]:
    """A list of one number nested `levels` deep."""
    value: list[Any] = [1]
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox(Limits(time_s=1.0, memory_mb=512)) as opened:
        yield opened


def test_the_table_is_the_first_turn_of_the_data() -> None:
    written = [
        f"{name}({', '.join(f'{key}={value!r}' for key, value in arguments.items())})" for name, arguments, _ in TURN_0
    ]
    assert written == GROUND_TRUTH["ground_truth"][0]


def test_bfcl_first_turn_runs_on_the_wheels_class(sandbox: Sandbox) -> None:
    sandbox.open("first", [GFS_STATE], GFS_TOOLS)
    try:
        results = [sandbox.call("first", name, arguments) for name, arguments, _ in TURN_0]
        assert [outcome.result for outcome in results] == [result for _, _, result in TURN_0]
        assert not any(outcome.error for outcome in results)
        document = sandbox.state("first")[GFS]["root"]["contents"]["document"]["contents"]
        assert set(document) == {"previous_report.pdf", "temp"}
        assert document["temp"]["contents"]["final_report.pdf"]["content"].startswith("Year2024")
        assert document["temp"]["parent"] == "<cycle: Directory>"
    finally:
        sandbox.close("first")


# (label, the model's calls, whether the state equals the right calls', what the differences start with)
COMPARISONS: list[tuple[str, list[tuple[str, dict[str, Any]]], bool, str | None]] = [
    ("same calls", [(name, arguments) for name, arguments, _ in TURN_0], True, None),
    (
        "mv left out",
        [(name, arguments) for name, arguments, _ in TURN_0[:2]],
        False,
        "GorillaFileSystem.root: model <Directory",
    ),
    ("only navigation", [("cd", {"folder": "document"}), ("ls", {})], False, "GorillaFileSystem.root"),
]


@pytest.mark.parametrize(("label", "calls", "equal", "difference"), COMPARISONS, ids=[row[0] for row in COMPARISONS])
def test_compare_is_bfcls_state_check(
    sandbox: Sandbox, label: str, calls: list[tuple[str, dict[str, Any]]], equal: bool, difference: str | None
) -> None:
    sandbox.open("model", [GFS_STATE], GFS_TOOLS)
    sandbox.open("gold", [GFS_STATE], GFS_TOOLS)
    try:
        for name, arguments in calls:
            sandbox.call("model", name, arguments)
        for name, arguments, _ in TURN_0:
            sandbox.call("gold", name, arguments)
        comparison = sandbox.compare("model", "gold")
        assert comparison.equal is equal
        assert [line[: len(difference)] for line in comparison.differences] == ([difference] if difference else [])
    finally:
        sandbox.close("model")
        sandbox.close("gold")


CANARY = "CANARY"
"""Stands for a file path that must not exist after the hostile calls."""

# (label, name, arguments): each must be an error result and run nothing
HOSTILE: list[tuple[str, str, Any]] = [
    ("dunder class", "__class__", {}),
    ("constructor", "__init__", {}),
    ("declared private protocol method", "_load_scenario", {"scenario": {"root": {}}}),
    ("private name", "_private", {}),
    ("builtin import", "__import__", {"name": "os"}),
    ("dunder dict", "__dict__", {}),
    ("instance attribute", "root", {}),
    ("builtin open", "open", {"file": CANARY, "mode": "w"}),
    ("os.system", "system", {"command": f"touch {CANARY}"}),
    ("public method not declared", "touch", {"file_name": "canary.txt"}),
    ("deep nesting", "ls", deep(10_000)),
    ("one megabyte argument", "cat", {"file_name": "x" * 1_000_000}),
    ("not an object", "ls", ["a"]),
    ("wrong argument", "cd", {"directory": "document"}),
]
DECLARED_HOSTILE = {name: GFS for _, name, _ in HOSTILE if name != "touch"}


def test_hostile_calls_are_errors_that_run_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    sandbox.open("hostile", [GFS_STATE], {**GFS_TOOLS, **DECLARED_HOSTILE})
    sandbox.open("bomb", [MATH], MATH_TOOLS)
    try:
        sandbox.call("hostile", "cd", {"folder": "document"})
        before = sandbox.state("hostile")
        for label, name, arguments in HOSTILE:
            if label in {"builtin open", "os.system"}:
                arguments = {key: value.replace(CANARY, str(canary)) for key, value in arguments.items()}
            outcome = sandbox.call("hostile", name, arguments)
            assert outcome.error, label
            assert outcome.result.startswith(ERROR_PREFIX), label
            assert "module" not in outcome.result, label
        bomb = sandbox.call("bomb", "power", {"base": 10, "exponent": 10**9})
        assert bomb.error and ("time limit" in bomb.result or "memory" in bomb.result), bomb.result
        assert not canary.exists()
        assert sandbox.state("hostile") == before
        assert (
            sandbox.call("hostile", "ls", {}).result
            == '{"current_directory_content": ["final_report.pdf", "previous_report.pdf"]}'
        )
        assert sandbox.call("bomb", "power", {"base": 2, "exponent": 10}).result == '{"result": 1024}'
    finally:
        sandbox.close("hostile")
        sandbox.close("bomb")


# (label, call, what its error says)
LIMITS: list[tuple[str, tuple[str, dict[str, Any]], str]] = [
    ("compute bomb", ("power", {"base": 10, "exponent": 10**9}), "time limit of 1 s"),
    ("memory bomb", ("square_root", {"number": 2, "precision": 10**9}), "memory"),
]


@pytest.mark.parametrize(("label", "call", "error"), LIMITS, ids=[row[0] for row in LIMITS])
def test_a_call_past_a_limit_is_an_error_and_state_survives(
    sandbox: Sandbox, label: str, call: tuple[str, dict[str, Any]], error: str
) -> None:
    sandbox.open("files", [GFS_STATE], GFS_TOOLS)
    sandbox.open("math", [MATH], MATH_TOOLS)
    try:
        for name, arguments, _ in TURN_0:
            sandbox.call("files", name, arguments)
        before = sandbox.state("files")
        outcome = sandbox.call("math", *call)
        assert outcome.error and error in outcome.result
        assert sandbox.state("files") == before
        assert sandbox.call("files", "pwd", {}).result == '{"current_working_directory": "/workspace/document"}'
    finally:
        sandbox.close("files")
        sandbox.close("math")


def test_results_are_cut_for_the_model_but_kept_whole() -> None:
    with Sandbox(Limits(sent_chars=20)) as small:
        small.open("files", [GFS_STATE], GFS_TOOLS)
        outcome = small.call("files", "cd", {"folder": "document"})
    assert outcome.result == '{"current_working_directory": "document"}'
    assert outcome.sent == f"{outcome.result[:20]}\n[... {len(outcome.result) - 20} more characters cut]"


def test_namespaces_share_no_module_globals() -> None:
    """VehicleControlAPI writes into long_context's LONG_WEATHER_EXTENSION; a second namespace keeps its own."""
    worker = Worker()
    vehicle = {"name": "bfcl:VehicleControlAPI", "state": {}}
    for namespace in ("a", "b"):
        assert (
            worker.handle({"op": "open", "namespace": namespace, "environments": [vehicle], "long_context": True}) == {}
        )
    worker.handle(
        {"op": "declare", "namespace": "a", "tools": {"get_outside_temperature_from_google": vehicle["name"]}}
    )
    answer = worker.handle(
        {"op": "call", "namespace": "a", "name": "get_outside_temperature_from_google", "arguments": {}}
    )
    assert "outsideTemperature" in answer["result"]
    long_context = f"{environment_source(vehicle['name']).module.rpartition('.')[0]}.long_context"
    assert "outsideTemperature" in vars(worker.namespaces["a"].modules[long_context])["LONG_WEATHER_EXTENSION"]
    assert "outsideTemperature" not in vars(worker.namespaces["b"].modules[long_context])["LONG_WEATHER_EXTENSION"]
    assert not [name for name, module in worker.namespaces["a"].modules.items() if sys.modules.get(name) is module]
    assert vars(worker.namespaces["a"].modules["bfcl_eval"]).get("__file__") is None


# (label, call, the process-wide setting it changes)
SETTINGS: list[tuple[str, tuple[str, dict[str, Any]], str]] = [
    ("decimal precision", ("square_root", {"number": 2, "precision": 5}), "{'result': Decimal('1.4142')}"),
    ("mpmath precision", ("logarithm", {"value": 100, "base": 10, "precision": 60}), "{'result': mpf('2.0')}"),
]


@pytest.mark.parametrize(("label", "call", "result"), SETTINGS, ids=[row[0] for row in SETTINGS])
def test_precision_a_call_sets_does_not_leak(label: str, call: tuple[str, dict[str, Any]], result: str) -> None:
    worker = Worker()
    worker.handle(
        {"op": "open", "namespace": "m", "environments": [{"name": MATH.name, "state": {}}], "long_context": False}
    )
    worker.handle({"op": "declare", "namespace": "m", "tools": MATH_TOOLS})
    before = (decimal.getcontext().prec, mpmath.mp.prec)
    answer = worker.handle({"op": "call", "namespace": "m", "name": call[0], "arguments": call[1]})
    assert answer["result"] == result
    assert (decimal.getcontext().prec, mpmath.mp.prec) == before


class _Base:
    def inherited(self) -> str:
        return "inherited"


class _Environment(_Base):
    attribute = "class attribute"
    callable_attribute = staticmethod(lambda: "static")

    def __init__(self) -> None:
        self.instance_function = lambda: "instance"

    def method(self) -> str:
        return "method"

    def _private(self) -> str:
        return "private"

    @property
    def prop(self) -> str:
        return "property"

    @classmethod
    def klass(cls) -> str:
        return "classmethod"


# (name, what calling the tool found under it returns, or None when nothing is found)
LOOKUPS: list[tuple[str, str | None]] = [
    ("method", "method"),
    ("inherited", "inherited"),
    ("_private", None),
    ("__init__", None),
    ("__class__", None),
    ("__subclasshook__", None),
    ("__getattribute__", None),
    ("attribute", None),
    ("callable_attribute", None),
    ("instance_function", None),
    ("prop", None),
    ("klass", None),
    ("mro", None),
    ("missing", None),
]


@pytest.mark.parametrize(("name", "returns"), LOOKUPS, ids=[row[0] for row in LOOKUPS])
def test_only_functions_of_the_class_are_tools(name: str, returns: str | None) -> None:
    method = find_tool(_Environment(), name)
    assert (method() if method is not None else None) == returns


# (label, arguments, what the refusal says or None when they pass)
ARGUMENTS: list[tuple[str, Any, str | None]] = [
    ("flat", {"a": 1, "b": [1, 2], "c": {"d": None}}, None),
    ("as deep as allowed", deep(MAX_ARGUMENT_DEPTH), None),
    ("one level too deep", deep(MAX_ARGUMENT_DEPTH + 1), "nest deeper than 32"),
    ("lists as deep as allowed", {"a": nested_list(MAX_ARGUMENT_DEPTH - 1)}, None),
    ("lists one level too deep", {"a": nested_list(MAX_ARGUMENT_DEPTH)}, "nest deeper than 32"),
    ("not an object", [1], "not a JSON object"),
    ("not JSON", {"a": {1, 2}}, "not JSON"),
    ("too long", {"a": "x" * 300_000}, "more than the 262144 allowed"),
]


@pytest.mark.parametrize(("label", "arguments", "problem"), ARGUMENTS, ids=[row[0] for row in ARGUMENTS])
def test_arguments_are_refused_before_they_are_sent(label: str, arguments: Any, problem: str | None) -> None:
    found = argument_problem(arguments)
    assert (found is None) if problem is None else (found is not None and problem in found)


# (value, BFCL's text of it)
RESULTS: list[tuple[Any, str]] = [
    ("plain", "plain"),
    ({"a": 1}, '{"a": 1}'),
    ({"a": {1}}, "{'a': {1}}"),
    (None, "None"),
    ([1, "b"], "[1, 'b']"),
    (1.5, "1.5"),
]


@pytest.mark.parametrize(("value", "text"), RESULTS, ids=[repr(row[0]) for row in RESULTS])
def test_results_read_as_bfcl_writes_them(value: Any, text: str) -> None:
    assert result_text(value) == text


# (label, environment, what the problem says or None when it loads)
CHECKS: list[tuple[str, EnvironmentState, str | None]] = [
    ("bfcl state", GFS_STATE, None),
    ("stateless class", MATH, None),
    ("unknown name", EnvironmentState(name="bfcl:Nope"), "unknown environment 'bfcl:Nope'"),
    ("state the class rejects", EnvironmentState(name=GFS, state={"root": 5}), "rejects its state: AttributeError"),
    ("state for a stateless class", EnvironmentState(name="bfcl:MathAPI", state={"a": 1}), "takes no state"),
]


@pytest.mark.parametrize(("label", "environment", "problem"), CHECKS, ids=[row[0] for row in CHECKS])
def test_check_environment(label: str, environment: EnvironmentState, problem: str | None) -> None:
    found = check_environment(environment)
    assert (found is None) if problem is None else (found is not None and problem in found), found


@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_every_registered_class_file_is_found_or_named(name: str) -> None:
    module, class_name = ENVIRONMENTS[name]
    if name.startswith("bfcl:"):
        assert f"class {class_name}" in environment_source(name).file.read_text()
        return
    file = ROOT / Path(*module.split(".")).with_suffix(".py")
    if file.is_file():
        assert environment_source(name).file == file
    else:
        with pytest.raises(EnvironmentSetupError, match="does not exist"):
            environment_source(name)


def _tool(name: str) -> Tool:
    return Tool(name=name, description=name, parameters={"type": "object", "properties": {}}, environment=GFS)


SUITE_TOOLS = {name: _tool(name) for name in ("cd", "mkdir", "mv", "grep", "ls")}
GOLD = [
    [GoldCall(function=name, arguments=arguments) for name, arguments, _ in TURN_0],
    [
        GoldCall(function="cd", arguments={"folder": "temp"}),
        GoldCall(function="grep", arguments={"file_name": "final_report.pdf", "pattern": "budget analysis"}),
    ],
]
EPISODE = Episode(
    id="multi_turn_base_0",
    environment=[GFS_STATE],
    tools=["cd", "mkdir", "mv", "ls"],
    turns=[
        Turn(
            kind=TurnKind.ACT,
            messages=[Message(role="user", content=ENTRY["question"][t][0]["content"])],
            expected=GOLD[t],
            tools_added=added,
        )
        for t, added in ((0, []), (1, ["grep"]))
    ],
)
RIGHT = [[ToolCall(name=call.function, arguments=call.arguments) for call in turn] for turn in GOLD]

# (label, the model's calls per turn and step, per turn: (state equal, missing results))
REPLAYS: list[tuple[str, list[list[list[ToolCall]]], list[tuple[bool, int]]]] = [
    ("right calls", [[RIGHT[0]], [RIGHT[1]]], [(True, 0), (True, 0)]),
    (
        "right calls one per step",
        [[[call] for call in RIGHT[0]], [[call] for call in RIGHT[1]]],
        [(True, 0), (True, 0)],
    ),
    # turn 1: `cd temp` fails, but the grep finds the file where it stayed, with the right result
    ("mkdir and mv left out", [[RIGHT[0][:1]], [RIGHT[1]]], [(False, 2), (False, 1)]),
    ("second turn never asked", [[RIGHT[0]]], [(True, 0), (True, 2)]),
    ("tool offered only later", [[[*RIGHT[0], RIGHT[1][1]]], [RIGHT[1]]], [(True, 0), (True, 0)]),
    ("extra listing", [[[*RIGHT[0], ToolCall(name="ls", arguments={})]], [RIGHT[1]]], [(True, 0), (True, 0)]),
]


@pytest.mark.parametrize(("label", "model_turns", "facts"), REPLAYS, ids=[row[0] for row in REPLAYS])
def test_replay_turns(
    sandbox: Sandbox, label: str, model_turns: list[list[list[ToolCall]]], facts: list[tuple[bool, int]]
) -> None:
    found = replay_turns(sandbox, EPISODE, SUITE_TOOLS, model_turns)
    assert [(turn.state_equal, len(turn.missing_results)) for turn in found] == facts


MATH_SUITE_TOOLS = {
    name: Tool(name=name, description=name, parameters={"type": "object", "properties": {}}, environment=MATH.name)
    for name in MATH_TOOLS
}
BOMB = ToolCall(name="power", arguments={"base": 10, "exponent": 10**9})
POWER = ToolCall(name="power", arguments={"base": 2, "exponent": 10})
MATH_EPISODE = Episode(
    id="math_bomb",
    environment=[MATH],
    tools=list(MATH_TOOLS),
    turns=[
        Turn(
            kind=TurnKind.ACT,
            messages=[Message(role="user", content="bomb")],
            expected=[GoldCall(function=name, arguments=arguments)],
        )
        for name, arguments in ((BOMB.name, BOMB.arguments), (POWER.name, POWER.arguments))
    ],
)

# (label, episode, suite tools, the model's calls per turn and step)
BATCHES: list[tuple[str, Episode, dict[str, Tool], list[list[list[ToolCall]]]]] = [
    *((label, EPISODE, SUITE_TOOLS, model_turns) for label, model_turns, _ in REPLAYS),
    (
        "hostile and refused calls",
        EPISODE,
        SUITE_TOOLS,
        [
            [[ToolCall(name="__class__", arguments={}), ToolCall(name="touch", arguments={"file_name": "x"})]],
            [[ToolCall(name="ls", arguments=deep(MAX_ARGUMENT_DEPTH + 1)), *RIGHT[1]]],
        ],
    ),
    ("compute bomb in the model's calls", MATH_EPISODE, MATH_SUITE_TOOLS, [[[POWER, BOMB]], [[POWER]]]),
    ("compute bomb in the right calls only", MATH_EPISODE, MATH_SUITE_TOOLS, [[[POWER]], [[POWER]]]),
]


@pytest.mark.parametrize(("label", "episode", "tools", "model_turns"), BATCHES, ids=[row[0] for row in BATCHES])
def test_the_batched_replay_gives_the_call_by_call_facts(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    label: str,
    episode: Episode,
    tools: dict[str, Tool],
    model_turns: list[list[list[ToolCall]]],
) -> None:
    batched = replay_turns(sandbox, episode, tools, model_turns)
    with monkeypatch.context() as patch:
        patch.setattr(Sandbox, "replay", lambda *args, **kwargs: None)
        one_by_one = replay_turns(sandbox, episode, tools, model_turns)
    assert batched == one_by_one
    if episode is MATH_EPISODE:
        # each bomb ended as that call's time-limit error (the model's bomb gives the right result so), and the
        # next turn still ran
        timed_out = [f"{ERROR_PREFIX}the call ran past its time limit of 1 s"]
        assert batched[0].missing_results == ([] if "model" in label else timed_out)
        assert batched[1].missing_results == []


def test_a_batch_past_its_limit_leaves_the_namespaces_as_before(sandbox: Sandbox) -> None:
    sandbox.open("batch-model", [MATH], {})
    sandbox.open("batch-gold", [MATH], MATH_TOOLS)
    try:
        bomb = [(BOMB.name, BOMB.arguments)]
        plan = [TurnPlan(tools=MATH_TOOLS, model_calls=bomb, gold_calls=[])]
        assert sandbox.replay("batch-model", "batch-gold", plan, shown_chars=300) is None
        assert sandbox.call("batch-model", "power", {"base": 2, "exponent": 3}).error  # its tools were not declared
    finally:
        sandbox.close("batch-model")
        sandbox.close("batch-gold")


def test_calls_of_a_batch_survive_a_restart(sandbox: Sandbox) -> None:
    sandbox.open("kept-model", [GFS_STATE], {})
    sandbox.open("kept-gold", [GFS_STATE], GFS_TOOLS)
    sandbox.open("kept-math", [MATH], MATH_TOOLS)
    try:
        calls = [(name, arguments) for name, arguments, _ in TURN_0]
        plan = [TurnPlan(tools=GFS_TOOLS, model_calls=[*calls, ("nope", {})], gold_calls=calls)]
        replayed = sandbox.replay("kept-model", "kept-gold", plan, shown_chars=300)
        assert replayed is not None and replayed[0].comparison.equal and replayed[0].missing_results == []
        before = sandbox.state("kept-model")
        assert sandbox.call("kept-math", BOMB.name, BOMB.arguments).error  # the worker is killed and restarted
        assert sandbox.state("kept-model") == before == sandbox.state("kept-gold")
        assert sandbox.call("kept-model", "pwd", {}).result == '{"current_working_directory": "/workspace/document"}'
    finally:
        for namespace in ("kept-model", "kept-gold", "kept-math"):
            sandbox.close(namespace)


def test_namespaces_share_code_but_not_modules() -> None:
    worker = Worker()
    for namespace in ("a", "b"):
        worker.handle({"op": "open", "namespace": namespace, "environments": [vars(GFS_STATE)], "long_context": False})
    a, b = (type(worker.namespaces[n].instances[GFS]) for n in ("a", "b"))
    assert a is not b and sys.modules.get(a.__module__) is None
    assert worker.namespaces["a"].modules[a.__module__] is not worker.namespaces["b"].modules[b.__module__]
    assert a.cd.__code__ is b.cd.__code__


FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}


def test_no_module_of_the_harness_evaluates_text() -> None:
    found = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            if isinstance(function, ast.Name) and function.id in FORBIDDEN_CALLS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {function.id}")
            if isinstance(function, ast.Attribute) and function.attr in FORBIDDEN_CALLS:
                owner = function.value
                if isinstance(owner, ast.Name) and owner.id == "builtins":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} builtins.{function.attr}")
    assert found == []
