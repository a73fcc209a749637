"""The accuracy part of the HTML report: a variants × suites matrix of full match with 95% intervals, suites
grouped in and out of distribution with a pooled column for each, in the gate's parse mode and with the other
mode beside it where they differ; then the same figures as a chart, and the long per-suite table folded away.
A release manager reads the matrix in one look; the details are there for whoever asks why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from harness.reports.svg import Bar, bar_chart
from harness.runs.view import RunView
from harness.scoring import metrics
from harness.types import CaseScore, GroupSummary, Metrics, ParseMode, Proportion

_DISTRIBUTIONS = (("in", "in distribution"), ("out", "out of distribution"))


def pct(value: float | None, low: float | None = None, high: float | None = None) -> str:
    """`23% [13–37]`, or `–` where there is nothing to measure."""
    if value is None:
        return "–"
    interval = f" [{100 * low:.0f}–{100 * high:.0f}]" if low is not None and high is not None else ""
    return f"{100 * value:.0f}%{interval}"


def _other(mode: ParseMode) -> ParseMode:
    return ParseMode.LENIENT if mode is ParseMode.STRICT else ParseMode.STRICT


def _of(group: GroupSummary, mode: ParseMode) -> Metrics:
    return group.strict if mode is ParseMode.STRICT else group.lenient


def _cell(primary: Proportion, secondary: Proportion, secondary_mode: ParseMode, n: int) -> str:
    """One matrix cell: the gate-mode figure and interval, shaded by its value, the other mode where it differs."""
    if primary.value is None:
        return '<td class="cell muted">–</td>'
    shade = f"background:rgba(23,107,44,{0.05 + 0.35 * primary.value:.2f})"
    other = (
        f'<br><span class="muted">{secondary_mode.value} {pct(secondary.value)}</span>'
        if secondary.value != primary.value
        else ""
    )
    title = f"{primary.successes} of {n}"
    return (
        f'<td class="cell" style="{shade}" title="{title}"><b>{pct(primary.value)}</b> '
        f'<span class="ci">[{100 * primary.low:.0f}–{100 * primary.high:.0f}]</span>{other}</td>'
    )


def _pooled_cell(scores: Sequence[CaseScore], mode: ParseMode) -> str:
    if not scores:
        return '<td class="cell muted">–</td>'
    other = _other(mode)
    return _cell(metrics(scores, mode).full_match, metrics(scores, other).full_match, other, len(scores))


def _suite_cell(group: GroupSummary | None, mode: ParseMode) -> str:
    if group is None:
        return '<td class="cell muted">–</td>'
    other = _other(mode)
    return _cell(_of(group, mode).full_match, _of(group, other).full_match, other, group.cases)


def _suites_by_distribution(view: RunView) -> list[tuple[str, str, list[str]]]:
    """(distribution, its words, its suites in run order) for each distribution the run holds."""
    found = [(d, words, [s for s in view.case_suites if view.distribution(s) == d]) for d, words in _DISTRIBUTIONS]
    return [(d, words, suites) for d, words, suites in found if suites]


def _header(view: RunView, columns: list[tuple[str, str, list[str]]], overall: bool) -> str:
    """Two header rows: the distributions over their suites (each closed by its pooled column), then the suites."""
    top = "".join(f'<th colspan="{len(s) + 1}" class="dist-{d}">{w}</th>' for d, w, s in columns)
    names = "".join(
        "".join(
            f'<th>{escape(suite)}<br><span class="muted">{len(view.suites[suite].cases)} cases'
            f" · {view.semantics(suite).value}</span></th>"
            for suite in suites
        )
        + f'<th class="pooled">all {d}-dist.</th>'
        for d, _, suites in columns
    )
    spare = '<th rowspan="2" class="pooled">all suites</th>' if overall else ""
    return f'<thead><tr><th rowspan="2">variant</th>{top}{spare}</tr><tr>{names}</tr></thead>'


def _row(view: RunView, variant: str, colour: str, columns: list[tuple[str, str, list[str]]], mode: ParseMode) -> str:
    groups = {g.suite: g for g in view.summary.groups if g.variant == variant and g.kind is None}
    pooled = view.scores_by_distribution(variant)
    cells = "".join(
        "".join(_suite_cell(groups.get(suite), mode) for suite in suites) + _pooled_cell(pooled[d], mode)
        for d, _, suites in columns
    )
    if len(columns) > 1:
        cells += _pooled_cell(view.scores_of(variant), mode)
    swatch = f'<span class="swatch" style="background:{colour}"></span>'
    sampled = view.unmerged_sample_label(variant)
    note = "" if sampled is None else f'<br><span class="muted">{sampled}</span>'
    return f'<tr><th class="variant">{swatch}{escape(variant)}{note}</th>{cells}</tr>'


def matrix_section(view: RunView, mode: ParseMode, colours: Mapping[str, str]) -> str:
    """Full match per variant and suite, the first figures after the verdict."""
    columns = _suites_by_distribution(view)
    rows = "".join(_row(view, v, colours[v], columns, mode) for v in view.variants if view.scores_of(v))
    return f"""<section id="matrix"><h2>Full match per variant and suite ({mode.value}, the gate's reading)</h2>
<p class="muted">Each cell: full match in {mode.value} parsing, its 95% Wilson interval in brackets, and the
{_other(mode).value} figure beneath where it differs. Suites in distribution are held-out splits of what the
adapters were trained on; the others test whether they generalise. Under each suite, its scoring semantics:
{escape(view.semantics_line().removeprefix("scoring: "))}.</p>
<div class="scroll"><table class="matrix">{_header(view, columns, len(columns) > 1)}<tbody>{rows}</tbody></table></div>
</section>"""


def chart_section(view: RunView, mode: ParseMode, colours: Mapping[str, str]) -> str:
    """The matrix's suite cells as bars, for the eye: which variant leads where, and by more than chance?"""
    bars = []
    for group in view.summary.groups:
        full = _of(group, mode).full_match
        if group.kind is None and full.value is not None:
            bars.append(Bar(group=group.suite, series=group.variant, value=full.value, low=full.low, high=full.high))
    title = f"Full match ({mode.value}) per suite and variant, with 95% intervals"
    return bar_chart(bars, colours, title, y_label=f"full match ({mode.value})", x_label="suite")


_DETAIL_HEADERS = (
    "variant",
    "suite",
    "distribution",
    "semantics",
    "cases",
    "full match",
    "full strict",
    "call",
    "args",
    "parse err",
    "irrelevance",
    "missing info",
    "missing",
)
"""`irrelevance`: no call where no tool fits; `missing info`: no call (a question back) where the user left out a
value a fitting tool requires. Two faults apart, so two columns."""


def _detail_row(view: RunView, group: GroupSummary) -> str:
    full, strict = group.lenient.full_match, group.strict.full_match
    texts = [
        view.label(group.variant),
        group.suite,
        view.distribution(group.suite),
        view.semantics(group.suite).value,
        str(group.cases),
        pct(full.value, full.low, full.high),
        pct(strict.value, strict.low, strict.high),
        pct(group.lenient.call_accuracy.value),
        pct(group.lenient.argument_accuracy.value),
        pct(group.strict.parse_error_rate.value),
        pct(group.lenient.irrelevance_accuracy.value),
        pct(group.lenient.missing_info_accuracy.value),
        str(group.missing),
    ]
    return (
        "<tr>"
        + "".join(
            f"<td>{escape(t)}</td>" if i < 4 else f'<td class="num">{escape(t)}</td>' for i, t in enumerate(texts)
        )
        + "</tr>"
    )


def details_section(view: RunView) -> str:
    """Every variant on every suite with call and argument accuracy, parse errors, the two kinds of case where the
    right answer is no call, and missing answers, folded."""
    groups = [g for g in view.summary.groups if g.kind is None]
    header = "".join(f"<th>{view.unanswered if h == 'missing' else h}</th>" for h in _DETAIL_HEADERS)
    rows = "".join(_detail_row(view, g) for g in groups)
    return f"""<details class="more"><summary>Per-suite details: call and argument accuracy, parse errors, no call
where none fits or a value is missing, missing answers ({len(groups)} rows; full match, call, args and no call
lenient)</summary>
<div class="scroll"><table><tr>{header}</tr>{rows}</table></div></details>"""
