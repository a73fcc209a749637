"""Checking produced calls against expected calls: one call, then a set of parallel calls, under the suite's
scoring semantics (`schema` or `bfcl`, see docs/suite-format.md).

Parallel calls may come in any order. They are paired with the expected calls by an optimal assignment (not
greedily), under both semantics: a greedy pass can pair a call with the wrong twin and report a failure where a
correct pairing exists. BFCL's checker pairs greedily; that is a documented departure from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jsonschema_rs
from scipy.optimize import linear_sum_assignment

from harness.scoring.bfcl_rules import BfclParameter, bfcl_value_check, parameters_of
from harness.scoring.values import ValueCheck, schema_value_check
from harness.types import Case, ErrorKind, ExpectedCall, Semantics, Suite, Tool, ToolCall

Validator = jsonschema_rs.Validator


def compile_validator(schema: Mapping[str, object]) -> Validator:
    """A compiled validator for one tool's parameters (JSON Schema 2020-12, `format` such as date or email
    enforced). jsonschema-rs rather than the pure-Python jsonschema: validating a call is the scorer's hot path
    and costs about 0.5 µs here against 30 µs or more (see `make perf-score`). Raises ValueError on a schema
    that is not valid JSON Schema."""
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def first_error(validator: Validator, instance: object) -> str | None:
    """The first validation error as `path: message`, or None when the instance is valid."""
    for error in validator.iter_errors(instance):
        where = ".".join(str(part) for part in error.instance_path) or "arguments"
        return f"{where}: {error.message}"
    return None


@dataclass(frozen=True)
class CallError:
    """Why one produced call does not satisfy one expected call."""

    kind: ErrorKind
    detail: str


@dataclass(frozen=True)
class ExpectedRules:
    """One expected call compiled under one semantics: what a produced call must satisfy, in the order checked."""

    function: str
    """The function to call."""
    needed: tuple[str, ...]
    """Arguments a call must pass: the expected call's non-optional ones, and under `bfcl` the schema's `required`
    (BFCL's checker reads it from the tool, even where the answer marks the argument optional)."""
    allowed: frozenset[str]
    """Arguments a call may pass: those the expected call lists, and under `bfcl` only those the tool declares."""
    whole: Validator | None
    """`schema`: the tool's validator, run on the whole arguments object before any value is compared."""
    values: Mapping[str, ValueCheck]
    """Each allowed argument's own check."""


@dataclass(frozen=True)
class ToolRules:
    """One tool under one scoring semantics, compiled once per suite (compiling dominates per-call cost)."""

    tool: Tool
    semantics: Semantics
    validator: Validator | None
    """`schema`: the compiled JSON Schema validator of the tool's parameters."""
    parameters: Mapping[str, BfclParameter]
    """`bfcl`: each declared parameter as BFCL's checker reads it."""

    @classmethod
    def compile(cls, tool: Tool, semantics: Semantics) -> ToolRules:
        if semantics is Semantics.BFCL:
            return cls(tool, semantics, None, parameters_of(tool.parameters))
        return cls(tool, semantics, compile_validator(tool.parameters), {})

    def expect(self, expected: ExpectedCall) -> ExpectedRules:
        """The rules of one expected call of this tool (accepted strings standardised once, here)."""
        specs = expected.arguments
        needed = [name for name, spec in specs.items() if not spec.optional]
        if self.semantics is Semantics.SCHEMA:
            values = {name: schema_value_check(spec.accepted) for name, spec in specs.items()}
            return ExpectedRules(expected.function, tuple(needed), frozenset(specs), self.validator, values)
        required = self.tool.parameters.get("required", [])
        needed += [name for name in (required if isinstance(required, list) else []) if name not in needed]
        values = {n: bfcl_value_check(spec, self.parameters[n]) for n, spec in specs.items() if n in self.parameters}
        return ExpectedRules(expected.function, tuple(needed), frozenset(values), None, values)


@dataclass(frozen=True)
class ToolValidators:
    """The rules of a suite's tools under one semantics, compiled once per suite; each case's expected calls are
    compiled on first use and kept."""

    by_key: Mapping[str, tuple[str, ToolRules]]
    """Tool key → (function name, its rules)."""
    semantics: Semantics
    """The semantics they judge by."""
    _by_case: dict[int, tuple[Case, list[ExpectedRules]]] = field(default_factory=dict)
    """id(case) → the case (held, so that its id stays its own) and its compiled expected calls."""

    @classmethod
    def for_suite(cls, suite: Suite, semantics: Semantics | None = None) -> ToolValidators:
        """The suite's tools under `semantics`, by default the suite's own."""
        chosen = semantics or suite.semantics
        return cls({tool.key: (tool.name, ToolRules.compile(tool, chosen)) for tool in suite.tools}, chosen)

    def expected(self, case: Case) -> list[ExpectedRules]:
        """The case's expected calls, compiled against the tools it offers (names are unique within a case)."""
        found = self._by_case.get(id(case))
        if found is None:
            tools = dict(self.by_key[key] for key in case.tools)
            found = self._by_case[id(case)] = (case, [tools[call.function].expect(call) for call in case.expected])
        return found[1]


def check_call(call: ToolCall, rules: ExpectedRules) -> CallError | None:
    """None when `call` satisfies the expected call; otherwise the first problem, most specific first."""
    if call.name != rules.function:
        return CallError(ErrorKind.WRONG_FUNCTION, f"called {call.name!r}, expected {rules.function!r}")
    arguments = call.arguments
    missing = [name for name in rules.needed if name not in arguments]
    if missing:
        return CallError(ErrorKind.MISSING_REQUIRED, f"{call.name}: missing {', '.join(missing)}")
    if not rules.allowed.issuperset(arguments):
        unexpected = ", ".join(name for name in arguments if name not in rules.allowed)
        return CallError(ErrorKind.UNEXPECTED_ARGUMENT, f"{call.name}: unexpected {unexpected}")
    if rules.whole is not None and not rules.whole.is_valid(arguments):
        return CallError(ErrorKind.SCHEMA_VIOLATION, f"{call.name}: {first_error(rules.whole, arguments)}")
    values = rules.values
    for name, value in arguments.items():
        problem = values[name](value)
        if problem is not None:
            return CallError(problem[0], f"{call.name}: {name}={value!r} {problem[1]}")
    return None


_COST_RIGHT, _COST_WRONG_ARGS, _COST_WRONG_FUNCTION = 0, 1, 2


def pairs_greedily(calls: Sequence[ToolCall], expected: Sequence[ExpectedRules]) -> bool:
    """Pair each expected call, in order, with the first unused call that satisfies it: BFCL's own pairing, and
    our cheap first try. When it pairs everything the pairing is optimal (zero cost); when it does not, the full
    assignment decides, so greed never decides a failure here (it does in BFCL's checker). Calls are tracked by
    position: two calls can be equal as values (5 == 5.0) and only one of them right."""
    unused = list(range(len(calls)))
    for want in expected:
        found = next((i for i in unused if check_call(calls[i], want) is None), None)
        if found is None:
            return False
        unused.remove(found)
    return True


def match_calls(calls: Sequence[ToolCall], expected: Sequence[ExpectedRules]) -> list[CallError]:
    """Errors of the best pairing of equally many produced and expected calls; empty when all match."""
    if len(calls) == 1:
        error = check_call(calls[0], expected[0])
        return [] if error is None else [error]
    if pairs_greedily(calls, expected):
        return []
    errors = [[check_call(c, e) for c in calls] for e in expected]
    cost = [
        [
            _COST_RIGHT
            if err is None
            else _COST_WRONG_FUNCTION
            if err.kind is ErrorKind.WRONG_FUNCTION
            else _COST_WRONG_ARGS
            for err in row
        ]
        for row in errors
    ]
    rows, cols = linear_sum_assignment(cost)
    return [err for r, c in zip(rows, cols, strict=True) if (err := errors[r][c]) is not None]
