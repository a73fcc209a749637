"""`latency.jsonl` and `latency-summary.json` of a run folder: every timed request of a latency study, and the
study's percentiles and verdicts (a pure function of the samples)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.types.base import RUN_LOG_VERSION, Frozen

PrefixCache = Literal["cold", "warm"]
PREFIX_CACHE_NOTES: dict[PrefixCache, str] = {
    "cold": "cold TTFT: no timed prompt was in the prefix cache, so TTFT includes the whole prompt's prefill",
    "warm": "warm TTFT: every timed prompt was in the prefix cache (a study from before TTFT was measured cold), "
    "so TTFT hides the prefill; run `harness latency` again for cold figures",
}


def metric_label(metric: str, prefix_cache: PrefixCache) -> str:
    """How verdicts and reports name a metric: TTFT says whether its prompts could be prefix-cache hits, because
    a warm TTFT hides the prefill and the two differ tenfold for an unmerged adapter on a CPU."""
    name = metric.removesuffix("_s").upper()
    return f"{prefix_cache} {name}" if metric == "ttft_s" else name


class LatencySample(Frozen):
    """One line of `latency.jsonl`: one timed request of a latency study."""

    version: Literal[1] = RUN_LOG_VERSION
    """Format version of the line."""
    concurrency: int
    """Concurrency level of the study it belongs to."""
    block: int
    """Randomised block it ran in."""
    arm: str
    """Arm measured: a variant name, or a variant's A/A control arm."""
    variant: str
    """Variant that served it."""
    prompt: int
    """Index of the prompt in the study's prompt draw."""
    ttft_s: float | None = None
    """Time to first token."""
    tpot_s: float | None = None
    """Time per output token after the first: (E2E − TTFT) / (output tokens − 1)."""
    e2e_s: float | None = None
    """End-to-end time."""
    itl_s: list[float] = Field(default_factory=list)
    """Gaps between streamed chunks."""
    output_tokens: int | None = None
    """Tokens generated."""
    error: str | None = None
    """Why the request failed."""


class RatioEstimate(Frozen):
    """How much slower (>1) or faster (<1) one arm is than another on one metric."""

    ratio: float
    """Median of the numerator arm over the median of the denominator arm."""
    low: float
    """Lower bound of the 95% block-bootstrap interval."""
    high: float
    """Upper bound of the 95% block-bootstrap interval."""
    p_value: float
    """Two-sided Wilcoxon signed-rank test on the per-block log ratios of medians (1.0 with fewer than 2 blocks)."""
    blocks: int
    """Blocks in which both arms have samples."""
    samples: tuple[int, int]
    """Samples of the numerator and of the denominator arm."""

    @property
    def half_width(self) -> float:
        """Half the interval's width, relative to the ratio: the precision of the estimate."""
        return (self.high - self.low) / 2 / self.ratio


class Verdict(Frozen):
    """What the comparison of two arms means, in one sentence a user can act on."""

    different: bool
    """The interval excludes 1 and the effect is above the noise floor."""
    text: str
    """"X is 12% slower, 95% CI [9%, 15%]" or "no difference above the noise floor of 2%"."""


class ArmStats(Frozen):
    """Percentiles of one arm at one concurrency level."""

    concurrency: int
    arm: str
    requests: int
    """Requests that succeeded."""
    errors: int
    """Requests that failed."""
    percentiles: dict[str, dict[str, float]]
    """Metric (ttft_s, tpot_s, e2e_s, itl_s) → {p50, p90, p99} in seconds."""
    output_tokens_per_s: float
    """Median over requests of output tokens / end-to-end time."""


class LatencyComparison(Frozen):
    """One metric of one arm against another at one concurrency level."""

    concurrency: int
    metric: str
    numerator: str
    denominator: str
    estimate: RatioEstimate
    verdict: Verdict
    control: bool = False
    """True for the A/A control pair."""


class LevelBlocks(Frozen):
    """How many randomised blocks one concurrency level ran."""

    measured: int
    """Blocks run."""
    cap: int
    """`[latency] blocks` when it ran: the most it would have run."""

    @property
    def stopped_early(self) -> bool:
        """It stopped before its cap, because every timed ratio was decided against the A/A control."""
        return self.measured < self.cap


class LatencySummary(Frozen):
    """`latency-summary.json`: what reports and gates read about latency."""

    version: int = 1
    arms: list[ArmStats]
    comparisons: list[LatencyComparison]
    noise_floor: dict[str, dict[str, float]]
    """Concurrency (as text) → metric → the A/A control's noise floor."""
    prefix_cache: PrefixCache = "warm"
    """"cold": no timed request could reuse a cached prefix, so TTFT includes the whole prompt's prefill, as for
    a prompt the server has not seen; "warm": every prompt was in the prefix cache when timed (summaries written
    before the study measured cold)."""
    read_floor: dict[str, float] = Field(default_factory=dict)
    """Adapter → extra weight reads per decode step of the unmerged adapter (the memory-bound overhead floor)."""
    seconds: float | None = None
    """Wall time of the measurement, servers' start-up included."""
    blocks: dict[str, LevelBlocks] = Field(default_factory=dict)
    """Concurrency (as text) → the blocks it ran, fewer than its cap where it stopped once decided (empty in
    summaries written before a level could stop)."""

    def label(self, metric: str) -> str:
        return metric_label(metric, self.prefix_cache)

    @property
    def prefix_cache_note(self) -> str:
        """What TTFT measured, in a sentence for reports."""
        return PREFIX_CACHE_NOTES[self.prefix_cache]
