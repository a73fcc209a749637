"""Model output → tool calls. Model output is hostile data: nothing here raises on it or evaluates it as code.

Two readings of the same text:
- strict mirrors vLLM's `hermes` tool parser (vllm/tool_parsers/hermes_tool_parser.py): every
  `<tool_call>…</tool_call>` block (or an unterminated last one) is `json.loads`-ed and must hold `name` and
  `arguments`; one bad block and the server returns no calls at all.
- lenient reads what the model meant: reasoning (`<think>` blocks) is dropped, each block is read on its own, Python-literal
  dicts (the single-quoted calls the Agents-course model writes) are accepted through `ast.literal_eval`, and
  trailing junk after the JSON object is ignored.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from harness.types import ParseMode, ParseResult, ToolCall

# The same pattern vLLM's hermes parser uses: terminated blocks, or an unterminated block running to the end.
_TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>|<tool_call>(.*)", re.DOTALL)
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)
_DECODER = json.JSONDecoder()
_PREVIEW = 80


def _preview(text: str) -> str:
    """A short, single-line excerpt for error messages, so a 1 MB output cannot flood a report."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _PREVIEW else flat[:_PREVIEW] + "…"


def _as_call(obj: Any, *, decode_string_arguments: bool) -> ToolCall | str:
    """Check the shape of a decoded block: `{"name": str, "arguments": dict}`; a message when it is not.

    OpenAI servers send arguments as a JSON string and some models imitate that inside the tags; vLLM's hermes
    parser does not decode such a string, so strict reading rejects it.
    """
    if not isinstance(obj, dict):
        return f"tool call is a {type(obj).__name__}, not an object"
    name, arguments = obj.get("name"), obj.get("arguments")
    if not isinstance(name, str) or not name:
        return "tool call has no string 'name'"
    if arguments is None:
        return f"tool call {name!r} has no 'arguments'"
    if isinstance(arguments, str) and decode_string_arguments:
        try:
            arguments = json.loads(arguments)
        except (ValueError, RecursionError):
            return f"tool call {name!r} has arguments that are not JSON: {_preview(arguments)}"
    if not isinstance(arguments, dict):
        return f"tool call {name!r} has arguments of type {type(arguments).__name__}, not an object"
    # Shape already checked above; skipping pydantic's re-validation keeps parsing off the scorer's hot path.
    return ToolCall.model_construct(name=name, arguments=arguments)


class _NoJsonForm(ValueError):
    """A Python literal holding a value JSON cannot say."""


def _as_json_value(value: Any) -> Any:
    """A decoded Python literal as the JSON value it stands for: a tuple is the list it spells out. A set has no
    order to keep (Python iterates strings in a per-process order), and bytes or complex numbers have no JSON
    form, so such a block is unreadable rather than scored or reported in an order that changes between runs."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_as_json_value(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _as_json_value(item) for key, item in value.items()}
    raise _NoJsonForm(type(value).__name__)


def _decode_lenient(block: str) -> tuple[Any, bool] | str:
    """Decode one block as JSON, else as a Python literal; returns (value, used_python_literal) or a message."""
    try:
        return _DECODER.raw_decode(block)[0], False
    except (ValueError, RecursionError):
        pass
    try:
        return _as_json_value(ast.literal_eval(block)), True
    except _NoJsonForm as kind:
        return f"block holds a Python {kind} JSON has no form for: {_preview(block)}"
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return f"block is neither JSON nor a Python literal: {_preview(block)}"


def _blocks(text: str) -> list[str]:
    if "<tool_call>" not in text:
        return []
    return [(m.group(1) if m.group(1) is not None else m.group(2)).strip() for m in _TOOL_CALL.finditer(text)]


def prose(text: str) -> str:
    """The text of an answer outside its `<tool_call>` blocks: what an assistant turn says in words when the
    conversation carries its calls separately (an unterminated block runs to the end, as vLLM reads it)."""
    return _TOOL_CALL.sub("", text).strip() if "<tool_call>" in text else text.strip()


def _strip_thinking(text: str) -> str:
    """Text without reasoning: `<think>…</think>` blocks (an unclosed one runs to the end: the model never left
    its reasoning), and everything before a leading `</think>` (chat templates that open the think block in the
    prompt leave only its end in the output)."""
    close = text.find("</think>")
    if close != -1 and "<think>" not in text[:close]:
        text = text[close + len("</think>") :]
    return _THINK.sub("", text) if "<think>" in text else text


def parse_strict(text: str) -> ParseResult:
    """What vLLM's hermes parser would return as `tool_calls` for this text."""
    calls: list[ToolCall] = []
    for block in _blocks(text):
        try:
            found = _as_call(json.loads(block), decode_string_arguments=False)
        except (ValueError, RecursionError):
            found = f"block is not JSON: {_preview(block)}"
        if isinstance(found, str):
            return ParseResult.model_construct(calls=[], errors=[found], used_python_literals=False)
        calls.append(found)
    return ParseResult.model_construct(calls=calls, errors=[], used_python_literals=False)


def parse_lenient(text: str) -> ParseResult:
    """Every call the model evidently meant; unreadable blocks are recorded and skipped."""
    calls: list[ToolCall] = []
    errors: list[str] = []
    used_literals = False
    for block in _blocks(_strip_thinking(text)):
        decoded = _decode_lenient(block)
        if isinstance(decoded, str):
            errors.append(decoded)
            continue
        found = _as_call(decoded[0], decode_string_arguments=True)
        if isinstance(found, str):
            errors.append(found)
            continue
        used_literals |= decoded[1]
        calls.append(found)
    return ParseResult(calls=calls, errors=errors, used_python_literals=used_literals)


def parse_text(text: str, mode: ParseMode) -> ParseResult:
    """Dispatch on the parse mode."""
    return parse_strict(text) if mode is ParseMode.STRICT else parse_lenient(text)


def format_tool_calls(calls: list[ToolCall]) -> str:
    """Calls as a Hermes-style model writes them, one `<tool_call>` block per line; the inverse of parsing."""
    return "\n".join(
        "<tool_call>" + json.dumps({"name": c.name, "arguments": c.arguments}, ensure_ascii=False) + "</tool_call>"
        for c in calls
    )


def parse_openai_tool_calls(tool_calls: list[Any]) -> ParseResult:
    """Calls from an OpenAI-compatible server's `tool_calls` list (arguments arrive as JSON strings)."""
    calls: list[ToolCall] = []
    errors: list[str] = []
    for item in tool_calls:
        function = item.get("function") if isinstance(item, dict) else None
        found = (
            _as_call(function, decode_string_arguments=True)
            if isinstance(function, dict)
            else "tool_calls entry has no 'function' object"
        )
        if isinstance(found, str):
            errors.append(found)
        else:
            calls.append(found)
    return ParseResult(calls=calls, errors=errors)
