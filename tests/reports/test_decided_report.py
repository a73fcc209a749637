"""The reports of a run the scheduler stopped asking once decided (its gate.json written by hand, as the gate
writes it): the console says per judged variant the answers its verdict took, with one interval-narrowing line;
the HTML verdict says so too, never shows an open verdict in green, and draws one chart per deciding rule with its
band, minimum and deciding look."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from html_read import looks
from rich.console import Console
from run_factory import sequential_gate, stopped_run, synthetic_run

from harness.cli import main
from harness.reports.console import print_summary
from harness.reports.html_page import render_html
from harness.runs.score import scored_run
from harness.runs.view import load_run
from harness.types import GateResult, Status


def summary_of(run: Path) -> list[str]:
    buffer = io.StringIO()
    print_summary(scored_run(run), Console(file=buffer, width=80, color_system=None, highlight=False))
    return buffer.getvalue().splitlines()


def decided_gate(run_id: str) -> GateResult:
    """`sequential_gate` with every open rule decided: a verdict the gate passes (exit 0)."""
    gate = sequential_gate(run_id)
    return gate.model_copy(update={"results": [r for r in gate.results if r.status is not Status.UNDECIDED]})


def test_the_bench_summary_says_what_each_verdict_took_in_a_line(tmp_path: Path) -> None:
    lines = summary_of(stopped_run(tmp_path / "run"))
    assert lines[:5] == [
        "  merged:good passed on 80/134 answers (min_full_match[calls] at 80)",
        "  lora:good undecided on 60/128 answers (min_full_match[calls]: ~40 more)",
        "    interval narrowing: [10-80] at 16 -> [30-60] at 60, minimum 35%",
        "  merged:broken caught on 40/134 answers (min_full_match[calls] at 32)",
        "  lora:broken undecided on 16/128 answers (min_full_match[calls]: ~30 more)",
    ]
    assert lines[5].startswith("run run ·") and max(map(len, lines)) <= 80


def test_variants_that_answered_every_case_add_no_line(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"base": 0, "lora:a": 20})  # no gate.json: judged now, every case asked
    assert summary_of(run)[0].startswith("run run ·")


def test_harness_report_says_it_under_the_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = stopped_run(tmp_path / "run", decided_gate("run"))
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("  merged:good passed on 80/134 answers (min_full_match[calls] at 80)")
    assert out[0].startswith("gate passed") and start > 0  # under the verdicts, before what to ship
    assert out[start + 1 : start + 5] == [
        "    interval narrowing: [12-78] at 16 -> [36-56] at 80, minimum 35%",  # the decision that took the most
        "  lora:good passed on 60/128 answers (must_beat at 32)",  # no track: a line, no narrowing
        "  merged:broken caught on 40/134 answers (min_full_match[calls] at 32)",
        "Ship good, served merged.",
    ]


def test_the_html_verdict_says_the_answers_and_never_greens_an_open_verdict(tmp_path: Path) -> None:
    html = render_html(load_run(stopped_run(tmp_path / "run")))
    assert '<section class="verdict open" id="verdict"><h2 style="border:0;margin-top:4px">gate undecided' in html
    assert (
        '<li><b class="pass">passed</b> merged:good<span class="muted"> · decided on 80 of 134 answers</span></li>'
        '<li><b class="undecided">undecided</b> lora:good: min_full_match[calls]<span class="muted"> · open after'
        " 60 of 128 answers; about 40 more answers to decide</span></li>"
        '<li><b class="pass">caught</b> merged:broken (control): min_full_match[calls], must_beat'
        '<span class="muted"> · decided on 40 of 134 answers</span></li>'
        '<li><b class="undecided">undecided</b> lora:broken (control): min_full_match[calls]<span class="muted">'
        " · open after 16 of 128 answers; about 30 more answers to decide</span></li>"
    ) in html
    assert html.count("<script") == 2  # the charts are inline SVG: no script added


def test_each_deciding_rule_gets_a_chart_of_its_interval_against_answers(tmp_path: Path) -> None:
    charts = {look.caption: look for look in looks(render_html(load_run(stopped_run(tmp_path / "run"))))}
    assert list(charts) == [
        "merged:good: min_full_match[calls] passed at 80 answers",
        "merged:good: min_relevance[silence] passed at 16 answers",
        "lora:good: min_full_match[calls] undecided, needs about 40 more answers",
        "merged:broken: min_full_match[calls] failed at 32 answers",
        "lora:broken: min_full_match[calls] undecided, needs about 30 more answers",
    ]  # must_beat decides without a track: no chart
    passed = charts["merged:good: min_full_match[calls] passed at 80 answers"]
    assert passed.tooltips == [
        "interval after each look: [12%, 78%] at 16, [25%, 66%] at 48, [36%, 56%] at 80",
        "decided at 80: [36%, 56%]",
    ]
    zero, full = passed.grid["0%"], passed.grid["100%"]
    assert passed.threshold_y == pytest.approx(zero + 0.35 * (full - zero), abs=0.1)
    assert "minimum 35%" in passed.labels
    highs, lows = passed.band[:3], passed.band[3:][::-1]
    assert [x for x, _ in highs] == [x for x, _ in lows] and highs[-1][0] == passed.mark[0]  # marked at the last look
    assert [y for _, y in highs] == pytest.approx([zero + h * (full - zero) for h in (0.78, 0.66, 0.56)], abs=0.1)
    caught = charts["merged:broken: min_full_match[calls] failed at 32 answers"]
    assert caught.tooltips[-1] == "decided at 32: [5%, 33%]" and caught.mark[0] == caught.band[1][0]
    still_open = charts["lora:good: min_full_match[calls] undecided, needs about 40 more answers"]
    assert still_open.tooltips[-1] == "open at 60: [30%, 60%]"


def test_a_gate_without_tracks_has_no_narrowing_section(tmp_path: Path) -> None:
    html = render_html(load_run(synthetic_run(tmp_path / "run", {"base": 0, "lora:a": 20})))
    assert 'id="looks"' not in html and "decided on" not in html
