"""The gate as a CI step: evaluate, print one line per rule, write JUnit XML and the Markdown summary (also to
GitHub's step summary when it is set), and return the exit code. Shared by `harness gate` and `harness bench`."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.gate import GateResult, Status, evaluate_gate, load_baseline
from harness.gate_output import junit_xml, markdown_summary
from harness.run_config import GateRules
from harness.runlog import write_atomic

_COLOURS = {Status.PASSED: "green", Status.FAILED: "red", Status.ERROR: "yellow"}
_WORDS = {
    0: "[green]gate passed[/green]",
    1: "[red]gate failed[/red]",
    2: "[yellow]gate could not be evaluated[/yellow]",
}


def gate_step(
    run_dir: Path,
    baseline: Path | None,
    junit: Path | None,
    summary: Path | None,
    console: Console,
    rules: GateRules | None = None,
) -> GateResult:
    """`rules` default to the ones in the run's manifest (the config it was run with)."""
    result = evaluate_gate(run_dir, load_baseline(baseline) if baseline else None, rules)
    for rule in result.results:
        where = f"{rule.variant} {rule.suite or ''}".strip()
        console.print(
            f"[{_COLOURS[rule.status]}]{rule.status.value:>6}[/] {rule.rule} {escape(where)}: {escape(rule.detail)}",
            soft_wrap=True,
        )
    junit = junit or run_dir / "gate-junit.xml"
    summary = summary or run_dir / "gate-summary.md"
    write_atomic(junit, junit_xml(result))
    write_atomic(summary, markdown_summary(result))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(markdown_summary(result))
    console.print(f"{_WORDS[result.exit_code]}; JUnit {junit}, summary {summary}", soft_wrap=True)
    return result
