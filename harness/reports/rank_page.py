"""`harness rank … --html PATH`: the ranking as one self-contained page: the recommendation first, the ranked table
with tie groups, the Pareto view of accuracy against serving cost, the learning curves of a run with checkpoints,
and every pairwise test. Names are escaped; the page runs no script."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from harness.reports.curve import LearningCurve
from harness.reports.html_curve import curves_html
from harness.reports.html_page import page
from harness.reports.rank import Ranking
from harness.reports.rank_text import headers, legend, measured, pair_headers, pair_rows, rows
from harness.reports.svg import variant_colours
from harness.reports.svg_points import Point, scatter_chart


def _table(headers: list[str], body: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body)
    return f'<div class="scroll"><table><tr>{head}</tr>{lines}</table></div>'


def _pareto(ranking: Ranking) -> str:
    points = [
        Point(
            label=row.variant,
            variant=row.variant,
            x=row.cost,
            y=row.accuracy.value or 0.0,
            y_low=row.accuracy.low,
            y_high=row.accuracy.high,
            x_low=row.cost_interval[0] if row.cost_interval else None,
            x_high=row.cost_interval[1] if row.cost_interval else None,
            marked=row.pareto,
        )
        for row in ranking.variants
        if row.cost is not None
    ]
    unmeasured = [row.variant for row in ranking.variants if row.cost is None]
    note = (
        f'<p class="muted">Not drawn (no latency measured for them in this run): {escape(", ".join(unmeasured))}</p>'
        if unmeasured
        else ""
    )
    chart = scatter_chart(
        points,
        variant_colours([row.variant for row in ranking.variants]),
        "Accuracy against serving cost; the Pareto front is drawn larger and joined",
        x_label="time per output token / the adapter's merged model",
        y_label=ranking.unit.terms.measure + (f" ({ranking.mode.value})" if ranking.mode else ""),
    )
    return chart + note


def render_ranking_html(ranking: Ranking, source: str, curves: Sequence[LearningCurve] = ()) -> str:
    """The page; with the run's learning curves (`curve.learning_curves`, full match on cases) when it ranks
    checkpoints on cases."""
    shared = f"{ranking.shared} shared {ranking.unit.value}"
    body = f"""<h1>Ranking of {len(ranking.variants)} variants</h1>
<p class="muted">{escape(source)} · {escape(measured(ranking))} on the {shared}</p>
<p><b>Recommendation:</b> {escape(ranking.recommendation)}</p>
{_table(headers(ranking), rows(ranking))}
<p class="muted">{escape(legend(ranking))}</p>
<h2>Pareto view</h2>
{_pareto(ranking)}
{curves_html(curves, ranking.mode) if ranking.mode else ""}
<h2>Pairwise tests</h2>
{_table(pair_headers(ranking), pair_rows(ranking))}"""
    return page(f"fc-harness ranking: {source}", body)
