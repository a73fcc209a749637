"""The merge-precision finding (`scoring.merge_precision`) in the reports: the console table and the HTML section,
drawn from the headers and rows every output shares (`scoring.merge_table`; the gate's Markdown summary uses
them too), so they never disagree on what a column means."""

from __future__ import annotations

from html import escape as html_escape

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.scoring.merge_precision import MergePrecisionFinding
from harness.scoring.merge_table import CASES_HEADER, EXPLAINED, HEADERS, rows, title
from harness.terminal import print_wrapped


def print_merge_precision(findings: list[MergePrecisionFinding], console: Console) -> None:
    """The table, the cases each form changes, and which merge to prefer where an adapter has more than one."""
    if not findings:
        return
    print_wrapped(console, f"[bold]{escape(title(findings))}[/bold]")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for header in HEADERS:
        table.add_column(header, justify="left" if header in HEADERS[:2] else "right", no_wrap=True)
    for finding in findings:
        for cells in rows(finding):
            table.add_row(*(escape(cell) for cell in cells[: len(HEADERS)]))
    console.print(table)
    for finding in findings:
        for form in (f for f in finding.forms if f.differing):
            print_wrapped(console, escape(f"{form.variant} differs on {', '.join(form.differing)}"), 2)
        if (advice := finding.advice()) is not None:
            print_wrapped(console, escape(advice), 2)


def merge_section(findings: list[MergePrecisionFinding]) -> str:
    """The HTML section: the table with every differing case, and the advice per adapter."""
    if not findings:
        return ""
    header = "".join(f"<th>{html_escape(h)}</th>" for h in (*HEADERS, CASES_HEADER))
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html_escape(cell)}</td>' if 2 <= i < len(HEADERS) else f"<td>{html_escape(cell)}</td>"
            for i, cell in enumerate(cells)
        )
        + "</tr>"
        for finding in findings
        for cells in rows(finding)
    )
    advice = "".join(f"<li>{html_escape(a)}</li>" for f in findings if (a := f.advice()) is not None)
    return (
        f'<h2 id="merge-precision">{html_escape(title(findings))}</h2><p class="muted">{html_escape(EXPLAINED)}</p>'
        f'<div class="scroll"><table class="merge"><tr>{header}</tr>{body}</table></div>'
        + (f"<ul>{advice}</ul>" if advice else "")
    )
