"""When a latency level stops: a clear difference is decided after the fewest blocks the e-process allows, arms
within the noise run to the cap, and on many simulated studies of identical arms the stop declares a difference
at most at its nominal rate, however often it is read, where re-testing a fixed-sample sign test after every
block does not."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from scipy.stats import binom

from harness.latency.settings import LatencySettings
from harness.latency.stopping import STOP_ALPHA, e_process, level_decided, ratio_stops
from harness.types import LatencySample, LevelBlocks

PAIRS = [("lora:a", "merged:a", False), ("merged:a (A/A)", "merged:a", True)]
ARMS = [("lora:a", "merged:a"), ("merged:a", "merged:a"), ("merged:a (A/A)", "merged:a")]


def study(effect: float, blocks: int, seed: int, per_block: int = 2) -> list[LatencySample]:
    """Samples of the three arms, `lora:a` `effect` times the merged model's latency; every block shares a drift,
    as a busy machine slows every arm measured at that moment."""
    rng = np.random.default_rng(seed)
    samples = []
    for block in range(blocks):
        drift = rng.lognormal(0, 0.15)
        for arm, variant in ARMS:
            factor = effect if arm == "lora:a" else 1.0
            for prompt in range(per_block):
                ttft, tpot = drift * factor * rng.lognormal(0, 0.08, 2) * (0.2, 0.05)
                samples.append(
                    LatencySample(
                        concurrency=1,
                        block=block,
                        arm=arm,
                        variant=variant,
                        prompt=prompt,
                        ttft_s=ttft,
                        tpot_s=tpot,
                        e2e_s=ttft + 31 * tpot,
                        output_tokens=32,
                    )
                )
    return samples


@pytest.mark.parametrize(
    ("effect", "blocks", "decided"),
    [
        (3.0, 8, True),  # every block wider: the e-process reaches 1 / 0.025 at 8 blocks
        (3.0, 7, False),  # ... and not before (31.9 at 7)
        (1 / 3, 8, True),  # faster is a difference too
        (1.0, 30, False),  # within the noise: no stop however many blocks
        (1.05, 30, False),  # a difference the per-block noise hides keeps the level going
    ],
)
def test_a_level_is_decided_only_when_every_timed_ratio_is(effect: float, blocks: int, decided: bool) -> None:
    samples = study(effect, blocks, seed=3)
    stops = ratio_stops(samples, 1, PAIRS)
    assert {(stop.metric, stop.numerator) for stop in stops} == {(m, "lora:a") for m in ("ttft_s", "tpot_s", "e2e_s")}
    assert level_decided(samples, 1, PAIRS) is decided
    assert all(stop.decided is decided for stop in stops)


def test_every_pair_must_be_decided_and_a_study_without_a_timed_pair_never_is() -> None:
    samples = study(3.0, 8, seed=3)
    twin_of_twin = ("merged:a (A/A)", "merged:a", False)  # an A/A-like timed pair holds the level open
    assert not level_decided(samples, 1, [*PAIRS, twin_of_twin])
    assert not level_decided(samples, 1, [PAIRS[1]])
    assert not level_decided(samples, 1, [PAIRS[0]])  # nothing to decide against


@pytest.mark.parametrize(
    ("timed", "control", "wider", "compared", "e_value"),
    [
        ([0.5] * 8, [0.1] * 8, 8, 8, 56.8),
        ([-0.5] * 7, [0.1] * 7, 7, 7, 31.9),  # the sign of the ratio does not matter, its distance from 1 does
        ([0.5] * 8 + [0.1] * 3, [0.1] * 8 + [0.1] * 3, 8, 8, 56.8),  # ties leave it where it was
        ([0.5] * 11 + [0.05], [0.1] * 12, 11, 12, 52.4),  # one narrower block costs four more
        ([0.1, 0.2, 0.3, 0.4], [0.2, 0.1, 0.4, 0.3], 2, 4, 0.53),
    ],
)
def test_the_e_process_on_a_table(
    timed: list[float], control: list[float], wider: int, compared: int, e_value: float
) -> None:
    evidence = e_process(timed, control)
    assert len(evidence) == len(timed) and float(evidence[-1]) == pytest.approx(e_value, abs=0.05)
    samples = []
    for block, (t, c) in enumerate(zip(timed, control, strict=True)):
        for arm, value in (("lora:a", np.exp(t)), ("merged:a", 1.0), ("merged:a (A/A)", np.exp(c))):
            samples.append(
                LatencySample(
                    concurrency=2, block=block, arm=arm, variant=arm, prompt=0, ttft_s=value, tpot_s=value, e2e_s=value
                )
            )
    stop = ratio_stops(samples, 2, PAIRS)[0]
    assert (stop.wider, stop.compared) == (wider, compared)
    assert stop.e_value == pytest.approx(e_value, abs=0.05)


def simulated_log_ratios(rng: np.random.Generator, runs: int, cap: int, effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-block log ratios of `runs` studies of `cap` blocks: the timed pair's and the A/A pair's."""
    drift = rng.lognormal(0, 0.15, (runs, cap, 1, 1))
    factor = np.array([effect, 1.0, 1.0]).reshape(1, 1, 3, 1)
    medians = np.median(drift * factor * rng.lognormal(0, 0.08, (runs, cap, 3, 2)), axis=-1)
    return np.log(medians[..., 0] / medians[..., 1]), np.log(medians[..., 2] / medians[..., 1])


def test_identical_arms_stop_and_declare_a_difference_at_most_at_the_nominal_rate() -> None:
    """Looked at after every block from the minimum to a cap of 40, the e-process errs at most STOP_ALPHA; a
    one-sided sign test re-tested at the same level after every block errs several times that."""
    runs, cap, first = 2000, 40, LatencySettings().min_blocks
    timed, control = simulated_log_ratios(np.random.default_rng(7), runs, cap, effect=1.0)
    stopped = sum(
        bool(np.any(e_process(t, c)[first - 1 :] >= 1 / STOP_ALPHA)) for t, c in zip(timed, control, strict=True)
    )
    deviation = np.abs(timed) - np.abs(control)
    p_values = binom.sf(np.cumsum(deviation > 0, axis=1) - 1, np.cumsum(deviation != 0, axis=1), 0.5)
    naive = int(np.sum(np.any(p_values[:, first - 1 :] < STOP_ALPHA, axis=1)))
    assert stopped / runs <= STOP_ALPHA
    assert naive / runs > 2 * STOP_ALPHA


@pytest.mark.parametrize(("effect", "median_blocks"), [(1.5, 8), (1.2, 12)])
def test_a_real_difference_stops_early(effect: float, median_blocks: int) -> None:
    runs, cap = 300, 40
    timed, control = simulated_log_ratios(np.random.default_rng(5), runs, cap, effect)
    decided = [e_process(t, c) >= 1 / STOP_ALPHA for t, c in zip(timed, control, strict=True)]
    first = [int(np.argmax(d)) + 1 if d.any() else cap + 1 for d in decided]  # the cap + 1: never decided
    assert np.median(first) <= median_blocks


def test_min_blocks_is_at_most_the_cap_when_it_is_given() -> None:
    assert LatencySettings(blocks=3).min_blocks == 4  # the default above a small cap: the level runs to the cap
    assert LatencySettings(blocks=12, min_blocks=12).min_blocks == 12
    with pytest.raises(ValidationError, match=r"min_blocks \(9\) must be at most blocks \(8\)"):
        LatencySettings(blocks=8, min_blocks=9)


@pytest.mark.parametrize(("measured", "cap", "early"), [(8, 20, True), (20, 20, False)])
def test_a_level_says_whether_it_stopped_early(measured: int, cap: int, early: bool) -> None:
    assert LevelBlocks(measured=measured, cap=cap).stopped_early is early
