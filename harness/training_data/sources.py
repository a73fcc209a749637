"""A recipe's `[data]` section → training examples: generated, from the hub, or from a local file."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.recipes import DataSpec
from harness.training_data.course_format import CourseFormatError, convert_rows
from harness.training_data.generator import Corruption, TrainingExample, generate

HUB_PREFIX = "hub:"


class TrainingDataError(HarnessError):
    """Training data that cannot be loaded; the message names the source and, where it can, the line."""


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise TrainingDataError(f"{path}: cannot read: {error.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as error:
                raise TrainingDataError(f"{path}:{number}: not JSON: {error}") from None
    return rows


def _read_hub(name: str, split: str) -> list[dict[str, Any]]:
    from datasets import load_dataset

    try:
        return list(load_dataset(name, split=split))
    except Exception as error:  # the hub client raises many types (offline, auth, not found)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise TrainingDataError(
            f"cannot load dataset '{name}' (split {split}) from the Hugging Face hub: {reason}. Without a network,"
            " download it elsewhere and point `source` at a local JSON Lines file."
        ) from None


def load_examples(spec: DataSpec) -> list[TrainingExample]:
    """The examples a recipe trains on, reproducible from its seed."""
    if spec.source == "generated":
        return generate(spec.examples, spec.seed, spec.mix, Corruption(spec.corruption), spec.rename_rate, spec.turns)
    if spec.source.startswith(HUB_PREFIX):
        name = spec.source.removeprefix(HUB_PREFIX)
        rows, where = _read_hub(name, spec.split), spec.source
    else:
        rows, where = _read_jsonl(Path(spec.source)), spec.source
    try:
        examples = convert_rows(rows, where)  # before shuffling, so that errors name the file's own row numbers
    except CourseFormatError as error:
        raise TrainingDataError(str(error)) from None
    random.Random(spec.seed).shuffle(examples)
    return examples[: spec.examples]
