"""The documentation says what the code does: the generated references in docs/ are what `make docs` would write
now, and every link of the README and docs/ leads to a file and heading that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.reference import DOCUMENTS, ROOT
from harness.reference.markdown import Slugs

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


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
