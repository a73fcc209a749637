"""`harness compare … --html PATH`: the paired comparison as one self-contained page, for the release review where
the choice between two adapters is made. Variant names and run paths are escaped; the page runs no script."""

from __future__ import annotations

from html import escape

from harness.reports.compare import Comparison, SuiteComparison
from harness.reports.console import COMPARISON_HEADERS, comparison_cells
from harness.reports.episodes import episode_comparison_html
from harness.reports.html_page import page
from harness.reports.svg import Bar, bar_chart, variant_colours
from harness.stats import wilson


def _bars(row: SuiteComparison, a: str, b: str) -> list[Bar]:
    bars = []
    for series, accuracy in ((f"A: {a}", row.accuracy_a), (f"B: {b}", row.accuracy_b)):
        interval = wilson(round(accuracy * row.cases), row.cases)
        bars.append(Bar(group=row.suite, series=series, value=accuracy, low=interval.low, high=interval.high))
    return bars


def _row(row: SuiteComparison) -> str:
    cells = comparison_cells(row)
    return "<tr>" + "".join(f'<td class="{"num" if i else ""}">{escape(c)}</td>' for i, c in enumerate(cells)) + "</tr>"


def _latency(result: Comparison) -> str:
    if not result.latency:
        return (
            '<p class="muted">Not compared: the two variants were not measured in one latency study (paired blocks'
            " on one machine), and latencies measured apart do not compare.</p>"
        )
    rows = "".join(
        f'<tr><td>{metric.removesuffix("_s").upper()}</td><td class="num">{e.ratio:.3f}</td>'
        f'<td class="num">[{e.low:.3f}, {e.high:.3f}]</td></tr>'
        for metric, e in result.latency.items()
    )
    return f"<table><tr><th>metric</th><th>B / A (median)</th><th>95% CI</th></tr>{rows}</table>"


def render_comparison_html(result: Comparison, source_a: str, source_b: str) -> str:
    """`source_a` and `source_b` say where each variant's answers come from (run folders)."""
    a, b = result.a, result.b
    bars = [bar for row in result.suites for bar in _bars(row, a, b)]
    chart = bar_chart(
        bars,
        variant_colours([f"A: {a}", f"B: {b}"]),
        f"Full match ({result.mode.value}) per suite, A and B, with 95% intervals",
        y_label=f"full match ({result.mode.value})",
        x_label="suite",
    )
    header = "".join(f"<th>{h}</th>" for h in COMPARISON_HEADERS)
    body = f"""<h1>{escape(a)} (A) vs {escape(b)} (B)</h1>
<p class="muted">A: {escape(a)} in {escape(source_a)} · B: {escape(b)} in {escape(source_b)} ·
{escape(result.mode.value)} full match, paired on the cases both answered</p>
<p><b>Recommendation:</b> {escape(result.recommendation)}</p>
<h2>Accuracy</h2>
{chart}
<table><tr>{header}</tr>{"".join(_row(row) for row in result.suites)}</table>
<p class="muted">n: cases both answered; wins: cases only B got right; losses: only A. p: exact McNemar on wins
and losses. The interval of B−A is a bootstrap over cases.</p>
{episode_comparison_html(result.episodes)}
<h2>Latency</h2>
{_latency(result)}"""
    return page(f"fc-harness comparison: {a} vs {b}", body)
