"""`RUN_DIR/stages.json`: every stage's wall time and outcome with the machine, written as each stage ends, so an
interrupted or failed bench keeps what it finished."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from harness.bench import StageClock
from harness.runs.folder import STAGES
from harness.types import BenchMachine, BenchStages

MACHINE = BenchMachine(cpu="Test CPU", cores=2, cpu_flags=["avx2"])


def written(path: Path) -> list[tuple[str, str, str]]:
    record = BenchStages.model_validate_json(path.read_text())
    assert record.machine == MACHINE
    return [(stage.name, stage.outcome, stage.note) for stage in record.stages]


def fail() -> None:
    raise RuntimeError("the server died")


def test_stages_are_written_as_they_end_and_a_failed_stage_keeps_the_earlier_ones(tmp_path: Path) -> None:
    path = tmp_path / "run" / STAGES
    clock = StageClock(MACHINE)
    with clock.stage("fixtures", "base model and adapters") as fixtures:
        fixtures.resumed = True
        fixtures.note += ", all from the cache"
    assert not path.exists()  # not before the run folder is known to be this run's
    clock.keep_in(path)
    assert written(path) == [("fixtures", "resumed", "base model and adapters, all from the cache")]
    with clock.stage("accuracy", "serve, answer, log", resumed=False):
        pass
    clock.skip("latency", "done before", resumed=True)
    clock.skip("html", "switched off")
    with pytest.raises(RuntimeError):
        clock.time("report", fail)
    assert written(path) == [
        ("fixtures", "resumed", "base model and adapters, all from the cache"),
        ("accuracy", "ran", "serve, answer, log"),
        ("latency", "resumed", "done before"),
        ("html", "skipped", "switched off"),
        ("report", "failed", ""),
    ]


def test_an_interrupted_stage_is_recorded_as_interrupted(tmp_path: Path) -> None:
    clock = StageClock(MACHINE)
    clock.keep_in(tmp_path / STAGES)
    with pytest.raises(KeyboardInterrupt), clock.stage("accuracy"):
        raise KeyboardInterrupt
    assert written(tmp_path / STAGES) == [("accuracy", "interrupted", "")]


def test_the_stage_table_names_the_machine_and_what_was_not_run_now() -> None:
    clock = StageClock(MACHINE)
    clock.time("scoring", lambda: None)
    clock.skip("latency", "done before", resumed=True)
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(clock.table())
    text = console.export_text()
    assert "(2 cores: avx2)" in text
    assert "resumed: done before" in text and "scoring" in text and "total" in text
