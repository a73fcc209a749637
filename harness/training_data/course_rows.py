"""The generator's conversations written as rows of the Agents course's dataset, the inverse of `course_format`.

The course trains on `Jofthomas/hermes-function-calling-thinking-V1`, whose rows keep their turns in a
`conversations` column: a system turn with the Hermes prompt and the tools as a Python-literal list inside
`<tools>`, then `human`, `model` and `tool` turns. A model turn that calls thinks first (`<think>…\\n</think>`) and
writes each call as a Python-literal dict in its own `<tool_call>\\n…\\n</tool_call>` block; a tool turn wraps the
result in `<tool_response>\\n…\\n</tool_response>`; a plain-text answer has no thinking, as in the course's rows.
Written this way, generated data goes through the same reader as the hub's rows (`course_format.convert_rows`),
which gives back the generator's examples with the thinking added: tests check that round trip.

Tool results are written as the generator makes them (JSON, as the harness sends results at serving time) rather
than as Python literals, so that reading the rows back gives the very messages the generator wrote.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from harness.parsing import parse_lenient
from harness.training_data.course_format import FIELDS, convert_row
from harness.training_data.examples import TrainingExample
from harness.training_data.thinking import reasoning
from harness.types import Message, Tool, ToolCall

FIELD = FIELDS[0]
"""The column the dataset keeps its turns in (the course's notebook renames it `messages`)."""

_ROLES = {"user": "human", "assistant": "model", "tool": "tool"}
_PROMPT_HEAD = (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML"
    " tags.You may call one or more functions to assist with the user query. Don't make assumptions about what values"
    " to plug into functions.Here are the available tools:<tools> "
)
_PROMPT_TAIL = (
    " </tools>Use the following pydantic model json schema for each tool call you will make: {'title': 'FunctionCall',"
    " 'type': 'object', 'properties': {'arguments': {'title': 'Arguments', 'type': 'object'}, 'name': {'title':"
    " 'Name', 'type': 'string'}}, 'required': ['arguments', 'name']}For each function call return a json object with"
    " function name and arguments within <tool_call></tool_call> XML tags as follows:\n<tool_call>\n{tool_call}\n"
    "</tool_call>"
)
"""The dataset's system prompt around its tools, spelt as its rows spell it (the missing spaces after `tags.` and
`functions.` included)."""


def system_prompt(tools: list[Tool]) -> str:
    """The dataset's system turn offering `tools`, as Python literals the way its rows write them."""
    listed = [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tools
    ]
    return _PROMPT_HEAD + repr(listed) + _PROMPT_TAIL


def call_blocks(calls: list[ToolCall]) -> str:
    """Calls as the dataset writes them: one `<tool_call>` block each, a Python-literal dict on its own line."""
    return "\n".join(f"<tool_call>\n{ {'name': c.name, 'arguments': c.arguments}!r}\n</tool_call>" for c in calls)


def _model_turn(content: str, history: list[Message], tools: list[Tool], rng: random.Random) -> str:
    calls = parse_lenient(content).calls
    if not calls:
        return content
    return f"<think>{reasoning(history, tools, calls, rng)}\n</think>{call_blocks(calls)}"


def _content(message: Message, history: list[Message], tools: list[Tool], rng: random.Random) -> str:
    if message.role == "assistant":
        return _model_turn(message.content, history, tools, rng)
    if message.role == "tool":
        return f"<tool_response>\n{message.content}\n</tool_response>"
    return message.content


def course_row(example: TrainingExample, rng: random.Random) -> dict[str, Any]:
    """One generated conversation as one dataset row: the system turn, then every turn and the answer."""
    conversation = [*example.messages, Message(role="assistant", content=example.answer)]
    turns = [{"role": "system", "content": system_prompt(example.tools)}]
    for index, message in enumerate(conversation):
        content = _content(message, conversation[:index], example.tools, rng)
        turns.append({"role": _ROLES[message.role], "content": content})
    return {FIELD: turns}


def course_rows(examples: Iterable[TrainingExample], seed: int) -> list[dict[str, Any]]:
    """Rows of `examples`, each row's thinking worded from its own seeded stream: a row reads the same whatever
    comes before it."""
    return [course_row(example, random.Random(f"{seed}/think/{i}")) for i, example in enumerate(examples)]


def read_back(examples: list[TrainingExample], seed: int) -> list[TrainingExample]:
    """Each example written as a row and read back whole by the course-format reader (its last answer, with every
    turn before it), keeping the kind and the withheld values, which rows do not carry."""
    rows = course_rows(examples, seed)
    return [
        convert_row(row)[-1].model_copy(update={"kind": example.kind, "withheld": example.withheld})
        for example, row in zip(examples, rows, strict=True)
    ]
