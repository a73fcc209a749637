"""`benchmarks/perf_gate.py` on a small seeded simulation: where a rule's null holds, the sequential decisions read
after every batch stay within their bound, while re-running today's paired tests after every batch errs more often
than one of those tests is allowed to (alpha / 2 in the direction that matters), and more than one test on every
case does."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "perf_gate.py"
RUNS = 1000


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perf_gate", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


perf_gate = _benchmark()
NULLS = {s.name: s for s in perf_gate.scenarios() if s.bound is not None}


@pytest.mark.parametrize("batch", [1, perf_gate.BATCH])
@pytest.mark.parametrize("name", sorted(NULLS))
def test_sequential_stays_within_its_bound(name: str, batch: int) -> None:
    scenario = NULLS[name]
    outcomes = perf_gate.simulate(scenario, RUNS, seed=7, batch=batch)
    margin = 3 * math.sqrt(scenario.bound * (1 - scenario.bound) / RUNS)
    assert outcomes.sequential.wrong <= scenario.bound + margin
    assert outcomes.sequential.answers <= scenario.cases


@pytest.mark.parametrize("name", ["must_beat A/A 15%/15%", "no_regression A/A 10%/10%"])
def test_naive_repeated_testing_exceeds_the_level(name: str) -> None:
    outcomes = perf_gate.simulate(NULLS[name], RUNS, seed=7, batch=perf_gate.CONTINUOUS)
    level = perf_gate.ALPHA / 2
    assert outcomes.fixed.wrong <= level + 3 * math.sqrt(level * (1 - level) / RUNS)
    assert outcomes.naive.wrong > level + 3 * math.sqrt(level * (1 - level) / RUNS)
    assert outcomes.naive.wrong > 2 * outcomes.sequential.wrong


def test_a_clear_difference_is_decided_with_fewer_answers() -> None:
    """fc-broken against its floor, and a variant far better than its base: most answers are saved."""
    scenarios = {s.name: s for s in perf_gate.scenarios()}
    for name in ("floor 10/80 vs 35%", "must_beat 25%/5%"):
        outcomes = perf_gate.simulate(scenarios[name], RUNS, seed=7)
        assert outcomes.sequential.answers < 0.6 * scenarios[name].cases
        assert outcomes.sequential.wrong < 0.05
