"""BFCL as an external suite: every supported category loads, is scored with `bfcl` semantics, and its ground truths
score as correct when a model produces them, apart from the cases whose data contradicts itself (counted and
reported, not hidden)."""

from __future__ import annotations

import pytest

from harness.parsing import format_tool_calls
from harness.scoring import ToolValidators, ideal_calls, score_generation
from harness.suites import bfcl
from harness.suites.files import load_bfcl
from harness.types import Case, Generation, Semantics


def ground_truth_output(case: Case) -> str:
    return format_tool_calls(ideal_calls(case)) if case.expected else "No tool fits this request."


@pytest.mark.parametrize("category", list(bfcl.CATEGORIES))
def test_ground_truth_scores_correct(category: str) -> None:
    loaded = load_bfcl(f"bfcl:{category}")
    assert loaded.suite is not None, loaded.problems
    assert not loaded.problems
    suite = loaded.suite
    assert all(case.kind == bfcl.CATEGORIES[category] for case in suite.cases)
    assert suite.semantics is Semantics.BFCL
    validators = ToolValidators.for_suite(suite)
    flawed_lines = {problem.line for problem in loaded.data_problems}
    origins = bfcl.load_category(category)[1]
    failures = []
    for case in suite.cases:
        generation = Generation(suite=suite.name, case_id=case.id, variant="truth", text=ground_truth_output(case))
        score = score_generation(case, generation, validators)
        if not (score.strict.full_match and score.lenient.full_match):
            failures.append((case.id, origins[case.id].line, score.lenient.detail))
    unexplained = [f for f in failures if f[1] not in flawed_lines]
    assert not unexplained, unexplained[:5]
    assert len(failures) <= len(flawed_lines)


def test_category_sizes_match_the_data() -> None:
    sizes = {c: len(bfcl.load_category(c)[0].cases) for c in ("simple_python", "irrelevance", "live_parallel")}
    assert sizes == {"simple_python": 400, "irrelevance": 240, "live_parallel": 16}


SCHEMA_TABLE = [
    ({"type": "dict", "properties": {"x": {"type": "float"}}}, {"type": "object", "properties": {"x": {"type": "number"}}}),
    ({"type": "tuple", "items": {"type": "integer"}}, {"type": "array", "items": {"type": "integer"}}),
    ({"type": "any", "description": "anything"}, {"description": "anything"}),
    ({"type": "array", "items": {"type": "dict", "properties": {"k": {"type": "any"}}}},
     {"type": "array", "items": {"type": "object", "properties": {"k": {}}}}),
    ({"type": "dict", "additionalProperties": {"type": "float"}}, {"type": "object", "additionalProperties": {"type": "number"}}),
]  # fmt: skip


@pytest.mark.parametrize(("bfcl_schema", "json_schema"), SCHEMA_TABLE)
def test_schema_conversion(bfcl_schema: dict[str, object], json_schema: dict[str, object]) -> None:
    assert bfcl.convert_schema(bfcl_schema) == json_schema


def test_unknown_type_is_an_error() -> None:
    with pytest.raises(bfcl.BfclError, match="unknown BFCL type 'complex'"):
        bfcl.convert_schema({"type": "complex"})


def test_answer_conversion() -> None:
    call = bfcl.convert_answer(
        "f",
        {
            "a": [1, 2],
            "b": ["", "x"],
            "c": [""],
            "d": [{"k": ["v", "w"], "o": ["", 1]}],
            "e": [[{"k": ["v"]}]],
            "f": [],
        },
    )
    args = {name: (spec.accepted, spec.optional) for name, spec in call.arguments.items()}
    assert args == {
        "a": ([1, 2], False),
        "b": (["x"], True),
        "c": ([], True),
        "d": ([{"k": "v", "o": 1}, {"k": "v"}, {"k": "w", "o": 1}, {"k": "w"}], False),
        "e": ([[{"k": "v"}]], False),
        "f": ([], False),
    }


def test_missing_package_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bfcl, "PACKAGE", "bfcl_eval_not_installed")
    loaded = load_bfcl("bfcl:simple_python")
    assert loaded.suite is None
    assert "pip install --no-deps bfcl-eval" in str(loaded.problems[0])


def test_unknown_category() -> None:
    loaded = load_bfcl("bfcl:simple_cobol")
    assert "unsupported BFCL category 'simple_cobol'" in str(loaded.problems[0])
