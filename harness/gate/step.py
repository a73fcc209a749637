"""The gate as a CI step: evaluate, print the verdict per judged variant, write JUnit XML and the Markdown summary (the
verdict, then the merge-precision finding; also to GitHub's step summary when it is set), and return the exit code.
Shared by `harness gate` and `harness bench`."""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.gate.baseline import load_baseline
from harness.gate.outputs import junit_xml, markdown_summary, merge_markdown
from harness.gate.recommend import Recommendation, gate_words, recommend
from harness.gate.rules import evaluate_gate
from harness.gate.settings import GateRules
from harness.runs.folder import RunFolder, append_text, write_atomic
from harness.runs.view import RunView
from harness.terminal import print_wrapped
from harness.types import UNDECIDED_EXIT, Decision, GateResult, Status

_COLOURS = {
    Decision.PASSED: "green",
    Decision.CAUGHT: "green",
    Decision.FAILED: "red",
    Decision.MISSED: "red",
    Decision.ERROR: "yellow",
    Decision.UNDECIDED: "yellow",
}
_GATE_COLOURS = {0: "green", 1: "red", 2: "yellow", UNDECIDED_EXIT: "yellow"}
_UNDECIDED_HINT = ": the answers so far decide no verdict; rerun into the same folder to go on"


def print_verdicts(result: GateResult, console: Console) -> None:
    """The decision first: one line per judged variant, then only the rules that decided it (failed rules of a
    candidate, whatever could not be evaluated); every rule's detail is in the JUnit and Markdown files."""
    colour, hint = _GATE_COLOURS[result.exit_code], _UNDECIDED_HINT if result.exit_code == UNDECIDED_EXIT else ""
    words = f"[{colour}]{gate_words(result)}[/{colour}]{hint}"
    console.print(f"{words} (run {escape(result.run_id)}, {result.mode.value} reading)")
    for verdict in result.verdicts:
        role = " (control)" if verdict.control else ""
        rules = ", ".join(verdict.failed) if verdict.control else ""
        note = f": {rules}" if rules else ": passed every rule" if verdict.decision is Decision.MISSED else ""
        colour = _COLOURS[verdict.decision]
        print_wrapped(
            console, f"[{colour}]{verdict.decision.value:>13}[/] {escape(verdict.variant)}{role}{escape(note)}", 2, 14
        )
        for rule in result.results:
            open_here = rule.status is Status.UNDECIDED and verdict.decision is Decision.UNDECIDED
            shown = rule.status is Status.ERROR or open_here or (rule.status is Status.FAILED and not verdict.control)
            if rule.variant == verdict.variant and shown:
                where = f"{rule.rule}[{rule.suite}]" if rule.suite else rule.rule
                needs = f" (undecided: about {rule.needed} more answers)" if rule.needed else ""
                print_wrapped(console, f"{escape(where)}{needs}: {escape(rule.detail)}", 16)
    for rule in result.results:
        if not rule.variant:
            print_wrapped(console, f"[yellow]{rule.rule}[/]: {escape(rule.detail)}", 2)


def print_recommendation(recommendation: Recommendation, console: Console) -> None:
    """What to ship, under the verdicts, with the figures that decide it."""
    print_wrapped(console, f"[bold]{escape(recommendation.headline)}[/bold]")
    for reason in recommendation.reasons:
        print_wrapped(console, escape(reason), 2)


def gate_step(
    view: RunView,
    baseline: Path | None,
    junit: Path | None,
    summary: Path | None,
    console: Console,
    rules: GateRules | None = None,
) -> GateResult:
    """The gate on a run its caller loaded (and may report too); `rules` default to the ones in the run's manifest
    (the config it was run with)."""
    run_dir = view.path
    result = evaluate_gate(view, load_baseline(baseline) if baseline else None, rules)
    print_verdicts(result, console)
    print_recommendation(recommend(view, result), console)
    junit = junit or run_dir / "gate-junit.xml"
    summary = summary or run_dir / "gate-summary.md"
    markdown = markdown_summary(result) + merge_markdown(view.merge_precision())  # the verdict, then the finding
    write_atomic(junit, junit_xml(result))
    write_atomic(summary, markdown)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        append_text(Path(step_summary), markdown, "GITHUB_STEP_SUMMARY")
    RunFolder(run_dir).write_gate(result)  # last: the run's verdict only once every output of it was written
    console.print(f"every rule: JUnit {junit}, summary {summary}", soft_wrap=True)
    return result
