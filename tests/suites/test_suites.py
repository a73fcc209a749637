"""Suite files: the built-in suites are valid and sizeable, the published schema is current, and every kind of
broken suite is rejected with a message naming the file, the line and the field."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from harness.cli import main
from harness.suites.files import expand_sources, load_sources, suite_schema
from harness.types import CaseKind, Semantics

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "suites"


def test_builtin_suites_are_valid_and_cover_every_kind() -> None:
    loaded = load_sources([str(SUITES)])
    assert all(item.ok for item in loaded), [str(p) for item in loaded for p in item.problems]
    suites = [item.suite for item in loaded if item.suite]
    assert len(suites) >= 5
    kinds = Counter(CaseKind(case.kind) for suite in suites for case in suite.cases)
    assert sum(kinds.values()) >= 150
    assert kinds[CaseKind.IRRELEVANCE] >= 30
    assert all(kinds[kind] >= 10 for kind in CaseKind), kinds


def test_builtin_multiple_cases_offer_three_to_six_tools() -> None:
    suite = next(item.suite for item in load_sources([str(SUITES / "multiple.json")]))
    assert suite is not None
    assert all(3 <= len(case.tools) <= 6 for case in suite.cases)


def test_published_schema_is_current() -> None:
    published = json.loads((SUITES / "suite.schema.json").read_text())
    assert published == suite_schema(), "regenerate: harness suites schema > suites/suite.schema.json"


def test_schema_files_are_not_suites() -> None:
    assert all(not p.endswith(".schema.json") for p in expand_sources([str(SUITES)]))


GOOD_TOOL = {
    "name": "get_weather",
    "description": "Weather now.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"],
    },
}
GOOD_CASE = {
    "id": "c1",
    "kind": "simple",
    "messages": [{"role": "user", "content": "Weather in Oslo?"}],
    "tools": ["get_weather"],
    "expected": [
        {"function": "get_weather", "arguments": {"city": {"accepted": ["Oslo"]}, "unit": {"optional": True}}}
    ],
}


def _suite(tools: list[object] | None = None, cases: list[object] | None = None, **extra: object) -> dict[str, object]:
    return {"version": 1, "name": "t", "tools": tools or [GOOD_TOOL], "cases": cases or [GOOD_CASE], **extra}


def _case(**changes: object) -> dict[str, object]:
    return {**GOOD_CASE, **changes}


def _call(**arguments: object) -> list[dict[str, object]]:
    return [{"function": "get_weather", "arguments": arguments}]


def _ask(content: str = "What's the weather like?", **withheld: object) -> dict[str, object]:
    """A missing_info case withholding the city, or what `withheld` changes of that."""
    held = {"tool": "get_weather", "argument": "city", "value": "Oslo", **withheld}
    messages = [{"role": "user", "content": content}]
    return _case(id="m1", kind="missing_info", messages=messages, expected=[], withheld=[held])


BALANCE_TOOL = {
    "name": "get_balance",
    "description": "Balance of an account.",
    "environment": "bank",
    "parameters": {"type": "object", "properties": {"account_id": {"type": "string"}}, "required": ["account_id"]},
}
HISTORY_TOOL = {**BALANCE_TOOL, "name": "list_transactions", "description": "Transfers of an account."}
CART_TOOL = {"name": "view_cart", "description": "The cart.", "environment": "shop", "parameters": {"type": "object"}}
BANK_STATE = {
    "accounts": {"A-1": {"owner": "Ann Lee", "type": "checking", "balance": 10}},
    "transactions": [],
    "next_transaction": 1,
}
GOOD_TURNS: list[dict[str, object]] = [
    {"kind": "act", "messages": [{"role": "user", "content": "Balance of A-1?"}],
     "expected": [{"function": "get_balance", "arguments": {"account_id": "A-1"}}]},
    {"kind": "act", "messages": [{"role": "user", "content": "And its history?"}], "tools_added": ["list_transactions"],
     "expected": [{"function": "list_transactions", "arguments": {"account_id": "A-1"}}]},
]  # fmt: skip
GOOD_EPISODE = {
    "id": "e1",
    "environment": [{"name": "bank", "state": BANK_STATE}],
    "tools": ["get_balance"],
    "turns": GOOD_TURNS,
}


def _episodes(*episodes: dict[str, object]) -> dict[str, object]:
    """A suite of episodes over the bank, with a single-turn tool and a shop tool beside the bank's."""
    tools = [GOOD_TOOL, BALANCE_TOOL, HISTORY_TOOL, CART_TOOL]
    return {"version": 1, "name": "t", "tools": tools, "episodes": list(episodes or [GOOD_EPISODE])}


def _episode(**changes: object) -> dict[str, object]:
    return {**GOOD_EPISODE, **changes}


def _turn(index: int, **changes: object) -> dict[str, object]:
    """The good episode with one turn changed."""
    turns = [dict(turn) for turn in GOOD_TURNS]
    turns[index].update(changes)
    return _episode(turns=turns)


def _bank(**state: object) -> dict[str, object]:
    return _episode(environment=[{"name": "bank", "state": {**BANK_STATE, **state}}])


# (id, suite document, text on the reported line, field path, message fragment)
BROKEN: list[tuple[str, dict[str, object], str, str, str]] = [
    ("unknown field", _suite(cases=[_case(expect=[])]), '"expect": []', "cases[0].expect", "Additional properties are not allowed"),
    ("bad kind", _suite(cases=[_case(kind="sequential")]), '"kind": "sequential"', "cases[0].kind", "'sequential' is not one of"),
    ("missing messages", _suite(cases=[{k: v for k, v in GOOD_CASE.items() if k != "messages"}]), '{', "cases[0]",
     "'messages' is a required property"),
    ("bad role", _suite(cases=[_case(messages=[{"role": "robot", "content": "x"}])]), '"role": "robot"',
     "cases[0].messages[0].role", "is not one of"),
    ("wrong version", _suite(version=2), '"version": 2', "version", "1 was expected"),
    ("unknown semantics", _suite(semantics="leaderboard"), '"semantics": "leaderboard"', "semantics",
     "'leaderboard' is not one of"),
    ("parameters not object", _suite(tools=[{**GOOD_TOOL, "parameters": {"type": "array"}}]), '"type": "array"',
     "tools[0].parameters.type", '"type": "object"'),
    ("invalid json schema", _suite(tools=[{**GOOD_TOOL, "parameters": {"type": "object", "required": "city"}}]), '"required": "city"',
     "tools[0].parameters.required", "not a valid JSON Schema"),
    ("duplicate tool", _suite(tools=[GOOD_TOOL, GOOD_TOOL]), '"name": "get_weather"', "tools[1].name",
     "duplicate tool name 'get_weather'"),
    ("duplicate case id", _suite(cases=[GOOD_CASE, GOOD_CASE]), '"id": "c1"', "cases[1].id", "duplicate case id 'c1'"),
    ("unknown offered tool", _suite(cases=[_case(tools=["get_wether"])]), '"get_wether"', "cases[0].tools[0]",
     "tool 'get_wether' is not defined"),
    ("expected function not offered",
     _suite(cases=[_case(expected=[{"function": "send_email", "arguments": {}}])]), '"function": "send_email"',
     "cases[0].expected[0].function", "'send_email' is not among the case's tools"),
    ("required argument missing", _suite(cases=[_case(expected=_call(unit={"optional": True}))]), '"arguments": {',
     "cases[0].expected[0].arguments", "'city' is required by get_weather but missing"),
    ("required argument optional", _suite(cases=[_case(expected=_call(city={"accepted": ["Oslo"], "optional": True}))]),
     '"arguments": {', "cases[0].expected[0].arguments", "'city' is required by get_weather but marked optional"),
    ("unknown argument", _suite(cases=[_case(expected=_call(city={"accepted": ["Oslo"]}, town={"optional": True}))]),
     '"town": {', "cases[0].expected[0].arguments.town", "get_weather has no parameter 'town'"),
    ("accepted value invalid",
     _suite(cases=[_case(expected=_call(city={"accepted": ["Oslo"]}, unit={"accepted": ["kelvin"]}))]), '"kelvin"',
     "cases[0].expected[0].arguments.unit.accepted[0]", 'kelvin" is not one of'),
    ("accepted value wrong type", _suite(cases=[_case(expected=_call(city={"accepted": [42]}))]), '42',
     "cases[0].expected[0].arguments.city.accepted[0]", '42 is not of type "string"'),
    ("nothing accepted", _suite(cases=[_case(expected=_call(city={"accepted": []}))]), '"accepted": []',
     "cases[0].expected[0].arguments.city.accepted", "no value is accepted"),
    ("simple with two calls", _suite(cases=[_case(expected=_call(city={"accepted": ["A"]}) * 2)]), '"kind": "simple"', "cases[0].kind",
     "needs one tool offered and one call"),
    ("irrelevance with a call", _suite(cases=[_case(kind="irrelevance")]), '"kind": "irrelevance"', "cases[0].kind",
     "needs no expected call"),
    ("parallel with one call", _suite(cases=[_case(kind="parallel")]), '"kind": "parallel"', "cases[0].kind",
     "needs 2+ calls of one function"),
    ("missing_info gives the value", _suite(cases=[_ask("Weather in oslo now?")]), '"content": "Weather in oslo now?"',
     "cases[0].messages[0].content", "gives the withheld get_weather city ('Oslo') as 'oslo'"),
    ("missing_info withholds an optional argument", _suite(cases=[_ask(argument="unit", value="celsius")]),
     '"argument": "unit"', "cases[0].withheld[0].argument", "get_weather does not require 'unit'"),
    ("missing_info withholds from a tool not offered", _suite(cases=[_ask(tool="send_email")]), '"tool": "send_email"',
     "cases[0].withheld[0].tool", "withheld tool 'send_email' is not among the case's tools"),
    ("missing_info withholds an invalid value", _suite(cases=[_ask(value=42)]), '"value": 42',
     "cases[0].withheld[0].value", 'withheld value 42 is invalid for get_weather: 42 is not of type "string"'),
    ("missing_info withholds nothing to look for", _suite(cases=[_ask(value="")]), '"value": ""',
     "cases[0].withheld[0].value", "'' has no spelling to look for in the messages"),
    ("missing_info with a call", _suite(cases=[{**_ask(), "expected": _call(city={"accepted": ["Oslo"]})}]),
     '"kind": "missing_info"', "cases[0].kind", "needs no expected call and a withheld value"),
    ("missing_info withholding nothing", _suite(cases=[{**_ask(), "withheld": []}]), '"kind": "missing_info"',
     "cases[0].kind", "needs no expected call and a withheld value"),
    ("withheld on a simple case", _suite(cases=[{**_ask(), "kind": "simple", "expected": GOOD_CASE["expected"]}]),
     '"withheld": [', "cases[0].withheld", "only a missing_info case withholds a value; this one is 'simple'"),
    ("episode offers an undefined tool", _episodes(_episode(tools=["get_balanse"])), '"get_balanse"',
     "episodes[0].tools[0]", "tool 'get_balanse' is not defined in the suite"),
    ("turn adds an undefined tool", _episodes(_turn(1, tools_added=["list_transaction"])), '"list_transaction"',
     "episodes[0].turns[1].tools_added[0]", "tool 'list_transaction' is not defined in the suite"),
    ("episode offers a tool without environment", _episodes(_episode(tools=["get_balance", "get_weather"])),
     '"get_weather"', "episodes[0].tools[1]", "tool 'get_weather' has no environment"),
    ("episode offers a tool of another environment", _episodes(_episode(tools=["get_balance", "view_cart"])),
     '"view_cart"', "episodes[0].tools[1]", "tool 'view_cart' runs on 'shop', which is not among the episode's"),
    ("duplicate episode id", _episodes(GOOD_EPISODE, GOOD_EPISODE), '"id": "e1"', "episodes[1].id",
     "duplicate episode id 'e1'"),
    ("act turn without calls", _episodes(_turn(1, expected=[])), '"kind": "act"', "episodes[0].turns[1].kind",
     "kind 'act' needs expected calls"),
    ("ask turn with calls", _episodes(_turn(0, kind="ask")), '"kind": "ask"', "episodes[0].turns[0].kind",
     "kind 'ask' needs no expected call"),
    ("reply turn with calls", _episodes(_turn(0, kind="reply")), '"kind": "reply"', "episodes[0].turns[0].kind",
     "kind 'reply' needs no expected call"),
    ("expected call to a tool offered only later",
     _episodes(_turn(0, expected=[{"function": "list_transactions", "arguments": {"account_id": "A-1"}}])),
     '"function": "list_transactions"', "episodes[0].turns[0].expected[0].function",
     "expected function 'list_transactions' is not offered by turn 0 (['get_balance'])"),
    ("expected call with a value of the wrong type",
     _episodes(_turn(0, expected=[{"function": "get_balance", "arguments": {"account_id": 7}}])), '"account_id": 7',
     "episodes[0].turns[0].expected[0].arguments.account_id", 'get_balance: 7 is not of type "string"'),
    ("expected call without a required argument",
     _episodes(_turn(0, expected=[{"function": "get_balance", "arguments": {}}])), '"arguments": {}',
     "episodes[0].turns[0].expected[0].arguments", "get_balance: \"account_id\" is a required property"),
    ("unknown environment", _episodes(_episode(environment=[{"name": "bakn", "state": BANK_STATE}])), '{',
     "episodes[0].environment[0]", "unknown environment 'bakn'"),
    ("environment listed twice",
     _episodes(_episode(environment=[{"name": "bank", "state": BANK_STATE}, {"name": "bank", "state": BANK_STATE}])),
     '"name": "bank"', "episodes[0].environment[1].name", "environment 'bank' is listed twice"),
    ("state with an unknown key", _episodes(_bank(overdraft=5)), '{', "episodes[0].environment[0]",
     "'bank' rejects its state: ValueError: state.overdraft: unknown field"),
    ("state with a wrong type", _episodes(_bank(next_transaction="1")), '{', "episodes[0].environment[0]",
     "'bank' rejects its state: ValueError: state.next_transaction: expected int, got str"),
    ("unknown turn kind", _episodes(_turn(0, kind="do")), '"kind": "do"', "episodes[0].turns[0].kind",
     "'do' is not one of"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "on_line", "path", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_suite_is_located(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: dict[str, object],
    on_line: str,
    path: str,
    message: str,
) -> None:
    suite_file = tmp_path / "broken.json"
    text = json.dumps(document, indent=2)
    suite_file.write_text(text)
    problems = [p for item in load_sources([str(suite_file)]) for p in item.problems]
    found = [p for p in problems if p.path == path and message in p.message]
    assert found, [str(p) for p in problems]
    line = found[0].line
    assert line is not None and on_line in text.splitlines()[line - 1]
    assert main(["suites", "validate", str(suite_file)]) == 1
    assert f"{suite_file}:{line}: {path}: " in capsys.readouterr().out.replace("\n", "")


def test_not_json_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite_file = tmp_path / "bad.json"
    suite_file.write_text('{\n  "version": 1,\n  "name": "x",\n  oops\n}\n')
    assert main(["suites", "validate", str(suite_file)]) == 1
    assert f"{suite_file}:4: not JSON" in capsys.readouterr().out


def test_missing_path_and_duplicate_names(tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(_suite()))
    loaded = load_sources([str(tmp_path), str(tmp_path / "nope.json")])
    messages = [str(p) for item in loaded for p in item.problems]
    assert sum("suite name 't' is used twice" in m for m in messages) == 2
    assert any("nope.json: no such file or folder" in m for m in messages)


def test_validate_command_on_builtin_suites(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "validate", str(SUITES)]) == 0
    assert capsys.readouterr().out.count("ok ") >= 5


@pytest.mark.parametrize(("chosen", "semantics"), [({}, Semantics.SCHEMA), ({"semantics": "bfcl"}, Semantics.BFCL)])
def test_a_suite_file_chooses_its_semantics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chosen: dict[str, str], semantics: Semantics
) -> None:
    suite_file = tmp_path / "s.json"
    suite_file.write_text(json.dumps(_suite(**chosen)))
    (loaded,) = load_sources([str(suite_file)])
    assert loaded.ok and loaded.suite is not None and loaded.suite.semantics is semantics
    assert main(["suites", "validate", str(suite_file)]) == 0
    assert f"{semantics.value} semantics" in capsys.readouterr().out
