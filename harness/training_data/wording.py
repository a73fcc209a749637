"""Argument values for a pool tool, and the user request that states every one of them.

Values come from the schema (enums, bounds, formats) or from the tool's pools; each is then said the way people
say it (dates in several styles, times on a 12- or 24-hour clock, small numbers as words, lists with "and"), but
always in a form that can only mean the exact value in the target call.
"""

from __future__ import annotations

import itertools
import random
import re
import string
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from harness.training_data.phrasings import PHRASINGS, Phrasing
from harness.training_data.tool_specs import TIME_PATTERN, Pool, Schema, ToolSpec
from harness.types import ToolCall

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
_MONTHS += ("November", "December")
_FIRST_DAY, _DAYS = date(2026, 1, 1), 3 * 365


def _draw_date(rng: random.Random) -> str:
    return (_FIRST_DAY + timedelta(days=rng.randrange(_DAYS))).isoformat()


def _draw_time(rng: random.Random) -> str:
    return f"{rng.randint(6, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}"


def _draw_number(schema: Schema, rng: random.Random) -> float | int:
    """Whole, one- or two-decimal values: what people type. Bounds are whole numbers, so rounding stays inside."""
    value = round(rng.uniform(schema["minimum"], schema["maximum"]), rng.choice((0, 1, 2)))
    return int(value) if value == int(value) else value


def _draw_from(pool: Pool, used: set[str], rng: random.Random) -> str:
    """A pool value not yet used in this call, so two parameters sharing a list never get the same value."""
    if callable(pool):
        return pool(rng)
    fresh = [value for value in pool if value not in used] or list(pool)
    value = rng.choice(fresh)
    used.add(value)
    return value


def _value(spec: ToolSpec, path: str, schema: Schema, used: set[str], rng: random.Random) -> Any:
    """A value for one parameter (or field, or array item) that its schema accepts."""
    if schema["type"] == "array":
        size = rng.randint(schema.get("minItems", 1), schema.get("maxItems", 3))
        items = schema["items"]
        if "enum" in items:
            return rng.sample(items["enum"], min(size, len(items["enum"])))
        values = [_value(spec, path, items, used, rng) for _ in range(size)]
        return list(dict.fromkeys(values)) if items["type"] == "string" else values
    if schema["type"] == "object":
        return {key: _value(spec, f"{path}.{key}", sub, used, rng) for key, sub in schema["properties"].items()}
    if path in spec.pools:
        return _draw_from(spec.pools[path], used, rng)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if schema["type"] == "boolean":
        return rng.random() < 0.5
    if schema["type"] == "integer":
        return rng.randint(schema["minimum"], schema["maximum"])
    if schema["type"] == "number":
        return _draw_number(schema, rng)
    if schema.get("format") == "date":
        return _draw_date(rng)
    if schema.get("pattern") == TIME_PATTERN:
        return _draw_time(rng)
    raise KeyError(f"{spec.tool.name}: free-text parameter {path!r} has no pool")


def draw_arguments(spec: ToolSpec, rate: float, rng: random.Random) -> dict[str, Any]:
    """Every required parameter and each optional one with probability `rate`, in schema order.

    A call's later dates follow its first within three weeks, in schema order: a start never follows its end.
    """
    properties = spec.tool.parameters["properties"]
    required = set(spec.tool.parameters["required"])
    used: set[str] = set()
    arguments = {
        name: _value(spec, name, schema, used, rng)
        for name, schema in properties.items()
        if name in required or rng.random() < rate
    }
    dated = [name for name in arguments if properties[name].get("format") == "date"]
    for earlier, later in itertools.pairwise(dated):
        arguments[later] = (date.fromisoformat(arguments[earlier]) + timedelta(days=rng.randint(1, 21))).isoformat()
    return arguments


def _say_date(iso: str, style: int) -> str:
    """ISO, "March 14, 2027", "14 March 2027" or "Mar 14 2027": always with the year, so the date is exact."""
    day = date.fromisoformat(iso)
    month = _MONTHS[day.month - 1]
    return (
        iso,
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"{month[:3]} {day.day} {day.year}",
    )[style]


def _say_time(hhmm: str, rng: random.Random) -> str:
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    if rng.random() < 0.5:
        return hhmm
    clock = f"{(hour - 1) % 12 + 1}" + (f":{minute:02d}" if minute else "")
    return f"{clock} {'am' if hour < 12 else 'pm'}"


def say_list(items: list[str], rng: random.Random) -> str:
    """Items the way people list them ("a, b and c", "a, b, and c", "a & b"), so no one separator is learned."""
    if len(items) == 1:
        return items[0]
    last = rng.choice((" and ", ", and ", ", ")) if len(items) > 2 else rng.choice((" and ", " & "))
    return ", ".join(items[:-1]) + last + items[-1]


def _say(value: Any, schema: Schema, path: str, phrasing: Phrasing, date_style: int, rng: random.Random) -> str:
    """How a user states `value`, in a form that can only mean that value; one request writes dates one way."""
    if isinstance(value, bool):
        return phrasing.flags[path][0 if value else 1]
    if isinstance(value, list):
        return say_list([_say(item, schema["items"], path, phrasing, date_style, rng) for item in value], rng)
    if isinstance(value, dict):
        fields = {
            key: _say(v, schema["properties"][key], f"{path}.{key}", phrasing, date_style, rng)
            for key, v in value.items()
        }
        return phrasing.formats[path].format(**fields)
    if isinstance(value, int) and schema.get("maximum", 99) <= 12 and 1 <= value <= 10 and rng.random() < 0.3:
        return NUMBER_WORDS[value]
    if isinstance(value, int) and value >= 10000 and rng.random() < 0.3:
        return f"{value:,}"
    if isinstance(value, int | float):
        return str(value)
    if schema.get("format") == "date":
        return _say_date(value, date_style)
    if schema.get("pattern") == TIME_PATTERN:
        return _say_time(value, rng)
    return value.replace("_", " ") if "enum" in schema else value


def _fill(template: str, arguments: Mapping[str, Any], spec: ToolSpec, date_style: int, rng: random.Random) -> str:
    phrasing, properties = PHRASINGS[spec.tool.name], spec.tool.parameters["properties"]
    names = dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name)  # ordered: seeded
    return template.format(
        **{name: _say(arguments[name], properties[name], name, phrasing, date_style, rng) for name in names}
    )


def end_sentence(text: str) -> str:
    """Terse requests have no final stop; one is added where another sentence follows."""
    return text if text[-1] in ".?!" else text + "."


def _lower_first(template: str) -> str:
    """Lower-case a request's first letter to follow a connector; values and "I" keep their capitals."""
    if template[:2] in ("I ", "I'") or not template[:2].isalpha() or not template[1].islower():
        return template
    return template[0].lower() + template[1:]


def request(spec: ToolSpec, rate: float, rng: random.Random, lower: bool = False) -> tuple[str, ToolCall]:
    """A user request and the one call that fulfils it; optional arguments are stated in added clauses."""
    phrasing = PHRASINGS[spec.tool.name]
    arguments = draw_arguments(spec, rate, rng)
    template, date_style = rng.choice(phrasing.requests), rng.randrange(4)
    text = _fill(_lower_first(template) if lower else template, arguments, spec, date_style, rng)
    optional = [name for name in arguments if name in phrasing.clauses]
    rng.shuffle(optional)
    clauses = [_fill(rng.choice(phrasing.clauses[name]), arguments, spec, date_style, rng) for name in optional]
    if clauses and (text.endswith("?") or rng.random() < 0.5):
        text = " ".join([end_sentence(text), *(end_sentence(c[0].upper() + c[1:]) for c in clauses)])
    elif clauses:
        text = end_sentence(text.rstrip(".!") + ", " + say_list(clauses, rng))
    return text, ToolCall(name=spec.tool.name, arguments=arguments)


def fanned_request(spec: ToolSpec, count: int, rate: float, rng: random.Random) -> tuple[str, list[ToolCall]] | None:
    """One request for `count` calls of one function that differ in one free-text argument, said once as a list
    ("the weather in Tokyo, Osaka and Sapporo"), or None when the request has no such argument to fan out.

    Requests that state each call in its own sentence never teach a model to fan one sentence out into calls,
    which is how people usually ask for several of the same thing.
    """
    text, call = request(spec, rate, rng)
    properties = spec.tool.parameters["properties"]
    fannable = [
        name
        for name, value in call.arguments.items()
        if isinstance(value, str)
        and not {"enum", "format", "pattern"} & set(properties[name])
        and len(re.findall(rf"\b{re.escape(value)}\b", text)) == 1
    ]
    if not fannable:
        return None
    name = rng.choice(fannable)
    values = [call.arguments[name]]
    for _ in range(10 * count):
        value = _value(spec, name, properties[name], set(values), rng)
        if value not in values and value not in text:
            values.append(value)
        if len(values) == count:
            break
    else:
        return None
    said = say_list(values, rng)
    text = re.sub(rf"\b{re.escape(values[0])}\b", lambda _: said, text)
    return text, [ToolCall(name=call.name, arguments={**call.arguments, name: value}) for value in values]
