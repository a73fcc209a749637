"""How a call's result becomes text, shared by the worker that runs calls and the sandbox that reports them: BFCL's
convention, because its response check compares these strings."""

from __future__ import annotations

import json
from collections.abc import Sequence

ERROR_PREFIX = "Error during execution: "
"""How BFCL writes a failed call's result; refusals use it too, so the model reads every failure alike."""


def result_text(value: object) -> str:
    """A result as BFCL writes it: a str as is, a dict as JSON (its `str()` when it is not JSON), anything else
    its `str()` (exact types, as BFCL tests `type(x) == str`)."""
    if type(value) is str:
        return value
    if type(value) is dict:
        try:
            return json.dumps(value)
        except Exception:
            return str(value)
    return str(value)


def cut(text: str, limit: int) -> str:
    """A result as sent to the model: at most `limit` characters of it, and a note of how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[... {len(text) - limit} more characters cut]"


def missing_results(expected: Sequence[str], produced: Sequence[str], shown_chars: int) -> list[str]:
    """The expected results not in the produced ones, as a multiset (each produced result matches once), in the
    expected order, each cut to `shown_chars`: BFCL's `_is_subsequence_unordered`."""
    remaining = list(produced)
    missing: list[str] = []
    for result in expected:
        if result in remaining:
            remaining.remove(result)
        else:
            missing.append(cut(result, shown_chars))
    return missing
