"""The one way a command reads a file the user named, or a file inside a folder the user named: configs, recipes,
suites, run folders and their files, baselines, datasets, adapter folders' JSON.

What the operating system and the decoders say (no such file, a folder, no permission, an empty file, bytes that
are not UTF-8, JSON or TOML that is cut short or invalid, a document its model refuses) becomes a `FileReadError`
whose message starts with `FILE:` or `FILE:LINE:`, which the CLI prints as `error FILE: what` with exit 2, never a
traceback. A caller whose errors have a type of their own passes it (a subclass of `FileReadError`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from harness.errors import FileReadError

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


def read_bytes(path: Path, *, missing: str = "", error: type[FileReadError] = FileReadError) -> bytes:
    """The bytes of a file; `missing` says what to do when there is none (`cannot read: ...` by default)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error.at(path, missing or "cannot read: no such file") from None
    except IsADirectoryError:
        raise error.at(path, "cannot read: a folder, not a file") from None
    except OSError as problem:
        raise error.at(path, f"cannot read: {problem.strerror or problem}") from None


def decode(path: Path, data: bytes, error: type[FileReadError] = FileReadError) -> str:
    """Bytes read from `path` as UTF-8 text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise error.at(path, f"not UTF-8 text (at byte offset {problem.start}); save it as UTF-8") from None


def read_text(path: Path, *, missing: str = "", error: type[FileReadError] = FileReadError) -> str:
    """A UTF-8 text file; an empty one is an empty string (an append-only log nothing was appended to yet)."""
    return decode(path, read_bytes(path, missing=missing, error=error), error)


def read_document(path: Path, *, missing: str = "", error: type[FileReadError] = FileReadError) -> str:
    """A UTF-8 text file that must hold something: a config, a suite, a manifest (empty is never one of them)."""
    text = read_text(path, missing=missing, error=error)
    if not text.strip():
        raise error.at(path, "empty file")
    return text


def read_json(path: Path, *, missing: str = "", error: type[FileReadError] = FileReadError) -> tuple[str, Any]:
    """A JSON document, with its text (for locating keys by line)."""
    text = read_document(path, missing=missing, error=error)
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as problem:
        raise error.at(path, f"not JSON: {problem.msg} (column {problem.colno})", problem.lineno) from None


def read_toml(path: Path, *, error: type[FileReadError] = FileReadError) -> tuple[str, dict[str, Any]]:
    """A TOML document, with its text (for locating keys by line)."""
    text = read_document(path, error=error)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error.at(path, f"not TOML: {problem}") from None


def validation_message(problem: ValidationError) -> str:
    """The first thing a model refused, by field, and how many more there are."""
    first = problem.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(document)"
    more = f" (and {problem.error_count() - 1} more)" if problem.error_count() > 1 else ""
    return f"{field}: {first['msg']}{more}"


def parse_model(path: Path, data: bytes | str, model: type[M], error: type[FileReadError] = FileReadError) -> M:
    """A model from JSON already read from `path` (a hashed suite snapshot is read once, checked, then parsed)."""
    text = data if isinstance(data, str) else decode(path, data, error)
    if not text.strip():
        raise error.at(path, "empty file")
    try:
        return model.model_validate_json(text)
    except ValidationError as problem:
        first = problem.errors()[0]
        if first["type"] == "json_invalid":  # cut short or not JSON at all: say so, not which field it reached
            raise error.at(path, f"not JSON: {first.get('ctx', {}).get('error', first['msg'])}") from None
        raise error.at(path, validation_message(problem)) from None


def read_model(path: Path, model: type[M], *, missing: str = "", error: type[FileReadError] = FileReadError) -> M:
    """A JSON file validated as `model`: a manifest, a summary, a baseline, a suite snapshot."""
    return parse_model(path, read_bytes(path, missing=missing, error=error), model, error)


def read_json_lines(
    path: Path, read: Callable[[str], R], *, torn_ok: bool, error: type[FileReadError] = FileReadError
) -> list[tuple[int, R]]:
    """Records of a JSON Lines file with their line numbers, each line given to `read` (which raises ValueError,
    pydantic's ValidationError among them, on a bad line). With `torn_ok`, a last line without a newline that
    does not read is skipped: an append-only log whose writer was killed mid-line, which a resume asks again."""
    text = read_text(path, error=error)
    lines = text.split("\n")
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append((number, read(line)))
        except ValueError as problem:
            if torn_ok and number == len(lines):  # no newline after it: the writer was killed mid-line
                break
            reason = validation_message(problem) if isinstance(problem, ValidationError) else f"not JSON: {problem}"
            raise error.at(path, reason, number) from None
    return records
