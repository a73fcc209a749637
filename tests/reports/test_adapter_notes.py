"""Why an adapter is served merged only, as the run recorded it from the adapter check, is quoted in one line per
adapter by the console report, the bench's summary and the HTML page; a run folder without the record shows none."""

from __future__ import annotations

from html import unescape
from pathlib import Path

from rich.console import Console

from harness.reports.console import print_report, print_summary
from harness.reports.html_page import render_html
from harness.runs.folder import RunFolder
from harness.runs.view import load_run
from harness.types import AdapterRecord

REASON = "adapter adds tokens: its tokenizer has 49158 tokens against the base's 49152; serve it merged only"
LINE = f"fc-broken: served merged only: {REASON} (adapter check)"


def _outputs(run: Path) -> list[str]:
    """The console report, the bench's summary and the HTML page's text, each on one line."""
    view = load_run(run)
    texts = []
    for show in (print_report, print_summary):
        console = Console(record=True, width=80)
        show(view, console)
        texts.append(" ".join(console.export_text().split()))
    return [*texts, " ".join(unescape(render_html(view)).split())]


def test_the_reason_an_adapter_is_served_merged_only_is_quoted(bench_run: Path) -> None:
    assert not any("served merged only" in text for text in _outputs(bench_run))
    folder = RunFolder(bench_run)
    records = [
        AdapterRecord(name="fc-good", folder="/cache/fc-good"),
        AdapterRecord(name="fc-broken", folder="/cache/fc-broken", merged_only_because=[REASON]),
    ]
    folder.write_manifest(folder.read_manifest().model_copy(update={"adapters": records}))
    for text in _outputs(bench_run):
        assert text.count("served merged only") == 1 and LINE in text
