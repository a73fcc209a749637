"""Value comparison under `schema` semantics, between what a model passed and what a case accepts.

Normalisation follows the Berkeley Function Calling Leaderboard's AST checker so that scores on its data mean
the same thing here: strings are lower-cased, the characters ` ,./-_*^` are removed and `'` is read as `"`
("New York" == "new-york" == "NewYork"); an integer is accepted where a number is expected, but a boolean is never
a number; arrays compare element by element in order; objects compare key by key with the same rules. There is no
numeric tolerance: 3.14 is not 3.1416.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.types import ErrorKind

_STRIPPED = str.maketrans("", "", " ,./-_*^")


def normalise_string(text: str) -> str:
    """The BFCL string normal form."""
    return text.lower().replace("'", '"').translate(_STRIPPED)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def values_equal(produced: Any, accepted: Any) -> bool:
    """True when `produced` counts as the accepted value."""
    if isinstance(accepted, str):
        return isinstance(produced, str) and normalise_string(produced) == normalise_string(accepted)
    if isinstance(accepted, bool) or isinstance(produced, bool):
        return type(produced) is type(accepted) and produced == accepted
    if _is_number(accepted):
        return _is_number(produced) and produced == accepted
    if isinstance(accepted, list):
        return (
            isinstance(produced, list)
            and len(produced) == len(accepted)
            and all(values_equal(p, a) for p, a in zip(produced, accepted, strict=True))
        )
    if isinstance(accepted, dict):
        return (
            isinstance(produced, dict)
            and produced.keys() == accepted.keys()
            and all(values_equal(produced[k], accepted[k]) for k in accepted)
        )
    return produced is None and accepted is None


ValueCheck = Callable[[Any], tuple[ErrorKind, str] | None]
"""One argument's check: None when the value is right, else the error kind and why."""


def accept_any(value: Any) -> None:
    """The check of an argument that accepts any value its schema allows."""
    return None


def schema_value_check(accepted: list[Any] | None) -> ValueCheck:
    """The `schema` check of one argument against its accepted values (the validator has checked its type):
    `None` accepts anything. Accepted strings are standardised once, here, rather than at every comparison."""
    if accepted is None:
        return accept_any
    strings = frozenset(normalise_string(a) for a in accepted if isinstance(a, str))
    others = [a for a in accepted if not isinstance(a, str)]

    def check(value: Any) -> tuple[ErrorKind, str] | None:
        if isinstance(value, str):
            if normalise_string(value) in strings:
                return None
        elif any(values_equal(value, a) for a in others):
            return None
        return ErrorKind.WRONG_VALUE, f"not in {accepted!r}"

    return check
