"""Multi-turn results in every output: a console table, an HTML section and export rows, all from the run's
episode scores and summary.

Per variant × suite: episodes passed whole (BFCL's all-or-nothing) and turns passed, each with its interval, the
progress all-or-nothing hides (the share of an episode's turns passed before its first failure), steps, how many
episodes the step cap or the context cut, and why episodes failed. Then the pass rate per turn position, which shows
where in a conversation a model loses the thread.
"""

from __future__ import annotations

import html
from collections import defaultdict

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.reports.compare import EpisodeComparison
from harness.runs.view import RunView
from harness.stats import wilson
from harness.types import EpisodeGroup, EpisodeStatus, Frozen, Proportion, TurnError

_CUT = (EpisodeStatus.STEP_LIMIT, EpisodeStatus.CONTEXT_OVERFLOW)


def _pct(p: Proportion) -> str:
    return "–" if p.value is None else f"{100 * p.value:.0f} [{100 * p.low:.0f}-{100 * p.high:.0f}]"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}"


def _cut(group: EpisodeGroup) -> str:
    return " ".join(f"{group.ended.get(status, 0)}" for status in _CUT)


def _errors(group: EpisodeGroup) -> str:
    return ", ".join(f"{kind.value} {count}" for kind, count in sorted(group.errors.items(), key=lambda kv: -kv[1]))


def turn_rates(view: RunView, variant: str, suite: str) -> list[Proportion]:
    """Pass rate at each turn position over the variant's episodes of the suite (turns never asked fail)."""
    by_turn: dict[int, list[bool]] = defaultdict(list)
    for score in view.episode_scores:
        if score.variant == variant and score.suite == suite:
            for turn in score.turns:
                by_turn[turn.turn].append(turn.passed)
    return [wilson(sum(passed), len(passed)) for _, passed in sorted(by_turn.items())]


def print_episodes(view: RunView, console: Console) -> None:
    """The multi-turn table, one row per variant × suite, and the per-turn pass rates below it."""
    if view.episode_summary is None or not view.episode_summary.groups:
        return
    table = Table(
        title="multi-turn episodes: % [95% interval]; progress = turns passed before the first failure",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("variant · suite", max_width=26, overflow="fold")
    for header in ("n", "episodes", "turns", "progress", "steps", "cut"):
        table.add_column(header, justify="right", no_wrap=True)
    for group in view.episode_summary.groups:
        # "32 of 65", not "32 (33 missing)": at 80 columns the wider cell squeezed the variant to 8 characters
        n = str(group.episodes.trials) + (f" of {group.episodes.trials + group.missing}" if group.missing else "")
        table.add_row(
            escape(f"{group.variant} · {group.suite}"),
            n,
            _pct(group.episodes),
            _pct(group.turns),
            _share(group.progress),
            "–" if group.steps is None else f"{group.steps:.1f}",
            _cut(group),
        )
    console.print(table)
    console.print("  cut: episodes ended at the step cap, then by context overflow")
    for group in view.episode_summary.groups:
        rates = " · ".join(_share(rate.value) for rate in turn_rates(view, group.variant, group.suite))
        errors = _errors(group)
        console.print(
            escape(
                f"  {group.variant} · {group.suite}: pass % by turn {rates}" + (f"; failed: {errors}" if errors else "")
            ),
            soft_wrap=True,
        )


def episodes_section(view: RunView) -> str:
    """The HTML counterpart of `print_episodes`; empty for a run without episodes."""
    if view.episode_summary is None or not view.episode_summary.groups:
        return ""
    rows = []
    for group in view.episode_summary.groups:
        rates = " · ".join(_share(rate.value) for rate in turn_rates(view, group.variant, group.suite))
        cells = [
            group.variant,
            group.suite,
            str(group.episodes.trials) + (f" ({group.missing} missing)" if group.missing else ""),
            _pct(group.episodes),
            _pct(group.turns),
            _share(group.progress),
            "–" if group.steps is None else f"{group.steps:.1f}",
            _cut(group),
            rates,
            _errors(group),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>")
    headers = ("variant", "suite", "n", "episodes %", "turns %", "progress %", "steps", "cut (steps, context)")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in (*headers, "pass % by turn", "failed by"))
    return f"""<h2 id="episodes">Multi-turn episodes</h2>
<p class="muted">Episodes passed whole (every turn right, BFCL's all-or-nothing) and turns passed, with 95% intervals;
progress is the share of an episode's turns passed before its first failure.</p>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>"""


class TurnRow(Frozen):
    """One user turn of one episode answered by one variant."""

    variant: str
    suite: str
    episode_id: str
    turn: int
    kind: str
    """act, ask or reply: what a right answer to the turn does."""
    passed: bool
    error: TurnError | None
    detail: str
    steps: int
    calls: int
    episode_passed: bool
    """Every turn of the episode passed."""
    episode_status: EpisodeStatus
    """How the scored attempt ended: complete, step_limit, context_overflow or request_error."""


def turn_rows(view: RunView) -> list[TurnRow]:
    """One row per turn of every scored episode, in the run's variant order."""
    order = {name: index for index, name in enumerate(view.variants)}
    scores = sorted(view.episode_scores, key=lambda s: (order.get(s.variant, len(order)), s.suite, s.episode_id))
    return [
        TurnRow(
            variant=score.variant,
            suite=score.suite,
            episode_id=score.episode_id,
            turn=turn.turn,
            kind=turn.kind.value,
            passed=turn.passed,
            error=turn.error,
            detail=turn.detail,
            steps=turn.steps,
            calls=turn.calls,
            episode_passed=score.passed,
            episode_status=score.status,
        )
        for score in scores
        for turn in score.turns
    ]


EPISODE_COMPARISON_HEADERS = ("suite", "episodes", "A whole", "B whole", "B further", "A further", "p")
"""Columns of an episode comparison, in the console and in HTML."""


def episode_comparison_cells(row: EpisodeComparison) -> list[str]:
    """One suite's episode comparison as text, in the order of EPISODE_COMPARISON_HEADERS."""
    return [
        row.suite,
        str(row.episodes),
        f"{row.passed_a:.0%}",
        f"{row.passed_b:.0%}",
        str(row.further),
        str(row.behind),
        f"{row.p_value:.2g}",
    ]


def print_episode_comparison(rows: list[EpisodeComparison], console: Console) -> None:
    if not rows:
        return
    table = Table(title="episodes both finished: passed whole, and who got further", title_justify="left")
    for header in EPISODE_COMPARISON_HEADERS:
        table.add_column(header, justify="left" if header == "suite" else "right")
    for row in rows:
        table.add_row(*(escape(cell) for cell in episode_comparison_cells(row)))
    console.print(table)


def episode_comparison_html(rows: list[EpisodeComparison]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in EPISODE_COMPARISON_HEADERS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in episode_comparison_cells(row)) + "</tr>"
        for row in rows
    )
    return f"""<h2>Multi-turn episodes</h2><table><tr>{head}</tr>{body}</table>
<p class="muted">episodes: both finished; whole: share passed with every turn right; further: episodes on which one
passed more turns before its first failure. p: exact sign test on those.</p>"""
