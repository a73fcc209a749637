"""`harness rank` as text: the console table and the Markdown summary share one set of rows and headers, so the
two never disagree on what a column means."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.reports.console import pct
from harness.reports.rank import RankedVariant, Ranking, RankUnit

COST = "cost (TPOT / merged)"


def _accuracy_header(ranking: Ranking) -> str:
    return f"{ranking.unit.terms.measure} [95% CI]"


def headers(ranking: Ranking) -> list[str]:
    """The ranked table's columns; on episodes, mean progress beside the share passed: it orders equal shares, and
    the pairwise tests compare it."""
    progress = ["progress"] if ranking.unit is RankUnit.EPISODES else []
    return ["#", "variant", "tie group", _accuracy_header(ranking), *progress, COST, "Pareto"]


def pair_headers(ranking: Ranking) -> list[str]:
    """On episodes a pair differs on how far each got, not on right and wrong."""
    better = ["A further", "B further"] if ranking.unit is RankUnit.EPISODES else ["only A", "only B"]
    return ["A", "B", *better, "p", "p (Holm)", "told apart"]


def _cost(row: RankedVariant) -> str:
    if row.cost is None:
        return "not measured"
    if row.cost_interval is None:
        return f"{row.cost:.2f}"
    return f"{row.cost:.2f} [{row.cost_interval[0]:.2f}, {row.cost_interval[1]:.2f}]"


def _progress(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}"


def rows(ranking: Ranking) -> list[list[str]]:
    return [
        [
            str(i),
            row.variant + (" (control)" if row.control else ""),
            row.groups,
            pct(row.accuracy),
            *([_progress(row.progress)] if ranking.unit is RankUnit.EPISODES else []),
            _cost(row),
            "yes" if row.pareto else "",
        ]
        for i, row in enumerate(ranking.variants, 1)
    ]


def pair_rows(ranking: Ranking) -> list[list[str]]:
    return [
        [p.a, p.b, str(p.only_a), str(p.only_b), f"{p.p_value:.3g}", f"{p.p_holm:.3g}", "yes" if p.different else "no"]
        for p in ranking.pairs
    ]


def measured(ranking: Ranking) -> str:
    """`strict full match` on cases, `episodes passed` on episodes (which have one reading)."""
    measure = ranking.unit.terms.measure
    return measure if ranking.mode is None else f"{ranking.mode.value} {measure}"


def _basis(ranking: Ranking) -> str:
    if ranking.unit is RankUnit.CASES:
        return f"{measured(ranking)} on the {ranking.shared} cases every ranked variant answered"
    return (
        f"Episodes passed whole on the {ranking.shared} episodes every ranked variant finished; progress: the mean"
        " share (%) of an episode's turns passed before its first failure, which orders equal shares"
    )


def legend(ranking: Ranking) -> str:
    priced = (
        "; a checkpoint, served as its adapter's unmerged form is, costs what that form costs"
        if any(row.checkpoint for row in ranking.variants)
        else ""
    )
    return (
        f"{_basis(ranking)}. Variants sharing a tie-group letter are not told apart: every pairwise"
        f" {ranking.unit.terms.test} between them has a Holm-corrected p ≥ 0.05 over the {len(ranking.pairs)} pairs."
        " Cost: time per output token over the adapter's merged model in the run's latency study"
        f" (merged: 1{priced}). Pareto: no other variant is as accurate and as cheap, and better on one."
    )


def print_ranking(ranking: Ranking, console: Console) -> None:
    console.print(f"[bold]recommendation:[/bold] {escape(ranking.recommendation)}", soft_wrap=True)
    table = Table(title=f"ranking of {len(ranking.variants)} variants", title_justify="left", box=box.SIMPLE_HEAD)
    widths = {"variant": len("lora:fc-good@160"), _accuracy_header(ranking): len("38 [24-53]"), "Pareto": 6}
    for header in headers(ranking):  # a long variant name folds onto a second line rather than losing its step
        table.add_column(
            header,
            justify="left" if header in ("variant", "tie group") else "right",
            overflow="fold" if header == "variant" else "ellipsis",
            no_wrap=header == COST,
            max_width=len("group") if header == "tie group" else None,
            min_width=widths.get(header),
        )
    for row in rows(ranking):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    title = f"pairwise {ranking.unit.terms.tests}, Holm-corrected"
    pairs = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    # "told apart" is p (Holm) < 0.05, and the line below names those pairs
    for header in pair_headers(ranking)[:-1]:
        names = header in ("A", "B")
        pairs.add_column(
            header,
            justify="left" if names else "right",
            overflow="fold" if names else None,
            min_width=len("merged:fc-good") if names else None,
        )
    for row in pair_rows(ranking):
        pairs.add_row(*(escape(cell) for cell in row[:-1]))
    console.print(pairs)
    different = [p for p in ranking.pairs if p.different]
    told = ", ".join(f"{p.a} vs {p.b} (p = {p.p_holm:.2g})" for p in different) or "none"
    console.print(f"told apart after Holm's correction: {escape(told)}", soft_wrap=True)
    console.print(f"[dim]{escape(legend(ranking))}[/dim]", soft_wrap=True)


def _markdown_table(headers: list[str], body: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), line(["---"] * len(headers)), *(line(r) for r in body)])


def ranking_markdown(ranking: Ranking, source: str) -> str:
    return (
        "\n\n".join(
            [
                f"## Ranking: {source}",
                f"**Recommendation:** {ranking.recommendation}",
                _markdown_table(headers(ranking), rows(ranking)),
                legend(ranking),
                "### Pairwise tests",
                _markdown_table(pair_headers(ranking), pair_rows(ranking)),
            ]
        )
        + "\n"
    )
