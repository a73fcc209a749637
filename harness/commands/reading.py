"""The commands that read a run folder and never call a model: score, report, export, compare, gate, baselines."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from harness.commands.output import EXIT_OK, console, errors

if TYPE_CHECKING:
    from harness.commands.output import Commands


def _warn_torn(run_dir: Path) -> None:
    from harness.runs.folder import RunFolder

    torn = RunFolder(run_dir).torn_generation()
    if torn:
        errors.print(
            f"[yellow]warning[/yellow] {escape(torn)}: a torn last line (the run was killed while writing it) is"
            " left out; `harness run` asks that case again",
            soft_wrap=True,
        )


def cmd_score(args: argparse.Namespace) -> int:
    from harness.reports.console import print_accuracy
    from harness.runs.score import score_run

    view = score_run(Path(args.run_dir), args.semantics)
    _warn_torn(Path(args.run_dir))
    print_accuracy(view, console)
    console.print(f"scores written to {Path(args.run_dir) / 'scores.jsonl'} and summary.json")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from harness.gate.recommend import recommend, run_verdict
    from harness.gate.step import print_recommendation, print_verdicts
    from harness.reports.console import print_report
    from harness.reports.decided_text import print_decisions
    from harness.runs.score import scored_run

    view = scored_run(Path(args.run_dir))
    _warn_torn(Path(args.run_dir))
    verdict = run_verdict(view)  # the decision first, as the gate gave it (or the run config's rules now)
    print_verdicts(verdict, console)
    print_decisions(verdict, console)
    print_recommendation(recommend(view, verdict), console)
    print_report(view, console)
    if args.html:
        from harness.reports.html_page import write_html

        console.print(f"HTML report written to {write_html(view, Path(args.html))}", soft_wrap=True)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from harness.reports.episodes import TurnRow, turn_rows
    from harness.reports.export import case_rows, export_text
    from harness.runs.folder import write_atomic
    from harness.runs.score import scored_run

    run_dir = Path(args.run_dir)
    view = scored_run(run_dir)
    rows = case_rows(view)
    out = Path(args.out) if args.out else run_dir / f"cases.{args.format}"
    write_atomic(out, export_text(rows, args.format))
    console.print(f"{len(rows)} rows (one per case and variant) written to {out}", soft_wrap=True)
    turns = turn_rows(view)
    if turns:
        turns_out = out.with_name(f"{out.stem}-turns{out.suffix}") if args.out else run_dir / f"turns.{args.format}"
        write_atomic(turns_out, export_text(turns, args.format, TurnRow))
        console.print(
            f"{len(turns)} rows (one per turn of an episode and variant) written to {turns_out}", soft_wrap=True
        )
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from harness.reports.compare import compare, pick_variants
    from harness.reports.console import print_comparison
    from harness.runs.score import scored_run
    from harness.types import ParseMode

    view_a = scored_run(Path(args.run_a))
    view_b = scored_run(Path(args.run_b)) if args.run_b else view_a
    a, b = pick_variants(view_a, view_b, args.a, args.b)
    result = compare(view_a, a, view_b, b, ParseMode(args.mode))
    print_comparison(result, console)
    if args.html:
        from harness.reports.compare_page import render_comparison_html
        from harness.runs.folder import write_atomic

        path = Path(args.html)
        write_atomic(path, render_comparison_html(result, str(view_a.path), str(view_b.path)))
        console.print(f"HTML comparison written to {path}", soft_wrap=True)
    return EXIT_OK


def _cmd_rank(args: argparse.Namespace) -> int:
    from harness.gate.recommend import run_verdict
    from harness.reports.rank import RankUnit, rank
    from harness.reports.rank_text import print_ranking, ranking_markdown
    from harness.runs.folder import write_atomic
    from harness.runs.score import scored_run
    from harness.types import ParseMode

    view = scored_run(Path(args.run_dir))
    ranking = rank(view, args.variants, ParseMode(args.mode), RankUnit(args.on), run_verdict(view))
    print_ranking(ranking, console)
    if args.html:
        from harness.reports.curve import learning_curves
        from harness.reports.rank_page import render_ranking_html

        curves = learning_curves(view, ranking.mode) if ranking.mode else []  # full match on cases
        write_atomic(Path(args.html), render_ranking_html(ranking, str(view.path), curves))
        console.print(f"HTML ranking written to {args.html}", soft_wrap=True)
    if args.markdown:
        write_atomic(Path(args.markdown), ranking_markdown(ranking, str(view.path)))
        console.print(f"Markdown ranking written to {args.markdown}", soft_wrap=True)
    return EXIT_OK


def _cmd_gate(args: argparse.Namespace) -> int:
    from harness.gate.step import gate_step
    from harness.run_config import load_run_config
    from harness.runs.view import load_run

    def optional(value: str | None) -> Path | None:
        return Path(value) if value else None

    rules = load_run_config(Path(args.rules), files=False).gate if args.rules else None
    view = load_run(Path(args.run_dir))
    result = gate_step(view, optional(args.baseline), optional(args.junit), optional(args.summary), console, rules)
    return result.exit_code


def _cmd_baseline_save(args: argparse.Namespace) -> int:
    from harness.gate.baseline import save_baseline

    path = save_baseline(Path(args.run_dir), args.name, Path(args.dir), replace=args.force)
    console.print(f"baseline written to {path}", soft_wrap=True)
    return EXIT_OK


def add_reading_commands(commands: Commands) -> None:
    """The commands that read a run folder and never call a model: report, compare, rank, export, gate, baselines."""
    report = commands.add_parser(
        "report",
        help="print a run folder's accuracy, failures and latency (no model)",
        description="Prints the gate's verdict and what to ship first (as the last harness gate gave it, else by the"
        " run config's rules), then accuracy per variant and suite with 95% intervals, learning curves (full match"
        " against training step, in and out of distribution), failures by error kind, latency and the first"
        " failures, in 80 columns (no colour when piped). --html writes the same as one self-contained file that"
        " opens offline, with plots and a filterable table of every case.",
    )
    report.add_argument("run_dir", help="a run folder")
    report.add_argument("--html", help="also write a self-contained HTML report to this file")
    report.set_defaults(handler=_cmd_report)

    compare = commands.add_parser(
        "compare",
        help="paired comparison of two adapters: which one to ship",
        description="Paired per-case comparison of two adapters (two in one run, or one per run): wins, losses,"
        " exact McNemar p, the accuracy difference with its interval, the latency ratio where both were in one"
        " study, and which one to ship.",
    )
    compare.add_argument("run_a", help="run folder of A")
    compare.add_argument("run_b", nargs="?", help="run folder of B (default: the same run)")
    compare.add_argument("--a", help="variant A (default: the run's unmerged adapter)")
    compare.add_argument("--b", help="variant B")
    compare.add_argument("--mode", choices=["strict", "lenient"], default="strict", help="which reading to judge")
    compare.add_argument("--html", help="also write the comparison as a self-contained HTML page to this file")
    compare.set_defaults(handler=_cmd_compare)

    ranking = commands.add_parser(
        "rank",
        help="rank N variants of a run on shared cases or episodes: Holm-corrected pairwise tests, tie groups, Pareto",
        description="Ranks N variants of one run (checkpoints, recipes, merged and unmerged forms) on the cases all"
        " of them answered: full match with intervals, pairwise exact McNemar tests with Holm's correction, tie"
        " groups the data cannot tell apart, a Pareto view of accuracy against serving cost (time per token over"
        " the merged model), and which adapter to ship and how (merged when tied; a checkpoint by its step,"
        " unmerged, priced as its adapter's unmerged form), never one the run's gate failed (gate.json, else the run"
        " config's rules). Variants asked only the unmerged sample join when named. --html also draws the run's"
        " learning curves.",
    )
    ranking.add_argument("run_dir", help="a run folder")
    ranking.add_argument(
        "--on",
        choices=["cases", "episodes"],
        default="cases",
        help="rank on the single-turn cases every variant answered (default), or on the multi-turn episodes every"
        " variant finished (share passed whole; pairs tested on progress, as `harness compare` does)",
    )
    ranking.add_argument(
        "--variants",
        nargs="+",
        metavar="PATTERN",
        help="variant names or globs (`merged:*`); default: every variant asked every case",
    )
    ranking.add_argument(
        "--mode", choices=["strict", "lenient"], default="strict", help="which reading to judge (cases only)"
    )
    ranking.add_argument("--html", help="also write the ranking as a self-contained HTML page to this file")
    ranking.add_argument("--markdown", help="also write the ranking as Markdown to this file")
    ranking.set_defaults(handler=_cmd_rank)

    export = commands.add_parser(
        "export",
        help="per-case results of a run (one row per case and variant)",
        description="One row per case and variant (suite, distribution, kind, expected calls, raw output, the calls"
        " each reading found, both readings' verdicts and error kind, timings, tokens), for pandas and spreadsheets."
        " A run with episodes also gets one row per turn (kind, passed, error, steps, calls, the episode's verdict"
        " and ending).",
    )
    export.add_argument("run_dir", help="a run folder")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv", help="csv (default) or jsonl")
    export.add_argument(
        "--out",
        help="file to write (default RUN_DIR/cases.FORMAT); a run with episodes also gets one row per turn in "
        "RUN_DIR/turns.FORMAT (beside --out: NAME-turns.FORMAT)",
    )
    export.set_defaults(handler=_cmd_export)

    gate = commands.add_parser(
        "gate",
        help="judge a scored run folder by its config's rules: exit 0 every candidate passed and every control"
        " was caught, 1 a candidate failed or a control was MISSED, 2 cannot evaluate, 3 undecided (a run cut by its"
        " time budget before its rules decided: rerun it)",
        description="Judges a scored run by its config's [gate] rules (or another config's) and prints the verdict"
        " per judged adapter first: passed, failed, caught or MISSED. Missing data is never a pass. Then what to"
        " ship: the passing candidate with the best full match, merged unless merging changed its answers, with"
        " the latency it costs unmerged. Writes JUnit XML, a Markdown summary (also to $GITHUB_STEP_SUMMARY) and"
        " RUN_DIR/gate.json, which the reports lead with.",
    )
    gate.add_argument("run_dir", help="a scored run folder")
    gate.add_argument("--baseline", help="a baseline file (reports/baselines/NAME.json) the run must not fall below")
    gate.add_argument("--rules", help="a run config whose [gate] rules apply instead of those the run was made with")
    gate.add_argument("--junit", help="JUnit XML output (default RUN_DIR/gate-junit.xml)")
    gate.add_argument("--summary", help="Markdown summary output (default RUN_DIR/gate-summary.md)")
    gate.set_defaults(handler=_cmd_gate)

    baseline = commands.add_parser("baseline", help="baselines for the gate").add_subparsers(
        dest="baseline_command", required=True, metavar="SUBCOMMAND"
    )
    save = baseline.add_parser(
        "save",
        help="save a scored run's per-case verdicts as a baseline",
        description="Writes DIR/NAME.json, the per-case verdicts a later run must not fall below (harness gate"
        " --baseline). NAME is a plain file name; an existing baseline is replaced only with --force.",
    )
    save.add_argument("run_dir", help="a scored run folder")
    save.add_argument("name", help="baseline name")
    save.add_argument("--dir", default="reports/baselines", help="where baselines live (default reports/baselines)")
    save.add_argument("--force", action="store_true", help="replace a baseline of the same name")
    save.set_defaults(handler=_cmd_baseline_save)
