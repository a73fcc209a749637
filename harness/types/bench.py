"""`stages.json` of a run folder: what each stage of `harness bench` cost, and on which machine."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.types.base import Frozen

StageOutcome = Literal["ran", "resumed", "skipped", "failed", "interrupted"]


class StageTime(Frozen):
    """One stage of a bench."""

    name: str
    """fixtures, accuracy, scoring, latency, report or gate."""
    seconds: float
    """Wall time."""
    outcome: StageOutcome
    """ran: did its work; resumed: found its work done (in the cache or the run folder) and took it; skipped:
    switched off; failed or interrupted: the bench stopped in this stage."""
    note: str = ""
    """What the stage did, for a person."""


class BenchMachine(Frozen):
    """The machine a bench ran on: a stage time means nothing without it."""

    cpu: str
    """CPU model name."""
    cores: int
    """Cores this process may use."""
    cpu_flags: list[str]
    """Which of the bench's SPEED_FLAGS the CPU has (empty: none of them, or no /proc/cpuinfo to tell)."""
    accelerator: list[str] = Field(default_factory=list)
    """GPUs, when there are any."""


class BenchStages(Frozen):
    """`RUN_DIR/stages.json`: the stages of the latest `harness bench` into this run folder, rewritten after every
    stage, so an interrupted bench still says what it finished and what each part cost."""

    version: int = 1
    """Format version."""
    started_at: str
    """When the bench started (UTC, ISO 8601)."""
    machine: BenchMachine
    stages: list[StageTime]
    """In the order they ran."""
