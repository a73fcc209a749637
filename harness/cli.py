"""The `harness` command line: argument parsing and printing only; every job lives in its own module."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from harness.errors import HarnessError
from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS
from harness.progress import LIBRARY_LOG, library_output

if TYPE_CHECKING:
    from harness.types import Suite

    Commands = argparse._SubParsersAction[argparse.ArgumentParser]
    """The `harness` command's subcommands, which each group of commands adds to."""

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
TRAIN_LOG = Path("logs") / "train.log"
"""Where `harness train`, which has no run folder, keeps what the libraries wrote: under the cache it fills."""
_SHOWN_DATA_PROBLEMS = 5

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def _cmd_suites_validate(args: argparse.Namespace) -> int:
    from harness.suites.files import load_sources

    invalid = False
    for loaded in load_sources(args.paths):
        for problem in loaded.problems:
            console.print(f"[red]error[/red] {escape(str(problem))}", soft_wrap=True)
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
                console.print(f"  [yellow]data[/yellow] {escape(str(problem))}", soft_wrap=True)
            if len(shown) < len(loaded.data_problems):
                console.print(f"  … {len(loaded.data_problems) - len(shown)} more (--verbose shows all)")
        else:
            console.print(line, soft_wrap=True)
    return EXIT_INVALID if invalid else EXIT_OK


def _cmd_suites_schema(args: argparse.Namespace) -> int:
    from harness.suites.files import suite_schema

    sys.stdout.write(json.dumps(suite_schema(), indent=2) + "\n")
    return EXIT_OK


def _write_suite(suite: Suite, path: Path) -> int:
    """Write a made suite and read it back as `suites validate` would, so that what was written is known to load."""
    from harness.runs.folder import write_atomic
    from harness.suites.files import load_suite_file, suite_json

    write_atomic(path, suite_json(suite))
    loaded = load_suite_file(path)
    for problem in loaded.problems:
        console.print(f"[red]error[/red] {escape(str(problem))}", soft_wrap=True)
    kinds = ", ".join(f"{n} {kind}" for kind, n in Counter(case.kind.value for case in suite.cases).most_common())
    console.print(
        f"wrote {escape(str(path))}: {len(suite.cases)} cases ({kinds}), {len(suite.tools)} tools, in distribution",
        soft_wrap=True,
    )
    return EXIT_OK if loaded.ok else EXIT_INVALID


def _cmd_suites_from_generator(args: argparse.Namespace) -> int:
    from harness.fixtures.recipes import load_recipe
    from harness.suites.heldout import generated_suite

    recipe = load_recipe(Path(args.recipe)) if args.recipe else None
    return _write_suite(generated_suite(args.cases, args.seed, recipe, args.name), Path(args.out))


def _cmd_suites_from_dataset(args: argparse.Namespace) -> int:
    from harness.suites.heldout import dataset_suite, default_name

    name = args.name or default_name(args.source)
    suite, skipped = dataset_suite(args.source, args.split, args.holdout, args.seed, name)
    for reason in skipped:
        console.print(f"[yellow]no case[/yellow] {escape(reason)}", soft_wrap=True)
    code = _write_suite(suite, Path(args.out))
    console.print(
        escape(f"a recipe trains without these rows with [data] holdout = {args.holdout}, holdout_seed = {args.seed}"),
        soft_wrap=True,
    )
    return code


def _warn_torn(run_dir: Path) -> None:
    from harness.runs.folder import RunFolder

    torn = RunFolder(run_dir).torn_generation()
    if torn:
        errors.print(
            f"[yellow]warning[/yellow] {escape(torn)}: a torn last line (the run was killed while writing it) is"
            " left out; `harness run` asks that case again",
            soft_wrap=True,
        )


def _cmd_score(args: argparse.Namespace) -> int:
    from harness.reports.console import print_accuracy
    from harness.runs.score import score_run
    from harness.runs.view import load_run

    score_run(Path(args.run_dir))
    _warn_torn(Path(args.run_dir))
    print_accuracy(load_run(Path(args.run_dir)), console)
    console.print(f"scores written to {Path(args.run_dir) / 'scores.jsonl'} and summary.json")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from harness.generation.answer import run
    from harness.generation.prepare import prepare
    from harness.reports.console import print_accuracy
    from harness.runs.config import load_run_config
    from harness.runs.score import score_run
    from harness.runs.view import load_run

    path = Path(args.config)
    config = load_run_config(path)
    if args.sample is not None:
        suites = config.suites.model_copy(update={"sample": args.sample})
        config = config.model_copy(update={"name": f"{config.name}-sample{args.sample}", "suites": suites})
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        folder = run(prepare(config, path.parent, console), run_dir, console)
    score_run(folder.path)
    print_accuracy(load_run(folder.path), console)
    console.print(f"run folder: {folder.path}", soft_wrap=True)
    return EXIT_OK


def _cmd_parity(args: argparse.Namespace) -> int:
    from harness.generation.answer import run
    from harness.generation.prepare import prepare
    from harness.reports.parity import print_base_agreement, print_parity
    from harness.runs.config import load_run_config
    from harness.scoring.parity import adapter_parity, agreement

    path = Path(args.config)
    config = load_run_config(path)
    suites = config.suites.model_copy(update={"sample": min(config.suites.sample or args.per_suite, args.per_suite)})
    parity = config.model_copy(
        update={
            "name": f"{config.name}-parity",
            "variants": ["base-plain", "base", "lora", "merged", "reference"],
            "suites": suites,
        }
    )
    run_dir = Path(args.out) if args.out else Path("runs") / parity.name
    with library_output(run_dir / LIBRARY_LOG):
        folder = run(prepare(parity, path.parent, console), run_dir, console)
    generations = {key: g for key, (_, g) in folder.read_generations().items()}
    reports = [adapter_parity(generations, adapter.name) for adapter in config.adapters]
    for report in reports:
        print_parity(report, console)
    base = agreement(generations, "base", "base-plain")
    if base is not None:
        print_base_agreement(base, console)
    console.print(f"run folder: {run_dir}", soft_wrap=True)
    return EXIT_OK if all(report.applied for report in reports) else EXIT_INVALID


def _cmd_latency(args: argparse.Namespace) -> int:
    from harness.generation.prepare import prepare
    from harness.latency.measure import latency_study
    from harness.reports.console import print_latency
    from harness.runs.config import load_run_config

    path = Path(args.config)
    config = load_run_config(path)
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        summary = latency_study(prepare(config, path.parent, console), run_dir, console)
    print_latency(summary, console)
    console.print(f"study took {summary.seconds:.0f} s; samples in {run_dir / 'latency.jsonl'}", soft_wrap=True)
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from harness.bench import bench
    from harness.runs.config import load_run_config

    path = Path(args.config)
    config = load_run_config(path)
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        return bench(config, path.parent, run_dir, console)


def _cmd_report(args: argparse.Namespace) -> int:
    from harness.gate.recommend import recommend, run_verdict
    from harness.gate.step import print_recommendation, print_verdicts
    from harness.reports.console import print_report
    from harness.runs.view import load_run

    view = load_run(Path(args.run_dir))
    _warn_torn(Path(args.run_dir))
    verdict = run_verdict(view)  # the decision first, as the gate gave it (or the run config's rules now)
    print_verdicts(verdict, console)
    print_recommendation(recommend(view, verdict), console)
    print_report(view, console)
    if args.html:
        from harness.reports.html_page import write_html

        console.print(f"HTML report written to {write_html(view, Path(args.html))}", soft_wrap=True)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from harness.reports.export import case_rows, export_text
    from harness.runs.folder import write_atomic
    from harness.runs.view import load_run

    run_dir = Path(args.run_dir)
    rows = case_rows(load_run(run_dir))
    out = Path(args.out) if args.out else run_dir / f"cases.{args.format}"
    write_atomic(out, export_text(rows, args.format))
    console.print(f"{len(rows)} rows (one per case and variant) written to {out}", soft_wrap=True)
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from harness.reports.compare import compare, pick_variants
    from harness.reports.console import print_comparison
    from harness.runs.view import load_run
    from harness.types import ParseMode

    view_a = load_run(Path(args.run_a))
    view_b = load_run(Path(args.run_b)) if args.run_b else view_a
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


def _cmd_gate(args: argparse.Namespace) -> int:
    from harness.gate.step import gate_step
    from harness.runs.config import load_run_config

    def optional(value: str | None) -> Path | None:
        return Path(value) if value else None

    rules = load_run_config(Path(args.rules), files=False).gate if args.rules else None
    result = gate_step(
        Path(args.run_dir), optional(args.baseline), optional(args.junit), optional(args.summary), console, rules
    )
    return result.exit_code


def _cmd_baseline_save(args: argparse.Namespace) -> int:
    from harness.gate.baseline import save_baseline

    path = save_baseline(Path(args.run_dir), args.name, Path(args.dir), replace=args.force)
    console.print(f"baseline written to {path}", soft_wrap=True)
    return EXIT_OK


def _cmd_adapters_check(args: argparse.Namespace) -> int:
    """Say what the adapter is and why vLLM could not serve it, before anyone waits for an engine to start."""
    from harness.fixtures.adapter_check import AdapterReadError, check_adapter
    from harness.fixtures.console import print_adapter_check

    try:
        report = check_adapter(Path(args.path), max_rank=args.max_rank, base_model=args.base_model)
    except AdapterReadError as error:
        errors.print(f"[red]error[/red] {escape(str(error))}", soft_wrap=True)
        return EXIT_ERROR
    print_adapter_check(report, console)
    return EXIT_OK if report.ok else EXIT_INVALID


def _cmd_fixtures_base(args: argparse.Namespace) -> int:
    from harness.fixtures import materialise_base

    console.print(str(materialise_base(args.name, force=args.force)), soft_wrap=True)
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    from harness.fixtures.cache import cache_root
    from harness.fixtures.recipes import load_recipe
    from harness.fixtures.training import train

    for path in args.recipes:
        with library_output(cache_root() / TRAIN_LOG):
            trained = train(load_recipe(Path(path)), force=args.force, console=console)
        manifest = trained.manifest
        rate = manifest.train_tokens / manifest.seconds if manifest.seconds else 0.0
        console.print(f"[green]{escape(manifest.recipe.name)}[/green] {escape(str(trained.folder))}", soft_wrap=True)
        console.print(
            f"  {manifest.examples} examples"
            + (f" ({manifest.too_long} longer than sft.max_length left out)" if manifest.too_long else "")
            + f", {manifest.train_tokens} tokens in {manifest.seconds:.0f} s"
            f" ({rate:.0f} tokens/s), final loss {manifest.final_loss if manifest.final_loss is not None else '–'}"
        )
        console.print(
            f"  adapter {escape(str(trained.adapter))}\n  merged  {escape(str(trained.merged))}", soft_wrap=True
        )
    return EXIT_OK


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_suite_commands(commands: Commands) -> None:
    """`suites validate|schema|from-generator|from-dataset`: suites as data."""
    suites = commands.add_parser("suites", help="check and describe suites").add_subparsers(
        dest="suites_command", required=True, metavar="SUBCOMMAND"
    )
    validate = suites.add_parser("validate", help="check suite files and external suites (bfcl:CATEGORY)")
    validate.add_argument("paths", nargs="*", default=["suites"], help="files, folders or bfcl:CATEGORY")
    validate.add_argument("--verbose", action="store_true", help="list every problem in external data")
    validate.set_defaults(handler=_cmd_suites_validate)
    schema = suites.add_parser("schema", help="print the JSON Schema of suite files")
    schema.set_defaults(handler=_cmd_suites_schema)
    generated = suites.add_parser(
        "from-generator", help="write a held-out in-distribution suite from the training generator's held-out pool"
    )
    generated.add_argument("--recipe", help="take the kinds mix and renaming of this recipe's generated data")
    generated.add_argument("--cases", type=_positive, required=True, help="number of cases")
    generated.add_argument("--seed", type=int, required=True, help="generator seed")
    generated.add_argument("--name", default="heldout", help="suite name (default heldout)")
    generated.add_argument("--out", required=True, help="suite file to write, such as suites/heldout.json")
    generated.set_defaults(handler=_cmd_suites_from_generator)
    dataset = suites.add_parser(
        "from-dataset", help="write a held-out in-distribution suite from seeded rows of a course-format dataset"
    )
    dataset.add_argument("source", help="JSON Lines file in the Agents-course format, or hub:NAME")
    dataset.add_argument("--holdout", type=_positive, required=True, help="rows to hold out (one case each)")
    dataset.add_argument("--seed", type=int, default=0, help="seed of the row draw: the recipe's holdout_seed")
    dataset.add_argument("--split", default="train", help="dataset split for hub:NAME (default train)")
    dataset.add_argument("--name", help="suite name (default heldout-DATASET)")
    dataset.add_argument("--out", required=True, help="suite file to write")
    dataset.set_defaults(handler=_cmd_suites_from_dataset)


def _add_measuring_commands(commands: Commands) -> None:
    """The commands that serve models and measure them, and `score`, which re-scores their log."""
    score = commands.add_parser("score", help="re-score a saved run log (no model needed)")
    score.add_argument("run_dir", help="run folder holding manifest.json and generations.jsonl")
    score.set_defaults(handler=_cmd_score)

    run = commands.add_parser("run", help="serve every variant of a run config, answer every case, score the run")
    run.add_argument("config", help="run config (TOML), such as configs/tiny-smoke.toml")
    run.add_argument("--out", help="run folder (default runs/NAME); an existing one of the same config is resumed")
    run.add_argument(
        "--sample", type=_positive, help="a seeded sample of N cases per suite instead of the config's choice"
    )
    run.set_defaults(handler=_cmd_run)

    latency = commands.add_parser(
        "latency", help="TTFT, TPOT and E2E per variant; the unmerged adapter's overhead with an A/A noise floor"
    )
    latency.add_argument("config", help="run config (TOML); its [latency] section sets the study")
    latency.add_argument("--out", help="run folder (default runs/NAME); the samples go to latency.jsonl there")
    latency.set_defaults(handler=_cmd_latency)

    parity = commands.add_parser(
        "parity", help="check that vLLM applies each adapter, and agrees with transformers, unmerged and merged"
    )
    parity.add_argument("config", help="run config (TOML); its base, adapters and suites are used")
    parity.add_argument(
        "--per-suite", type=_positive, default=4, help="cases per suite (default 4; transformers is slow)"
    )
    parity.add_argument("--out", help="run folder (default runs/NAME-parity)")
    parity.set_defaults(handler=_cmd_parity)

    bench = commands.add_parser(
        "bench", help="everything: fixtures, accuracy, latency, reports and the gate (exit code of the gate)"
    )
    bench.add_argument("config", help="bench config (TOML), such as configs/bench.toml")
    bench.add_argument("--out", help="run folder (default runs/NAME); rerun to resume an interrupted bench")
    bench.set_defaults(handler=_cmd_bench)


def _add_reading_commands(commands: Commands) -> None:
    """The commands that read a run folder and never call a model: report, compare, export, gate, baselines."""
    report = commands.add_parser("report", help="print a run folder's accuracy, failures and latency (no model)")
    report.add_argument("run_dir", help="a run folder")
    report.add_argument("--html", help="also write a self-contained HTML report to this file")
    report.set_defaults(handler=_cmd_report)

    compare = commands.add_parser("compare", help="paired comparison of two adapters: which one to ship")
    compare.add_argument("run_a", help="run folder of A")
    compare.add_argument("run_b", nargs="?", help="run folder of B (default: the same run)")
    compare.add_argument("--a", help="variant A (default: the run's unmerged adapter)")
    compare.add_argument("--b", help="variant B")
    compare.add_argument("--mode", choices=["strict", "lenient"], default="strict", help="which reading to judge")
    compare.add_argument("--html", help="also write the comparison as a self-contained HTML page to this file")
    compare.set_defaults(handler=_cmd_compare)

    export = commands.add_parser("export", help="per-case results of a run (one row per case and variant)")
    export.add_argument("run_dir", help="a run folder")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv", help="csv (default) or jsonl")
    export.add_argument("--out", help="file to write (default RUN_DIR/cases.FORMAT)")
    export.set_defaults(handler=_cmd_export)

    gate = commands.add_parser(
        "gate",
        help="judge a scored run folder by its config's rules: exit 0 every candidate passed and every control"
        " was caught, 1 a candidate failed or a control was MISSED, 2 cannot evaluate",
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
    save = baseline.add_parser("save", help="save a scored run's per-case verdicts as a baseline")
    save.add_argument("run_dir", help="a scored run folder")
    save.add_argument("name", help="baseline name")
    save.add_argument("--dir", default="reports/baselines", help="where baselines live (default reports/baselines)")
    save.add_argument("--force", action="store_true", help="replace a baseline of the same name")
    save.set_defaults(handler=_cmd_baseline_save)


def _add_fixture_commands(commands: Commands) -> None:
    """The commands that check and build models: adapter checks, the base model, training."""
    adapters = commands.add_parser("adapters", help="check LoRA adapters").add_subparsers(
        dest="adapters_command", required=True, metavar="SUBCOMMAND"
    )
    check = adapters.add_parser("check", help="check a PEFT LoRA adapter folder against what vLLM can serve")
    check.add_argument("path", help="adapter folder (adapter_config.json and adapter_model.safetensors)")
    check.add_argument(
        "--max-rank", type=int, default=64, choices=VLLM_MAX_LORA_RANKS, help="the --max-lora-rank vLLM will get"
    )
    check.add_argument("--base-model", help="the base it will be served on: a hub id, or a local folder to compare")
    check.set_defaults(handler=_cmd_adapters_check)

    fixtures = commands.add_parser("fixtures", help="build the harness's own models").add_subparsers(
        dest="fixtures_command", required=True, metavar="SUBCOMMAND"
    )
    base = fixtures.add_parser("base", help="materialise a base model as a plain Hugging Face folder; print its path")
    base.add_argument(
        "name",
        nargs="?",
        default="smollm2-135m-instruct",
        help="smollm2-135m-instruct (default), tiny, a folder or a hub name",
    )
    base.add_argument("--force", action="store_true", help="rebuild even when cached")
    base.set_defaults(handler=_cmd_fixtures_base)

    train = commands.add_parser(
        "train", help="train (or reuse from the cache) LoRA adapters from recipes, and merge them"
    )
    train.add_argument("recipes", nargs="+", help="recipe files, such as adapters/fc-good.toml")
    train.add_argument("--force", action="store_true", help="retrain even when an identical adapter is cached")
    train.set_defaults(handler=_cmd_train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Benchmark function-calling LoRA adapters.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_suite_commands(commands)
    _add_measuring_commands(commands)
    _add_reading_commands(commands)
    _add_fixture_commands(commands)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C, and SIGTERM from a cancelled CI job, stop the run and its servers at once. Installed for SIGINT too,
    so that asyncio.run does not put its own handler in place, which only cancels the running task: a
    cancellation that lands inside a streamed HTTP read can be absorbed, and the run then went on to the end."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except HarnessError as error:
        message = "\n".join([str(error), *getattr(error, "__notes__", [])])
        errors.print(f"[red]error[/red] {escape(message)}", soft_wrap=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        errors.print("interrupted; servers stopped, everything answered so far is kept (rerun to resume)")
        return 130


def run() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    sys.exit(main())
