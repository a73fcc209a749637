"""A suite file: tools as JSON Schema and cases with the calls a correct answer makes."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

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


def _without_absent(data: dict[str, JsonValue], fields: tuple[str, ...]) -> dict[str, JsonValue]:
    """A dump without the conversation fields that are unset: single-turn messages and tools dump as they did
    before conversations existed, so the suites, training rows and cache keys hashed from them keep their hashes."""
    return {key: value for key, value in data.items() if not (key in fields and value is None)}


class MessageCall(Frozen):
    """A call an assistant turn made, as the conversation carries it back to the model: with the id its result
    answers."""

    id: str = Field(min_length=1)
    """Ties the call to the `tool` message that carries its result."""
    name: str
    """Function name as the model produced it."""
    arguments: dict[str, JsonValue]
    """Arguments as the model produced them."""


class Message(Frozen):
    """One chat turn of a conversation: a user or system text, an assistant answer with the calls it made, or the
    result of one of those calls."""

    role: Literal["system", "user", "assistant", "tool"]
    """Who speaks: the usual OpenAI chat roles."""
    content: str
    """The text of the turn (for a `tool` message, the result as sent back to the model)."""
    tool_calls: list[MessageCall] | None = None
    """On an assistant turn of a conversation: the calls it made, which the following `tool` messages answer."""
    tool_call_id: str | None = None
    """On a `tool` message: the id of the call whose result it carries."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, JsonValue]:
        return _without_absent(handler(self), ("tool_calls", "tool_call_id"))

    def chat(self) -> dict[str, JsonValue]:
        """The message in the OpenAI chat shape that vLLM and `apply_chat_template` take: calls as function
        objects with JSON-text arguments, absent fields left out (a single-turn case's messages are unchanged)."""
        data: dict[str, JsonValue] = {"role": self.role, "content": self.content}
        if self.tool_calls:
            data["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                }
                for call in self.tool_calls
            ]
        if self.tool_call_id is not None:
            data["tool_call_id"] = self.tool_call_id
        return data


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
    environment: str | None = None
    """For a tool of an episode: the environment (a name in `harness.environments`) whose public method of this
    name runs a call; None for the tools of single-turn cases, which nothing executes."""

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, JsonValue]:
        return _without_absent(handler(self), ("environment",))

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


class EnvironmentState(Frozen):
    """One executable environment an episode's tools run on, and the state it starts from."""

    name: str = Field(min_length=1)
    """The environment, by its name in `harness.environments` (`calendar`, `bfcl:GorillaFileSystem`)."""
    state: dict[str, JsonValue] = Field(default_factory=dict)
    """Its initial state, as its class loads it; the suite rules check that the class accepts it."""


class GoldCall(Frozen):
    """A call a right answer makes in a turn, with concrete values: replayed on a fresh environment, it gives the
    results and the end state a right answer must leave behind."""

    function: str = Field(min_length=1)
    """Name of the tool called; one the episode offers by that turn."""
    arguments: dict[str, JsonValue] = Field(default_factory=dict)
    """Arguments by parameter name (BFCL's positional arguments are bound to names when its data is read)."""


class TurnKind(StrEnum):
    """What a right answer to a user turn does."""

    ACT = "act"
    """Calls tools: the turn's `expected` calls, whose results and end state it must reproduce."""
    ASK = "ask"
    """Asks back: the user left out a value a call needs, so a right answer calls nothing until a later turn
    gives it (a call here acts on a value the user never gave)."""
    REPLY = "reply"
    """Answers in words: small talk, or a request no offered tool can serve."""


class Turn(Frozen):
    """One user turn of an episode: what the user says, and what a right answer leaves behind."""

    kind: TurnKind
    """What a right answer does; checked for consistency with `expected`."""
    messages: list[Message] = Field(min_length=1)
    """What the user says at the start of the turn (user messages; a system message may open the first turn)."""
    tools_added: list[str] = Field(default_factory=list)
    """Keys of tools offered from this turn on, in addition to those offered before."""
    expected: list[GoldCall] = Field(default_factory=list)
    """The calls of a right answer to this turn, in order (any order when their results do not depend on it);
    non-empty exactly on `act` turns."""


class Episode(Frozen):
    """A conversation with executable tools: user turns, and the calls, results and end state each one asks for."""

    id: str = Field(min_length=1)
    """Unique within the suite; runs and reports key on it."""
    environment: list[EnvironmentState] = Field(min_length=1)
    """The environments the tools run on, each started afresh from its state for every episode."""
    tools: list[str]
    """Keys of the suite's tools offered from the first turn on; each names its environment."""
    turns: list[Turn] = Field(min_length=1)
    """The user turns, in order; the state each leaves behind is the next one's start."""
    long_context: bool = False
    """Whether the environments load their long-context variant of the state (BFCL's `long_context` category)."""


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
    cases: list[Case] = Field(default_factory=list)
    """The single-turn cases, in a stable order."""
    episodes: list[Episode] = Field(default_factory=list)
    """The multi-turn episodes, in a stable order; a suite holds cases, episodes or both."""

    @model_validator(mode="after")
    def _not_empty(self) -> Suite:
        if not self.cases and not self.episodes:
            raise ValueError("a suite needs at least one case or episode")
        return self
