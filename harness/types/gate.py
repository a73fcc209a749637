"""What the gate concludes: a status per rule, a decision per judged variant (candidates pass or fail, controls
are caught or MISSED) and the exit code CI acts on. Kept in the run folder (`gate.json`), so that every report of
the run leads with the verdict the gate gave, baseline included."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from harness.types.base import RUN_LOG_VERSION, Frozen
from harness.types.run_log import ParseMode

UNDECIDED_EXIT = 3
"""The gate's exit code when no verdict failed and one is still open: neither a pass nor a failure."""


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    """The rule could not be evaluated (missing data)."""
    UNDECIDED = "undecided"
    """The answers so far decide neither way and cases are left to ask (the accuracy stage stopped on its time
    budget): never a pass."""


class IntervalPoint(Frozen):
    """Where a rule's confidence sequence stood after a look: what the interval narrowing against answers draws."""

    answers: int
    """The judged variant's answers (for a paired rule, the cases both sides answered) at the look."""
    low: float
    high: float


class RuleResult(Frozen):
    """One rule on one variant (and suite)."""

    rule: str
    variant: str
    suite: str | None
    status: Status
    detail: str
    answers: int | None = None
    """How many answers the verdict rests on: the judged variant's, in the rule's scope, at the look that decided
    it (for a paired rule, the cases both sides answered); None for a rule that reads no answers (latency)."""
    needed: int | None = None
    """For an undecided rule, roughly how many more answers would decide it (`harness.gate.looks.answers_needed`)."""
    track: list[IntervalPoint] = Field(default_factory=list)
    """The rule's interval after each look, for a rule that decides on a confidence sequence (the floors)."""
    threshold: float | None = None
    """The line a floor's interval is decided against (its minimum, a rate in [0, 1]), which the interval narrowing
    chart draws; None for a rule without one."""


class Decision(StrEnum):
    """What the gate concluded about one judged variant."""

    PASSED = "passed"
    """A candidate that passed every rule."""
    FAILED = "failed"
    """A candidate that failed a rule."""
    CAUGHT = "caught"
    """A control that failed a rule, as it must."""
    MISSED = "MISSED"
    """A control that passed every rule: the gate did not catch a known-bad adapter."""
    ERROR = "not evaluable"
    """A rule lacked the data it needs, and nothing else decided the verdict."""
    UNDECIDED = "undecided"
    """The time budget ran out before the answers decided: no rule failed, and some rule is still open."""


class VariantVerdict(Frozen):
    """The decision about one judged variant, the line a release manager reads first."""

    variant: str
    control: bool
    """True for an adapter declared `expect = "fail"`."""
    decision: Decision
    failed: list[str]
    """Rules that failed (with their suite), in the order they were evaluated."""
    errors: list[str]
    """Rules that could not be evaluated."""
    undecided: list[str] = Field(default_factory=list)
    """Rules still open when the accuracy stage stopped on its time budget."""


def _verdict(variant: str, control: bool, results: list[RuleResult]) -> VariantVerdict:
    def named(status: Status) -> list[str]:
        return [f"{r.rule}[{r.suite}]" if r.suite else r.rule for r in results if r.status is status]

    failed, errors, undecided = named(Status.FAILED), named(Status.ERROR), named(Status.UNDECIDED)
    if control:
        missed = Decision.UNDECIDED if undecided else Decision.MISSED
        outcome = Decision.CAUGHT if failed else Decision.ERROR if errors else missed
    else:
        passed = Decision.UNDECIDED if undecided else Decision.PASSED
        outcome = Decision.ERROR if errors else Decision.FAILED if failed else passed
    return VariantVerdict(
        variant=variant, control=control, decision=outcome, failed=failed, errors=errors, undecided=undecided
    )


class GateResult(Frozen):
    """`RUN_DIR/gate.json`: every rule's result on the run, as the last `harness gate` (or bench) judged it."""

    version: Literal[1] = RUN_LOG_VERSION
    run_id: str
    mode: ParseMode
    results: list[RuleResult]
    controls: list[str] = Field(default_factory=list)
    """Judged variants whose adapter is a control (`expect = "fail"`)."""
    answers: dict[str, int] = Field(default_factory=dict)
    """Per variant of the run, the cases it answered when judged (the scheduler stops asking a variant once every
    rule that reads it is decided)."""
    population: dict[str, int] = Field(default_factory=dict)
    """Per variant of the run, the cases it would answer in full (every case, or its unmerged sample)."""

    @property
    def verdicts(self) -> list[VariantVerdict]:
        """One verdict per judged variant, in the order the rules were evaluated."""
        variants = list(dict.fromkeys(r.variant for r in self.results if r.variant))
        return [_verdict(v, v in self.controls, [r for r in self.results if r.variant == v]) for v in variants]

    @property
    def exit_code(self) -> int:
        """2 when anything could not be evaluated (a control's errors count only when no rule caught it); else 1
        when a candidate failed or a control was missed; else 3 when a verdict is still open (the time budget ran
        out first: resume the run to decide it); else 0."""
        outcomes = {v.decision for v in self.verdicts}
        unjudged = any(r.status is Status.ERROR and not r.variant for r in self.results)
        if Decision.ERROR in outcomes or unjudged or not self.results:
            return 2
        if outcomes & {Decision.FAILED, Decision.MISSED}:
            return 1
        return UNDECIDED_EXIT if Decision.UNDECIDED in outcomes else 0
