"""How users ask for each pool tool, and what an assistant says when no tool fits.

The words themselves are data, in `phrasings.json` beside this module: tool name → its phrasing. Requests name
every required parameter as `{parameter}`; a clause names one optional parameter and is added only when the call
passes it, so the text always states every argument. Registers vary on purpose (terse, casual, polite, formal,
with a reason first) and so does the order of values: the adapter must learn to read values out of any phrasing,
not one sentence shape. None of these sentences may equal a suite's prompt (tests check).
"""

from __future__ import annotations

from importlib.resources import files

from pydantic import Field, TypeAdapter

from harness.types import Frozen


class Phrasing(Frozen):
    """The words for one tool."""

    requests: tuple[str, ...]
    """Whole requests; each names exactly the required parameters."""
    clauses: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Optional parameter → fragments (lower case, no final stop) that state it."""
    flags: dict[str, tuple[str, str]] = Field(default_factory=dict)
    """Boolean parameter path → (text when true, text when false), used wherever `{parameter}` appears."""
    formats: dict[str, str] = Field(default_factory=dict)
    """Object parameter path (an array's name for its items) → how one value reads, from its fields."""
    near_misses: tuple[str, ...] = ()
    """Requests in the tool's domain that it cannot do: the right answer calls nothing."""


PHRASINGS: dict[str, Phrasing] = TypeAdapter(dict[str, Phrasing]).validate_json(
    files("harness.training_data").joinpath("phrasings.json").read_bytes()
)
