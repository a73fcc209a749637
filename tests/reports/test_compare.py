"""Paired comparison on synthetic run folders with known answers: counts, McNemar, intervals, and the
recommendation a release manager reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import browse, console_errors
from rich.console import Console
from run_factory import episode_scores, synthetic_run

from harness.cli import main
from harness.reports.compare import CompareError, compare, pick_variants
from harness.reports.console import print_comparison
from harness.runs.score import score_run
from harness.runs.view import RunView, load_run
from harness.types import (
    RunManifest,
    RunSummary,
)

ROOT = Path(__file__).resolve().parents[2]


def test_clearly_better_adapter_is_recommended_with_its_p_value(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:good": 27, "lora:under": 9})
    view = load_run(run)
    a, b = pick_variants(view, view, None, None)
    assert (a, b) == ("lora:good", "lora:under")
    result = compare(view, a, view, b)
    overall = result.suites[-1]
    assert (overall.suite, overall.cases, overall.wins, overall.losses, overall.ties) == ("all", 30, 0, 18, 12)
    assert overall.p_value == pytest.approx(2 * 0.5**18)
    assert overall.difference_high < 0 and overall.difference_low < -0.4
    assert result.recommendation.startswith("ship lora:good: full match 60.0 points above lora:under")


def test_close_adapters_get_no_verdict(tmp_path: Path) -> None:
    view = load_run(synthetic_run(tmp_path / "run", {"lora:x": {0, 1, 2, 3, 4, 5}, "lora:y": {2, 3, 4, 5, 6, 7}}))
    result = compare(view, "lora:x", view, "lora:y")
    overall = result.suites[-1]
    assert (overall.wins, overall.losses, overall.p_value) == (2, 2, 1.0)
    assert overall.difference_low < 0 < overall.difference_high
    assert result.recommendation.startswith("no significant accuracy difference")


def test_across_runs_and_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = synthetic_run(tmp_path / "before", {"lora:v1": 10, "merged:v1": 10})
    after = synthetic_run(tmp_path / "after", {"lora:v2": 25, "merged:v2": 25})
    assert main(["compare", str(before), str(after)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "lora:v1 (A) vs lora:v2 (B)" in out and "ship lora:v2" in out
    with pytest.raises(CompareError, match="no variant 'lora:nope'"):
        pick_variants(load_run(before), load_run(after), "lora:nope", None)
    assert main(["compare", str(before), "--b", "lora:missing"]) == 2


def test_comparison_page_is_self_contained_and_escapes_names(tmp_path: Path) -> None:
    hostile = "lora:good<script>document.title='PWNED'</script>"
    run = synthetic_run(tmp_path / "run", {hostile: 27, "lora:under": 9})
    page = tmp_path / "compare.html"
    assert main(["compare", str(run), "--a", hostile, "--b", "lora:under", "--html", str(page)]) == 0
    html = page.read_text()
    assert "<script" not in html and "script-src 'none'" in html  # it runs no script, and a name plants none
    assert '<td class="">all</td><td class="num">30</td><td class="num">90%</td><td class="num">30%</td>' in html
    assert "ship lora:good&lt;script&gt;" in html
    browsed = browse(page, "--dump-dom")
    assert "<title>fc-harness comparison: lora:good&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in (
        browsed.stdout
    )
    assert not console_errors(browsed)


def test_comparison_on_the_real_bench_run(tmp_path: Path) -> None:
    """The cold bench of 2026-11-26 (SmolLM2, 6 cases per suite): fc-good over fc-broken, paired on 48 cases."""
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    score_run(run)
    view = load_run(run)
    result = compare(view, "lora:fc-broken", view, "lora:fc-good")
    overall = result.suites[-1]
    assert (overall.cases, overall.wins, overall.losses, overall.ties) == (48, 8, 1, 39)
    assert overall.p_value == pytest.approx(20 / 512)  # exact McNemar: 2 * P(X <= 1), X ~ Bin(9, 1/2)
    assert result.recommendation.startswith("ship lora:fc-good: full match 14.6 points above lora:fc-broken")
    assert result.latency == {}  # fc-broken was not in the latency study


def _episode_view(path: Path, progress: dict[str, list[int]]) -> RunView:
    """A run of episodes only: per variant, how many of three turns each episode passed before failing."""
    scores = episode_scores(progress)
    manifest = RunManifest(run_id="r", created_at="now", suites=[], variants=[])
    summary = RunSummary(groups=[])
    return RunView(path, manifest, {}, {}, [], summary, None, episode_scores=scores)


def test_a_run_of_episodes_is_compared_on_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No case in common, episodes in common: the paired test is the sign test on turns passed before the first
    failure, and it recommends the variant that gets further, though neither passes many episodes whole."""
    view = _episode_view(tmp_path, {"merged:good": [1] * 9 + [3, 0], "merged:under": [0] * 10 + [1]})
    result = compare(view, "merged:under", view, "merged:good")
    assert result.suites == []
    (row,) = result.episodes
    assert (row.episodes, row.further, row.behind) == (11, 10, 1)
    assert (row.passed_a, row.passed_b) == (0.0, pytest.approx(1 / 11))
    assert row.p_value == pytest.approx(2 * 12 / 2**11)
    assert result.recommendation.startswith("ship merged:good: further than merged:under on 10 of 11")
    print_comparison(result, Console(width=100))
    assert "who got further" in capsys.readouterr().out
    tied = compare(view, "merged:good", view, "merged:good")
    assert tied.recommendation.startswith("no significant difference")
