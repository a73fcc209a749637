"""What a call to an environment is and what it gives back, and the check its arguments pass before they are
sent: the shapes the sandbox's callers (the episode runner, the replay that scores turns) share with it, apart
from the process that runs the calls (`sandbox`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.types.base import JsonValue

MAX_ARGUMENT_DEPTH = 32
"""Arguments nested deeper are refused before they are sent: no tool needs them, and decoding them costs."""
MAX_ARGUMENT_BYTES = 256 * 1024
"""Arguments longer than this as JSON are refused before they are sent."""


@dataclass(frozen=True)
class Limits:
    """What one call may use."""

    time_s: float = 5.0
    """Wall-clock time of a call; past it the worker is killed and restarted."""
    memory_mb: int = 1024
    """Address space the worker may grow by beyond what it holds at start."""
    sent_chars: int = 4000
    """What is sent back to the model is cut to this; the full result is logged."""


@dataclass(frozen=True)
class CallOutcome:
    """What one call did."""

    result: str
    """The full result text (BFCL's convention), or `Error during execution: ...`."""
    error: bool
    """Refused, raised, timed out or out of memory."""
    sent: str
    """The result cut to `Limits.sent_chars`, with a note saying how much was cut."""
    elapsed_s: float
    """Time the call took."""


@dataclass(frozen=True)
class StateComparison:
    """Whether two namespaces' environments hold the same public state."""

    equal: bool
    """True when no public attribute differs."""
    differences: list[str]
    """`Class.attr: model X != expected Y`, each value cut to a few hundred characters."""


@dataclass(frozen=True)
class TurnPlan:
    """One turn of a trajectory for `Sandbox.replay`."""

    tools: Mapping[str, str]
    """Tools offered to the model from this turn on (tool name -> environment name), declared before its calls."""
    model_calls: Sequence[tuple[str, Mapping[str, JsonValue]]]
    """The model's calls of the turn, (name, arguments), in order."""
    gold_calls: Sequence[tuple[str, Mapping[str, JsonValue]]]
    """The right calls of the turn, in order."""


@dataclass(frozen=True)
class ReplayedTurn:
    """What one turn of `Sandbox.replay` showed."""

    comparison: StateComparison
    """The model's namespace against the gold one after the turn."""
    missing_results: list[str]
    """The gold results of the turn the model's results so far lack (a multiset check), each cut."""


def argument_problem(arguments: object) -> str | None:
    """Why arguments are refused before they are sent (not an object, nested too deep, not JSON, too long), or
    None. The depth is measured without recursion, so a hostile nesting cannot exhaust the stack."""
    if not isinstance(arguments, Mapping):
        return "the arguments are not a JSON object"
    pending: list[tuple[object, int]] = [(arguments, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, Mapping):
            children: Iterable[object] = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > MAX_ARGUMENT_DEPTH:
            return f"the arguments nest deeper than {MAX_ARGUMENT_DEPTH} levels"
        pending.extend((child, depth + 1) for child in children)
    try:
        size = len(json.dumps(arguments).encode())
    except (TypeError, ValueError) as error:
        return f"the arguments are not JSON: {error}"
    if size > MAX_ARGUMENT_BYTES:
        return f"the arguments are {size} bytes of JSON, more than the {MAX_ARGUMENT_BYTES} allowed"
    return None
