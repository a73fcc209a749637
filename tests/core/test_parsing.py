"""The parser on a table of outputs, hostile ones included, and properties: it never raises, well-formed calls
round-trip, and lenient reading agrees with strict reading wherever the strict one succeeds."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from harness.parsing import format_tool_calls, parse_lenient, parse_openai_tool_calls, parse_strict

WEATHER = {"name": "get_weather", "arguments": {"city": "Oslo"}}
MEGABYTE = "x" * 1_000_000

# (id, output, strict calls, strict has error, lenient calls, lenient error count, lenient used python literals)
TABLE: list[tuple[str, str, list[dict[str, Any]], bool, list[dict[str, Any]], int, bool]] = [
    ("empty", "", [], False, [], 0, False),
    ("prose", "It is sunny in Oslo today.", [], False, [], 0, False),
    ("one call", '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>',
     [WEATHER], False, [WEATHER], 0, False),
    ("newlines inside tags", '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Oslo"}}\n</tool_call>',
     [WEATHER], False, [WEATHER], 0, False),
    ("text around", 'Sure!\n<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>\nDone.',
     [WEATHER], False, [WEATHER], 0, False),
    ("two calls",
     '<tool_call>{"name": "a", "arguments": {}}</tool_call><tool_call>{"name": "b", "arguments": {"x": 1}}</tool_call>',
     [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}], False,
     [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"x": 1}}], 0, False),
    ("unterminated last block", '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}',
     [WEATHER], False, [WEATHER], 0, False),
    ("terminated then unterminated",
     '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n<tool_call>{"name": "b", "arguments": {}}',
     [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}], False,
     [{"name": "a", "arguments": {}}, {"name": "b", "arguments": {}}], 0, False),
    ("unterminated and truncated JSON", '<tool_call>{"name": "get_weather", "argu', [], True, [], 1, False),
    ("single quoted python dict", "<tool_call>\n{'name': 'get_weather', 'arguments': {'city': 'Oslo'}}\n</tool_call>",
     [], True, [WEATHER], 0, True),
    ("python literals True None",
     "<tool_call>{'name': 'f', 'arguments': {'flag': True, 'x': None}}</tool_call>",
     [], True, [{"name": "f", "arguments": {"flag": True, "x": None}}], 0, True),
    ("python set has no json form",
     '<tool_call>{"name": "f", "arguments": {"diet": {"vegan", "omnivore"}}}</tool_call>', [], True, [], 1, False),
    ("python tuple is a list",
     "<tool_call>{'name': 'f', 'arguments': {'point': (1, 2.5)}}</tool_call>",
     [], True, [{"name": "f", "arguments": {"point": [1, 2.5]}}], 0, True),
    ("python int keys have no json form", "<tool_call>{'name': 'f', 'arguments': {1: 'a'}}</tool_call>",
     [], True, [], 1, False),
    ("think then call",
     '<think>I should call <tool_call>{"name": "wrong", "arguments": {}}</tool_call></think>'
     '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>',
     [{"name": "wrong", "arguments": {}}, WEATHER], False, [WEATHER], 0, False),
    ("unclosed think hides everything after it",
     '<think>maybe <tool_call>{"name": "a", "arguments": {}}</tool_call>', [{"name": "a", "arguments": {}}], False,
     [], 0, False),
    ("think opened by the prompt",
     'reasoning about <tool_call>{"name": "wrong", "arguments": {}}</tool_call></think>\n'
     '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>',
     [{"name": "wrong", "arguments": {}}, WEATHER], False, [WEATHER], 0, False),
    ("escaped quotes in a string",
     r'<tool_call>{"name": "say", "arguments": {"text": "she said \"hi\" and \\ left"}}</tool_call>',
     [{"name": "say", "arguments": {"text": 'she said "hi" and \\ left'}}], False,
     [{"name": "say", "arguments": {"text": 'she said "hi" and \\ left'}}], 0, False),
    ("nested quotes python style",
     """<tool_call>{'name': 'say', 'arguments': {'text': "it's \\"fine\\""}}</tool_call>""",
     [], True, [{"name": "say", "arguments": {"text": 'it\'s "fine"'}}], 0, True),
    ("tag text inside a string", '<tool_call>{"name": "say", "arguments": {"text": "a </tool_call> b"}}</tool_call>',
     [], True, [], 1, False),
    ("invalid JSON", "<tool_call>{name: get_weather}</tool_call>", [], True, [], 1, False),
    ("one good one bad",
     '<tool_call>{"name": "a", "arguments": {}}</tool_call><tool_call>{oops}</tool_call>',
     [], True, [{"name": "a", "arguments": {}}], 1, False),
    ("trailing junk after JSON", '<tool_call>{"name": "a", "arguments": {}} trailing</tool_call>',
     [], True, [{"name": "a", "arguments": {}}], 0, False),
    ("arguments as JSON string", '<tool_call>{"name": "a", "arguments": "{\\"x\\": 1}"}</tool_call>',
     [], True, [{"name": "a", "arguments": {"x": 1}}], 0, False),
    ("arguments missing", '<tool_call>{"name": "a"}</tool_call>', [], True, [], 1, False),
    ("arguments a list", '<tool_call>{"name": "a", "arguments": [1, 2]}</tool_call>', [], True, [], 1, False),
    ("name not a string", '<tool_call>{"name": 3, "arguments": {}}</tool_call>', [], True, [], 1, False),
    ("block is a list", "<tool_call>[1, 2, 3]</tool_call>", [], True, [], 1, False),
    ("empty block", "<tool_call></tool_call>", [], True, [], 1, False),
    ("script in prose", "<script>alert('x')</script>", [], False, [], 0, False),
    ("script in an argument",
     '<tool_call>{"name": "say", "arguments": {"text": "<script>alert(1)</script>"}}</tool_call>',
     [{"name": "say", "arguments": {"text": "<script>alert(1)</script>"}}], False,
     [{"name": "say", "arguments": {"text": "<script>alert(1)</script>"}}], 0, False),
    ("python expression is not evaluated", "<tool_call>__import__('os').system('true')</tool_call>",
     [], True, [], 1, False),
    ("deep nesting", "<tool_call>" + "[" * 100_000 + "</tool_call>", [], True, [], 1, False),
    ("megabyte of prose", MEGABYTE, [], False, [], 0, False),
    ("megabyte inside a call",
     '<tool_call>{"name": "say", "arguments": {"text": "' + MEGABYTE + '"}}</tool_call>',
     [{"name": "say", "arguments": {"text": MEGABYTE}}], False,
     [{"name": "say", "arguments": {"text": MEGABYTE}}], 0, False),
    ("megabyte unterminated garbage", "<tool_call>{" + MEGABYTE, [], True, [], 1, False),
]  # fmt: skip


def _dump(calls: list[Any]) -> list[dict[str, Any]]:
    return [call.model_dump() for call in calls]


@pytest.mark.parametrize(
    ("output", "strict_calls", "strict_error", "lenient_calls", "lenient_errors", "literals"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_parse_table(
    output: str,
    strict_calls: list[dict[str, Any]],
    strict_error: bool,
    lenient_calls: list[dict[str, Any]],
    lenient_errors: int,
    literals: bool,
) -> None:
    strict = parse_strict(output)
    assert _dump(strict.calls) == strict_calls
    assert bool(strict.errors) == strict_error
    lenient = parse_lenient(output)
    assert _dump(lenient.calls) == lenient_calls
    assert len(lenient.errors) == lenient_errors
    assert lenient.used_python_literals == literals


def test_error_messages_stay_short_on_huge_output() -> None:
    result = parse_lenient("<tool_call>{" + MEGABYTE)
    assert len(result.errors[0]) < 200


OPENAI_TABLE: list[tuple[str, list[Any], list[dict[str, Any]], int]] = [
    ("one call", [{"id": "1", "type": "function", "function": {"name": "a", "arguments": '{"x": 1}'}}],
     [{"name": "a", "arguments": {"x": 1}}], 0),
    ("arguments already an object", [{"type": "function", "function": {"name": "a", "arguments": {"x": 1}}}],
     [{"name": "a", "arguments": {"x": 1}}], 0),
    ("arguments not JSON", [{"type": "function", "function": {"name": "a", "arguments": "{x"}}], [], 1),
    ("no function object", [{"type": "function"}], [], 1),
    ("not an object", ["a"], [], 1),
    ("empty", [], [], 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tool_calls", "calls", "errors"), [r[1:] for r in OPENAI_TABLE], ids=[r[0] for r in OPENAI_TABLE]
)
def test_openai_tool_calls(tool_calls: list[Any], calls: list[dict[str, Any]], errors: int) -> None:
    result = parse_openai_tool_calls(tool_calls)
    assert _dump(result.calls) == calls
    assert len(result.errors) == errors


FRAGMENTS = st.sampled_from(
    ["<tool_call>", "</tool_call>", "<think>", "</think>", "{", "}", "[", "]", '"', "'", ":", ",", "\\",
     '"name"', '"arguments"', "'name'", "None", "True", "1e999", "NaN", "\x00", "é", " ", "\n"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=40).map("".join)))
def test_parser_never_raises(text: str) -> None:
    for parse in (parse_strict, parse_lenient):
        result = parse(text)
        assert all(isinstance(call.arguments, dict) for call in result.calls)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(), st.dictionaries(st.text(), st.text()))))
def test_openai_parser_never_raises(items: list[Any]) -> None:
    parse_openai_tool_calls(items)


# Text that cannot end a block or open reasoning early: a JSON string holding `</tool_call>` ends the block in
# vLLM's reading too (the table's "tag text inside a string").
PLAIN_TEXT = st.text(max_size=12).filter(lambda text: "tool_call>" not in text and "think>" not in text)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)  # NaN is not equal to itself
    | PLAIN_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(PLAIN_TEXT, inner, max_size=3),
    max_leaves=10,
)
CALLS = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,30}", fullmatch=True) | PLAIN_TEXT.filter(bool),
            "arguments": st.dictionaries(PLAIN_TEXT, JSON_VALUES, max_size=4),
        }
    ),
    min_size=1,
    max_size=4,
)


@st.composite
def hermes_outputs(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """Calls as a Hermes-style model writes them, laid out in the ways vLLM's parser accepts (prose around and
    between blocks, whitespace inside the tags, either key first, indented JSON, an unterminated last block)."""
    calls = draw(CALLS)
    pieces = [draw(PLAIN_TEXT)]
    for index, call in enumerate(calls):
        block = call if draw(st.booleans()) else {"arguments": call["arguments"], "name": call["name"]}
        body = json.dumps(block, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2])))
        padding = draw(st.sampled_from(["", " ", "\n"]))
        closed = index < len(calls) - 1 or draw(st.booleans())
        pieces.append(f"<tool_call>{padding}{body}{padding}" + ("</tool_call>" + draw(PLAIN_TEXT) if closed else ""))
        event("unterminated last block" if not closed else "terminated block")
    event(f"{len(calls)} calls")
    return "".join(pieces), calls


@st.composite
def model_outputs(draw: st.DrawFn) -> str:
    """A Hermes output, whole in about two examples of three; else cut short after its first tag and followed by
    fragments, as a model stopped by `max_tokens` or rambling writes it (the strict parse mostly fails there)."""
    text, _ = draw(hermes_outputs())
    if draw(st.integers(0, 2)) < 2:
        return text
    cut = draw(st.integers(text.index("<tool_call>") + len("<tool_call>"), len(text)))
    return text[:cut] + "".join(draw(st.lists(FRAGMENTS, max_size=4)))


@settings(max_examples=300, deadline=None)
@given(hermes_outputs())
def test_well_formed_calls_round_trip(output: tuple[str, list[dict[str, Any]]]) -> None:
    text, calls = output
    strict = parse_strict(text)
    assert not strict.errors and _dump(strict.calls) == calls
    assert parse_lenient(text) == strict
    assert parse_strict(format_tool_calls(strict.calls)) == strict


def test_lenient_equals_strict_on_clean_text() -> None:
    """The scorer skips the lenient parse when the strict one succeeds on text without think tags: they agree.
    Most examples are whole Hermes outputs, so most reach the comparison with calls to compare (where random text
    almost never does); the count checks that they do."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=400, deadline=None)
    @given(model_outputs())
    def agree(text: str) -> None:
        strict = parse_strict(text)
        outcome = "error" if strict.errors else "calls" if strict.calls else "no calls"
        outcomes[outcome] += 1
        event(f"strict parse: {outcome}")
        if not strict.errors and "think>" not in text:
            assert parse_lenient(text) == strict

    agree()
    assert outcomes["calls"] > outcomes.total() / 2, outcomes


def test_lenient_equals_strict_on_calls() -> None:
    text = '<tool_call>{"name": "a", "arguments": {"x": [1, {"y": null}]}}</tool_call>\n<tool_call>{"name": "b", "arguments": {}}'
    assert parse_lenient(text) == parse_strict(text)
