"""Latency statistics: the ratio of medians and its block bootstrap, the verdict against an A/A noise floor, and
the property that matters: many synthetic A/A studies from one distribution raise at most 5% false alarms, while
a real 20% slowdown is found."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from harness.generation.prepare import Prepared
from harness.latency.analyse import analyse
from harness.latency.measure import study_arms
from harness.latency.settings import LatencySettings
from harness.latency.stats import control_verdict, noise_floor, ratio_of_medians, verdict
from harness.types import LatencySample, RatioEstimate, Verdict


def synthetic_study(
    rng: np.random.Generator, effect: float, blocks: int = 12, per_block: int = 4
) -> tuple[dict[int, list[float]], dict[int, list[float]], dict[int, list[float]]]:
    """Arms A, B (B = A × effect) and an A/A twin of A; every block shares a drift factor, as a busy machine
    slows every arm measured at that moment."""
    arms: tuple[dict[int, list[float]], ...] = ({}, {}, {})
    for block in range(blocks):
        drift = rng.lognormal(0, 0.15)
        for arm, factor in zip(arms, (1.0, effect, 1.0), strict=True):
            arm[block] = list(0.05 * drift * factor * rng.lognormal(0, 0.08, per_block))
    return arms


def test_ratio_of_medians_on_a_table() -> None:
    numerator = {0: [2.0, 2.0, 4.0], 1: [2.0]}
    denominator = {0: [1.0, 1.0], 1: [1.0, 3.0], 2: [9.0]}  # block 2 has no partner: left out
    estimate = ratio_of_medians(numerator, denominator, resamples=200)
    assert estimate is not None
    assert estimate.ratio == pytest.approx(2.0 / 1.0)
    assert (estimate.blocks, estimate.samples) == (2, (4, 4))
    assert estimate.low <= estimate.ratio <= estimate.high
    assert ratio_of_medians({0: [1.0]}, {1: [1.0]}) is None


def test_identical_arms_give_ratio_one_and_no_difference() -> None:
    same = {b: [0.01 * (b + 1), 0.02 * (b + 1)] for b in range(6)}
    estimate = ratio_of_medians(same, same, resamples=200)
    assert estimate is not None and (estimate.ratio, estimate.low, estimate.high, estimate.p_value) == (1, 1, 1, 1)
    assert not verdict("x", estimate, noise_floor(estimate)).different


def test_control_verdict_states_the_floor_and_owns_up_to_a_failed_control() -> None:
    calm = RatioEstimate(ratio=1.01, low=0.97, high=1.04, p_value=0.6, blocks=8, samples=(8, 8))
    assert control_verdict("aa", calm, calm) == Verdict(different=False, text="aa: the noise floor of this run is 4.0%")
    drifted = RatioEstimate(ratio=1.2, low=1.1, high=1.3, p_value=0.01, blocks=8, samples=(8, 8))
    assert control_verdict("aa", drifted, drifted).different
    assert "control itself differs" in control_verdict("aa", drifted, drifted).text
    # the 95% interval excludes 1 but the family-wise one does not: one of many controls, not a failed run
    wider = drifted.model_copy(update={"low": 0.98, "high": 1.4})
    assert not control_verdict("aa", drifted, wider).different


def test_a_wider_confidence_gives_a_wider_interval() -> None:
    rng = np.random.default_rng(5)
    a, b, _ = synthetic_study(rng, effect=1.0)
    usual = ratio_of_medians(b, a, resamples=500)
    strict = ratio_of_medians(b, a, resamples=500, confidence=0.998)
    assert usual is not None and strict is not None
    assert strict.low < usual.low <= usual.ratio <= usual.high < strict.high


def test_verdict_wording() -> None:
    slower = RatioEstimate(ratio=1.25, low=1.2, high=1.3, p_value=0.001, blocks=12, samples=(48, 48))
    assert (
        verdict("lora vs merged, TPOT", slower, 0.02).text
        == "lora vs merged, TPOT is 25.0% slower, 95% CI [20.0%, 30.0%]"
    )
    faster = RatioEstimate(ratio=0.9, low=0.85, high=0.95, p_value=0.01, blocks=12, samples=(48, 48))
    assert verdict("a vs b, TTFT", faster, 0.01).text == "a vs b, TTFT is 10.0% faster, 95% CI [5.0%, 15.0%]"
    assert verdict("a vs b, TTFT", faster, 0.06).text == "a vs b, TTFT: no difference above the noise floor of 6.0%"
    assert noise_floor(
        RatioEstimate(ratio=1.0, low=0.97, high=1.02, p_value=0.5, blocks=12, samples=(1, 1))
    ) == pytest.approx(0.03)


def test_false_alarm_rate_of_synthetic_aa_studies_is_at_most_five_percent() -> None:
    rng = np.random.default_rng(7)
    studies = 300
    excluded = alarms = 0
    for seed in range(studies):
        a, b, twin = synthetic_study(rng, effect=1.0)
        estimate = ratio_of_medians(b, a, resamples=400, seed=seed)
        control = ratio_of_medians(twin, a, resamples=400, seed=seed + 1)
        assert estimate is not None and control is not None
        excluded += estimate.low > 1 or estimate.high < 1
        alarms += verdict("b vs a", estimate, noise_floor(control)).different
    assert alarms / studies <= 0.05
    assert excluded / studies <= 0.10  # the bare interval is close to its nominal 95% coverage


def test_a_real_twenty_percent_slowdown_is_found() -> None:
    rng = np.random.default_rng(11)
    found = 0
    for seed in range(60):
        a, b, twin = synthetic_study(rng, effect=1.2)
        estimate = ratio_of_medians(b, a, resamples=400, seed=seed)
        control = ratio_of_medians(twin, a, resamples=400, seed=seed + 1)
        assert estimate is not None and control is not None
        assert estimate.low < 1.2 * 1.1 and estimate.high > 1.2 / 1.1
        found += verdict("b vs a", estimate, noise_floor(control)).different
    assert found / 60 >= 0.9


def sample(arm: str, block: int, tpot: float, level: int = 1) -> LatencySample:
    return LatencySample(
        concurrency=level,
        block=block,
        arm=arm,
        variant=arm.removesuffix(" (A/A)"),
        prompt=0,
        ttft_s=0.1,
        tpot_s=tpot,
        e2e_s=0.1 + 31 * tpot,
        itl_s=[tpot] * 31,
        output_tokens=32,
    )


def test_analyse_reports_percentiles_ratios_and_the_control_floor() -> None:
    samples = []
    for block in range(8):
        drift = 1 + 0.01 * block
        samples += [sample("merged:good", block, 0.010 * drift), sample("merged:good", block, 0.011 * drift)]
        samples += [
            sample("merged:good (A/A)", block, 0.0105 * drift),
            sample("merged:good (A/A)", block, 0.0105 * drift),
        ]
        samples += [sample("lora:good", block, 0.030 * drift), sample("lora:good", block, 0.031 * drift)]
    samples.append(sample("lora:good", 0, 0.5).model_copy(update={"error": "HTTP 500", "tpot_s": None}))
    pairs = [("lora:good", "merged:good", False), ("merged:good (A/A)", "merged:good", True)]
    summary = analyse(samples, pairs, LatencySettings(resamples=300), {"good": 0.0097})
    lora = next(a for a in summary.arms if a.arm == "lora:good")
    assert (lora.requests, lora.errors) == (16, 1)
    assert lora.percentiles["tpot_s"]["p50"] == pytest.approx(np.median([0.030, 0.031]) * 1.035, rel=0.03)
    tpot = next(c for c in summary.comparisons if c.metric == "tpot_s" and not c.control)
    assert tpot.estimate.ratio == pytest.approx(2.9, rel=0.05)
    assert tpot.verdict.different and "slower" in tpot.verdict.text
    control = next(c for c in summary.comparisons if c.metric == "tpot_s" and c.control)
    assert control.verdict.text.startswith("merged:good (A/A) vs merged:good, TPOT: the noise floor of this run is")
    assert summary.noise_floor["1"]["tpot_s"] == pytest.approx(noise_floor(control.estimate))
    ttft = next(c for c in summary.comparisons if c.metric == "ttft_s" and not c.control)
    assert summary.prefix_cache == "cold" and ttft.verdict.text.startswith("lora:good vs merged:good, cold TTFT")
    assert summary.read_floor == {"good": 0.0097}


def _prepared(adapters: list[str], latency: dict[str, object]) -> Prepared:
    from pathlib import Path

    from harness.generation.prepare import Prepared
    from harness.run_config import RunConfig
    from harness.serving.plan import AdapterFiles, plan_run

    config = RunConfig(name="x", adapters=[{"name": a, "recipe": f"{a}.toml"} for a in adapters], latency=latency)
    files = [AdapterFiles(a, Path(f"/a/{a}"), Path(f"/m/{a}"), 8, "0") for a in adapters]
    variants, plans = plan_run(config, Path("/b"), files, None, {})
    return Prepared(config, [], Path("/b"), files, variants, plans)


def test_study_arms_add_an_aa_control_of_the_merged_model() -> None:
    arms, pairs = study_arms(_prepared(["good"], {}))
    assert arms[-1] == ("merged:good (A/A)", "merged:good")
    assert pairs == [
        ("lora:good", "merged:good", False),
        ("base", "base-plain", False),
        ("merged:good (A/A)", "merged:good", True),
    ]


def test_study_arms_measure_only_the_chosen_adapters() -> None:
    arms, pairs = study_arms(_prepared(["good", "bad"], {"adapters": ["bad"]}))
    assert [name for name, _ in arms] == ["base-plain", "base", "lora:bad", "merged:bad", "merged:bad (A/A)"]
    assert pairs[0] == ("lora:bad", "merged:bad", False)
    with pytest.raises(ValidationError, match=r"latency.adapters: nope not among the adapters \(good\)"):
        _prepared(["good"], {"adapters": ["nope"]})  # a config that names no adapter is refused when it is read


def test_sound_aa_studies_rarely_claim_that_their_control_failed() -> None:
    """Two levels x three metrics of controls per study: the family-wise check keeps the claim rare."""
    rng = np.random.default_rng(13)
    pairs = [("merged:good (A/A)", "merged:good", True)]
    studies = 150
    failed = 0
    for seed in range(studies):
        samples = []
        for level in (1, 4):
            a, _, twin = synthetic_study(rng, effect=1.0, blocks=12, per_block=level)
            for arm, blocks in (("merged:good", a), ("merged:good (A/A)", twin)):
                samples += [sample(arm, block, tpot, level) for block, values in blocks.items() for tpot in values]
        summary = analyse(samples, pairs, LatencySettings(resamples=300, seed=seed), {})
        failed += any(c.verdict.different for c in summary.comparisons if c.control)
    assert failed / studies <= 0.02
