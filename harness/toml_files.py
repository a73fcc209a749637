"""Reading TOML files (recipes, run configs) into pydantic models, with errors that name the file and field, and
warnings that name where a file still writes a renamed key."""

from __future__ import annotations

import difflib
import logging
import re
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from harness.files import FileReadError, read_toml

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)


def load_toml_model(path: Path, model: type[M], error: type[FileReadError]) -> M:
    """Read and validate one TOML file; every problem is reported as `FILE:LINE: field.path: message`, with the
    nearest known key when a key is not one the file may hold."""
    text, data = read_toml(path, error=error)
    try:
        loaded = model.model_validate(data)
    except ValidationError as invalid:
        problems = "; ".join(_describe(path, text, model, e) for e in invalid.errors(include_url=False))
        raise error(problems) from None
    _warn_renamed(path, text, model, data, [])
    return loaded


def _warn_renamed(path: Path, text: str, model: type[BaseModel], data: object, loc: list[str]) -> None:
    """A warning on stderr for each key the file writes under an old name (`RenamedKeys`), at any depth: the model
    reads it as the new one, and the warning says where to rename it."""
    if not isinstance(data, dict):
        return
    renamed = getattr(model, "renamed_keys", {})
    for key, value in data.items():
        here = [*loc, key]
        if key in renamed:
            new = ".".join([*loc, renamed[key]])
            log.warning(
                "%s: %s is deprecated; write %s (read as it for now)", located(path, text, here), ".".join(here), new
            )
        nested = _nested_model(model.model_fields.get(renamed.get(key, key)))
        if nested is None:
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            _warn_renamed(path, text, nested, item, here if index is None else [*here, str(index)])


def _describe(path: Path, text: str, model: type[BaseModel], problem: ErrorDetails) -> str:
    loc = [str(part) for part in problem["loc"]]
    message = problem["msg"]
    if problem["type"] == "value_error":  # our own checks: their message as written
        message = str(problem.get("ctx", {}).get("error", message))
        field, _, rest = message.partition(": ")
        if rest and re.fullmatch(r"[\w.-]+", field):  # a check across fields names its field, below `loc`
            loc, message = [*loc, *field.split(".")], rest
    where = located(path, text, loc)
    if problem["type"] == "extra_forbidden":
        known = _keys_at(model, loc[:-1])
        close = difflib.get_close_matches(loc[-1], known, n=1)
        message = f"unknown key; did you mean {close[0]!r}?" if close else f"unknown key; known: {', '.join(known)}"
    return f"{where}: {'.'.join(loc) or '(file)'}: {message}"


def _keys_at(model: type[BaseModel], loc: list[str]) -> list[str]:
    """The keys the table at `loc` may hold, following nested models (list indices are skipped)."""
    current: Any = model
    for part in loc:
        if part.isdigit():
            continue
        current = _nested_model(current.model_fields.get(part) if isinstance(current, type) else None)
        if current is None:
            return []
    return sorted(current.model_fields) if _is_model(current) else []


def _nested_model(field: FieldInfo | None) -> type[BaseModel] | None:
    """The model a field holds, alone, in a list or in a union; None for a plain value."""
    if field is None:
        return None
    nested = [inner for arg in get_args(field.annotation) for inner in (arg, *get_args(arg))]
    return next((a for a in (field.annotation, *nested) if _is_model(a)), None)


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def located(path: Path, text: str, loc: list[str]) -> str:
    """`FILE:LINE` of a key (`FILE` alone when the key is not written out)."""
    line = _line_of(text, loc)
    return f"{path}:{line}" if line else str(path)


def _line_of(text: str, loc: list[str]) -> int | None:
    """The line of the deepest key of `loc` found in the text: its table header (the N-th `[[name]]` for an index
    N), then the key within it. TOML parsers keep no positions, so this reads the lines; None when the key is not
    written out (a default)."""
    lines = text.splitlines()
    found, start = None, 0
    for position, part in enumerate(loc):
        if part.isdigit():
            continue
        header = re.compile(rf"^\s*\[\[?\s*(?:[\w.-]+\.)?{re.escape(part)}\s*\]\]?\s*(#.*)?$")
        key = re.compile(rf"^\s*\"?{re.escape(part)}\"?\s*=")
        matches = [i for i in range(start, len(lines)) if header.match(lines[i]) or key.match(lines[i])]
        nth = int(loc[position + 1]) if position + 1 < len(loc) and loc[position + 1].isdigit() else 0
        if len(matches) <= nth:
            if matches and key.match(lines[matches[0]]):  # an element of an inline array: the line of its key
                found = matches[0] + 1
            break
        found, start = matches[nth] + 1, matches[nth]
    return found
