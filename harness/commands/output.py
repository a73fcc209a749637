"""What every command shares: where it prints and the exit codes it returns."""

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
