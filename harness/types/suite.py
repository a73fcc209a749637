"""A suite file: tools as JSON Schema and cases with the calls a correct answer makes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from harness.types.base import SUITE_VERSION, Frozen, JsonValue


class CaseKind(StrEnum):
    """What a case tests; behaviour is keyed on this field, never on names or ids."""

    SIMPLE = "simple"
    MULTIPLE = "multiple"
    PARALLEL = "parallel"
    PARALLEL_MULTIPLE = "parallel_multiple"
    IRRELEVANCE = "irrelevance"
    MISSING_INFO = "missing_info"
    """A tool fits, but the user left out a value one of its required arguments needs: the right answer is a
    question back, and a call has to make the value up."""

    @property
    def expects_call(self) -> bool:
        """Whether a right answer calls a tool: not on irrelevance (no tool fits) nor on missing_info cases, so
        metrics and rules about calls (argument accuracy, beating the base) leave both out."""
        return self not in (CaseKind.IRRELEVANCE, CaseKind.MISSING_INFO)


class Semantics(StrEnum):
    """How a call is judged against a case's expected calls (every rule is listed in docs/suite-format.md)."""

    SCHEMA = "schema"
    """JSON Schema (draft 2020-12) validation against the tool, then a match against the accepted values."""
    BFCL = "bfcl"
    """The rules of the Berkeley Function Calling Leaderboard's AST checker, so that scores on its data mean what
    the leaderboard means: Python types (5.0 is not an integer, an int is a float), no enum or format check."""


class Message(Frozen):
    """One chat turn of a case's conversation."""

    role: Literal["system", "user", "assistant", "tool"]
    """Who speaks: the usual OpenAI chat roles."""
    content: str
    """The text of the turn."""


class Tool(Frozen):
    """A function the model may call, described the way OpenAI-style tool APIs describe it."""

    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
    """Function name the model sees and must produce."""
    id: str | None = Field(default=None, min_length=1)
    """Key that cases use to offer this tool, unique within the suite; defaults to the name. Needed only when a
    suite holds different tools of the same name (external data gives each case its own definitions)."""
    description: str
    """What the function does, shown to the model."""
    parameters: dict[str, JsonValue]
    """A JSON Schema with `"type": "object"` describing the arguments; checked against the metaschema."""

    @property
    def key(self) -> str:
        """The key cases refer to this tool by."""
        return self.id or self.name


class ArgumentSpec(Frozen):
    """What a correct call may pass for one argument."""

    accepted: list[JsonValue] | None = None
    """Values that count as correct (compared after the normalisation in `harness.scoring.values`); omitted
    means any value that satisfies the tool's schema."""
    optional: bool = False
    """True when the call is also correct without this argument."""


class ExpectedCall(Frozen):
    """One call a correct answer contains."""

    function: str = Field(min_length=1)
    """Name of the function to call; must be the name of one of the case's tools."""
    arguments: dict[str, ArgumentSpec] = Field(default_factory=dict)
    """Every argument a correct call may pass; any argument not listed here is unexpected."""


class Withheld(Frozen):
    """A required argument whose value the request leaves out, and the value a complete request would have given:
    the suite rules check that the tool requires it and that no message spells that value."""

    tool: str = Field(min_length=1)
    """Key (`id`, else `name`) of the offered tool that needs the value."""
    argument: str = Field(min_length=1)
    """The argument, required by that tool's schema."""
    value: JsonValue
    """What a complete request would have said: valid for the argument's schema, and spelt nowhere in the
    messages (the way `harness.suites.withheld` reads them). Not a boolean: a request gives one in words
    ("public" for `is_public`) that spell no value to look for."""


class Case(Frozen):
    """One prompt with the calls a correct model makes (or none)."""

    id: str = Field(min_length=1)
    """Unique within the suite; runs and reports key on it."""
    kind: CaseKind
    """What the case tests; checked for consistency with `expected`."""
    messages: list[Message] = Field(min_length=1)
    """The conversation sent to the model, ending with the user turn to answer."""
    tools: list[str]
    """Keys (`id`, else `name`) of the suite's tools offered to the model in this case."""
    expected: list[ExpectedCall]
    """The calls of a correct answer, in any order; empty means the correct answer calls no tool."""
    withheld: list[Withheld] = Field(default_factory=list)
    """What the request leaves out, on a `missing_info` case (which needs one or more); empty on every other
    kind."""


class Suite(Frozen):
    """A named set of tools and cases, stored as one JSON file."""

    version: Literal[1] = SUITE_VERSION
    """Format version of the suite file."""
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.:\-]*$")
    """Short name used in run logs and reports."""
    description: str = ""
    """What the suite measures, for humans."""
    source: str = ""
    """Where the cases come from (built-in, or the external dataset they were converted from)."""
    distribution: Literal["in", "out"] = "out"
    """`in`: a held-out split of what the adapters under test were trained for (their tools or dataset, with
    requests and calls they never saw); `out`: cases nobody trained on. Reports show the two side by side, because
    an adapter that learned its data but does not generalise scores well in distribution only."""
    semantics: Semantics = Semantics.SCHEMA
    """How calls are judged: `schema` (JSON Schema) or `bfcl` (BFCL's checker rules; `bfcl:*` suites use it).
    `--semantics` on `harness run`, `bench` and `score` overrides it for a whole run."""
    tools: list[Tool] = Field(min_length=1)
    """Every tool any case may offer."""
    cases: list[Case] = Field(min_length=1)
    """The cases, in a stable order."""
