"""Checking produced calls against expected calls: one call, then a set of parallel calls.

Parallel calls may come in any order. They are paired with the expected calls by an optimal assignment (not
greedily): a greedy pass can pair a call with the wrong twin and report a failure where a correct pairing exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import jsonschema_rs
from scipy.optimize import linear_sum_assignment

from harness.scoring.values import is_accepted
from harness.types import Case, ErrorKind, ExpectedCall, Suite, ToolCall

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
class ToolValidators:
    """Argument validators of a suite's tools, compiled once per suite (compiling dominates per-call cost)."""

    by_key: Mapping[str, tuple[str, Validator]]
    """Tool key → (function name, validator)."""
    _by_offer: dict[tuple[str, ...], dict[str, Validator]] = field(default_factory=dict)

    @classmethod
    def for_suite(cls, suite: Suite) -> ToolValidators:
        return cls({tool.key: (tool.name, compile_validator(tool.parameters)) for tool in suite.tools})

    def for_case(self, case: Case) -> dict[str, Validator]:
        """Function name → validator for the tools a case offers (names are unique within a case)."""
        offer = tuple(case.tools)
        found = self._by_offer.get(offer)
        if found is None:
            found = self._by_offer[offer] = dict(self.by_key[key] for key in offer)
        return found


@dataclass(frozen=True)
class CallError:
    """Why one produced call does not satisfy one expected call."""

    kind: ErrorKind
    detail: str


def check_call(call: ToolCall, expected: ExpectedCall, validators: Mapping[str, Validator]) -> CallError | None:
    """None when `call` satisfies `expected`; otherwise the first problem, most specific first."""
    if call.name != expected.function:
        return CallError(ErrorKind.WRONG_FUNCTION, f"called {call.name!r}, expected {expected.function!r}")
    specs = expected.arguments
    missing = [name for name, spec in specs.items() if not spec.optional and name not in call.arguments]
    if missing:
        return CallError(ErrorKind.MISSING_REQUIRED, f"{call.name}: missing {', '.join(missing)}")
    unexpected = [name for name in call.arguments if name not in specs]
    if unexpected:
        return CallError(ErrorKind.UNEXPECTED_ARGUMENT, f"{call.name}: unexpected {', '.join(unexpected)}")
    validator = validators[call.name]
    if not validator.is_valid(call.arguments):
        return CallError(ErrorKind.SCHEMA_VIOLATION, f"{call.name}: {first_error(validator, call.arguments)}")
    for name, value in call.arguments.items():
        if not is_accepted(value, specs[name].accepted):
            return CallError(ErrorKind.WRONG_VALUE, f"{call.name}: {name}={value!r} not in {specs[name].accepted!r}")
    return None


_COST_RIGHT, _COST_WRONG_ARGS, _COST_WRONG_FUNCTION = 0, 1, 2


def _pairs_perfectly(
    calls: Sequence[ToolCall], expected: Sequence[ExpectedCall], validators: Mapping[str, Validator]
) -> bool:
    """Cheap first try: pair each expected call with the first unused call that satisfies it. When that pairs
    everything it is optimal (zero cost); when it does not, the full assignment decides, so greed never decides
    a failure. Calls are tracked by position: two calls can be equal as values (5 == 5.0) and only one of them
    right, and `list.remove` would drop the first equal one."""
    unused = list(range(len(calls)))
    for want in expected:
        found = next((i for i in unused if check_call(calls[i], want, validators) is None), None)
        if found is None:
            return False
        unused.remove(found)
    return True


def match_calls(
    calls: Sequence[ToolCall], expected: Sequence[ExpectedCall], validators: Mapping[str, Validator]
) -> list[CallError]:
    """Errors of the best pairing of equally many produced and expected calls; empty when all match."""
    if len(calls) == 1:
        error = check_call(calls[0], expected[0], validators)
        return [] if error is None else [error]
    if _pairs_perfectly(calls, expected, validators):
        return []
    errors = [[check_call(c, e, validators) for c in calls] for e in expected]
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
