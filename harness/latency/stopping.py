"""When a latency level may stop: after each block, is every timed comparison decided against the A/A control?
Pure, evaluated on the samples so far, so that the measurement can stop asking once the answer is known (issue 26).

The verdicts a study reports stay those of `harness.latency.analyse`: block-bootstrap intervals judged against
the A/A noise floor, computed once on the blocks measured. Recomputing those intervals after every block and
stopping when they exclude the floor would inflate their error far beyond 5%, as any repeated fixed-sample test
does; the stop rests instead on an e-process, whose error holds however often it is read.

What one comparison's e-process bets on: in each block, is the timed pair's deviation from equality,
|log(median numerator / median denominator)|, wider than the A/A pair's in the same block? Within a block the arms
run in a fresh uniformly random order, so for a timed pair that shares the control's denominator (an unmerged
adapter against its merged model, whose twin is the control) and whose numerator serves as the twin does, the
order that swaps the two arms' places is as likely as the one drawn, and the swap exchanges the two deviations:
"wider" is a fair coin whatever the blocks before it showed. For a pair on other servers (base against
base-plain) the coin is fair under the premise the analysis already makes when it judges every pair against one
control's floor: that the control's noise stands for each pair's. Blocks where the two deviations tie are left
out, as in a sign test. Under that null the uniform mixture over the rate of wider blocks
(`harness.sequential.mixture_e_value`, one-sided against 1/2) is a nonnegative martingale starting at 1, and
Ville's inequality bounds by `STOP_ALPHA` the chance that it ever reaches 1 / `STOP_ALPHA`, so the chance that a
comparison within the noise is ever called decided is at most `STOP_ALPHA`, at whichever block it is looked at.

What "decided" means, given that the floor is measured in the same blocks: decided different, and only that. A
comparison is decided when its e-process shows the timed pair deviating more than the A/A pair in more blocks
than chance allows; the per-block duel with the control replaces the floor (a bootstrap interval that moves with
every block and cannot be re-tested repeatedly). There is no "decided equal": a comparison within the noise
keeps its level going to the cap, which is today's study. A level stops only when every timed comparison (every
pair, every metric) is decided, so stopping never cuts short a comparison still open.

Alpha: the analysis's intervals are at 95% (`ALPHA`); the stop spends the anytime-valid share of it
(`harness.sequential.split`), per comparison as the analysis's intervals are. A comparison within the noise is
reported different only if its e-process crossed (the only way its level stops before the cap; chance at most
`STOP_ALPHA`) or the analysis errs on it at the cap as it would today: at most today's error plus `STOP_ALPHA`.
The price of a rule that needs no model of latency: with every block wider, the uniform mixture first reaches
1 / 0.025 at 8 blocks (31.9 at 7, 56.8 at 8; a single narrower block puts it at 12), so a level stops early only
where its cap (`[latency] blocks`) is above that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from harness.latency.analyse import METRICS, Pair, block_samples
from harness.sequential import mixture_e_value, split
from harness.types import LatencySample

ALPHA = 0.05
"""The error level of the analysis's verdicts (its 95% intervals), of which the stop spends a share."""
STOP_ALPHA = split(ALPHA)[0]
"""Chance that a comparison within the noise is ever called decided, however many blocks are looked at."""


class RatioStop(NamedTuple):
    """Where one timed comparison of a level stands after the blocks so far."""

    metric: str
    numerator: str
    denominator: str
    wider: int
    """Blocks in which the pair deviated from equality more than the A/A pair did."""
    compared: int
    """Blocks in which both pairs have samples and their deviations differ."""
    e_value: float
    """The e-process over those blocks: evidence that the pair deviates more than the A/A pair."""

    @property
    def decided(self) -> bool:
        return self.e_value >= 1 / STOP_ALPHA


def e_process(timed: ArrayLike, control: ArrayLike) -> NDArray[np.float64]:
    """The e-value after each block, from the per-block log ratios of the timed pair and of the A/A pair (the
    same blocks, in the order they ran); a block where the deviations tie leaves it where it was."""
    deviation = _deviation(timed, control)
    return mixture_e_value(np.cumsum(deviation > 0), np.cumsum(deviation != 0), 0.5, "greater")


def _deviation(timed: ArrayLike, control: ArrayLike) -> NDArray[np.float64]:
    """Per block, how much further from equality the timed pair is than the A/A pair (> 0: wider)."""
    return np.abs(np.asarray(timed, dtype=float)) - np.abs(np.asarray(control, dtype=float))


def block_log_ratios(
    samples: Sequence[LatencySample], level: int, numerator: str, denominator: str, metric: str
) -> dict[int, float]:
    """Block → log of the numerator's median over the denominator's, in blocks where both have samples."""
    num = block_samples(samples, level, numerator, metric)
    den = block_samples(samples, level, denominator, metric)
    medians = {b: (float(np.median(num[b])), float(np.median(den[b]))) for b in num.keys() & den.keys()}
    return {b: math.log(n / d) for b, (n, d) in medians.items() if n > 0 and d > 0}


def ratio_stops(samples: Sequence[LatencySample], level: int, pairs: Sequence[Pair]) -> list[RatioStop]:
    """Every timed comparison (pair and metric) of one level, against the A/A pair; none without a control."""
    control = next(((num, den) for num, den, is_control in pairs if is_control), None)
    if control is None:
        return []
    stops = []
    for metric in METRICS:
        control_logs = block_log_ratios(samples, level, *control, metric)
        for numerator, denominator, is_control in pairs:
            if is_control:
                continue
            timed_logs = block_log_ratios(samples, level, numerator, denominator, metric)
            blocks = sorted(timed_logs.keys() & control_logs.keys())
            timed, against = [timed_logs[b] for b in blocks], [control_logs[b] for b in blocks]
            deviation = _deviation(timed, against)
            stops.append(
                RatioStop(
                    metric=metric,
                    numerator=numerator,
                    denominator=denominator,
                    wider=int(np.sum(deviation > 0)),
                    compared=int(np.sum(deviation != 0)),
                    e_value=float(e_process(timed, against)[-1]) if blocks else 1.0,
                )
            )
    return stops


def level_decided(samples: Sequence[LatencySample], level: int, pairs: Sequence[Pair]) -> bool:
    """Every timed comparison of the level is decided; a study with nothing timed (only its control) is never
    decided, since what it measures is the percentiles the cap asked for."""
    stops = ratio_stops(samples, level, pairs)
    return bool(stops) and all(stop.decided for stop in stops)
