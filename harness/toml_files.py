"""Reading TOML files (recipes, run configs) into pydantic models, with errors that name the file and field."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from harness.errors import HarnessError

M = TypeVar("M", bound=BaseModel)


def load_toml_model(path: Path, model: type[M], error: type[HarnessError]) -> M:
    """Read and validate one TOML file; every problem is reported as `FILE: field.path: message`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as problem:
        raise error(f"{path}: cannot read: {problem.strerror}") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not TOML: {problem}") from None
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in invalid.errors(include_url=False)
        )
        raise error(f"{path}: {problems}") from None
