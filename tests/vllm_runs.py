"""What the tests that run real vLLM servers share: the smoke config, a tiny base whose answers depend on the
prompt, how a run's log is counted against the cases its manifest planned, and which processes of a server's group
still run."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from harness.runs.folder import RunFolder

ROOT = Path(__file__).resolve().parent.parent
SMOKE_CONFIG = ROOT / "configs" / "tiny-smoke.toml"


def lively_tiny_model(tiny_model: Path, folder: Path) -> Path:
    """The tiny model's shape and tokenizer with weights five times larger (initializer range 0.1, not 0.02): its
    greedy answers depend on the prompt, where the tiny model's repeat the prompt's last token (so an adapter that
    happens to keep that token on top answers like its base), and rounding its float32 weights to bf16 changes
    some of them (2 of 6 prompts in transformers)."""
    from transformers import AutoTokenizer

    from harness.fixtures.base_model import save_tiny_llama

    save_tiny_llama(AutoTokenizer.from_pretrained(tiny_model), folder, initializer_range=0.1)
    return folder


def planned_cases(run_dir: Path) -> int:
    """Cases of a run of one variant: the sample of every suite, as its manifest recorded them."""
    return sum(ref.cases for ref in RunFolder(run_dir).read_manifest().suites)


def keys_and_counts(run_dir: Path) -> Counter[tuple[str, str, str]]:
    lines = (run_dir / "generations.jsonl").read_text().splitlines()
    return Counter((g["variant"], g["suite"], g["case_id"]) for g in map(json.loads, lines))


def live_group_members(group: int) -> list[int]:
    """Processes of a process group that are still running; zombies wait for PID 1 to reap them and are dead."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def group_ended_within(group: int, seconds: float) -> bool:
    """Whether every process of the group ended within `seconds`."""
    deadline = time.monotonic() + seconds
    while live_group_members(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True
