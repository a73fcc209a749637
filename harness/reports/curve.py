"""Learning curves: full match against training step for an adapter the run serves at several steps (its
checkpoints, `lora:NAME@STEP`, and its final form), per suite and pooled in and out of distribution, with Wilson
intervals. The question they answer is the one a single adapter cannot: did more training still help, and did it
help beyond the training distribution, or only within it?

Steps come from `Variant.step`, never from a variant's name. At the final step the adapter may have two forms; the
curve takes the one asked every case (a form asked only an unmerged sample would put a point over other cases than
the checkpoints'), and of two such the unmerged one, served as the checkpoints are.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.runs.view import RunView
from harness.scoring import metrics
from harness.types import ParseMode, Proportion, Variant

POOLED = {"in": "all in-dist.", "out": "all out-dist."}
"""Labels of the pooled lines, per distribution."""


@dataclass(frozen=True)
class CurveLine:
    """Full match of one suite (or of every suite of one distribution) at each step of the curve."""

    label: str
    distribution: str
    """`in` (a held-out split of the training data) or `out`."""
    pooled: bool
    """Every suite of the distribution together, rather than one suite."""
    points: tuple[Proportion, ...]
    """One per step of the curve, in step order."""


@dataclass(frozen=True)
class LearningCurve:
    adapter: str
    steps: tuple[int, ...]
    """Training steps, ascending; the last is the final adapter."""
    variants: tuple[str, ...]
    """The variant answering for each step."""
    lines: tuple[CurveLine, ...]
    """The pooled lines first (in, then out of distribution), then one per suite, in distribution first."""


def _preference(variant: Variant) -> tuple[bool, bool]:
    """Lower is preferred: asked every case, then unmerged."""
    return not variant.asks_every_case, variant.role != "lora"


def _by_step(view: RunView) -> dict[str, dict[int, Variant]]:
    """Per adapter, the variant that answers for each step it was served at."""
    found: dict[str, dict[int, Variant]] = {}
    for variant in view.manifest.variants:
        if variant.role not in ("lora", "merged") or variant.adapter_name is None or variant.step is None:
            continue
        steps = found.setdefault(variant.adapter_name, {})
        current = steps.get(variant.step)
        if current is None or _preference(variant) < _preference(current):
            steps[variant.step] = variant
    return found


def learning_curves(view: RunView, mode: ParseMode) -> list[LearningCurve]:
    """A curve for every adapter the run serves at two or more steps; none for a run without checkpoints."""
    suites = sorted(view.case_suites, key=lambda name: view.distribution(name) != "in")
    curves = []
    for adapter, steps in _by_step(view).items():
        if len(steps) < 2:
            continue
        order = sorted(steps)
        scores = {step: view.scores_by_distribution(steps[step].name) for step in order}
        lines = [
            CurveLine(POOLED[d], d, True, tuple(metrics(scores[s][d], mode).full_match for s in order))
            for d in POOLED
            if any(scores[s][d] for s in order)
        ]
        for suite in suites:
            d = view.distribution(suite)
            points = tuple(metrics([x for x in scores[s][d] if x.suite == suite], mode).full_match for s in order)
            lines.append(CurveLine(suite, d, False, points))
        curves.append(LearningCurve(adapter, tuple(order), tuple(steps[s].name for s in order), tuple(lines)))
    return curves
