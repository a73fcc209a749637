"""Re-scoring a committed run folder gives the committed scores byte for byte: restructuring the code may move
where a rule lives, never what a run's scores and summaries say. A change that means to alter them regenerates
the golden files on purpose (`GOLDEN_REWRITE=1 pytest tests/runs/test_golden_rescore.py`) and says why in its commit."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness.runs.score import score_run

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "tests" / "data" / "runs"
GOLDEN = ROOT / "tests" / "data" / "golden"
WRITTEN = ("scores.jsonl", "summary.json", "episode-scores.jsonl", "episode-summary.json")
"""What `harness score` writes; a run without episodes writes no episode files."""


@pytest.mark.parametrize("run", ["bench-cold", "handmade", "embedded-sample4", "multi-turn-sample"])
def test_rescoring_a_golden_run_writes_the_same_bytes(run: str, tmp_path: Path) -> None:
    folder = tmp_path / run
    shutil.copytree(RUNS / run, folder)
    score_run(folder)
    written = sorted(name for name in WRITTEN if (folder / name).exists())
    assert "scores.jsonl" in written and "summary.json" in written
    if os.environ.get("GOLDEN_REWRITE"):
        (GOLDEN / run).mkdir(parents=True, exist_ok=True)
        for name in written:
            shutil.copy(folder / name, GOLDEN / run / name)
    assert written == sorted(path.name for path in (GOLDEN / run).iterdir())
    for name in written:
        assert (folder / name).read_bytes() == (GOLDEN / run / name).read_bytes(), f"{run}/{name} changed"
