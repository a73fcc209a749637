"""Generated conversations written as rows of the Agents course's dataset: the dataset's shape and spelling, a
reasoning before every call built from the example, and a round trip through the reader of hub rows that gives
the generator's examples back."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.cli import main
from harness.fixtures.recipes import DataSpec, load_recipe
from harness.parsing import parse_lenient
from harness.training_data import generate, load_examples
from harness.training_data.course_format import convert_row, convert_rows, parse_tools
from harness.training_data.course_rows import FIELD, course_row, course_rows, read_back, system_prompt
from harness.training_data.examples import HELDOUT_POOL, KINDS, TRAINING_POOL, Pool, TrainingExample
from harness.training_data.thinking import reasoning
from harness.types import Message, Tool, ToolCall

DATASET_SYSTEM = (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags."
    "You may call one or more functions to assist with the user query. Don't make assumptions about what values to"
    " plug into functions.Here are the available tools:<tools> [{'type': 'function', 'function': {'name':"
    " 'get_stock_price', 'description': 'Get the current stock price of a company', 'parameters': {'type': 'object',"
    " 'properties': {'company': {'type': 'string', 'description': 'The name of the company'}}, 'required':"
    " ['company']}}}] </tools>Use the following pydantic model json schema for each tool call you will make:"
    " {'title': 'FunctionCall', 'type': 'object', 'properties': {'arguments': {'title': 'Arguments', 'type':"
    " 'object'}, 'name': {'title': 'Name', 'type': 'string'}}, 'required': ['arguments', 'name']}For each function"
    " call return a json object with function name and arguments within <tool_call></tool_call> XML tags as"
    " follows:\n<tool_call>\n{tool_call}\n</tool_call>"
)
"""The system turn of a row of `Jofthomas/hermes-function-calling-thinking-V1` (its first row, cut to one tool)."""
STOCK = Tool(
    name="get_stock_price",
    description="Get the current stock price of a company",
    parameters={
        "type": "object",
        "properties": {"company": {"type": "string", "description": "The name of the company"}},
        "required": ["company"],
    },
)
ROOT = Path(__file__).resolve().parents[2]
THINKING = re.compile(r"<think>.*?\n</think>", re.DOTALL)


def test_the_system_turn_is_spelt_as_the_datasets_rows_spell_it() -> None:
    assert system_prompt([STOCK]) == DATASET_SYSTEM
    assert parse_tools(DATASET_SYSTEM) == [STOCK]


def _without_thinking(example: TrainingExample) -> tuple[list[Tool], list[Message], str]:
    messages = [m.model_copy(update={"content": THINKING.sub("", m.content)}) for m in example.messages]
    return example.tools, messages, THINKING.sub("", example.answer)


def _answers(example: TrainingExample) -> list[str]:
    return [m.content for m in example.messages if m.role == "assistant"] + [example.answer]


# (pool, turns, rename rate): every kind is drawn alone in each, on many seeds
SETTINGS = [(TRAINING_POOL, 1, 0.0), (TRAINING_POOL, 3, 0.8), (HELDOUT_POOL, 2, 0.5)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("pool", "turns", "rename_rate"), SETTINGS, ids=["training", "follow-ups", "heldout"])
def test_rows_read_back_as_the_generators_examples_with_thinking_before_each_call(
    kind: str, pool: Pool, turns: int, rename_rate: float
) -> None:
    for seed in range(12):
        examples = generate(4, seed, {kind: 1.0}, rename_rate=rename_rate, turns=turns, pool=pool)
        for example, row in zip(examples, course_rows(examples, seed), strict=True):
            read = convert_row(row)
            assert len(read) == len(_answers(example))  # one example per answer, as for the hub's rows
            assert _without_thinking(read[-1]) == (example.tools, example.messages, example.answer)
            for written, answer in zip(_answers(read[-1]), _answers(example), strict=True):
                calls = parse_lenient(answer).calls
                assert written.startswith("<think>") == bool(calls), written
                assert parse_lenient(written).calls == calls


def test_rows_have_the_datasets_roles_and_write_calls_and_results_as_it_does() -> None:
    example = next(e for e in generate(10, 5, {"result": 1.0}) if len(e.messages) == 3)  # no small talk first
    row = course_row(example, random.Random(0))
    assert list(row) == [FIELD] == ["conversations"]
    turns = row[FIELD]
    assert [t["role"] for t in turns] == ["system", "human", "model", "tool", "model"]
    call = parse_lenient(example.messages[-2].content).calls[0]
    model = turns[2]["content"]
    assert model.endswith(f"\n</think><tool_call>\n{ {'name': call.name, 'arguments': call.arguments}!r}\n</tool_call>")
    assert turns[3]["content"] == f"<tool_response>\n{example.messages[-1].content}\n</tool_response>"
    assert turns[4]["content"] == example.answer  # words after a result: no thinking


def test_rows_are_reproducible_and_their_wording_varies_with_the_seed() -> None:
    examples = generate(40, 1, {"single": 1.0, "parallel": 1.0})
    assert course_rows(examples, 1) == course_rows(examples, 1)
    assert course_rows(examples, 1) != course_rows(examples, 2)
    openers = {row[FIELD][2]["content"].split(" ", 1)[0] for row in course_rows(examples, 1)}
    assert len(openers) >= 3, openers


# Reasoning cases: (history, calls, fragments the thinking must hold)
PLAN = Tool(
    name="plan_trip",
    description="Plan a trip to a city.",
    parameters={
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "nights": {"type": "integer"},
            "ref": {"type": "string"},
            "train": {"type": "boolean"},
            "budget": {"type": "number"},
        },
        "required": ["city"],
    },
)
OTHER = Tool(name="find_bookings", description="List bookings.", parameters={"type": "object", "properties": {}})
ASKED = Message(role="user", content="Plan a trip to Oslo for three nights, by train.")
CALLED = Message(role="assistant", content='<tool_call>{"name": "find_bookings", "arguments": {}}</tool_call>')
RESULT = Message(role="tool", content='{"bookings": [{"ref": "BK-3690"}]}')
REASONING_CASES = [
    (
        [ASKED],
        [ToolCall(name="plan_trip", arguments={"city": "Oslo", "nights": 3, "train": True})],
        ["plan a trip to a city", "plan_trip", "'Plan a trip to a city'", "find_bookings",
         "city='Oslo' (as the user wrote it)", "nights=3 (from how the request words it)",
         "train=True (as the request asks)", "ref and budget"],
    ),
    (
        [ASKED, CALLED, RESULT],
        [ToolCall(name="plan_trip", arguments={"city": "Oslo", "ref": "BK-3690", "nights": 9})],
        ["result of find_bookings", "ref='BK-3690' (from the result above)",
         "nights=9 (from how the request words it)"],  # 9 is not in BK-3690
    ),
    (
        [Message(role="user", content="A trip to Rome."), Message(role="assistant", content="How many nights?"),
         Message(role="user", content="4 nights.")],
        [ToolCall(name="plan_trip", arguments={"city": "Rome", "nights": 4, "budget": 4.0})],
        ["city='Rome' (from what the user said earlier)", "nights=4 (as the user wrote it)",
         "budget=4.0 (as the user wrote it)"],
    ),
    (
        [ASKED],
        [ToolCall(name="plan_trip", arguments={"city": "Oslo"}), ToolCall(name="plan_trip", arguments={"city": "Bergen"})],
        ["2", "Again plan_trip", "city='Bergen' (from how the request words it)"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("history", "calls", "fragments"), REASONING_CASES)
def test_the_reasoning_says_what_is_asked_which_tool_fits_and_where_each_value_comes_from(
    history: list[Message], calls: list[ToolCall], fragments: list[str]
) -> None:
    for seed in range(6):
        text = reasoning(history, [OTHER, PLAN], calls, random.Random(seed))
        missing = [fragment for fragment in fragments if fragment not in text]
        assert not missing, text


def test_a_recipe_with_course_rows_trains_on_the_rows_read_back_one_example_per_row() -> None:
    spec = DataSpec(examples=12, seed=4, turns=2, rows="course", mix={"single": 1, "result": 1, "chain": 1})
    examples = generate(12, 4, spec.mix, turns=2)
    loaded = load_examples(spec)
    assert loaded == convert_rows(course_rows(examples, 4), "generated")
    assert len(loaded) == len(examples)  # one per row, which carries every answer of its conversation
    assert [(e.messages, e.answer) for e in loaded] == [(e.messages, e.answer) for e in read_back(examples, 4)]
    assert load_examples(spec.model_copy(update={"rows": "harness"})) == examples


def test_rows_are_for_generated_data_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValidationError, match="rows applies to generated data"):
        DataSpec(source="hub:Jofthomas/hermes-function-calling-thinking-V1", rows="course")
    command = ["data", "course-rows", "--recipe", str(ROOT / "adapters" / "gemma-course.toml"), "--examples", "2"]
    assert main([*command, "--seed", "0", "--out", str(tmp_path / "rows.jsonl")]) == 2
    assert "gemma-course.toml: its data source is 'hub:" in capsys.readouterr().err.replace("\n", "")
    assert not (tmp_path / "rows.jsonl").exists()


@pytest.mark.parametrize(("pool", "generated"), [("train", TRAINING_POOL), ("heldout", HELDOUT_POOL)])
def test_the_command_writes_the_recipes_conversations_as_rows_the_reader_takes(
    tmp_path: Path, pool: str, generated: Pool
) -> None:
    out = tmp_path / "rows.jsonl"
    recipe = ROOT / "adapters" / "fc-good.toml"
    argv = ["data", "course-rows", "--examples", "6", "--seed", "3", "--pool", pool, "--recipe", str(recipe)]
    assert main([*argv, "--out", str(out)]) == 0
    data = load_recipe(recipe).data
    examples = generate(6, 3, data.mix, rename_rate=data.rename_rate, turns=data.turns, pool=generated)
    assert [json.loads(line) for line in out.read_text().splitlines()] == course_rows(examples, 3)
    assert load_examples(DataSpec(source=str(out), examples=1000)) is not None  # a recipe can train on the file
