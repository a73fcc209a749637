"""The CLI reference, written from the argument parser itself (every subcommand, its arguments, their defaults and
help) and from the Makefile's commented targets. argparse has no public API to walk subcommands, so this reads
its `_actions` and `_choices_actions`, as sphinx-argparse and argparse-manpage do."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass

from harness.reference.markdown import WIDTH, paragraphs


@dataclass(frozen=True)
class Command:
    """A command a user types: its parser and the one-line help its parent gives it."""

    parser: argparse.ArgumentParser
    help: str


def commands(parser: argparse.ArgumentParser) -> Iterator[Command]:
    """Every leaf command under `parser`, in the order `--help` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
                    yield from commands(sub)
                else:
                    yield Command(sub, helps[name])


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line at a fixed width, so that the reference does not depend on the terminal it was made in."""
    formatter = argparse.HelpFormatter(parser.prog, width=WIDTH)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip()


_NARGS = {"?": "optional", "*": "zero or more", "+": "one or more"}


def _argument(action: argparse.Action) -> list[str]:
    if action.option_strings:
        name = ", ".join(action.option_strings)
        name += f" {action.metavar or action.dest.upper()}" if action.nargs != 0 else ""
    else:
        name = action.metavar or action.dest
    facts = [_NARGS[str(action.nargs)]] if str(action.nargs) in _NARGS else []
    facts += ["flag"] if action.nargs == 0 else []
    facts += ["required"] if action.required and action.option_strings else []
    if action.choices is not None:
        facts.append("one of " + ", ".join(f"`{choice}`" for choice in action.choices))
    if action.default not in (None, False, argparse.SUPPRESS):
        default = " ".join(action.default) if isinstance(action.default, list) else action.default
        facts.append(f"default `{default}`")
    head = f"- `{name}`" + (f" ({'; '.join(facts)})" if facts else "")
    return [f"{head} \\", *paragraphs(action.help, indent="  ")] if action.help else [head]


def render_command(command: Command) -> list[str]:
    parser = command.parser
    lines = [f"### `{parser.prog}`", "", *paragraphs(command.help)]
    if parser.description:
        lines += ["", *paragraphs(parser.description)]
    lines += ["", "```", _usage(parser), "```", ""]
    arguments = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
    for action in arguments:
        lines += _argument(action)
    return [*lines, ""] if arguments else lines


_TARGET = re.compile(r"^([a-z][\w-]*):(?!=)")


def make_targets(makefile: str) -> list[tuple[str, str]]:
    """Each phony target of the Makefile with the comment block right above its rule."""
    phony = next(line.split(":", 1)[1].split() for line in makefile.splitlines() if line.startswith(".PHONY:"))
    found: dict[str, str] = {}
    comment: list[str] = []
    for line in makefile.splitlines():
        if line.startswith("# "):
            comment.append(line[2:])
            continue
        match = _TARGET.match(line)
        if match and match.group(1) in phony:
            found[match.group(1)] = " ".join(comment)
        comment = []
    return [(target, found.get(target, "")) for target in phony]


def render_make(makefile: str) -> list[str]:
    lines: list[str] = []
    for target, comment in make_targets(makefile):
        text = comment.replace("$$", "$") or "(no comment above its rule)"
        lines += [f"- `make {target}` \\", *paragraphs(text, indent="  ")]
    return lines
