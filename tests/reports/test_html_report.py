"""The HTML report in a real browser (Debian's headless Chromium): it renders offline, its script runs without
console errors, and a `<script>` planted in a model output shows up as text and never runs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from browser import browse, console_errors
from html_read import charts, matrix, swatches
from run_factory import synthetic_run

from harness.reports.html_page import render_html, write_html
from harness.reports.svg import nice_ticks
from harness.runs.folder import RunFolder
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.types import Generation

ROOT = Path(__file__).resolve().parents[2]

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
    assert '<option value="fail">fail</option>' in dom and '<option value="pass">pass</option>' in dom
    hostile_cell = re.search(
        r'<td data-label="raw output"><details><summary><span class="preview">([^<]*)</span>.*?<pre>([^<]*)', dom
    )
    assert hostile_cell, "a long output opens in place, in a <details>, instead of scrolling inside its cell"
    assert hostile_cell[1].endswith(" …") and "&lt;b&gt;bold?&lt;/b&gt;" in hostile_cell[2]
    screenshot = tmp_path / "report.png"
    browse(page, f"--screenshot={screenshot}", "--window-size=1200,1600", "--hide-scrollbars")
    assert screenshot.stat().st_size > 20_000


@pytest.fixture(scope="module")
def bench_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the real cold bench run (six variants, eight suites, a latency study at two levels)."""
    run = tmp_path_factory.mktemp("bench") / "bench-cold"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    score_run(run)
    return render_html(load_run(run))


def test_matrix_follows_the_verdict_with_every_cell_and_its_interval(bench_html: str) -> None:
    cells = matrix(bench_html)
    variants = ["base-plain", "base", "lora:fc-good", "lora:fc-broken", "merged:fc-good", "merged:fc-broken"]
    suites = ["argument_types", "irrelevance", "multiple", "parallel", "simple", "bfcl:simple_python"]
    suites += ["bfcl:multiple", "bfcl:irrelevance", "all out-dist."]
    assert set(cells) == {(v, s) for v in variants for s in suites}
    assert all(re.match(r"\d+% \[\d+–\d+\]", text) for text in cells.values())
    assert cells["lora:fc-good", "simple"] == "50% [19–81]"  # strict, the gate's reading
    assert cells["base-plain", "bfcl:irrelevance"] == "100% [61–100]"
    assert cells["lora:fc-good", "all out-dist."] == "23% [13–37]"
    verdict, first = bench_html.index('id="verdict"'), bench_html.index('id="matrix"')
    assert verdict < first < min(bench_html.index(tag) for tag in ("<figure", "<details", 'class="cases"'))
    assert "Full match per variant and suite (strict, the gate's reading)" in bench_html
    assert "out of distribution" in bench_html


def test_every_chart_has_a_visible_title_naming_metric_and_mode(bench_html: str) -> None:
    found = charts(bench_html)
    assert len(found) == 1 + 2 * 3 * 2  # accuracy; per level (1, 4) and metric (TTFT, TPOT, E2E) two charts
    accuracy = found[0]
    assert accuracy.caption == "Full match (strict) per suite and variant, with 95% intervals"
    assert ">full match (strict)</text>" in accuracy.svg and ">suite</text>" in accuracy.svg  # labelled axes
    for chart in found[1:]:
        metric = re.match(r"(warm TTFT|TPOT|E2E) (per request|ratio of medians) at concurrency [14]", chart.caption)
        assert metric, chart.caption
        axis = f">{metric[1]} (ms)</text>" if metric[2] == "per request" else f">{metric[1]} ratio, numerator"
        assert axis in chart.svg
    distribution = found[1]
    assert ">share of requests ≤ x</text>" in distribution.svg and ">100%</text>" in distribution.svg  # the y axis


def test_one_colour_per_variant_on_every_chart(bench_html: str) -> None:
    """The same name has the same colour in the matrix and every chart; an A/A arm takes its variant's colour."""
    seen: dict[str, set[str]] = {}
    for name, colour in swatches(bench_html).items():
        seen.setdefault(name, set()).add(colour)
    for chart in charts(bench_html):
        for name, colour in chart.legend.items():
            seen.setdefault(name.removesuffix(" (A/A)"), set()).add(colour)
    assert all(len(colours) == 1 for colours in seen.values()), seen
    assert len(seen) == 6 and len({c for colours in seen.values() for c in colours}) == 6


def test_each_metric_has_its_own_noise_band(bench_html: str, tmp_path: Path) -> None:
    floors = json.loads((ROOT / "tests/data/runs/bench-cold/latency-summary.json").read_text())["noise_floor"]
    ratio_charts = [c for c in charts(bench_html) if "ratio of medians" in c.caption]
    for chart in ratio_charts:
        level = chart.caption.split("concurrency ")[1][0]
        metric = {"warm TTFT": "ttft_s", "TPOT": "tpot_s", "E2E": "e2e_s"}[chart.caption.split(" ratio")[0]]
        floor = floors[level][metric]
        assert f"A/A noise band ±{floor:.1%}" in chart.caption
        assert chart.svg.count('class="noise-band"') == 1
        assert f"<title>A/A noise band {1 - floor:.3f}–{1 + floor:.3f}</title>" in chart.svg
    assert len({c.caption.split("band ")[1] for c in ratio_charts}) == len(ratio_charts)  # six different bands


def test_axes_have_round_ticks() -> None:
    assert nice_ticks(85.5, 235.4) == [50, 100, 150, 200, 250]
    assert nice_ticks(0.56, 6.33) == [0, 2, 4, 6, 8]
    assert nice_ticks(0.87, 1.13) == [0.8, 0.9, 1, 1.1, 1.2]
    assert nice_ticks(3.0, 3.0) == [3, 3.25, 3.5, 3.75, 4]


def test_case_table_has_its_filters_and_a_search(bench_html: str) -> None:
    for control in ("filter-variant", "filter-suite", "filter-verdict", "filter-error", 'id="search"'):
        assert control in bench_html
    rows = json.loads(re.search(r'id="cases">(.*?)</script>', bench_html, re.S)[1])
    assert len(rows) == 288
    assert {r["verdict"] for r in rows} == {"pass", "fail"}  # no answer of this run is right only leniently
    assert all(r["error"] for r in rows if r["verdict"] != "pass")  # each failure names its error kind


def test_a_run_with_checkpoints_draws_its_learning_curve(tmp_path: Path) -> None:
    """One chart per adapter served at several steps: a heavy line per distribution pooled (drawn over the others)
    and one per suite, dashed out of distribution, each point with its interval; the same figures in a table
    beneath. A run without checkpoints has no such section."""
    steps = {"lora:good@10": 10, "lora:good@20": 20, "lora:good": 30, "merged:good": 30}
    right = {"lora:good@10": 6, "lora:good@20": 15, "lora:good": 24, "merged:good": 24}
    silent = {"lora:good@10": 2, "lora:good@20": 5, "lora:good": 8, "merged:good": 8}
    run = synthetic_run(tmp_path / "run", right, silent=silent, held_out=frozenset({"calls"}), steps=steps)
    html = render_html(load_run(run))
    section = html[html.index('<section id="curves">') : html.index("</section>", html.index('<section id="curves">'))]
    (chart,) = charts(section)
    assert chart.caption == "Learning curve of good: full match (strict) against training step, with 95% intervals"
    assert ">training step</text>" in chart.svg and ">full match (strict)</text>" in chart.svg
    assert list(chart.legend) == ["all in-dist.", "all out-dist.", "calls (in)", "silence (out)"]
    lines = re.findall(
        r'<polyline fill="none" stroke="(#[0-9a-f]+)" stroke-width="([\d.]+)"( stroke-dasharray)?', chart.svg
    )
    assert [(width, bool(dashed)) for _, width, dashed in lines] == [
        ("1.6", False),
        ("1.6", True),
        ("3", False),
        ("3", True),
    ]
    assert chart.svg.count("<circle") == 4 * 3  # four lines, three steps
    assert "<title>all in-dist. at 20: 50% [33%, 67%]</title>" in chart.svg
    assert '<th>step 30<br><span class="muted">lora:good</span></th>' in section
    assert '<td class="num" title="6 of 30">20% [10–37]</td>' in section
    assert 'id="curves"' not in render_html(load_run(hostile_run(tmp_path / "plain")))
