"""`harness bench CONFIG`: the whole story in one command. Fixtures (trained or cached), every variant served
and scored, the latency study on the same servers, the console and HTML reports, and the gate, with the time
each stage took. Every stage reads and writes the run folder, so an interrupted bench resumes where it stopped."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.console_report import print_report
from harness.gate_step import gate_step
from harness.html_report import write_html
from harness.latency_study import LATENCY_SUMMARY, latency_study
from harness.run import prepare, run
from harness.run_config import RunConfig
from harness.run_view import load_run
from harness.score_run import score_run
from harness.server_pool import ServerPool

T = TypeVar("T")


class StageClock:
    """Wall time per stage, printed at the end so the cost of each part of the bench is visible."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, str]] = []

    def time(self, name: str, work: Callable[[], T], note: str = "") -> T:
        began = time.perf_counter()
        result = work()
        self.stages.append((name, time.perf_counter() - began, note))
        return result

    def skip(self, name: str, note: str) -> None:
        self.stages.append((name, 0.0, note))

    def table(self) -> Table:
        table = Table(title="bench stages", title_justify="left")
        for header in ("stage", "seconds", "note"):
            table.add_column(header, justify="right" if header == "seconds" else "left")
        for name, seconds, note in self.stages:
            table.add_row(name, f"{seconds:.0f}", escape(note))
        table.add_row("total", f"{sum(seconds for _, seconds, _ in self.stages):.0f}", "")
        return table


def bench(config: RunConfig, config_dir: Path, run_dir: Path, console: Console) -> int:
    """Run every stage; returns the gate's exit code (0 pass, 1 a rule failed, 2 not evaluable)."""
    clock = StageClock()
    prepared = clock.time("fixtures", lambda: prepare(config, config_dir), "base model and adapters, cached by content")
    notes = ", ".join(f"{a.name} {a.adapter.parent.name}" for a in prepared.adapters)
    console.print(f"fixtures ready: {escape(notes) or 'no adapters'}", soft_wrap=True)
    with ServerPool(run_dir, config.server.startup_timeout_s) as pool:
        clock.time("accuracy", lambda: run(prepared, run_dir, console, pool), "serve, answer, log")
        clock.time("scoring", lambda: score_run(run_dir))
        if not config.bench.latency:
            clock.skip("latency", "switched off in [bench]")
        elif (run_dir / LATENCY_SUMMARY).exists():
            clock.skip("latency", f"done before; delete {LATENCY_SUMMARY} to measure again")
        else:
            clock.time("latency", lambda: latency_study(prepared, run_dir, console, pool), "same servers")
    view = load_run(run_dir)
    html = Path(config.bench.html) if config.bench.html else Path("reports") / f"{config.name}.html"
    clock.time("report", lambda: (print_report(view, console), write_html(view, html)))
    baseline = config_dir / config.bench.baseline if config.bench.baseline else None
    result = clock.time("gate", lambda: gate_step(run_dir, baseline, None, None, console, config.gate))
    console.print(clock.table())
    console.print(f"HTML report: {html}\nrun folder:  {run_dir}", soft_wrap=True)
    return result.exit_code
