"""`harness rank` as text: the console table and the Markdown summary share one set of rows and headers, so the
two never disagree on what a column means."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.reports.console import pct
from harness.reports.rank import RankedVariant, Ranking

HEADERS = ["#", "variant", "tie group", "full match [95% CI]", "cost (TPOT / merged)", "Pareto"]
PAIR_HEADERS = ["A", "B", "only A", "only B", "p", "p (Holm)", "told apart"]


def _cost(row: RankedVariant) -> str:
    if row.cost is None:
        return "not measured"
    if row.cost_interval is None:
        return f"{row.cost:.2f}"
    return f"{row.cost:.2f} [{row.cost_interval[0]:.2f}, {row.cost_interval[1]:.2f}]"


def rows(ranking: Ranking) -> list[list[str]]:
    return [
        [
            str(i),
            row.variant + (" (control)" if row.control else ""),
            row.groups,
            pct(row.full_match),
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


def legend(ranking: Ranking) -> str:
    priced = (
        "; a checkpoint, served as its adapter's unmerged form is, costs what that form costs"
        if any(row.checkpoint for row in ranking.variants)
        else ""
    )
    return (
        f"{ranking.mode.value} full match on the {ranking.cases} cases every ranked variant answered. Variants"
        " sharing a tie-group letter are not told apart: every pairwise exact McNemar test between them has a"
        f" Holm-corrected p ≥ 0.05 over the {len(ranking.pairs)} pairs. Cost: time per output token over the"
        f" adapter's merged model in the run's latency study (merged: 1{priced}). Pareto: no other variant is as"
        " accurate and as cheap, and better on one."
    )


def print_ranking(ranking: Ranking, console: Console) -> None:
    console.print(f"[bold]recommendation:[/bold] {escape(ranking.recommendation)}", soft_wrap=True)
    table = Table(title=f"ranking of {len(ranking.variants)} variants", title_justify="left", box=box.SIMPLE_HEAD)
    for header in HEADERS:  # a long variant name folds onto a second line rather than losing its step
        table.add_column(
            header,
            justify="left" if header in ("variant", "tie group") else "right",
            overflow="fold" if header == "variant" else "ellipsis",
            no_wrap=header == "cost (TPOT / merged)",
            max_width=len("group") if header == "tie group" else None,
            min_width={"variant": len("lora:fc-good@160"), "full match [95% CI]": len("38 [24-53]"), "Pareto": 6}.get(
                header
            ),
        )
    for row in rows(ranking):
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    pairs = Table(title="pairwise exact McNemar tests, Holm-corrected", title_justify="left", box=box.SIMPLE_HEAD)
    for header in PAIR_HEADERS[:-1]:  # "told apart" is p (Holm) < 0.05, and the line below names those pairs
        names = header in ("A", "B")
        pairs.add_column(
            header,
            justify="left" if names else "right",
            overflow="fold" if names else None,
            min_width=len("lora:fc-good@160") if names else None,
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
                _markdown_table(HEADERS, rows(ranking)),
                legend(ranking),
                "### Pairwise tests",
                _markdown_table(PAIR_HEADERS, pair_rows(ranking)),
            ]
        )
        + "\n"
    )
