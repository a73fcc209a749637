"""What to ship, read off the gate's verdicts: the candidate that passed with the best full match, and whether to
serve it merged or unmerged, with the accuracy and latency figures that decide it. Every report leads with it."""

from __future__ import annotations

from typing import Literal

from harness.gate.rules import evaluate_gate
from harness.runs.folder import RunFolder
from harness.runs.view import RunView
from harness.scoring.aggregate import metrics
from harness.types import UNDECIDED_EXIT, Decision, Frozen, GateResult, Proportion, Status

_EXIT_WORDS = {0: "gate passed", 1: "gate FAILED", 2: "gate could not be evaluated", UNDECIDED_EXIT: "gate undecided"}


class Recommendation(Frozen):
    """The decision in a sentence, and the figures behind it."""

    ship: str | None
    """The adapter to ship; None when no candidate passed."""
    serve: Literal["merged", "unmerged"] | None
    headline: str
    reasons: list[str]


def run_verdict(view: RunView) -> GateResult:
    """The verdict the last gate gave the run (its baseline included), or the run config's own rules now."""
    return RunFolder(view.path).read_gate() or evaluate_gate(view)


def gate_words(result: GateResult) -> str:
    return _EXIT_WORDS[result.exit_code]


def _pct(p: Proportion) -> str:
    return f"{p.value or 0:.0%} [{p.low:.0%}, {p.high:.0%}]"


def _accuracy(view: RunView, variant: str, result: GateResult) -> str:
    pooled = view.scores_by_distribution(variant)
    parts = [
        f"{label} {_pct(metrics(pooled[d], result.mode).full_match)} of {len(pooled[d])}"
        for d, label in (("in", "in distribution"), ("out", "out of distribution"))
        if pooled[d]
    ]
    return f"{variant}: full match ({result.mode.value}) " + ", ".join(parts)


def _serving(view: RunView, variant: str, result: GateResult) -> tuple[Literal["merged", "unmerged"], list[str]]:
    """Merged unless merging changed the answers beyond chance or the run has the adapter one way only (then that
    way), whichever of its forms the gate judged; the latency study's unmerged-over-merged verdicts for the adapter
    are the price of the other choice."""
    judged = next(v for v in view.manifest.variants if v.name == variant)
    pair = judged.serving_pair(view.manifest.variants)
    if pair is None:
        served: Literal["merged", "unmerged"] = "merged" if judged.served_merged else "unmerged"
        other = "unmerged" if served == "merged" else "merged"
        return served, [f"the run serves no {other} form of {judged.adapter_name or variant}"]
    unmerged, merged = pair
    gap = next((r for r in result.results if r.variant == variant and r.rule == "merged_gap"), None)
    reasons = [f"merged vs unmerged: {gap.detail}"] if gap else []
    if gap is not None and gap.status is Status.FAILED:
        return "unmerged", reasons
    latency = view.latency.comparisons if view.latency else []
    reasons += [
        f"concurrency {c.concurrency}: {c.verdict.text}"
        for c in latency
        if not c.control and c.numerator == unmerged.name and c.denominator == merged.name and c.metric != "e2e_s"
    ]
    return "merged", reasons


def recommend(view: RunView, result: GateResult) -> Recommendation:
    verdicts = [v for v in result.verdicts if not v.control]
    passed = [v.variant for v in verdicts if v.decision is Decision.PASSED]
    if not passed:
        why = "no candidate passed the gate" if verdicts else "the gate judged no candidate"
        if any(v.decision is Decision.UNDECIDED for v in verdicts):
            why += " yet (a verdict is undecided: resuming the run decides it)"
        return Recommendation(ship=None, serve=None, headline=f"Ship nothing: {why}.", reasons=[])

    def full(variant: str) -> float:
        return metrics(view.scores_of(variant), result.mode).full_match.value or 0.0

    best = max(passed, key=full)
    adapter = next(v.adapter_name for v in view.manifest.variants if v.name == best) or best
    serve, serving = _serving(view, best, result)
    others = [f"also passed: {', '.join(v for v in passed if v != best)} (harness compare tells them apart)"]
    return Recommendation(
        ship=adapter,
        serve=serve,
        headline=f"Ship {adapter}, served {serve}.",
        reasons=[_accuracy(view, best, result), *serving, *(others if len(passed) > 1 else [])],
    )
