"""The console lines under the gate's verdicts that say what each rested on: per judged variant the answers it
took and the rule that settled it, and for the rule that took the most answers its interval narrowing. Short: the
bench prints them once per run, and its console stays about a screenful."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from harness.gate.decided import deciding_look, narrowest_call, rule_label, settling_rule, stopped_at
from harness.terminal import print_wrapped
from harness.types import GateResult, IntervalPoint, RuleResult, Status, VariantVerdict


def _look(point: IntervalPoint) -> str:
    return f"[{100 * point.low:.0f}-{100 * point.high:.0f}] at {point.answers}"


def _decided_line(result: GateResult, verdict: VariantVerdict) -> str | None:
    """`merged:fc-broken caught on 40/134 answers (min_full_match[heldout] at 32)`: what the variant answered of
    what it would in full, and the rule that settled it at how many answers (or the answers it still needs), short
    enough for 80 columns."""
    stopped = stopped_at(result, verdict.variant)
    if stopped is None:
        return None
    line = f"{verdict.variant} {verdict.decision.value} on {stopped[0]}/{stopped[1]} answers"
    rule = settling_rule(result, verdict)
    if rule is None:
        return line
    if rule.status is Status.UNDECIDED:
        return f"{line} ({rule_label(rule)}: {'?' if rule.needed is None else f'~{rule.needed}'} more)"
    return f"{line} ({rule_label(rule)} at {rule.answers})"


def _narrowing_line(rule: RuleResult) -> str | None:
    """`interval narrowing: [12-78] at 16 -> [35-56] at 80, minimum 35%`: the rule's interval at its first look
    and at the look that decided it (its last, while open)."""
    look = deciding_look(rule)
    if look is None:
        return None
    minimum = "" if rule.threshold is None else f", minimum {100 * rule.threshold:.0f}%"
    return f"interval narrowing: {_look(rule.track[0])} -> {_look(look)}{minimum}"


def print_decisions(result: GateResult, console: Console) -> None:
    """Under the verdicts, the answers each took: a line per judged variant, and under the one whose settling rule
    took the most answers to decide, that rule's interval narrowing. Nothing for a variant that answered every
    case (its verdict is today's)."""
    narrowest = narrowest_call(result)
    for verdict in result.verdicts:
        line = _decided_line(result, verdict)
        if line is not None:
            print_wrapped(console, escape(line), 2)
        narrowing = _narrowing_line(narrowest) if narrowest and narrowest.variant == verdict.variant else None
        if line is not None and narrowing is not None:
            print_wrapped(console, escape(narrowing), 4)
