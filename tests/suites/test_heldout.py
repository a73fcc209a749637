"""Held-out in-distribution suites: the committed generator suite is reproducible and shares no request and no call
with any fixture's training data; a dataset's held-out rows make the suite and nothing else, training the rest."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from harness.cli import main
from harness.fixtures.recipes import DataSpec, load_recipe
from harness.parsing import parse_strict
from harness.scoring import ToolValidators, score_parsed
from harness.suites.files import load_suite_file
from harness.suites.heldout import OVERSAMPLING, suite_mix
from harness.training_data import TrainingDataError, TrainingExample, generate, load_examples, user_messages
from harness.training_data.examples import HELDOUT_POOL
from harness.training_data.tool_pool import HELDOUT_TOOLS, SPECS
from harness.types import CaseKind, Suite, Tool, ToolCall

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "suites" / "heldout.json"
HELDOUT_MULTI_TURN = ROOT / "suites" / "conversations" / "heldout_multi_turn.json"
FC_GOOD = ROOT / "adapters" / "fc-good.toml"
CASES, SEED = 80, 4242
"""What `suites/heldout.json` was written with: harness suites from-generator --recipe adapters/fc-good.toml
--cases 80 --seed 4242 --out suites/heldout.json"""
COURSE_FILE = ROOT / "tests" / "data" / "course_format.jsonl"
COURSE_HELDOUT = ROOT / "suites" / "course" / "heldout.json"
COURSE_ARGS = ["--recipe", str(FC_GOOD), "--cases", str(CASES), "--seed", "2727", "--name", "course-heldout"]
"""What `suites/course/heldout.json`, the course-format recipes' held-out suite, was written with (with `--rows
course`): fc-good's kinds mix and renaming, which a course recipe on the generator's data shares."""
GENERATED_RECIPES = [p for p in sorted((ROOT / "adapters").glob("*.toml")) if load_recipe(p).data.source == "generated"]

_POOL = {spec.tool.description: spec.tool for spec in SPECS}

Call = tuple[str, str]
"""A call by the identity of its pool tool: (the pool's tool name, its arguments under the pool's parameter names as
sorted JSON)."""


def _identity(call: ToolCall, offered: list[Tool]) -> Call:
    """Renaming changes a tool's name and top-level parameter names but keeps its description and the order of its
    parameters: that finds the pool tool behind any spelling, so a renamed copy of a call is still the same call."""
    tool = next(t for t in offered if t.name == call.name)
    original = _POOL[tool.description]
    names = dict(zip(tool.parameters["properties"], original.parameters["properties"], strict=True))
    return original.name, json.dumps({names[k]: v for k, v in call.arguments.items()}, sort_keys=True)


def _training_calls(examples: list[TrainingExample]) -> set[Call]:
    """Every call of every assistant turn, follow-ups included."""
    answers = ((e, m.content) for e in examples for m in e.messages if m.role == "assistant")
    every = [*answers, *((e, e.answer) for e in examples)]
    return {_identity(call, e.tools) for e, text in every for call in parse_strict(text).calls}


def _suite_calls(suite: Suite) -> set[Call]:
    tools = {tool.key: tool for tool in suite.tools}
    calls = set()
    for case in suite.cases:
        offered = [tools[key] for key in case.tools]
        for expected in case.expected:
            arguments = {name: spec.accepted[0] for name, spec in expected.arguments.items() if spec.accepted}
            calls.add(_identity(ToolCall(name=expected.function, arguments=arguments), offered))
    return calls


def _texts(texts: set[str]) -> set[str]:
    return {text.strip().lower() for text in texts}


@cache
def _heldout(path: Path = HELDOUT) -> Suite:
    loaded = load_suite_file(path)
    assert loaded.ok and loaded.suite, [str(p) for p in loaded.problems]
    return loaded.suite


def test_committed_suite_is_what_the_command_writes(tmp_path: Path) -> None:
    out = tmp_path / "heldout.json"
    args = ["--recipe", str(FC_GOOD), "--cases", str(CASES), "--seed", str(SEED), "--out", str(out)]
    assert main(["suites", "from-generator", *args]) == 0
    assert out.read_text() == HELDOUT.read_text(), f"regenerate: harness suites from-generator {' '.join(args[:-1])}"


def test_committed_course_suite_is_what_the_command_writes_through_course_rows(tmp_path: Path) -> None:
    out = tmp_path / "heldout.json"
    assert main(["suites", "from-generator", *COURSE_ARGS, "--rows", "course", "--out", str(out)]) == 0
    regenerate = f"regenerate: harness suites from-generator {' '.join(COURSE_ARGS)} --rows course"
    assert out.read_text() == COURSE_HELDOUT.read_text(), regenerate
    suite = _heldout(COURSE_HELDOUT)
    assert "course rows" in suite.source and suite.distribution == "in" and len(suite.cases) == CASES


def test_course_rows_change_no_case_of_a_generated_suite(tmp_path: Path) -> None:
    """The rows read back lose nothing a case is made of (the thinking is no part of a case), so the course-format
    suite asks what the generator's own would, under its own name and source."""
    plain = tmp_path / "plain.json"
    assert main(["suites", "from-generator", *COURSE_ARGS, "--out", str(plain)]) == 0
    course, made = _heldout(COURSE_HELDOUT), load_suite_file(plain).suite
    assert made is not None and (made.tools, made.cases) == (course.tools, course.cases)
    assert not _texts(user_messages(load_examples(load_recipe(FC_GOOD).data))) & _texts(
        {m.content for case in course.cases for m in case.messages}
    )


def test_heldout_suite_is_in_distribution_single_requests_of_heldout_tools() -> None:
    suite = _heldout()
    assert suite.distribution == "in" and len(suite.cases) == CASES
    assert all([m.role for m in case.messages] == ["user"] for case in suite.cases)
    prompts = [case.messages[0].content.strip().lower() for case in suite.cases]
    assert len(set(prompts)) == len(prompts)
    kinds = Counter(case.kind for case in suite.cases)
    assert kinds[CaseKind.IRRELEVANCE] >= 25
    assert all(kinds[kind] >= 10 for kind in (CaseKind.SIMPLE, CaseKind.MULTIPLE)), kinds
    assert kinds[CaseKind.PARALLEL] + kinds[CaseKind.PARALLEL_MULTIPLE] >= 10, kinds
    assert {name for name, _ in _suite_calls(suite)} == HELDOUT_TOOLS  # every held-out tool is asked for
    assert {_POOL[tool.description].name for tool in suite.tools} == HELDOUT_TOOLS


@pytest.mark.parametrize("recipe", GENERATED_RECIPES, ids=lambda p: p.stem)
def test_heldout_suite_shares_no_request_and_no_call_with_training(recipe: Path) -> None:
    """Every user turn and every call of the fixture's training conversations, follow-ups included, against the
    suite's (and every user turn of the held-out multi-turn suite, whose tools no training example offers); tools
    are compared by the pool tool behind their (possibly renamed) names."""
    examples = load_examples(load_recipe(recipe).data)
    suite = _heldout()
    prompts = _texts({m.content for case in suite.cases for m in case.messages})
    episodes = _heldout(HELDOUT_MULTI_TURN).episodes
    prompts |= _texts({m.content for episode in episodes for turn in episode.turns for m in turn.messages})
    assert not _texts(user_messages(examples)) & prompts
    assert not _training_calls(examples) & _suite_calls(suite)
    offered = {_POOL[tool.description].name for e in examples for tool in e.tools}
    assert offered and not offered & HELDOUT_TOOLS  # neither as targets nor as distractors


@cache
def _suite_source() -> list[TrainingExample]:
    """The batch the suite's cases were chosen from."""
    recipe = load_recipe(FC_GOOD)
    mix = suite_mix(recipe)
    return generate(OVERSAMPLING * CASES, SEED, mix, rename_rate=recipe.data.rename_rate, pool=HELDOUT_POOL)


def test_the_target_answer_of_every_case_is_a_full_match() -> None:
    """The answer training would teach for a case's request passes it, strictly: the expected calls say what the
    generator's targets say, in the suite format and under the scorer's rules."""
    suite = _heldout()
    targets = {e.messages[-1].content: e.answer for e in _suite_source()}
    validators = ToolValidators.for_suite(suite)
    for case in suite.cases:
        outcome = score_parsed(case, parse_strict(targets[case.messages[0].content]), validators)
        assert outcome.full_match, (case.id, outcome.detail)


def test_the_overlap_check_finds_a_leak() -> None:
    """Control: training data drawn like the suite (the held-out pool, its seed, mix and renaming) shares requests
    and calls with it, renamed or not, so the check above would see a leak."""
    leaked = _suite_source()
    suite = _heldout()
    prompts = _texts({m.content for case in suite.cases for m in case.messages})
    assert len(_texts(user_messages(leaked)) & prompts) == CASES
    assert _training_calls(leaked) >= _suite_calls(suite)


# Dataset rows: the suite takes the held-out rows, training the others


def _first_requests() -> list[str]:
    rows = [json.loads(line) for line in COURSE_FILE.read_text().splitlines() if line.strip()]
    return [next(m["content"] for m in row["messages"] if m["role"] == "human") for row in rows]


@pytest.mark.parametrize(("holdout", "seed"), [(1, 0), (1, 1), (1, 2), (2, 0), (2, 7)])
def test_dataset_suite_and_training_split_the_rows(tmp_path: Path, holdout: int, seed: int) -> None:
    out = tmp_path / "suite.json"
    command = ["suites", "from-dataset", str(COURSE_FILE), "--holdout", str(holdout), "--seed", str(seed)]
    assert main([*command, "--out", str(out)]) == 0
    loaded = load_suite_file(out)
    assert loaded.ok and loaded.suite and loaded.suite.distribution == "in"
    asked = {case.messages[-1].content for case in loaded.suite.cases}
    trained = user_messages(
        load_examples(DataSpec(source=str(COURSE_FILE), examples=100, holdout=holdout, holdout_seed=seed))
    )
    requests = _first_requests()
    in_suite = {i for i, text in enumerate(requests) if text in asked}
    in_training = {i for i, text in enumerate(requests) if text in trained}
    assert len(in_suite) == holdout
    assert not in_suite & in_training
    assert in_suite | in_training == set(range(len(requests)))


def test_a_multi_turn_row_becomes_its_first_request_and_answer(tmp_path: Path) -> None:
    out = tmp_path / "suite.json"
    assert main(["suites", "from-dataset", str(COURSE_FILE), "--holdout", "3", "--out", str(out)]) == 0
    suite = load_suite_file(out).suite
    assert suite is not None and suite.name == "heldout-course_format"
    movie = next(case for case in suite.cases if case.id == "row-0")  # user, call, tool response, text answer
    assert [m.content for m in movie.messages] == ["Can you tell me about the movie Inception from 2010?"]
    assert movie.kind is CaseKind.MULTIPLE and len(movie.expected) == 1
    call = movie.expected[0]
    assert (call.function, {k: v.accepted for k, v in call.arguments.items()}) == (
        "get_movie_details",
        {"title": ["Inception"], "year": [2010]},
    )
    assert [case.kind for case in suite.cases] == [CaseKind.MULTIPLE, CaseKind.PARALLEL, CaseKind.IRRELEVANCE]


_TOOLS = "<tools>[{'type': 'function', 'function': {'name': 'tip', 'description': 'A tip.', 'parameters': {'type': 'object', 'properties': {'bill': {'type': 'number'}}, 'required': ['bill']}}}]</tools>"
_GOOD = {
    "messages": [
        {"role": "system", "content": _TOOLS},
        {"role": "human", "content": "Tip on 80?"},
        {"role": "model", "content": "<tool_call>{'name': 'tip', 'arguments': {'bill': 80}}</tool_call>"},
    ]
}

# (second row of a two-row dataset, why it makes no case)
ROWS_WITHOUT_CASE = [
    ({"messages": [{"role": "system", "content": _TOOLS}, {"role": "human", "content": "Tip on ninety?"},
                   {"role": "model", "content": "<tool_call>{'name': 'tip', 'arguments': {'bill': 'ninety'}}</tool_call>"}]},
     "row 1: cases[0].expected[0].arguments.bill.accepted[0]"),
    ({"messages": [{"role": "human", "content": "Hello"}, {"role": "model", "content": "Hi!"}]}, "row 1: no tools offered"),
    ({"messages": [{"role": "system", "content": _TOOLS}, {"role": "human", "content": "Tip?"}]},
     "row 1: no assistant answer after a request"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "reason"), ROWS_WITHOUT_CASE)
def test_rows_that_make_no_case_are_listed_and_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: dict[str, object], reason: str
) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps(_GOOD) + "\n" + json.dumps(row) + "\n")
    out = tmp_path / "suite.json"
    assert main(["suites", "from-dataset", str(data), "--holdout", "2", "--out", str(out)]) == 0
    assert reason in capsys.readouterr().out.replace("\n", "")
    suite = load_suite_file(out).suite
    assert suite is not None and [case.id for case in suite.cases] == ["row-0"]


# (command, fragment of the error)
BAD_COMMANDS = [
    (["suites", "from-dataset", str(COURSE_FILE), "--holdout", "4"], "course_format.jsonl: cannot hold out 4 rows, it has 3"),
    (["suites", "from-dataset", str(COURSE_FILE), "--holdout", "1", "--name", "Bad Name"], "name: String should match pattern"),
    (["suites", "from-generator", "--recipe", str(ROOT / "adapters" / "gemma-course.toml"), "--cases", "5", "--seed", "0"],
     "use `suites from-dataset`"),
    (["suites", "from-dataset", "missing.jsonl", "--holdout", "1"], "missing.jsonl: cannot read"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "message"), BAD_COMMANDS)
def test_bad_requests_fail_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], message: str
) -> None:
    assert main([*command, "--out", str(tmp_path / "out.json")]) == 2
    assert message in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "out.json").exists()


def test_training_cannot_hold_out_every_row() -> None:
    with pytest.raises(TrainingDataError, match="all 3 rows are held out"):
        load_examples(DataSpec(source=str(COURSE_FILE), holdout=3))
