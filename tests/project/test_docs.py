"""The documentation says what the code does: the generated references in docs/ are what `make docs` would write
now, every link of the README and docs/ leads to a file and heading that exist, and the README stays a front page
that names every command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import build_parser
from harness.reference import DOCUMENTS, ROOT
from harness.reference.commands import commands
from harness.reference.markdown import Slugs

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
README_LINES = 150
CELL_CHARS = 300
"""A table cell longer than this is a paragraph: it belongs in a list or under a heading."""


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_generated_reference_is_current(name: str) -> None:
    path = ROOT / name
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    assert committed == DOCUMENTS[name](), f"{name} is stale: run make docs"


def _anchors(page: Path) -> set[str]:
    slugs = Slugs()
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slugs.anchor(match) for match in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


def _links(page: Path) -> list[str]:
    return [link for link in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))) if "://" not in link]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_links_resolve(page: Path) -> None:
    broken = []
    for link in _links(page):
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no such heading in {path.name}")
    assert not broken, f"broken links in {page.relative_to(ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_table_cells_are_short(page: Path) -> None:
    rows = [line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    long = [cell[:60] for row in rows for cell in row.strip("|").split(" | ") if len(cell) > CELL_CHARS]
    assert not long, f"{page.relative_to(ROOT)}: table cells over {CELL_CHARS} characters: {long}"


def test_readme_is_a_front_page_naming_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= README_LINES, "README.md is a front page; move reference content to docs/"
    missing = [c.parser.prog for c in commands(build_parser()) if f"`{c.parser.prog}" not in readme]
    assert not missing, f"README.md's command table lacks {', '.join(missing)}"


def test_links_of_a_page_are_checked(tmp_path: Path) -> None:
    """The link check itself: a missing file and a missing heading are both found, code blocks are skipped."""
    (tmp_path / "other.md").write_text("# Real heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[a](other.md#real-heading) [b](gone.md) [c](other.md#nope) ![d](https://x.org/y.png)\n"
        "```\n[e](inside-a-fence.md)\n```\n",
        encoding="utf-8",
    )
    assert _links(page) == ["other.md#real-heading", "gone.md", "other.md#nope"]
    assert _anchors(tmp_path / "other.md") == {"real-heading"}
