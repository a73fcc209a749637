"""What every command shares: where it prints, the exit codes it returns and the options several take."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]
    """The `harness` command's subcommands, which each group of commands adds to."""

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_semantics_option(parser: argparse.ArgumentParser) -> None:
    """`--semantics`, for the commands that score: one semantics for every suite of the run, recorded in its
    manifest, instead of each suite's own."""
    from harness.types import Semantics

    parser.add_argument(
        "--semantics",
        type=Semantics,
        choices=list(Semantics),
        help="judge every suite by `schema` (JSON Schema) or `bfcl` (BFCL's checker rules) instead of the suite's own"
        " (bfcl:* suites default to bfcl, suite files to schema)",
    )
