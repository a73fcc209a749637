"""missing_info cases leave out what they withhold: the spelling check finds a value however a request writes it
(and nothing else), every case of `suites/missing_info.json` withholds an argument its tool requires and spells it
nowhere, and the same case with the value said aloud fails the check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.suites.files import load_sources
from harness.suites.rules import check_suite
from harness.suites.withheld import first_spelling, looks_for
from harness.types import Case, CaseKind, Suite, Tool

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "suites"
SUITE = Suite.model_validate_json((SUITES / "missing_info.json").read_text())
TOOLS = {tool.key: tool for tool in SUITE.tools}

DATE = {"type": "string", "format": "date"}
PRIORITY = {"type": "string", "enum": ["low", "medium", "high", "critical"]}

# (id, withheld value, its argument's schema, request, the words that give it away or None)
SPELLINGS: list[tuple[str, Any, dict[str, Any], str, str | None]] = [
    ("digits", 4, {}, "A table for 4 at Nopa.", "4"),
    ("number word", 4, {}, "A table for the four of us.", "four"),
    ("compound number word", 24, {}, "Twenty-four chairs, please.", "twenty-four"),
    ("idiom", 2, {}, "Dinner for a couple at Nopa.", "couple"),
    ("thousands separator", 2500, {}, "Convert 2 500 dollars.", "2 500"),
    ("thousands without separator", 2500, {}, "Convert 2500 dollars.", "2500"),
    ("thousands as k", 450000, {}, "A 450k mortgage.", "450k"),
    ("decimal comma", 2.5, {}, "A parcel of 2,5 kg.", "2,5"),
    ("a half in words", 2.5, {}, "Two and a half kilos.", "two and a half"),
    ("other number", 4, {}, "A table tonight at 8, for 14 people on the 4th floor... no: 40.", None),
    ("iso date", "2026-12-05", DATE, "Book it for 2026-12-05.", "2026-12-05"),
    ("any other date", "2026-12-05", DATE, "Book it for March 3rd.", "march"),
    ("relative date", "2026-12-05", DATE, "Book it for tomorrow.", "tomorrow"),
    ("weekday", "2026-12-05", DATE, "Book it for next Friday.", "friday"),
    ("numeric date", "2026-12-05", DATE, "Book it for 12/5.", "12/5"),
    ("ordinal day", "2026-12-05", DATE, "Book it for the 5th.", "5th"),
    ("no date", "2026-12-05", DATE, "Book a table for four at 7pm.", None),
    ("clock time", "19:30", {}, "Arrive by 19:30.", "19:30"),
    ("am pm time", "19:30", {}, "Arrive around 7 pm.", "7 pm"),
    ("hour in words", "19:30", {}, "Arrive at seven.", "at seven"),
    ("noon", "12:00", {}, "Lunch at noon.", "noon"),
    ("no time", "19:30", {}, "A table for four this evening.", None),
    ("enum member", "high", PRIORITY, "Add a task, it is HIGH priority.", "high"),
    ("another enum member", "high", PRIORITY, "Add a task, it's critical.", "critical"),
    ("enum member words", "living_room", {"enum": ["living_room", "office"]}, "Heat the living room.", "living room"),
    ("enum words only whole", "living_room", {"enum": ["living_room", "office"]}, "Heat the room.", None),
    ("string any case and punctuation", "Le Bernardin", {}, "Book LE-BERNARDIN.", "le-bernardin"),
    ("string without spaces", "Le Bernardin", {}, "Book LeBernardin.", "lebernardin"),
    ("string word", "Le Bernardin", {}, "Book Bernardin for two.", "bernardin"),
    ("short word inside another", "Lisbon", {}, "Weather in Lisboa?", None),
    ("email whole", "marcus.reed@northwind.com", {}, "Mail marcus.reed@northwind.com.", "marcus.reed@northwind.com"),
    ("email not a name", "marcus.reed@northwind.com", {}, "Email Marcus the notes.", None),
    ("array element", ["chicken", "basil"], {"items": {}}, "A recipe with basil?", "basil"),
    ("object member", {"city": "San Francisco"}, {"properties": {"city": {}}}, "Ship it to SF, San Francisco.", "san francisco"),
    ("curly apostrophe", "12:00", {}, "By 12 o\u2019clock.", "o'clock"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "schema", "text", "found"), [s[1:] for s in SPELLINGS], ids=[s[0] for s in SPELLINGS]
)
def test_spelling(value: Any, schema: dict[str, Any], text: str, found: str | None) -> None:
    spelt = first_spelling(looks_for(value, schema), [text])
    assert (spelt[1] if spelt else None) == found


@pytest.mark.parametrize("value", [True, False, None, "", [], {}])
def test_a_value_without_spelling_has_nothing_to_look_for(value: Any) -> None:
    assert looks_for(value, {}) == []


def _withheld_schema(case: Case, tool: Tool, argument: str) -> dict[str, Any]:
    """The argument's schema, checked here without the suite rules: the tool is offered and requires it."""
    assert tool.key in case.tools
    assert argument in tool.parameters["required"], f"{tool.name} does not require {argument}"
    return tool.parameters["properties"][argument]


def _said(value: Any) -> str:
    """The value as a request would say it: plain, element by element."""
    if isinstance(value, list | dict):
        return " ".join(_said(item) for item in (value.values() if isinstance(value, dict) else value))
    return str(value)


@pytest.mark.parametrize("case", SUITE.cases, ids=[case.id for case in SUITE.cases])
def test_each_case_leaves_out_a_required_value(case: Case) -> None:
    """The proof per case: the withheld argument is required by the offered tool, no message spells its value,
    and the same request with the value said aloud would be caught."""
    assert case.kind == CaseKind.MISSING_INFO and not case.expected and case.withheld
    texts = [message.content for message in case.messages]
    for withheld in case.withheld:
        patterns = looks_for(withheld.value, _withheld_schema(case, TOOLS[withheld.tool], withheld.argument))
        assert patterns, f"{withheld.argument}: nothing to look for"
        assert first_spelling(patterns, texts) is None
        told = [*texts[:-1], f"{texts[-1]} It is {_said(withheld.value)}."]
        assert first_spelling(patterns, told) is not None


def test_suite_is_valid_sizeable_and_spans_our_tools() -> None:
    """At least 40 cases over at least 20 tools, each tool exactly as one of the other built-in suites defines it
    (so the requests test the tools adapters are measured on, not look-alikes)."""
    assert check_suite(SUITE) == []
    assert len(SUITE.cases) >= 40
    assert len({withheld.tool for case in SUITE.cases for withheld in case.withheld}) >= 20
    others = [
        item.suite
        for item in load_sources([str(SUITES)])
        if item.suite and item.suite.name not in (SUITE.name, "heldout")
    ]
    defined = [json.dumps(tool.model_dump(mode="json"), sort_keys=True) for suite in others for tool in suite.tools]
    for tool in SUITE.tools:
        assert json.dumps(tool.model_dump(mode="json"), sort_keys=True) in defined, tool.name


def test_a_case_that_gives_its_value_is_rejected() -> None:
    case = SUITE.cases[0]
    told = case.model_copy(update={"messages": [case.messages[0].model_copy(update={"content": "For four, please."})]})
    assert [f.message for f in check_suite(SUITE.model_copy(update={"cases": [told]}))] == [
        "gives the withheld book_table party_size (4) as 'four'"
    ]
