"""How the generator's pool tools are described: a Tool plus where free-text values come from, and small
builders that keep the pool's JSON Schemas short and uniform."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.types import Tool

Schema = dict[str, Any]
Pool = tuple[str, ...] | Callable[[random.Random], str]

TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
"""Pattern of a 24-hour `HH:MM` time: the generator recognises it to draw and phrase times."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool with what the generator needs beyond its schema."""

    tool: Tool
    domain: str
    """Tools of one domain are the confusable distractors of each other."""
    pools: Mapping[str, Pool] = field(default_factory=dict)


def string_param(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def enum_param(description: str, *values: str | int) -> Schema:
    return {
        "type": "integer" if isinstance(values[0], int) else "string",
        "description": description,
        "enum": list(values),
    }


def integer_param(description: str, minimum: int, maximum: int) -> Schema:
    return {"type": "integer", "description": description, "minimum": minimum, "maximum": maximum}


def number_param(description: str, minimum: int, maximum: int) -> Schema:
    return {"type": "number", "description": description, "minimum": minimum, "maximum": maximum}


def boolean_param(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def date_param(description: str) -> Schema:
    return string_param(description, format="date")


def time_param(description: str) -> Schema:
    return string_param(description, pattern=TIME_PATTERN)


def array_param(description: str, items: Schema, max_items: int = 3) -> Schema:
    unique = {"uniqueItems": True} if items["type"] == "string" else {}
    return {"type": "array", "description": description, "items": items, "minItems": 1, "maxItems": max_items, **unique}


def object_param(description: str, properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "description": description, "properties": properties, "required": list(properties)}


def tool_spec(
    name: str,
    domain: str,
    description: str,
    required: str,
    properties: dict[str, Schema],
    pools: Mapping[str, Pool] | None = None,
) -> ToolSpec:
    """One tool; `required` names the required parameters, separated by spaces."""
    parameters = {"type": "object", "properties": properties, "required": required.split()}
    return ToolSpec(Tool(name=name, description=description, parameters=parameters), domain, pools or {})
