"""The scorer's verdicts on a table of hand-written model outputs (`tests/data/scorer_cases.json`).

Each row is a case (kind, offered tools, expected calls), what the model produced, and the verdict expected under
both parse modes. The rows double as a suite, which must itself pass the suite rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from harness.scoring import ToolValidators, score_generation
from harness.suites.rules import check_suite
from harness.types import (
    Case,
    CaseKind,
    ErrorKind,
    ExpectedCall,
    Frozen,
    Generation,
    JsonValue,
    Message,
    Outcome,
    Suite,
    Tool,
    Withheld,
)

TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "scorer_cases.json"
SUITE_NAME = "scorer-table"


class Verdict(Frozen):
    error_kind: ErrorKind | None
    call_correct: bool
    args_correct: bool


class Row(Frozen):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: CaseKind
    tools: list[str]
    expected: list[ExpectedCall]
    withheld: list[Withheld] = Field(default_factory=list)
    output: str
    server_tool_calls: list[dict[str, JsonValue]] | None = None
    error: str | None = None
    strict: Verdict
    lenient: Verdict


class Table(Frozen):
    tools: list[Tool]
    rows: list[Row]


TABLE = Table.model_validate_json(TABLE_PATH.read_text())
SUITE = Suite(
    name=SUITE_NAME,
    source="tests/data/scorer_cases.json",
    tools=TABLE.tools,
    cases=[
        Case(
            id=row.name,
            kind=row.kind,
            messages=[Message(role="user", content=f"(scorer table row {row.name})")],
            tools=row.tools,
            expected=row.expected,
            withheld=row.withheld,
        )
        for row in TABLE.rows
    ],
)
CASES = {case.id: case for case in SUITE.cases}
VALIDATORS = ToolValidators.for_suite(SUITE)


def as_verdict(outcome: Outcome) -> Verdict:
    return Verdict(error_kind=outcome.error_kind, call_correct=outcome.call_correct, args_correct=outcome.args_correct)


@pytest.mark.parametrize("row", TABLE.rows, ids=[row.name for row in TABLE.rows])
def test_row_verdicts(row: Row) -> None:
    generation = Generation(
        suite=SUITE_NAME,
        case_id=row.name,
        variant="table",
        text=row.output,
        server_tool_calls=row.server_tool_calls,
        error=row.error,
    )
    score = score_generation(CASES[row.name], generation, VALIDATORS)
    assert (as_verdict(score.strict), as_verdict(score.lenient)) == (row.strict, row.lenient), (
        score.strict.detail,
        score.lenient.detail,
    )
    for outcome in (score.strict, score.lenient):
        assert outcome.parse_error == (outcome.error_kind is ErrorKind.PARSE_ERROR)


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_table_covers_every_error_kind(mode: str) -> None:
    seen = {getattr(row, mode).error_kind for row in TABLE.rows}
    assert seen >= {*ErrorKind, None}, f"{mode}: no row for {sorted(set(ErrorKind) - seen)}"


def test_table_size() -> None:
    assert len(TABLE.rows) >= 60


def test_table_is_a_valid_suite() -> None:
    assert check_suite(SUITE) == []
