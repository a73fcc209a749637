"""Checking produced calls against expected calls: one call, then a set of parallel calls.

Parallel calls may come in any order. They are paired with the expected calls by an optimal assignment (not
greedily): a greedy pass can pair a call with the wrong twin and report a failure where a correct pairing exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from scipy.optimize import linear_sum_assignment

from harness.scoring.values import is_accepted
from harness.types import Case, ErrorKind, ExpectedCall, Suite, ToolCall


def compile_validator(schema: Mapping[str, object]) -> Validator:
    """A validator for one tool's parameters; `format` (date, email, ...) is enforced."""
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass(frozen=True)
class ToolValidators:
    """Argument validators of a suite's tools, compiled once per suite (compiling dominates per-call cost)."""

    by_key: Mapping[str, tuple[str, Validator]]
    """Tool key → (function name, validator)."""

    @classmethod
    def for_suite(cls, suite: Suite) -> ToolValidators:
        return cls({tool.key: (tool.name, compile_validator(tool.parameters)) for tool in suite.tools})

    def for_case(self, case: Case) -> dict[str, Validator]:
        """Function name → validator for the tools a case offers (names are unique within a case)."""
        return dict(self.by_key[key] for key in case.tools)


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
        error = best_match(validator.iter_errors(call.arguments))
        where = ".".join(str(p) for p in error.absolute_path) or "arguments"
        return CallError(ErrorKind.SCHEMA_VIOLATION, f"{call.name}: {where}: {error.message}")
    for name, value in call.arguments.items():
        if not is_accepted(value, specs[name].accepted):
            return CallError(ErrorKind.WRONG_VALUE, f"{call.name}: {name}={value!r} not in {specs[name].accepted!r}")
    return None


_COST_RIGHT, _COST_WRONG_ARGS, _COST_WRONG_FUNCTION = 0, 1, 2


def match_calls(
    calls: Sequence[ToolCall], expected: Sequence[ExpectedCall], validators: Mapping[str, Validator]
) -> list[CallError]:
    """Errors of the best pairing of equally many produced and expected calls; empty when all match."""
    if len(calls) == 1:
        error = check_call(calls[0], expected[0], validators)
        return [] if error is None else [error]
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
