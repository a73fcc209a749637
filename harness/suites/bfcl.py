"""The Berkeley Function Calling Leaderboard's data as an external suite (`bfcl:CATEGORY`).

Only the data files shipped in the `bfcl-eval` wheel are read; its modules are never imported (they pull heavy,
pinned dependencies). BFCL describes parameters in a Python-flavoured dialect of JSON Schema and answers as
function → parameter → accepted values, which are converted here to real JSON Schema and our ExpectedCall. Its
suites are scored with `bfcl` semantics (BFCL's checker rules), so that their scores mean what the leaderboard's do.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.types import ArgumentSpec, Case, CaseKind, ExpectedCall, Message, Semantics, Suite, Tool

PACKAGE = "bfcl_eval"
INSTALL_HINT = "install it without its dependencies: pip install --no-deps bfcl-eval==2026.3.23 (make setup does)"

CATEGORIES: dict[str, CaseKind] = {
    "simple_python": CaseKind.SIMPLE,
    "multiple": CaseKind.MULTIPLE,
    "parallel": CaseKind.PARALLEL,
    "parallel_multiple": CaseKind.PARALLEL_MULTIPLE,
    "irrelevance": CaseKind.IRRELEVANCE,
    "live_simple": CaseKind.SIMPLE,
    "live_multiple": CaseKind.MULTIPLE,
    "live_parallel": CaseKind.PARALLEL,
    "live_parallel_multiple": CaseKind.PARALLEL_MULTIPLE,
    "live_irrelevance": CaseKind.IRRELEVANCE,
}
"""Supported categories and the kind of their cases (single-turn categories whose answers an AST check decides)."""

_TYPES = {"dict": "object", "float": "number", "tuple": "array", "integer": "integer", "string": "string"}
_TYPES |= {"boolean": "boolean", "array": "array", "object": "object", "number": "number", "null": "null"}
# Longest accepted-value expansion of one nested answer; BFCL's real maximum is far below it.
_MAX_EXPANSION = 4096
_ABSENT = object()


class BfclError(HarnessError):
    """The BFCL data cannot be read: missing package, unknown category, or malformed line."""


@dataclass(frozen=True)
class CaseOrigin:
    """Where a converted case came from, so that problems point at BFCL's own file and line."""

    file: Path
    line: int


def data_dir() -> Path:
    """The `data` folder of the installed wheel, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BfclError(f"the BFCL data package '{PACKAGE}' is not installed; {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def convert_schema(schema: Any) -> Any:
    """BFCL's parameter dialect → JSON Schema: dict→object, float→number, tuple→array, any→unconstrained."""
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            if value in _TYPES:
                converted["type"] = _TYPES[value]
            elif value != "any":
                raise BfclError(f"unknown BFCL type {value!r}")
        elif key == "properties" and isinstance(value, dict):
            converted[key] = {name: convert_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            converted[key] = convert_schema(value)
        else:
            converted[key] = value
    return converted


def _alternatives(value: Any) -> list[Any]:
    """Every concrete value a BFCL answer pattern stands for.

    Inside an answer, a dict maps each key to a list of accepted values ("" = the key may be left out) and a list
    of such dicts is compared element by element; the whole-value form our suites use is their expansion.
    """
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        choices = []
        for key, accepted in value.items():
            options = [(key, alt) for option in accepted if option != "" for alt in _alternatives(option)]
            choices.append(options + ([(key, _ABSENT)] if "" in accepted else []))
        combos = itertools.islice(itertools.product(*choices), _MAX_EXPANSION + 1)
        expanded = [{k: v for k, v in combo if v is not _ABSENT} for combo in combos]
        if len(expanded) > _MAX_EXPANSION:
            raise BfclError(f"answer pattern expands to more than {_MAX_EXPANSION} values")
        return expanded
    if isinstance(value, list):
        return [list(combo) for combo in itertools.product(*(_alternatives(v) for v in value))]
    return [value]


def convert_answer(function: str, parameters: dict[str, list[Any]]) -> ExpectedCall:
    """One BFCL ground-truth call → ExpectedCall: `""` among the accepted values means optional. A parameter with
    no other accepted value accepts none (`[]`): optional, it must be left out; required (BFCL's `[]`, an answer no
    model can give), it is a data problem that fails every model, as in BFCL's checker."""
    arguments = {}
    for name, accepted in parameters.items():
        values = [alt for value in accepted if value != "" for alt in _alternatives(value)]
        arguments[name] = ArgumentSpec(accepted=values, optional="" in accepted)
    return ExpectedCall(function=function, arguments=arguments)


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """BFCL's JSON Lines rows with their line numbers, so that conversion errors point at BFCL's own line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError as error:
                raise BfclError(f"{path}:{number}: not JSON: {error}") from None


def _tool_for(function: dict[str, Any], seen: dict[str, Tool]) -> Tool:
    """A Tool for one BFCL function doc; same-named functions with different docs get distinct ids."""
    parameters = convert_schema(function.get("parameters", {"type": "dict", "properties": {}}))
    tool = Tool(name=function["name"], description=function.get("description", ""), parameters=parameters)
    known = seen.get(tool.name)
    if known is None or known == tool:
        return seen.setdefault(tool.name, tool)
    digest = hashlib.sha256(json.dumps(function, sort_keys=True).encode()).hexdigest()[:10]
    return seen.setdefault(f"{tool.name}#{digest}", tool.model_copy(update={"id": f"{tool.name}#{digest}"}))


def category_files(category: str) -> tuple[Path, Path]:
    """A category's entries and its possible answers in the installed wheel; a missing entries file is an error."""
    questions = data_dir() / f"BFCL_v4_{category}.json"
    if not questions.is_file():
        raise BfclError(f"{questions} is missing; reinstall bfcl-eval ({INSTALL_HINT})")
    return questions, questions.parent / "possible_answer" / questions.name


def load_category(category: str) -> tuple[Suite, dict[str, CaseOrigin]]:
    """The BFCL category as a Suite, with each case's origin (file and line) for error messages."""
    kind = CATEGORIES.get(category)
    if kind is None:
        raise BfclError(f"unsupported BFCL category {category!r}; supported: {', '.join(CATEGORIES)}")
    questions, answers_path = category_files(category)
    answers = {}
    if kind is not CaseKind.IRRELEVANCE:
        answers = {row["id"]: row["ground_truth"] for _, row in read_jsonl(answers_path)}
    tools: dict[str, Tool] = {}
    cases, origins = [], {}
    for line, row in read_jsonl(questions):
        try:
            offered = [_tool_for(function, tools) for function in row["function"]]
            expected = [
                convert_answer(function, parameters)
                for call in answers.get(row["id"], [])
                for function, parameters in call.items()
            ]
            messages = [Message(role=m["role"], content=m["content"]) for m in row["question"][0]]
        except (KeyError, TypeError, ValueError, BfclError) as error:
            raise BfclError(f"{questions}:{line}: cannot convert case: {error}") from None
        if kind is not CaseKind.IRRELEVANCE and row["id"] not in answers:
            raise BfclError(f"{questions}:{line}: case {row['id']!r} has no answer in {answers_path}")
        cases.append(
            Case(id=row["id"], kind=kind, messages=messages, tools=[t.key for t in offered], expected=expected)
        )
        origins[row["id"]] = CaseOrigin(questions, line)
    suite = Suite(
        name=f"bfcl:{category}",
        description=f"Berkeley Function Calling Leaderboard, category {category}",
        source=f"bfcl-eval data file {questions.name}",
        semantics=Semantics.BFCL,
        tools=list(tools.values()),
        cases=cases,
    )
    return suite, origins
