"""`summary.json` of a run folder: proportions with their intervals, per variant × suite (× kind)."""

from __future__ import annotations

from harness.types.base import RUN_LOG_VERSION, Frozen
from harness.types.run_log import ParseMode
from harness.types.suite import CaseKind


class Proportion(Frozen):
    """A success count out of a number of trials, with its Wilson 95% interval."""

    successes: int
    """Trials that succeeded."""
    trials: int
    """Trials in all; 0 means the metric does not apply."""
    low: float
    """Lower bound of the 95% interval."""
    high: float
    """Upper bound of the 95% interval."""

    @property
    def value(self) -> float | None:
        """The observed proportion; None when there were no trials."""
        return self.successes / self.trials if self.trials else None


class Metrics(Frozen):
    """The headline metrics of one group of cases under one parse mode."""

    call_accuracy: Proportion
    """Right functions and count (no call on irrelevance and missing_info cases), over all cases."""
    argument_accuracy: Proportion
    """Right arguments, over the cases that expect calls and got the right ones."""
    full_match: Proportion
    """Right calls with right arguments (silence where expected), over all cases."""
    irrelevance_accuracy: Proportion
    """No call made, over the irrelevance cases."""
    missing_info_accuracy: Proportion = Proportion(successes=0, trials=0, low=0.0, high=1.0)
    """No call made (a question back for the value the user left out), over the missing_info cases; reported
    apart from irrelevance, because calling when no tool fits and inventing a value for a tool that fits are
    different faults. Summaries written before the kind existed have no trials."""
    parse_error_rate: Proportion
    """Outputs with an unreadable call, over all cases."""


class GroupSummary(Frozen):
    """Metrics of one variant on one suite, or on one kind of case within a suite."""

    variant: str
    """Variant measured."""
    suite: str
    """Suite measured."""
    kind: CaseKind | None
    """Kind of case the group is restricted to; None for the whole suite."""
    cases: int
    """Cases scored in the group."""
    missing: int
    """Cases of the suite with no generation for this variant; never counted as passes."""
    strict: Metrics
    """Metrics on the strict reading."""
    lenient: Metrics
    """Metrics on the lenient reading."""

    def metrics(self, mode: ParseMode) -> Metrics:
        """The metrics on one reading."""
        return self.strict if mode is ParseMode.STRICT else self.lenient


class RunSummary(Frozen):
    """`summary.json` of a run folder."""

    version: int = RUN_LOG_VERSION
    """Format version of the summary."""
    groups: list[GroupSummary]
    """One entry per variant × suite, then per variant × suite × kind."""
