"""The merge-precision finding (`scoring.merge_precision`) in every report: the console table, the HTML section
and the Markdown table of the bench's summary share one set of headers and rows, so they never disagree on what a
column means."""

from __future__ import annotations

from html import escape as html_escape

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.gate.outputs import markdown_cell
from harness.scoring.merge_precision import MergePrecisionFinding
from harness.terminal import print_wrapped

HEADERS = ("merged form", "merge", "cases", "differ", "calls", "full match")
"""The figures of one merged form: the console shows these, HTML and Markdown add the differing cases."""
CASES_HEADER = "cases that differ"
EXPLAINED = (
    "differ: answers whose text (or verdict) differs from the unmerged answer, on the cases the unmerged form and"
    " every merged form answered; calls: of those, answers that call differently; full match: of those, answers"
    " whose strict full match flips"
)


def title(findings: list[MergePrecisionFinding]) -> str:
    """What the table shows, and the dtype the merged forms were served in where the run recorded it: bf16 rounds
    where float32 does not."""
    dtypes = ", ".join(sorted({finding.dtype for finding in findings if finding.dtype}))
    return "Merge precision: answers that differ from unmerged" + (f" (served in {dtypes})" if dtypes else "")


def rows(finding: MergePrecisionFinding) -> list[list[str]]:
    """One row per merged form, unescaped: the cells of HEADERS, then the differing cases."""
    return [
        [
            form.variant,
            form.merge or "–",
            str(finding.cases),
            str(len(form.differing)),
            str(form.calls_differ),
            str(form.verdicts_differ),
            ", ".join(form.differing),
        ]
        for form in finding.forms
    ]


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


def merge_markdown(findings: list[MergePrecisionFinding]) -> str:
    """The Markdown table and the advice, for the bench's step summary; empty without a finding."""
    if not findings:
        return ""
    lines = [
        "",
        f"#### {title(findings)}",
        "",
        f"| {' | '.join((*HEADERS, CASES_HEADER))} |",
        f"| {' | '.join(['---'] * (len(HEADERS) + 1))} |",
    ]
    lines += [
        f"| {' | '.join(markdown_cell(cell) for cell in cells)} |" for finding in findings for cells in rows(finding)
    ]
    lines += ["", EXPLAINED]
    lines += [f"- {markdown_cell(advice)}" for f in findings if (advice := f.advice()) is not None]
    return "\n".join(lines) + "\n"
