"""`harness bench CONFIG`: the whole story in one command. Fixtures (trained or cached), every variant served
and scored, the latency study on the same servers, the console and HTML reports, and the gate, with the time
each stage took. Every stage reads and writes the run folder, so an interrupted bench resumes where it stopped."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.gate.baseline import load_baseline
from harness.gate.rules import cases_to_ask
from harness.gate.step import gate_step
from harness.generation.manifest import open_run_folder
from harness.generation.prepare import prepare
from harness.generation.schedule import Stopping, answer_pending
from harness.latency.measure import latency_study
from harness.provenance import cpu_flags, machine
from harness.reports.console import print_summary
from harness.reports.html_page import write_html
from harness.run_config import RunConfig
from harness.runs.folder import LATENCY_SUMMARY, STAGES, RunFolder, write_atomic
from harness.runs.score import score_run
from harness.serving.pool import ServerPool
from harness.terminal import print_wrapped
from harness.types import BenchMachine, BenchStages, Semantics, StageOutcome, StageTime

T = TypeVar("T")

SPEED_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
"""The CPU flags that decide how fast a CPU trains and serves: AVX2 or AVX-512, and bf16 in hardware (without
it bf16 is emulated, several times slower)."""


def this_machine() -> BenchMachine:
    """The parts of the machine that decide a bench's times."""
    found = machine()
    flags = cpu_flags()
    return BenchMachine(
        cpu=found["cpu"],
        cores=found["cores"],
        cpu_flags=[flag for flag in SPEED_FLAGS if flag in flags],
        accelerator=found.get("accelerator", []),
    )


@dataclass
class StageRun:
    """What a running stage can say about itself before it ends."""

    note: str
    resumed: bool


class StageClock:
    """Wall time per stage: written to `stages.json` after every stage (once `keep_in` names the file) and printed
    as a table at the end, so the cost of each part of the bench is visible and kept with its machine."""

    def __init__(self, machine: BenchMachine) -> None:
        self.machine = machine
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.stages: list[StageTime] = []
        self.path: Path | None = None

    @contextmanager
    def stage(self, name: str, note: str = "", *, resumed: bool = False) -> Iterator[StageRun]:
        """Time the block as stage `name`; the block may change the note, or mark the stage resumed."""
        began = time.perf_counter()
        said = StageRun(note, resumed)
        outcome: StageOutcome = "failed"
        try:
            yield said
            outcome = "resumed" if said.resumed else "ran"
        except KeyboardInterrupt:
            outcome = "interrupted"
            raise
        finally:
            self._add(
                StageTime(name=name, seconds=round(time.perf_counter() - began, 3), outcome=outcome, note=said.note)
            )

    def time(self, name: str, work: Callable[[], T], note: str = "") -> T:
        with self.stage(name, note):
            return work()

    def skip(self, name: str, note: str, *, resumed: bool = False) -> None:
        self._add(StageTime(name=name, seconds=0.0, outcome="resumed" if resumed else "skipped", note=note))

    def keep_in(self, path: Path) -> None:
        """Write `stages.json` there from now on (the stages so far at once): called when the run folder is known
        to be this run's, so a mistaken --out never loses another run's record."""
        self.path = path
        self._write()

    def _add(self, stage: StageTime) -> None:
        self.stages.append(stage)
        self._write()

    def _write(self) -> None:
        if self.path is not None:
            record = BenchStages(started_at=self.started_at, machine=self.machine, stages=self.stages)
            write_atomic(self.path, record.model_dump_json(indent=2) + "\n")

    def table(self) -> Table:
        flags = " ".join(self.machine.cpu_flags) or "no AVX2"
        where = ", ".join([f"{self.machine.cores} cores: {flags}", *self.machine.accelerator])
        table = Table(title=f"bench stages ({escape(where)})", title_justify="left")
        for header in ("stage", "seconds", "note"):
            table.add_column(header, justify="right" if header == "seconds" else "left")
        for stage in self.stages:
            note = stage.note if stage.outcome == "ran" else ": ".join(filter(None, (stage.outcome, stage.note)))
            table.add_row(stage.name, f"{stage.seconds:.0f}", escape(note))
        table.add_row("total", f"{sum(stage.seconds for stage in self.stages):.0f}", "")
        return table


def _stopping(config: RunConfig, run_dir: Path, baseline: Path | None, semantics: Semantics | None) -> Stopping | None:
    """Stop asking a variant once the gate's rules that read it are decided, looking at the run as scored so far."""
    if not config.bench.stop_when_decided:
        return None
    loaded = load_baseline(baseline) if baseline else None
    return Stopping(
        lambda: cases_to_ask(score_run(run_dir, semantics), loaded, config.gate), config.bench.accuracy_budget_s
    )


def _asked_note(folder: RunFolder, stopping: Stopping | None) -> str:
    """Where the scheduler stopped asking, for the stage table."""
    stops = folder.read_stops() if stopping is not None else []
    cut = [stop.variant for stop in stops if stop.reason == "budget"]
    decided = len({stop.variant for stop in stops if stop.reason == "decided"})
    return (f", {decided} variants stopped once decided" if decided else "") + (
        f", budget spent with {len(cut)} variants open" if cut else ""
    )


def bench(
    config: RunConfig, config_path: Path, run_dir: Path, console: Console, semantics: Semantics | None = None
) -> int:
    """Run every stage; returns the gate's exit code (0 every candidate passed and every control was caught, 1 a
    candidate failed or a control was missed, 2 not evaluable, 3 undecided: the accuracy budget ran out first). `semantics` judges every suite by one scoring
    semantics instead of each suite's own."""
    baseline = config_path.parent / config.bench.baseline if config.bench.baseline else None
    if baseline is not None:
        load_baseline(baseline)  # a missing or broken baseline fails now, not after the measurements
    clock = StageClock(this_machine())
    with clock.stage("fixtures", "base model and adapters") as fixtures:
        prepared = prepare(config, config_path, console)
        fixtures.resumed = not prepared.trained
        fixtures.note += f", trained {', '.join(prepared.trained)}" if prepared.trained else ", all from the cache"
    folder = open_run_folder(prepared, run_dir)
    clock.keep_in(folder.path / STAGES)
    notes = ", ".join(f"{a.name} {a.adapter.parent.name}" for a in prepared.adapters)
    print_wrapped(console, f"fixtures ready: {escape(notes) or 'no adapters'}")
    with ServerPool(run_dir, config.server.startup_timeout_s) as pool:
        with clock.stage("accuracy", "serve, answer, log") as accuracy:
            stopping = _stopping(config, folder.path, baseline, semantics)
            accuracy.resumed = not answer_pending(prepared, folder, console, pool, stopping)
            accuracy.note += _asked_note(folder, stopping)
        view = clock.time("scoring", lambda: score_run(folder.path, semantics))
        if not config.bench.latency:
            clock.skip("latency", "switched off in [bench]")
        elif view.latency is not None:
            clock.skip("latency", f"done before; delete {LATENCY_SUMMARY} to measure again", resumed=True)
        else:
            study = clock.time("latency", lambda: latency_study(prepared, folder, console, pool), "same servers")
            view = replace(view, latency=study)  # the run as scored, with the study it now holds
    # The verdict first, then the numbers behind it; every detail is in the HTML report.
    result = clock.time("gate", lambda: gate_step(view, baseline, None, None, console, config.gate))
    html = Path(config.bench.html) if config.bench.html else Path("reports") / f"{config.name}.html"
    clock.time("report", lambda: (print_summary(view, console), write_html(view, html)))
    console.print(clock.table())
    console.print(f"HTML report: {html}\nrun folder:  {run_dir}", soft_wrap=True)
    return result.exit_code
