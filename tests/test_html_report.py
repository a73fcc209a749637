"""The HTML report in a real browser (Debian's headless Chromium): it renders offline, its script runs without
console errors, and a `<script>` planted in a model output shows up as text and never runs."""

from __future__ import annotations

import re
from pathlib import Path

from browser import browse, console_errors
from run_factory import synthetic_run

from harness.reports.html_page import render_html, write_html
from harness.runs.folder import RunFolder
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.types import Generation

HOSTILE = (
    "<script>document.title='PWNED'</script></script><img src=x onerror=\"document.title='PWNED'\">"
    "\u2028</pre><b>bold?</b>"
)


def hostile_run(tmp_path: Path) -> Path:
    run = synthetic_run(tmp_path / "run", {"lora:good": 20, "merged:good": 20})
    RunFolder(run).append_generation(Generation(suite="calls", case_id="c29", variant="lora:good", text=HOSTILE))
    score_run(run)
    return run


def test_report_is_self_contained_and_escapes_model_output(tmp_path: Path) -> None:
    html = render_html(load_run(hostile_run(tmp_path)))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "the page must not load anything"
    assert "<script>document.title" not in html and "<img" not in html and "<b>bold" not in html
    assert html.count("<script") == 2  # the JSON data and the page's own script, nothing else


def test_report_in_headless_chromium(tmp_path: Path) -> None:
    page = write_html(load_run(hostile_run(tmp_path)), tmp_path / "report.html")
    browsed = browse(page, "--dump-dom")
    dom = browsed.stdout
    assert "<title>fc-harness report: run</title>" in dom, "a planted script changed the page title"
    assert "30 of 60 answers" not in dom and "60 of 60 answers" in dom  # the page's script ran and built the table
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom  # shown as text
    assert not console_errors(browsed)  # no console error, no CSP violation: nothing tried to run or load
    screenshot = tmp_path / "report.png"
    browse(page, f"--screenshot={screenshot}", "--window-size=1200,1600", "--hide-scrollbars")
    assert screenshot.stat().st_size > 20_000
