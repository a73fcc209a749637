"""Lines for an 80-column console: a long line wraps at word boundaries and its continuation lines hang under
its first word, instead of running past the edge (a terminal) or to 200 columns (a CI log)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def print_wrapped(console: Console, markup: str, indent: int = 0, hang: int = 2) -> None:
    """Print `markup` (rich markup, already escaped) from column `indent`, continuation lines `hang` further in."""
    text = Text.from_markup(markup)
    width = max(20, console.width - indent - hang)
    for number, line in enumerate(text.wrap(console, width)):
        line.rstrip()
        console.print(Text(" " * (indent if number == 0 else indent + hang)) + line, soft_wrap=True)
