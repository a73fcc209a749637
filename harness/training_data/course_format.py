"""Datasets in the Hugging Face Agents course's format, converted to the harness's template.

The course trains on `Jofthomas/hermes-function-calling-thinking-V1`: a `messages` list with roles system / human /
model / tool; the tools sit inside `<tools></tools>` in the system message (a Python-literal list); model turns are
`<think>…</think><tool_call>\\n{'name': …, 'arguments': …}\\n</tool_call>` with single-quoted dicts; tool results
come wrapped in `<tool_response>`. Converted: tools become Tool objects rendered by our template (which writes its
own instructions, so the dataset's system text is dropped), calls become JSON (what vLLM's hermes parser reads),
and every model turn becomes one training example with the conversation before it as context.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from harness.parsing import format_tool_calls, parse_lenient
from harness.training_data.generator import TrainingExample
from harness.types import Message, Tool

_TOOLS = re.compile(r"<tools>(.*?)</tools>", re.DOTALL)
_CALL_BLOCK = re.compile(r"<tool_call>.*?(?:</tool_call>|$)", re.DOTALL)
_RESPONSE = re.compile(r"^\s*<tool_response>\s*(.*?)\s*</tool_response>\s*$", re.DOTALL)
_ROLES = {"system": "system", "human": "user", "user": "user", "model": "assistant", "assistant": "assistant"}
_ROLES["tool"] = "tool"


class CourseFormatError(ValueError):
    """A row that is not in the course's format; the message names the row and the field."""


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text)  # never eval: literals only


def parse_tools(system: str) -> list[Tool]:
    """Tools from the `<tools>` block of a system message. The course's prompt first mentions the tags in prose
    ("signatures within <tools></tools> XML tags"), so the block is the first non-empty one."""
    block = next((b.strip() for b in _TOOLS.findall(system) if b.strip()), None)
    if block is None:
        return []
    try:
        items = _literal(block)
    except (ValueError, SyntaxError) as error:
        raise CourseFormatError(f"the <tools> block is neither JSON nor a Python literal: {error}") from None
    tools = []
    for item in items if isinstance(items, list) else [items]:
        function = item.get("function", item) if isinstance(item, dict) else None
        if not isinstance(function, dict) or "name" not in function:
            raise CourseFormatError(f"a tool in <tools> has no function name: {str(item)[:80]}")
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        tools.append(Tool(name=function["name"], description=function.get("description", ""), parameters=parameters))
    return tools


def convert_turn(content: str) -> str:
    """A model turn with its calls rewritten as JSON; text around them (such as `<think>`) is kept."""

    def as_json(match: re.Match[str]) -> str:
        parsed = parse_lenient(match.group(0))
        if parsed.errors or not parsed.calls:
            raise CourseFormatError(f"unreadable tool call: {match.group(0)[:80]}")
        return format_tool_calls(parsed.calls)

    return _CALL_BLOCK.sub(as_json, content)


def convert_row(row: Mapping[str, Any]) -> list[TrainingExample]:
    """One dataset row → one example per model turn."""
    raw = row.get("messages")
    if not isinstance(raw, list) or not raw:
        raise CourseFormatError("'messages' is missing or empty")
    tools: list[Tool] = []
    history: list[Message] = []
    examples = []
    for index, turn in enumerate(raw):
        role = _ROLES.get(str(turn.get("role")))
        content = turn.get("content")
        if role is None or not isinstance(content, str):
            raise CourseFormatError(f"messages[{index}]: expected a role among {sorted(_ROLES)} and text content")
        if role == "system":
            tools = parse_tools(content)
            continue
        if role == "assistant":
            answer = convert_turn(content)
            if history:
                examples.append(TrainingExample(kind=_kind(answer), tools=tools, messages=list(history), answer=answer))
            history.append(Message(role="assistant", content=answer))
        elif role == "tool":
            unwrapped = _RESPONSE.match(content)
            history.append(Message(role="tool", content=unwrapped.group(1) if unwrapped else content))
        else:
            history.append(Message(role="user", content=content))
    return examples


def _kind(answer: str) -> str:
    calls = answer.count("<tool_call>")
    return "no_call" if calls == 0 else "single" if calls == 1 else "parallel"


def convert_rows(
    rows: Iterable[Mapping[str, Any]], source: str, left_out: Collection[int] = ()
) -> list[TrainingExample]:
    """All rows of a dataset but those numbered in `left_out` (held out for a suite); a bad row fails with its
    number and the source named."""
    examples: list[TrainingExample] = []
    for number, row in enumerate(rows):
        if number in left_out:
            continue
        try:
            examples += convert_row(row)
        except CourseFormatError as error:
            raise CourseFormatError(f"{source}: row {number}: {error}") from None
    return examples
