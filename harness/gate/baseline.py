"""Baselines: the per-case verdicts of a released run (`reports/baselines/NAME.json`), which the gate's
`no_regression` rule holds a later run to."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field

from harness.files import FileReadError, read_model
from harness.runs.folder import RunFolder, write_atomic
from harness.types import Frozen

BASELINE_VERSION = 1


class Baseline(Frozen):
    """`reports/baselines/NAME.json`: per-case verdicts of a run that a later run must not fall below."""

    version: int = BASELINE_VERSION
    name: str
    run_id: str
    created_at: str
    git_revision: str | None = None
    outcomes: dict[str, dict[str, dict[str, dict[str, bool]]]] = Field(default_factory=dict)
    """Variant → suite → case id → {"strict": full match, "lenient": full match}."""


class GateError(FileReadError):
    """The gate's inputs cannot be read."""


NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
"""A baseline name is a file name inside the baselines folder: no separators, no leading dot, not empty."""


def save_baseline(run_dir: Path, name: str, folder: Path, *, replace: bool = False) -> Path:
    """Write the run's per-case verdicts as a baseline named NAME, inside `folder` and nowhere else; an existing
    baseline is the reference later runs are held to, so it is replaced only when asked."""
    if not NAME_PATTERN.fullmatch(name):
        raise GateError(
            f"baseline name {name!r}: use letters, digits, '.', '_' or '-' (starting with a letter or digit);"
            f" it names a file in {folder}"
        )
    path = folder / f"{name}.json"
    if path.exists() and not replace:
        raise GateError(f"{path}: a baseline of that name exists; choose another name, or --force to replace it")
    run = RunFolder(run_dir)
    manifest = run.read_manifest()
    outcomes: dict[str, dict[str, dict[str, dict[str, bool]]]] = {}
    for score in run.read_scores_of({key: g for key, (_, g) in run.read_generations().items()}):
        cases = outcomes.setdefault(score.variant, {}).setdefault(score.suite, {})
        cases[score.case_id] = {"strict": score.strict.full_match, "lenient": score.lenient.full_match}
    baseline = Baseline(
        name=name,
        run_id=manifest.run_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        git_revision=manifest.git_revision,
        outcomes=outcomes,
    )
    write_atomic(path, baseline.model_dump_json(indent=1) + "\n")
    return path


def load_baseline(path: Path) -> Baseline:
    missing = "no such baseline (write one with `harness baseline save RUN_DIR NAME`)"
    return read_model(path, Baseline, missing=missing, error=GateError)
