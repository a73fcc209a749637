"""Value comparison between what a model passed and what a case accepts.

Normalisation follows the Berkeley Function Calling Leaderboard's AST checker so that scores on its data mean
the same thing here: strings are lower-cased, the characters ` ,./-_*^` are removed and `'` is read as `"`
("New York" == "new-york" == "NewYork"); an integer is accepted where a number is expected, but a boolean is never
a number; arrays compare element by element in order; objects compare key by key with the same rules. There is no
numeric tolerance: 3.14 is not 3.1416.
"""

from __future__ import annotations

from typing import Any

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


def is_accepted(produced: Any, accepted: list[Any] | None) -> bool:
    """True when `produced` equals one accepted value; `None` accepts anything (the schema already checked it)."""
    return accepted is None or any(values_equal(produced, value) for value in accepted)
