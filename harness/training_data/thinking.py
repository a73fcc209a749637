"""The `<think>` reasoning the Agents course's data puts before every call, written for a generated conversation.

The course's rows reason in prose before they call: what the user asks, which offered tool fits and why, and the
values to pass. Generated conversations have no such text, so it is built from what the example itself holds (the
request, the tools offered and their descriptions, the calls and where each value appears in the conversation),
never made up, with the wording drawn from a seeded `random.Random` so that the reasoning varies the way the
requests do. Plain-text answers get none: the course's data thinks only before a call.
"""

from __future__ import annotations

import random
import re

from harness.parsing import parse_lenient
from harness.types import JsonValue, Message, Tool, ToolCall

_OPENERS = (
    "The user wants to {purpose}.",
    "Alright, the request is to {purpose}.",
    "Here the user asks me to {purpose}.",
    "So the task is to {purpose}.",
)
_SEVERAL = (
    "The user asks for {count} things at once, so I make {count} calls.",
    "There are {count} requests in this message, one call each.",
    "This message needs {count} calls, which I can make together.",
)
_AFTER_RESULT = (
    "The result of {name} is back.",
    "I have the result of {name} now.",
    "With the result of {name} in hand, on to the next step.",
)
_FITS = (
    "{name} fits: it is described as '{description}'",
    "The tool for this is {name}, whose description reads '{description}'",
    "{name} matches, since its description says '{description}'",
)
_OTHERS = (
    ", which the other tools ({others}) do not do.",
    "; {others} would not help here.",
    ", unlike {others}.",
)
_VALUES = ("I pass {values}.", "The arguments are {values}.", "So the call takes {values}.")
_LEFT_OUT = (
    "Nothing in the request sets {names}, so I leave {them} out.",
    "{names} {is_are} not mentioned, so the call does without {them}.",
)
_NO_ARGUMENTS = ("It takes no arguments.", "No arguments are needed.")


def _text_forms(value: JsonValue) -> list[list[str]]:
    """How a value may be written in a message, lowercased, as alternatives per part: a list's items are its
    parts, a whole number also reads as an integer. Booleans and objects have no written form to look for."""
    if isinstance(value, list):
        return [form for item in value for form in _text_forms(item)]
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return []
    forms = [str(value).lower()]
    if isinstance(value, float) and value.is_integer():
        forms.append(str(int(value)))
    return [forms]


def _says(text: str, parts: list[list[str]]) -> bool:
    """Whether `text` writes every part, each as a whole word (9 is not in GM-69819)."""
    return bool(parts) and all(
        any(re.search(rf"(?<![a-z0-9]){re.escape(form)}(?![a-z0-9])", text) for form in part) for part in parts
    )


def _source(value: JsonValue, history: list[Message]) -> str:
    """Where a value comes from: the latest user turn, a tool result, an earlier user turn, or the request's words
    (a number said in words, a date written another way, a yes or no)."""
    if isinstance(value, bool):
        return "as the request asks"
    parts = _text_forms(value)
    users = [i for i, m in enumerate(history) if m.role == "user"]
    latest = users[-1:]
    results = [i for i in range(len(history) - 1, -1, -1) if history[i].role == "tool"]
    for index in [*latest, *results, *reversed(users[:-1])]:
        if _says(history[index].content.lower(), parts):
            if history[index].role == "tool":
                return "from the result above"
            return "as the user wrote it" if index in latest else "from what the user said earlier"
    return "from how the request words it"


def _values(call: ToolCall, history: list[Message]) -> str:
    return ", ".join(f"{name}={value!r} ({_source(value, history)})" for name, value in call.arguments.items())


def _left_out(call: ToolCall, tool: Tool | None, rng: random.Random) -> str:
    """The optional parameters the call does without: the course's data says why a value is not passed."""
    if tool is None:
        return ""
    properties = tool.parameters.get("properties")
    required = tool.parameters.get("required")
    names = [
        name
        for name in (properties if isinstance(properties, dict) else {})
        if name not in call.arguments and not (isinstance(required, list) and name in required)
    ]
    if not names:
        return ""
    said = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = len(names) > 1
    return " " + rng.choice(_LEFT_OUT).format(
        names=said, them="them" if plural else "it", is_are="are" if plural else "is"
    )


def _one_call(
    call: ToolCall, tools: list[Tool], history: list[Message], rng: random.Random, again: bool = False
) -> str:
    """Why this tool, and its values; a tool already reasoned about in this turn is only named again."""
    tool = next((t for t in tools if t.name == call.name), None)
    if again:
        fits = f"Again {call.name}."
    else:
        description = tool.description.rstrip(".") if tool else call.name
        fits = rng.choice(_FITS).format(name=call.name, description=description)
        others = [t.name for t in tools if t.name != call.name]
        fits += rng.choice(_OTHERS).format(others=", ".join(others)) if others else "."
    values = rng.choice(_VALUES).format(values=_values(call, history)) if call.arguments else rng.choice(_NO_ARGUMENTS)
    return f"{fits} {values}{_left_out(call, tool, rng)}"


def reasoning(history: list[Message], tools: list[Tool], calls: list[ToolCall], rng: random.Random) -> str:
    """The thinking before `calls`, answered after `history` with `tools` offered: one paragraph per call."""
    parts: list[str] = []
    if history and history[-1].role == "tool":
        previous = next((m for m in reversed(history) if m.role == "assistant"), None)
        answered = parse_lenient(previous.content).calls if previous else []
        parts.append(rng.choice(_AFTER_RESULT).format(name=answered[-1].name if answered else "the last call"))
    if len(calls) == 1:
        tool = next((t for t in tools if t.name == calls[0].name), None)
        purpose = (tool.description if tool else calls[0].name).rstrip(".")
        parts.append(rng.choice(_OPENERS).format(purpose=purpose[:1].lower() + purpose[1:]))
    else:
        parts.append(rng.choice(_SEVERAL).format(count=len(calls)))
    paragraphs = [" ".join(parts)]
    for index, call in enumerate(calls):
        again = any(earlier.name == call.name for earlier in calls[:index])
        paragraphs.append(_one_call(call, tools, history, rng, again))
    return "\n\n".join(paragraphs)
