"""The `harness` command line: argument parsing and printing only; every job lives in its own module."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.runlog import RunLogError
from harness.scoring import RunSummary
from harness.stats import Proportion

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
_SHOWN_DATA_PROBLEMS = 5

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def _cmd_suites_validate(args: argparse.Namespace) -> int:
    from harness.suite_files import load_sources

    invalid = False
    for loaded in load_sources(args.paths):
        for problem in loaded.problems:
            console.print(f"[red]error[/red] {problem}", soft_wrap=True)
        if not loaded.ok:
            invalid = True
            continue
        assert loaded.suite is not None
        line = f"[green]ok[/green] {loaded.source}: {len(loaded.suite.cases)} cases, {len(loaded.suite.tools)} tools"
        if loaded.data_problems:
            counts = Counter(problem.rule for problem in loaded.data_problems)
            affected = len({(p.file, p.line) for p in loaded.data_problems})
            breakdown = ", ".join(f"{count} {rule}" for rule, count in counts.most_common())
            line += f"; [yellow]{affected} cases with problems in its own data, kept[/yellow] ({breakdown})"
            console.print(line, soft_wrap=True)
            shown = loaded.data_problems if args.verbose else loaded.data_problems[:_SHOWN_DATA_PROBLEMS]
            for problem in shown:
                console.print(f"  [yellow]data[/yellow] {problem}", soft_wrap=True)
            if len(shown) < len(loaded.data_problems):
                console.print(f"  … {len(loaded.data_problems) - len(shown)} more (--verbose shows all)")
        else:
            console.print(line, soft_wrap=True)
    return EXIT_INVALID if invalid else EXIT_OK


def _cmd_suites_schema(args: argparse.Namespace) -> int:
    from harness.suite_files import suite_schema

    sys.stdout.write(json.dumps(suite_schema(), indent=2) + "\n")
    return EXIT_OK


def _percent(p: Proportion) -> str:
    return "–" if p.value is None else f"{100 * p.value:.0f}% [{100 * p.low:.0f}–{100 * p.high:.0f}]"


def _summary_table(summary: RunSummary) -> Table:
    table = Table(title="Full match per variant and suite (95% Wilson intervals)")
    for header in ("variant", "suite", "cases", "lenient", "strict", "missing"):
        table.add_column(header, justify="right" if header in ("cases", "missing") else "left")
    for group in summary.groups:
        if group.kind is None:
            table.add_row(
                group.variant,
                group.suite,
                str(group.cases),
                _percent(group.lenient.full_match),
                _percent(group.strict.full_match),
                str(group.missing),
            )
    return table


def _cmd_score(args: argparse.Namespace) -> int:
    from harness.score_run import score_run

    summary = score_run(Path(args.run_dir))
    console.print(_summary_table(summary))
    console.print(f"scores written to {Path(args.run_dir) / 'scores.jsonl'} and summary.json")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Benchmark function-calling LoRA adapters.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    suites = commands.add_parser("suites", help="check and describe suites").add_subparsers(
        dest="suites_command", required=True, metavar="SUBCOMMAND"
    )
    validate = suites.add_parser("validate", help="check suite files and external suites (bfcl:CATEGORY)")
    validate.add_argument("paths", nargs="*", default=["suites"], help="files, folders or bfcl:CATEGORY")
    validate.add_argument("--verbose", action="store_true", help="list every problem in external data")
    validate.set_defaults(handler=_cmd_suites_validate)
    schema = suites.add_parser("schema", help="print the JSON Schema of suite files")
    schema.set_defaults(handler=_cmd_suites_schema)

    score = commands.add_parser("score", help="re-score a saved run log (no model needed)")
    score.add_argument("run_dir", help="run folder holding manifest.json and generations.jsonl")
    score.set_defaults(handler=_cmd_score)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except RunLogError as error:
        errors.print(f"[red]error[/red] {error}", soft_wrap=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        errors.print("interrupted")
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
