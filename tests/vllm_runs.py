"""What the tests that run real vLLM servers share: the smoke config, and how a run's log is counted against the
cases its manifest planned."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from harness.runs.folder import RunFolder

ROOT = Path(__file__).resolve().parent.parent
SMOKE_CONFIG = ROOT / "configs" / "tiny-smoke.toml"


def planned_cases(run_dir: Path) -> int:
    """Cases of a run of one variant: the sample of every suite, as its manifest recorded them."""
    return sum(ref.cases for ref in RunFolder(run_dir).read_manifest().suites)


def keys_and_counts(run_dir: Path) -> Counter[tuple[str, str, str]]:
    lines = (run_dir / "generations.jsonl").read_text().splitlines()
    return Counter((g["variant"], g["suite"], g["case_id"]) for g in map(json.loads, lines))
