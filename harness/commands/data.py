"""`harness data …`: the training generator's conversations written out as data, for people and for other tools."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from harness.commands.output import EXIT_OK, console, positive

if TYPE_CHECKING:
    from harness.commands.output import Commands


def _cmd_data_course_rows(args: argparse.Namespace) -> int:
    from harness.fixtures.recipes import DataSpec, load_recipe
    from harness.runs.folder import write_atomic
    from harness.training_data import Corruption, TrainingDataError, generate
    from harness.training_data.course_rows import FIELD, course_rows
    from harness.training_data.examples import HELDOUT_POOL, TRAINING_POOL

    data = load_recipe(Path(args.recipe)).data if args.recipe else DataSpec()
    if data.source != "generated":
        raise TrainingDataError(
            f"{args.recipe}: its data source is {data.source!r}, whose rows are course rows already"
        )
    pool = HELDOUT_POOL if args.pool == "heldout" else TRAINING_POOL
    corruption = Corruption(data.corruption)
    examples = generate(args.examples, args.seed, data.mix, corruption, data.rename_rate, data.turns, pool)
    rows = course_rows(examples, args.seed)
    write_atomic(Path(args.out), "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    kinds = ", ".join(f"{n} {kind}" for kind, n in Counter(e.kind for e in examples).most_common())
    thinking = sum(turn["content"].startswith("<think>") for row in rows for turn in row[FIELD])
    console.print(
        f"wrote {escape(args.out)}: {len(rows)} rows ({kinds}) of the {args.pool} pool, {thinking} calling turns"
        " with their thinking",
        soft_wrap=True,
    )
    return EXIT_OK


def add_data_commands(commands: Commands) -> None:
    """`data course-rows`: generated conversations in the Agents course's dataset format."""
    data = commands.add_parser("data", help="write the training generator's data").add_subparsers(
        dest="data_command", required=True, metavar="SUBCOMMAND"
    )
    rows = data.add_parser(
        "course-rows",
        help="write generated conversations as rows of the Agents course's dataset (JSON Lines)",
        description="Writes the training generator's conversations as rows of the Agents course's dataset"
        " (hermes-function-calling-thinking-V1): a conversations column of system, human, model and tool turns, the"
        " tools in the system prompt, a <think> reasoning before each call, Python-literal calls. A recipe with"
        ' [data] rows = "course" trains on these rows; `harness suites from-dataset FILE` makes cases of them.',
    )
    rows.add_argument("--examples", type=positive, required=True, help="conversations to write, one row each")
    rows.add_argument("--seed", type=int, required=True, help="generator seed (also words the thinking)")
    rows.add_argument(
        "--pool",
        choices=("train", "heldout"),
        default="train",
        help="draw from the tools training offers (train, default) or from the held-out ones",
    )
    rows.add_argument("--recipe", help="take the kinds mix, renaming, follow-up turns and corruption of this recipe")
    rows.add_argument("--out", required=True, help="JSON Lines file to write")
    rows.set_defaults(handler=_cmd_data_course_rows)
