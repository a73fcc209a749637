"""`harness report` on golden run folders: the console text is a snapshot (80 columns, no colour codes), and
hostile model output is printed as text, never interpreted as markup."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from rich.console import Console

from harness.console_report import print_report, produced_text
from harness.run_view import load_run

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "reports" / "handmade.txt"


def render(run_dir: Path) -> str:
    buffer = io.StringIO()
    print_report(load_run(run_dir), Console(file=buffer, width=80, color_system=None, highlight=False))
    return buffer.getvalue()


def test_console_report_matches_its_snapshot(tmp_path: Path) -> None:
    run = tmp_path / "handmade"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "handmade", run)
    text = render(run)  # scores the copy first: a report never needs a model
    assert text == SNAPSHOT.read_text(), "report changed; if intended, regenerate tests/data/reports/handmade.txt"
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "\x1b[" not in text


def test_model_output_is_never_markup() -> None:
    assert produced_text("[bold red]pwned[/bold red] <script>alert(1)</script>") == (
        "'[bold red]pwned[/bold red] <script>alert(1)</script>'"
    )
    buffer = io.StringIO()
    from rich.markup import escape

    Console(file=buffer, width=80, color_system=None).print(escape(produced_text("[link=http://x]click[/link]")))
    assert "[link=http://x]click[/link]" in buffer.getvalue()


REAL_RUN = ROOT / "tests" / "data" / "runs" / "embedded-sample4"
REAL_SNAPSHOT = ROOT / "tests" / "data" / "reports" / "embedded-sample4.txt"


def test_real_run_report_matches_its_snapshot(tmp_path: Path) -> None:
    """A real vLLM run of SmolLM2 + fc-good (4 cases per suite, four variants) as a golden fixture."""
    run = tmp_path / "embedded-sample4"
    shutil.copytree(REAL_RUN, run)
    text = render(run)
    assert text == REAL_SNAPSHOT.read_text(), "report changed; if intended, regenerate the snapshot"
    assert "lora:fc-good" in text and "merged:fc-good" in text and "base-plain" in text
