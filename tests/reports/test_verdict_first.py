"""Every report leads with the decision: the gate's verdict per adapter, then what to ship and how to serve it,
with the figures behind it. Read off the real bench run (tests/data/runs/bench-cold) under two sets of rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.cli import main
from harness.gate.recommend import recommend, run_verdict
from harness.reports.html_page import render_html
from harness.runs.folder import RunFolder
from harness.runs.view import load_run

ROOT = Path(__file__).resolve().parents[2]
# Rules fc-good meets on the bench-cold run: only its own unmerged variant judged, relevance and parse rules eased.
LOOSE = """name = "loose"
[[adapters]]
name = "fc-good"
path = "/tmp"
[gate]
judge = ["lora:fc-good"]
min_relevance = 0
max_strict_parse_error_rate = 0.5
"""


@pytest.fixture
def run(bench_run: Path) -> Path:
    return bench_run


def loose_gate(run: Path, tmp_path: Path) -> None:
    rules = tmp_path / "loose.toml"
    rules.write_text(LOOSE, encoding="utf-8")
    assert main(["gate", str(run), "--rules", str(rules)]) == 0


def test_nothing_to_ship_when_the_candidate_fails(run: Path) -> None:
    view = load_run(run)
    advice = recommend(view, run_verdict(view))
    assert (advice.ship, advice.serve, advice.headline) == (None, None, "Ship nothing: no candidate passed the gate.")
    html = render_html(view)
    verdict = html.index('id="verdict"')
    assert verdict < html.index("<table")  # before any figure
    assert '<b class="fail">failed</b> lora:fc-good: min_full_match[argument_types]' in html
    assert '<b class="pass">caught</b> lora:fc-broken (control): min_full_match[argument_types]' in html


def test_passing_candidate_is_recommended_merged_with_its_figures(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loose_gate(run, tmp_path)
    said = " ".join(capsys.readouterr().out.split())
    assert "gate passed" in said and "Ship fc-good, served merged." in said
    view = load_run(run)
    advice = recommend(view, run_verdict(view))  # the gate's own verdict, kept in gate.json
    assert (advice.ship, advice.serve) == ("fc-good", "merged")
    assert advice.reasons[0] == "lora:fc-good: full match (strict) out of distribution 23% [13%, 37%] of 48"
    assert advice.reasons[1].startswith("merged vs unmerged: full match differs on 0 of 48 cases")
    assert "concurrency 1: lora:fc-good vs merged:fc-good, TPOT is 119.8% slower, 95% CI [106.4%, 129.4%]" in (
        advice.reasons
    )
    assert "Ship fc-good, served merged." in render_html(view)


def test_a_gate_older_than_the_scores_is_not_the_runs_verdict(run: Path, tmp_path: Path) -> None:
    loose_gate(run, tmp_path)
    assert RunFolder(run).read_gate() is not None
    summary = run / "summary.json"
    later = (run / "gate.json").stat().st_mtime_ns + 1_000_000
    os.utime(summary, ns=(later, later))  # re-scored after the gate judged it
    assert RunFolder(run).read_gate() is None
    view = load_run(run)
    assert recommend(view, run_verdict(view)).ship is None  # judged again, by the run config's own rules


def test_report_prints_the_verdict_first(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert out.index("gate FAILED") < out.index("Ship nothing") < out.index("full match %")
