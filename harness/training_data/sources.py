"""A recipe's `[data]` section → training examples: generated, from the hub, or from a local file; and which rows of
a dataset are held out of training for a held-out suite."""

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


def read_rows(source: str, split: str = "train") -> list[dict[str, Any]]:
    """The rows of a dataset in the Agents-course format: `hub:NAME` (one split of it) or a local JSON Lines file."""
    if source.startswith(HUB_PREFIX):
        return _read_hub(source.removeprefix(HUB_PREFIX), split)
    return _read_jsonl(Path(source))


def heldout_rows(total: int, holdout: int, seed: int, source: str) -> frozenset[int]:
    """Indices of the `holdout` rows, of a dataset's `total`, that a held-out suite takes and training leaves out.
    The one place they are drawn, for `harness suites from-dataset` and for `load_examples` alike, so the suite and
    the training set cannot drift apart."""
    if holdout > total:
        raise TrainingDataError(f"{source}: cannot hold out {holdout} rows, it has {total}")
    return frozenset(random.Random(seed).sample(range(total), holdout))


def load_examples(spec: DataSpec) -> list[TrainingExample]:
    """The examples a recipe trains on, reproducible from its seed; a dataset's held-out rows left out."""
    if spec.source == "generated":
        return generate(spec.examples, spec.seed, spec.mix, Corruption(spec.corruption), spec.rename_rate, spec.turns)
    rows = read_rows(spec.source, spec.split)
    left_out = heldout_rows(len(rows), spec.holdout, spec.holdout_seed, spec.source)
    if len(left_out) == len(rows):
        raise TrainingDataError(f"{spec.source}: all {len(rows)} rows are held out; none is left to train on")
    try:
        # before shuffling, so that errors name the file's own row numbers
        examples = convert_rows(rows, spec.source, left_out)
    except CourseFormatError as error:
        raise TrainingDataError(str(error)) from None
    random.Random(spec.seed).shuffle(examples)
    return examples[: spec.examples]
