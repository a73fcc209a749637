"""The two scoring semantics side by side on one argument at a time (`tests/data/semantics_cases.json`).

Each row is a tool with one parameter `x` (its schema, whether the tool requires it, whether it declares it at
all), what the expected call accepts for it, and the value a model passed (none: left out); then the verdict under
`schema` and under `bfcl` semantics. The `bfcl` column was checked by running bfcl-eval 2026.3.23's own checker on
every row its answers can say (all but the two whose argument accepts any value); `benchmarks/bfcl_agreement.py`
does the same at scale on BFCL's data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from harness.scoring import ToolValidators, score_parsed
from harness.types import (
    ArgumentSpec,
    Case,
    CaseKind,
    ErrorKind,
    ExpectedCall,
    Frozen,
    JsonValue,
    Message,
    ParseResult,
    Semantics,
    Suite,
    Tool,
    ToolCall,
)

TABLE_PATH = Path(__file__).resolve().parents[1] / "data" / "semantics_cases.json"


class Row(Frozen):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    parameter: dict[str, JsonValue]
    required: bool = True
    declared: bool = True
    accepted: list[JsonValue] | None = None
    optional: bool = False
    value: JsonValue = None
    """Left out of the call when absent from the row."""
    schema_: ErrorKind | None = Field(alias="schema")
    bfcl: ErrorKind | None
    why: str = ""

    def tool(self) -> Tool:
        properties = {"x": self.parameter} if self.declared else {}
        required = ["x"] if self.required and self.declared else []
        return Tool(
            name=self.name,
            description="",
            parameters={"type": "object", "properties": properties, "required": required},
        )

    def case(self) -> Case:
        argument = ArgumentSpec(accepted=self.accepted, optional=self.optional)
        expected = ExpectedCall(function=self.name, arguments={"x": argument})
        message = Message(role="user", content=f"(semantics table row {self.name})")
        return Case(id=self.name, kind=CaseKind.SIMPLE, messages=[message], tools=[self.name], expected=[expected])

    def call(self) -> ToolCall:
        return ToolCall(name=self.name, arguments={"x": self.value} if "value" in self.model_fields_set else {})


class Table(Frozen):
    rows: list[Row]


TABLE = Table.model_validate_json(TABLE_PATH.read_text())
SUITE = Suite(
    name="semantics-table", tools=[row.tool() for row in TABLE.rows], cases=[row.case() for row in TABLE.rows]
)
VALIDATORS = {semantics: ToolValidators.for_suite(SUITE, semantics) for semantics in Semantics}


@pytest.mark.parametrize("row", TABLE.rows, ids=[row.name for row in TABLE.rows])
def test_row_verdicts(row: Row) -> None:
    parsed = ParseResult(calls=[row.call()], errors=[])
    case = next(c for c in SUITE.cases if c.id == row.name)
    verdicts = {s: score_parsed(case, parsed, VALIDATORS[s]) for s in Semantics}
    found = {s: v.error_kind for s, v in verdicts.items()}
    assert found == {Semantics.SCHEMA: row.schema_, Semantics.BFCL: row.bfcl}, {
        s: v.detail for s, v in verdicts.items()
    }


def test_rows_where_the_semantics_differ() -> None:
    """The table is about the differences: most rows must show one, and each of those says why."""
    differing = [row for row in TABLE.rows if (row.schema_ is None) != (row.bfcl is None)]
    assert len(differing) >= len(TABLE.rows) // 3
    assert all(row.why for row in differing), [row.name for row in differing if not row.why]
