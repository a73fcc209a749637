"""`harness suites …`: checking, describing and writing suites, which are data."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from harness.commands.output import EXIT_INVALID, EXIT_OK, console, positive

_SHOWN_DATA_PROBLEMS = 5

if TYPE_CHECKING:
    from harness.commands.output import Commands
    from harness.types import Suite


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
        suite = loaded.suite
        line = f"[green]ok[/green] {loaded.source}: {len(suite.cases)} cases, {len(suite.tools)} tools"
        if suite.episodes:
            turns = sum(len(episode.turns) for episode in suite.episodes)
            line += f", {len(suite.episodes)} episodes ({turns} turns)"
        line += f", {suite.semantics.value} semantics"
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
    return _write_suite(generated_suite(args.cases, args.seed, recipe, args.name, args.rows), Path(args.out))


def _write_episodes(suite: Suite, out: str) -> int:
    from harness.runs.folder import write_atomic
    from harness.suites.files import suite_json

    write_atomic(Path(out), suite_json(suite))
    turns = sum(len(episode.turns) for episode in suite.episodes)
    where = "in distribution" if suite.distribution == "in" else "out of distribution"
    console.print(f"wrote {escape(out)}: {len(suite.episodes)} episodes, {turns} turns, {where}", soft_wrap=True)
    return EXIT_OK


def _cmd_suites_multi_turn(args: argparse.Namespace) -> int:
    from harness.suites.multi_turn_builtin import SEED, built_in_suite

    return _write_episodes(built_in_suite(SEED if args.seed is None else args.seed), args.out)


def _cmd_suites_heldout_multi_turn(args: argparse.Namespace) -> int:
    from harness.suites.heldout_multi_turn import SEED, heldout_suite

    return _write_episodes(heldout_suite(SEED if args.seed is None else args.seed), args.out)


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


def add_suite_commands(commands: Commands) -> None:
    """`suites validate|schema|from-generator|multi-turn|heldout-multi-turn|from-dataset`: suites as data."""
    suites = commands.add_parser("suites", help="check and describe suites").add_subparsers(
        dest="suites_command", required=True, metavar="SUBCOMMAND"
    )
    validate = suites.add_parser(
        "validate",
        help="check suite files and external suites (bfcl:CATEGORY)",
        description="Checks suite files (default: the suites/ folder) and external suites such as bfcl:simple_python;"
        " every problem names file, line and field. Exit 0 only when all is valid; BFCL's ground truths that"
        " contradict their own schema are counted and listed, not hidden.",
    )
    validate.add_argument("paths", nargs="*", default=["suites"], help="files, folders or bfcl:CATEGORY")
    validate.add_argument("--verbose", action="store_true", help="list every problem in external data")
    validate.set_defaults(handler=_cmd_suites_validate)
    schema = suites.add_parser(
        "schema",
        help="print the JSON Schema of suite files",
        description="Prints the JSON Schema of suite files, published as suites/suite.schema.json.",
    )
    schema.set_defaults(handler=_cmd_suites_schema)
    generated = suites.add_parser(
        "from-generator",
        help="write a held-out in-distribution suite from the training generator's held-out pool",
        description="Writes a held-out in-distribution suite from the training generator's held-out pool (tools and"
        " requests training never offers), with the recipe's kinds mix and renaming. suites/heldout.json is"
        " --recipe adapters/fc-good.toml --cases 80 --seed 4242; suites/course/heldout.json, the course-format"
        " recipes' own, adds --rows course --seed 2727 --name course-heldout.",
    )
    generated.add_argument("--recipe", help="take the kinds mix and renaming of this recipe's generated data")
    generated.add_argument("--cases", type=positive, required=True, help="number of cases")
    generated.add_argument("--seed", type=int, required=True, help="generator seed")
    generated.add_argument("--name", default="heldout", help="suite name (default heldout)")
    generated.add_argument(
        "--rows",
        choices=("harness", "course"),
        help="course: write the requests as the Agents course's dataset rows and read them back, as a recipe with"
        ' [data] rows = "course" trains (default: the recipe\'s rows, else harness)',
    )
    generated.add_argument("--out", required=True, help="suite file to write, such as suites/heldout.json")
    generated.set_defaults(handler=_cmd_suites_from_generator)
    episodes = (
        ("multi-turn", "write the built-in multi-turn suite from its generator",
         "Writes the built-in multi-turn suite (suites/conversations/multi_turn.json: 130 episodes, 400 user turns over"
         " the calendar, shop and bank environments) from its seeded templates.",
         "multi_turn.json", _cmd_suites_multi_turn),
        ("heldout-multi-turn", "write a held-out in-distribution multi-turn suite from the training generator's"
         " held-out chains",
         "Writes the held-out in-distribution multi-turn suite (suites/conversations/heldout_multi_turn.json: 44"
         " episodes, 136 user turns over the parking, storage and bike_share environments) from the training"
         " generator's held-out lookup/action pairs and its own wording.",
         "heldout_multi_turn.json", _cmd_suites_heldout_multi_turn),
    )  # fmt: skip
    for command, help_text, description, file, handler in episodes:
        written = suites.add_parser(command, help=help_text, description=description)
        written.add_argument("--seed", type=int, help="generator seed (default: the committed suite's)")
        written.add_argument("--out", required=True, help=f"suite file to write, such as suites/conversations/{file}")
        written.set_defaults(handler=handler)
    dataset = suites.add_parser(
        "from-dataset",
        help="write a held-out in-distribution suite from seeded rows of a course-format dataset",
        description="Writes a held-out in-distribution suite from N seeded rows of an Agents-course dataset (each"
        " row's first request and answer); a recipe with [data] holdout = N and holdout_seed = S trains on the"
        " other rows.",
    )
    dataset.add_argument("source", help="JSON Lines file in the Agents-course format, or hub:NAME")
    dataset.add_argument("--holdout", type=positive, required=True, help="rows to hold out (one case each)")
    dataset.add_argument("--seed", type=int, default=0, help="seed of the row draw: the recipe's holdout_seed")
    dataset.add_argument("--split", default="train", help="dataset split for hub:NAME (default train)")
    dataset.add_argument("--name", help="suite name (default heldout-DATASET)")
    dataset.add_argument("--out", required=True, help="suite file to write")
    dataset.set_defaults(handler=_cmd_suites_from_dataset)
