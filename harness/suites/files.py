"""Loading suites from their sources (suite files, folders of them, `bfcl:CATEGORY`), with located problems.

Every problem names the file, the line where it can (a suite file is located with a JSON source map, external
data by its own line numbers) and the field as a path such as `cases[3].expected[0].arguments.city`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from json_source_map import calculate
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as JsonSchemaError
from pydantic import ValidationError

from harness.files import FileReadError, read_json
from harness.suites import bfcl, bfcl_multi_turn
from harness.suites.rules import Finding, check_suite
from harness.suites.rules import Path as DocPath
from harness.types import Suite

BFCL_PREFIX = "bfcl:"
SCHEMA_SUFFIX = ".schema.json"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a suite, located for a human to fix."""

    file: str
    line: int | None
    path: str
    message: str
    rule: str = ""
    """The suite rule broken, when it is one (see `harness.suites.rules.Rule`)."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


@dataclass
class LoadedSuite:
    """The outcome of loading one source: the suite if it could be read, and what is wrong with it.

    `problems` make the suite invalid. `data_problems` are flaws of external data that we do not own and cannot
    fix; they are counted and shown, never hidden, and the affected cases stay in the suite.
    """

    source: str
    suite: Suite | None
    problems: list[Problem] = field(default_factory=list)
    data_problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.suite is not None and not self.problems


def display_path(path: Iterable[str | int]) -> str:
    """JSON path parts → `cases[3].expected[0].arguments.city`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@cache
def suite_schema() -> dict[str, Any]:
    """The published JSON Schema of suite files, generated from the Suite model so the two cannot drift."""
    schema = Suite.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "suite.schema.json", **schema}


def suite_json(suite: Suite) -> str:
    """A suite as a suite file: defaults left out (they are what a reader assumes) but the format version kept."""
    fields = suite.model_dump(mode="json", exclude_defaults=True)
    return json.dumps({"version": suite.version, **fields}, indent=2, ensure_ascii=False) + "\n"


class _SourceLines:
    """JSON path → 1-based line in a JSON text; the nearest existing parent when the path itself is absent."""

    def __init__(self, text: str) -> None:
        self._entries = calculate(text)

    def line(self, path: DocPath) -> int | None:
        parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
        while True:
            entry = self._entries.get("/" + "/".join(parts) if parts else "")
            if entry is not None:
                return entry.value_start.line + 1
            if not parts:
                return None
            parts.pop()


def _error_path(error: JsonSchemaError) -> DocPath:
    """Where a schema error is; for an unknown key, the key itself rather than the object holding it."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in allowed]
        return (*path, extra[0]) if extra else path
    return path


def load_suite_file(path: Path) -> LoadedSuite:
    """Read and check one suite file: JSON syntax, the suite schema, then the suite rules."""
    source = str(path)
    try:
        text, data = read_json(path)
    except FileReadError as error:
        return LoadedSuite(source, None, [Problem(source, error.line, "", error.reason)])
    lines = _SourceLines(text)

    def locate(doc_path: DocPath, message: str) -> Problem:
        return Problem(source, lines.line(doc_path), display_path(doc_path), message)

    schema_errors = sorted(
        Draft202012Validator(suite_schema()).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    if schema_errors:
        return LoadedSuite(source, None, [locate(_error_path(e), e.message) for e in schema_errors])
    try:
        suite = Suite.model_validate(data)
    except ValidationError as error:  # what the schema cannot express; kept so that nothing slips through
        return LoadedSuite(source, None, [locate(tuple(e["loc"]), e["msg"]) for e in error.errors()])
    problems = [
        Problem(source, lines.line(f.path), display_path(f.path), f.message, f.rule.value) for f in check_suite(suite)
    ]
    return LoadedSuite(source, suite, problems)


def load_bfcl(spec: str) -> LoadedSuite:
    """A BFCL category, single- or multi-turn; its own inconsistencies become counted data problems located in
    BFCL's files."""
    category = spec.removeprefix(BFCL_PREFIX)
    if category in bfcl_multi_turn.CATEGORIES:
        load = bfcl_multi_turn.load_category
    elif category in bfcl.CATEGORIES:
        load = bfcl.load_category
    else:
        supported = ", ".join([*bfcl.CATEGORIES, *bfcl_multi_turn.CATEGORIES])
        return LoadedSuite(
            spec, None, [Problem(spec, None, "", f"unsupported BFCL category {category!r}; supported: {supported}")]
        )
    try:
        suite, origins = load(category)
    except bfcl.BfclError as error:
        return LoadedSuite(spec, None, [Problem(spec, None, "", str(error))])

    def locate(finding: Finding) -> Problem:
        items = {"cases": suite.cases, "episodes": suite.episodes}.get(str(finding.path[0])) if finding.path else None
        item = items[int(finding.path[1])] if items is not None and len(finding.path) > 1 else None
        origin = origins.get(item.id) if item else None
        file = str(origin.file) if origin else spec
        line = origin.line if origin else None
        return Problem(file, line, display_path(finding.path), finding.message, finding.rule.value)

    return LoadedSuite(spec, suite, data_problems=[locate(f) for f in check_suite(suite)])


def expand_sources(specs: Iterable[str]) -> list[str]:
    """Folders become their suite files (sorted, schema files excluded); other specs pass through, and so does a
    folder without suite files, which loading then reports."""
    expanded: list[str] = []
    for spec in specs:
        folder = Path(spec)
        if not spec.startswith(BFCL_PREFIX) and folder.is_dir():
            files = sorted(str(p) for p in folder.glob("*.json") if not p.name.endswith(SCHEMA_SUFFIX))
            expanded += files or [spec]
        else:
            expanded.append(spec)
    return expanded


def load_source(spec: str) -> LoadedSuite:
    """One source: `bfcl:CATEGORY` or a suite file path."""
    if spec.startswith(BFCL_PREFIX):
        return load_bfcl(spec)
    path = Path(spec)
    if not path.exists():
        return LoadedSuite(spec, None, [Problem(spec, None, "", "no such file or folder")])
    if path.is_dir():
        return LoadedSuite(spec, None, [Problem(spec, None, "", "no suite files (*.json) in this folder")])
    return load_suite_file(path)


def load_sources(specs: Iterable[str]) -> list[LoadedSuite]:
    """Every suite named by `specs`, each with its problems; duplicate suite names are problems too."""
    loaded = [load_source(spec) for spec in expand_sources(specs)]
    names = Counter(item.suite.name for item in loaded if item.suite)
    for item in loaded:
        if item.suite and names[item.suite.name] > 1:
            item.problems.append(Problem(item.source, None, "name", f"suite name {item.suite.name!r} is used twice"))
    return loaded
