"""Argument checks under `bfcl` semantics: the rules of the Berkeley Function Calling Leaderboard's AST checker
(`bfcl_eval/eval_checker/ast_eval/ast_checker.py`, bfcl-eval 2026.3.23), restated on our suite types.

BFCL judges Python values by their Python type, not by JSON Schema: 5.0 is not an integer, True is not an integer,
an int passes for a float, and neither enums nor formats are checked. Its ground truths sometimes break their own
schema (a bool for a string parameter); its checker then takes the type of the first accepted value as a second
allowed type and compares such a value raw (its "variable" rule), and so do we. Every rule is listed, with the one
place where we depart from the checker on purpose, in docs/suite-format.md; `benchmarks/bfcl_agreement.py` shows
the agreement with BFCL's own checker on mutated ground truths.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.scoring.values import ValueCheck, normalise_string
from harness.types import ArgumentSpec, ErrorKind

_PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}
"""JSON Schema type → the Python type BFCL's checker demands (its `PYTHON_TYPE_MAPPING` on BFCL's type names)."""


@dataclass(frozen=True)
class BfclParameter:
    """What BFCL's checker reads from one parameter's schema: its Python type and, for an array, its items'."""

    python_type: type
    """The exact type a value must have; a parameter of any other schema is BFCL's `any`, which it reads as str."""
    item_type: type | None
    """For an array whose `items` has a schema: the type every element must have (one level deep, as BFCL)."""

    @classmethod
    def of(cls, schema: Any) -> BfclParameter:
        items = schema.get("items") if isinstance(schema, dict) else None
        return cls(_python_type(schema), _python_type(items) if isinstance(items, dict) else None)


def _python_type(schema: Any) -> type:
    declared = schema.get("type") if isinstance(schema, dict) else None
    return _PYTHON_TYPES.get(declared, str) if isinstance(declared, str) else str


def parameters_of(schema: Mapping[str, Any]) -> dict[str, BfclParameter]:
    """Each property of a tool's parameters schema as BFCL's checker reads it."""
    properties = schema.get("properties", {})
    return {name: BfclParameter.of(sub) for name, sub in properties.items()} if isinstance(properties, dict) else {}


def bfcl_value_check(spec: ArgumentSpec, parameter: BfclParameter) -> ValueCheck:
    """BFCL's checker on one argument: its type rule, then its value comparison. Compiled once per expected call:
    the accepted strings are standardised here, not at every comparison."""
    expected, item_type, accepted, optional = parameter.python_type, parameter.item_type, spec.accepted, spec.optional
    answers = accepted or []
    answer_type = type(answers[0]) if answers else None
    variable_when_expected = answer_type is not None and answer_type is not expected
    type_error = (ErrorKind.SCHEMA_VIOLATION, f"is not {expected.__name__} (BFCL's type rule)")
    matches = _any_value if accepted is None else _value_comparison(accepted, optional, parameter)

    def check(value: Any) -> tuple[ErrorKind, str] | None:
        if expected is float and type(value) is int:
            value = float(value)
        if type(value) is expected:
            if item_type is not None and not _items_fit(value, spec, item_type):
                return ErrorKind.SCHEMA_VIOLATION, f"has elements that are not {item_type.__name__} (BFCL's type rule)"
            variable = variable_when_expected
        elif type(value) is answer_type:
            variable = True
        else:
            return type_error
        if value in answers or (optional and value == "") if variable else matches(value):
            return None  # a "variable" compares raw, BFCL's optional marker "" among the values
        return ErrorKind.WRONG_VALUE, f"not in {accepted!r}"

    return check


def _items_fit(value: list[Any], spec: ArgumentSpec, item_type: type) -> bool:
    """BFCL's one-level check of array elements: each element has the items' type or the type of the first
    element of an accepted array. BFCL tries the accepted values in order and stops at the first that is not an
    array, and its optional marker `""` is one, so an optional argument's elements are never checked."""
    if spec.accepted is None:
        return all(type(element) is item_type for element in value)
    if spec.optional:
        return True
    for answer in spec.accepted:
        if not isinstance(answer, list):
            return True
        first = next((type(a) for a in answer if a != ""), None)
        if all(type(e) is item_type or type(e) is first for e in value):
            return True
    return False


Match = Callable[[Any], bool]
"""Whether a value of the parameter's own type is one of the accepted values."""


def _any_value(value: Any) -> bool:
    return True


def _value_comparison(accepted: list[Any], optional: bool, parameter: BfclParameter) -> Match:
    """Whether a value of the parameter's own type is one of the accepted values, as BFCL's checker decides.

    Strings are standardised (`normalise_string`) at the top level, as array elements and as object values, and
    nowhere deeper; everything else compares with Python's `==` (so 1 == 1.0 == True). BFCL's optional marker
    `""` is itself an accepted value: an empty string (after standardisation) or an empty array passes for an
    optional argument.
    """
    expected = parameter.python_type
    if expected is str:
        strings = frozenset(normalise_string(a) for a in accepted if isinstance(a, str)) | ({""} if optional else set())
        return lambda value: normalise_string(value) in strings
    if expected is dict:
        return lambda value: any(_dict_equal(value, a) for a in accepted)
    if expected is list and parameter.item_type is dict:
        return lambda value: (optional and not value) or any(_dicts_equal(value, a) for a in accepted)
    if expected is list:
        lists = [_standardised(a) for a in accepted if isinstance(a, list)] + ([[]] if optional else [])
        return lambda value: _standardised(value) in lists
    return lambda value: value in accepted


def _standardised(values: Sequence[Any]) -> list[Any]:
    return [normalise_string(v) if isinstance(v, str) else v for v in values]


def _flat_equal(produced: Any, answer: Any) -> bool:
    if isinstance(produced, str) and isinstance(answer, str):
        return normalise_string(produced) == normalise_string(answer)
    return bool(produced == answer)


def _dict_equal(produced: Any, answer: Any) -> bool:
    """One object against one accepted object: the same keys, each value standardised if a string, else `==`."""
    return (
        isinstance(produced, dict)
        and isinstance(answer, dict)
        and produced.keys() == answer.keys()
        and all(_flat_equal(produced[key], answer[key]) for key in answer)
    )


def _dicts_equal(produced: list[Any], answer: Any) -> bool:
    """An array of objects against one accepted array of them, object by object in order."""
    return (
        isinstance(answer, list)
        and len(answer) == len(produced)
        and all(_dict_equal(p, a) for p, a in zip(produced, answer, strict=True))
    )
