"""`harness report` on golden run folders: the console text is a snapshot (80 columns, no colour codes), and
hostile model output is printed as text, never interpreted as markup."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from html_read import matrix
from rich.console import Console
from run_factory import episode_run, synthetic_run

from harness.reports.console import print_report, print_summary, produced_text
from harness.reports.html_page import render_html
from harness.runs.folder import RunFolder
from harness.runs.score import scored_run

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "data" / "reports" / "handmade.txt"


def render(run_dir: Path) -> str:
    buffer = io.StringIO()
    print_report(scored_run(run_dir), Console(file=buffer, width=80, color_system=None, highlight=False))
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
    assert max(len(line) for line in text.splitlines()) <= 80


def test_reports_show_in_and_out_of_distribution_side_by_side(tmp_path: Path) -> None:
    """`silence` marked in distribution: it moves above `calls`, and each distribution gets a pooled row (console)
    and figure (HTML) beside the other."""
    run = synthetic_run(tmp_path / "run", {"lora:good": 24}, silent={"lora:good": 5})  # calls 24/30, silence 5/10
    folder = RunFolder(run)
    manifest = folder.read_manifest()
    suites = folder.read_suites(manifest)
    refs = [
        folder.write_suite(suites[ref.name].model_copy(update={"distribution": "in"}), ref.source)
        if ref.name == "silence"
        else ref
        for ref in manifest.suites
    ]
    folder.write_manifest(manifest.model_copy(update={"suites": refs}))
    rows = [line.split() for line in render(run).splitlines()]
    labels = [" ".join(row[:2]) for row in rows]
    assert labels.index("(in) silence") < labels.index("calls 30")
    pooled = {" ".join(row[:2]): row[2:4] for row in rows if row[:1] == ["all"]}
    assert pooled == {"all in-dist.": ["10", "50"], "all out-dist.": ["30", "80"], "all 40": ["72", "[57-84]"]}
    html = render_html(scored_run(run))
    assert "<td>silence</td><td>in</td>" in html and "<td>calls</td><td>out</td>" in html
    cells = matrix(html)
    assert (cells["lora:good", "all in-dist."], cells["lora:good", "all out-dist."]) == ("50% [24–76]", "80% [63–90]")
    assert cells["lora:good", "all suites"] == "72% [57–84]"


def test_missing_info_is_reported_apart_from_irrelevance(tmp_path: Path) -> None:
    """Silent on every irrelevance case and asking back on 6 of 10 missing_info cases: two figures, in the console
    and in the HTML details, and a failure that says what the model should have asked for."""
    run = synthetic_run(tmp_path / "run", {"lora:good": 30}, silent={"lora:good": 10}, asking={"lora:good": 6})
    text = render(run)
    assert "irrelevance (no call when none fits): 100 [72-100]" in text
    assert "missing_info (asks for a value the user left out): 60 [31-83]" in text
    assert "lora:good: invented_value 4" in text
    assert "ask/a06 [invented_value]\n    expected: no call: ask for x (f)\n" in text
    html = render_html(scored_run(run))
    details = {
        row[1]: row[-3:-1]
        for row in re.findall(r"<tr>((?:<td[^>]*>[^<]*</td>)+)</tr>", html)
        for row in [re.findall(r">([^<]*)</td>", row)]
    }
    assert details == {"ask": ["–", "60%"], "silence": ["100%", "–"], "calls": ["–", "–"]}
    assert "no call: ask for x (f)" in html


def test_bench_summary_is_one_screenful_with_every_number_whole(tmp_path: Path) -> None:
    """The summary `harness bench` prints after its verdict, on the real cold bench run: one full-match table
    (split where six variants do not fit in 80 columns, never cutting a number), the merge-precision finding
    with the cases that differ, and latency."""
    run = tmp_path / "bench-cold"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    buffer = io.StringIO()
    print_summary(scored_run(run), Console(file=buffer, width=80, color_system=None, highlight=False))
    text = buffer.getvalue()
    tables = [line.split() for line in text.splitlines() if line.startswith("  all ")]
    assert tables == [
        ["all", "48", "23", "[13-37]", "23", "[13-37]", "23", "[13-37]"],
        ["all", "48", "8", "[3-20]", "23", "[13-37]", "8", "[3-20]"],
    ]
    assert ["merged:fc-good", "–", "48", "3", "3", "0"] in [line.split() for line in text.splitlines()]
    assert (
        "merged:fc-good differs on argument_types/argtypes-017, irrelevance/irrelevance-018, simple/simple-035"
    ) in " ".join(text.split())  # wrapped at 80 columns
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Latency at concurrency 1" in text and "First failures" not in text
    assert len(text.splitlines()) <= 80


def test_an_unmerged_sample_is_labelled_with_its_own_cases_and_unasked_cases_are_nowhere(tmp_path: Path) -> None:
    """fc-good's unmerged form answered the first 10 cases of each suite (all right, as its merged form): its
    figures say so wherever its accuracy is shown, and the 20 cases it was not asked are neither missing nor
    failed, in the console, the HTML matrix and case table, or the export."""
    from harness.reports.export import case_rows as export_rows
    from harness.reports.html_cases import case_rows

    right: dict[str, int | set[int]] = {"base": 0, "lora:good": 30, "merged:good": 30}
    run = synthetic_run(tmp_path / "run", right, silent=dict.fromkeys(right, 10), unmerged_sample=10)
    view = scored_run(run)
    report = render(run)
    assert "lora:good (unmerged sample, 20 cases): full match" in " ".join(report.split())
    assert "missing" not in report and max(len(line) for line in report.splitlines()) <= 80
    buffer = io.StringIO()
    print_summary(view, Console(file=buffer, width=80, color_system=None, highlight=False))
    summary = buffer.getvalue()
    assert "lora:good (unmerged sample, 20 cases): its figures are over those cases only" in summary
    assert max(len(line) for line in summary.splitlines()) <= 80
    cells = matrix(render_html(view))
    assert cells["lora:good unmerged sample, 20 cases", "calls"] == "100% [72–100]"  # 10 of 10, not 10 of 30
    assert cells["merged:good", "calls"] == "100% [89–100]"
    for rows in (case_rows(view), [row.model_dump() for row in export_rows(view)]):
        asked = [row for row in rows if row["variant"] == "lora:good"]
        assert len(asked) == 20 and {row["case" if "case" in row else "case_id"][1:] for row in asked} == {
            f"{i:02d}" for i in range(10)
        }


def test_a_learning_curve_is_a_few_lines_of_steps_in_the_report_and_the_bench_summary(tmp_path: Path) -> None:
    steps = {"lora:good@10": 10, "lora:good@20": 20, "lora:good": 30, "merged:good": 30}
    right = {"lora:good@10": 6, "lora:good@20": 15, "lora:good": 24, "merged:good": 24}
    silent = {"lora:good@10": 2, "lora:good@20": 5, "lora:good": 8, "merged:good": 8}
    run = synthetic_run(tmp_path / "run", right, silent=silent, held_out=frozenset({"calls"}), steps=steps)
    buffer = io.StringIO()
    print_summary(scored_run(run), Console(file=buffer, width=80, color_system=None, highlight=False))
    for text in (render(run), buffer.getvalue()):
        curve = text[text.index("learning curve of good") :].splitlines()
        assert curve[0] == "learning curve of good: strict full match % [95% interval]"
        assert curve[2].split() == ["step", "variant", "all", "in-dist.", "all", "out-dist."]
        assert [line.split() for line in curve[4:7]] == [
            ["10", "lora:good@10", "20", "[10-37]", "20", "[6-51]"],
            ["20", "lora:good@20", "50", "[33-67]", "50", "[24-76]"],
            ["30", "lora:good", "80", "[63-90]", "80", "[49-94]"],
        ]
        assert max(len(line) for line in text.splitlines()) <= 80


def test_the_episode_table_keeps_variant_names_readable_when_episodes_are_missing(tmp_path: Path) -> None:
    """An unfinished variant's count reads "2 of 4": "2 (2 missing)" was so wide that the variant column shrank to
    eight characters at 80 columns, folding every name into three lines."""
    run = episode_run(tmp_path / "run", {"base": [0, 1, 0, 1], "merged:fc-good": [2, None, 1, None]})
    text = render(run)
    table = text[text.index("multi-turn episodes") :]
    assert re.search(r"^  merged:fc-good · +2 of 4 ", table, re.MULTILINE), table
    assert re.search(r"^  base · multi_turn +4 ", table, re.MULTILINE), table
    assert max(len(line) for line in text.splitlines()) <= 80
