"""What the generated references share: GitHub's heading anchors and wrapping prose without changing what it says."""

from __future__ import annotations

import re
import textwrap

WIDTH = 116
"""Wrapped lines stay readable in an editor and in a diff; Markdown joins them again."""

_RISKY_START = re.compile(r"^([-+*>#=]|\d+[.)])(\s|$)")
"""A wrapped line starting with one of these would turn into a list item, a quote, a heading or a rule."""


def paragraphs(text: str, *, indent: str = "") -> list[str]:
    """Docstring text as wrapped Markdown lines: blank-line paragraphs kept, hard line breaks inside one undone."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        words = " ".join(paragraph.split())
        if not words:
            continue
        if lines:
            lines.append("")
        lines += [
            indent + line
            for line in _safe_lines(
                textwrap.wrap(words, WIDTH - len(indent), break_long_words=False, break_on_hyphens=False)
            )
        ]
    return lines


def _safe_lines(wrapped: list[str]) -> list[str]:
    """Moves the last word of the line before onto any line that Markdown would read as something else."""
    lines = list(wrapped)
    for index in range(1, len(lines)):
        while _RISKY_START.match(lines[index]) and " " in lines[index - 1]:
            before, word = lines[index - 1].rsplit(" ", 1)
            lines[index - 1], lines[index] = before, f"{word} {lines[index]}"
    return lines


class Slugs:
    """GitHub's anchors for headings, in document order: a repeated heading gets `-1`, `-2`..."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def anchor(self, heading: str) -> str:
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = self._seen.get(slug, 0)
        self._seen[slug] = count + 1
        return f"{slug}-{count}" if count else slug
