"""How each verdict narrowed, on the run report: per rule that decided a judged variant and read its answers
through a confidence sequence (the floors), its interval after each look against the answers so far, the floor's
minimum as a line, and a mark at the look that decided it. The scheduler stops asking a variant once its rules are
decided, so these charts are why it stopped where it did."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from harness.gate.decided import deciding_look, deciding_rules, narrowed, needed_words, rule_label
from harness.reports.svg import UNKNOWN_COLOUR, draw_line, draw_text, draw_whisker, figure, nice_ticks, shared_axes
from harness.types import GateResult, RuleResult, Status

_WIDTH, _HEIGHT = 360, 220


def _caption(rule: RuleResult) -> str:
    look = deciding_look(rule)
    if rule.status is Status.UNDECIDED or look is None:
        return f"{rule.variant}: {rule_label(rule)} undecided, needs {needed_words(rule)}"
    return f"{rule.variant}: {rule_label(rule)} {rule.status.value} at {look.answers} answers"


def _span(low: float, high: float) -> str:
    return f"[{low:.0%}, {high:.0%}]"


def interval_chart(rule: RuleResult, colour: str) -> str:
    """The rule's interval as a band over the answers at each look (a whisker at each look), its threshold as a
    dashed line, and its deciding look marked with a heavy whisker and a guide down to the axis."""
    look = deciding_look(rule)
    if look is None:
        return ""
    title = _caption(rule)
    ticks = nice_ticks(0, max(p.answers for p in rule.track))
    parts, frame = shared_axes(_WIDTH, _HEIGHT, 16, ticks, title, "answers", "rate, interval")
    x, y = frame.x, frame.y
    edge = [f"{x(p.answers):.1f},{y(p.high):.1f}" for p in rule.track]
    edge += [f"{x(p.answers):.1f},{y(p.low):.1f}" for p in reversed(rule.track)]
    looks = ", ".join(f"{_span(p.low, p.high)} at {p.answers}" for p in rule.track)
    parts.append(
        f'<polygon points="{" ".join(edge)}" fill="{colour}" fill-opacity="0.25" stroke="{colour}">'
        f"<title>{escape(f'interval after each look: {looks}')}</title></polygon>"
    )
    parts += [draw_whisker(x(p.answers), y(p.low), y(p.high), colour) for p in rule.track]
    if rule.threshold is not None:
        at = y(rule.threshold)
        parts.append(draw_line(frame.left, at, frame.left + frame.width, at, "#a4161a", ' stroke-dasharray="5,3"'))
        parts.append(draw_text(frame.left + 4, at - 4, f"minimum {rule.threshold:.0%}", anchor="start", size=10))
    cx = x(look.answers)
    bottom = frame.top + frame.height
    parts.append(draw_line(cx, y(look.low), cx, bottom, "#222", ' stroke-dasharray="2,3"'))
    parts.append(draw_whisker(cx, y(look.low), y(look.high)))
    word = "open" if rule.status is Status.UNDECIDED else "decided"
    parts.append(
        f'<circle cx="{cx:.1f}" cy="{y((look.low + look.high) / 2):.1f}" r="4" fill="#222">'
        f"<title>{escape(f'{word} at {look.answers}: {_span(look.low, look.high)}')}</title></circle>"
    )
    parts.append("</svg>")
    return figure(title, "".join(parts))


def looks_section(result: GateResult, colours: Mapping[str, str]) -> str:
    """A small chart per rule that decided a judged variant (or holds it open) on intervals read before its full
    sample; empty for a gate whose rules read none (a run without an asking order, or a gate.json from before)."""
    charts = [
        interval_chart(rule, colours.get(rule.variant, UNKNOWN_COLOUR))
        for verdict in result.verdicts
        for rule in deciding_rules(result, verdict)
        if narrowed(rule)
    ]
    if not charts:
        return ""
    return f"""<section id="looks"><h2>How the verdicts narrowed ({escape(result.mode.value)})</h2>
<p class="muted">The gate looks at the answers after each batch and stops asking a variant once every rule that reads
it is decided. Each chart is one deciding rule: its confidence sequence after each look (valid however often it is
looked at) against the answers so far, the rule's minimum as a dashed line, and the look that decided it marked. A
floor passes once the band lies wholly above its minimum and fails once wholly below.</p>
<div class="pair">{"".join(charts)}</div></section>"""
