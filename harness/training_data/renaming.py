"""Fresh names for the pool's tools, so that an adapter learns to copy a function's name and parameter names
from the `<tools>` block instead of recalling the fifty names it was trained on.

Measured on SmolLM2-135M: an adapter trained on the pool's fixed names called made-up functions
(`convert_to_gbp`, `update-onboarding-wikis`) on tools it had never seen. Renaming costs no tokens: the same
examples, with names drawn per example in the styles real tool sets use (snake_case, camelCase, dotted
namespaces, other verbs).
"""

from __future__ import annotations

import random
from typing import Any

from harness.parsing import format_tool_calls, parse_strict
from harness.types import Tool, ToolCall

VERBS: dict[str, tuple[str, ...]] = {
    "get": ("fetch", "retrieve", "lookup", "query", "read"),
    "find": ("search", "locate", "lookup", "discover"),
    "search": ("find", "query", "browse", "lookup"),
    "set": ("configure", "update", "apply", "change"),
    "create": ("add", "make", "new", "open"),
    "add": ("create", "insert", "append", "register"),
    "log": ("record", "track", "save", "note"),
    "check": ("verify", "inspect", "test", "validate"),
    "request": ("ask", "order", "submit"),
    "register": ("enroll", "signup", "add"),
    "schedule": ("plan", "book", "arrange"),
    "book": ("reserve", "schedule", "hold"),
    "reserve": ("book", "hold"),
    "list": ("show", "browse", "enumerate"),
    "calculate": ("compute", "estimate", "evaluate"),
    "start": ("begin", "launch", "run"),
    "save": ("store", "keep", "bookmark"),
    "submit": ("send", "file", "post"),
    "generate": ("make", "produce", "build"),
    "report": ("flag", "file", "submit"),
    "query": ("get", "fetch", "search"),
    "lookup": ("get", "find", "fetch"),
}
"""Verbs of the pool's names → verbs that read as the same action."""

PARAMETER_WORDS: dict[str, tuple[str, ...]] = {
    "city": ("location", "town", "place"),
    "location": ("place", "city", "where"),
    "near": ("around", "location", "close_to"),
    "date": ("day", "on", "when"),
    "time": ("at", "hour", "clock"),
    "name": ("title", "label", "full_name"),
    "title": ("name", "heading", "subject"),
    "query": ("search", "q", "text", "keywords"),
    "limit": ("max", "count", "top"),
    "count": ("number", "n", "amount"),
    "note": ("comment", "memo", "remark"),
    "comment": ("note", "remark", "text"),
    "days": ("num_days", "day_count", "period"),
    "unit": ("units", "scale", "measure"),
    "language": ("lang", "locale"),
    "items": ("entries", "list", "things"),
    "reason": ("why", "cause", "motive"),
    "start": ("begin", "from", "first"),
    "end": ("until", "to", "last"),
    "max": ("most", "upper", "maximum"),
    "min": ("least", "lower", "minimum"),
    "include": ("with", "show", "add"),
    "region": ("area", "zone"),
    "amount": ("value", "sum", "total"),
    "price": ("cost", "rate"),
    "type": ("kind", "category"),
    "category": ("kind", "type", "group"),
    "minutes": ("mins", "minute_count"),
    "seconds": ("secs", "second_count"),
    "km": ("kilometres", "kilometers"),
    "percent": ("pct", "percentage"),
    "id": ("identifier", "number", "ref"),
    "code": ("id", "ref"),
    "service": ("app", "system"),
    "product": ("item", "article"),
    "people": ("guests", "persons", "party"),
    "format": ("style", "output"),
    "level": ("severity", "threshold"),
}
"""Words of the pool's parameter names → words a schema might use instead. A parameter renamed with them keeps its
description, so the adapter learns to copy argument names from the schema rather than guess them from habit
(the failure measured: `city` and `units` for a weather tool whose parameters are `location` and `unit`)."""


def _words(name: str) -> list[str]:
    return name.replace(".", "_").replace("-", "_").split("_")


def _camel(words: list[str]) -> str:
    return words[0] + "".join(word.capitalize() for word in words[1:])


def _function_name(tool: Tool, domain: str, rng: random.Random) -> str:
    words = _words(tool.name)
    if words[0] in VERBS and rng.random() < 0.6:
        words = [rng.choice(VERBS[words[0]]), *words[1:]]
    style = rng.random()
    if style < 0.45:
        return "_".join(words)
    if style < 0.75:
        return _camel(words)
    prefix = domain.replace(" ", "_").replace("-", "_")
    return prefix + "." + ("_".join(words) if rng.random() < 0.5 else _camel(words))


def _parameter_names(properties: list[str], rng: random.Random) -> dict[str, str]:
    """Each parameter with some of its words swapped for synonyms, all in one case style; the originals where
    two would collide."""
    camel = rng.random() < 0.3
    names = {}
    for key in properties:
        words = [
            rng.choice(PARAMETER_WORDS[w]) if w in PARAMETER_WORDS and rng.random() < 0.5 else w for w in key.split("_")
        ]
        words = "_".join(words).split("_")  # synonyms may have words of their own
        names[key] = _camel(words) if camel else "_".join(words)
    if len(set(names.values())) < len(names):
        return {key: _camel(key.split("_")) if camel else key for key in properties}
    return names


def _renamed_parameters(parameters: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    renamed = dict(parameters)
    renamed["properties"] = {names[key]: value for key, value in parameters["properties"].items()}
    renamed["required"] = [names[key] for key in parameters.get("required", [])]
    return renamed


def rename_tools(
    tools: list[Tool], domains: dict[str, str], answers: list[str], rate: float, rng: random.Random
) -> tuple[list[Tool], list[str]]:
    """The offered tools with each renamed at `rate` (its function name and its top-level parameters, see
    `_parameter_names`), and the calls of every answer renamed alike; plain-text answers are kept as they are."""
    functions: dict[str, str] = {}
    parameters: dict[str, dict[str, str]] = {}
    renamed_tools = []
    for tool in tools:
        if rng.random() >= rate:
            renamed_tools.append(tool)
            continue
        functions[tool.name] = _function_name(tool, domains[tool.name], rng)
        properties = list(tool.parameters.get("properties", {}))  # type: ignore[union-attr]
        parameters[tool.name] = _parameter_names(properties, rng)
        renamed_tools.append(
            tool.model_copy(
                update={
                    "name": functions[tool.name],
                    "parameters": _renamed_parameters(dict(tool.parameters), parameters[tool.name]),
                }
            )
        )
    if len({t.name for t in renamed_tools}) < len(renamed_tools):  # two tools drew one name: keep the originals
        return tools, answers

    def renamed(answer: str) -> str:
        calls = parse_strict(answer).calls
        if not calls:
            return answer
        return format_tool_calls(
            [
                ToolCall(
                    name=functions.get(call.name, call.name),
                    arguments={parameters.get(call.name, {}).get(k, k): v for k, v in call.arguments.items()},
                )
                for call in calls
            ]
        )

    return renamed_tools, [renamed(answer) for answer in answers]
