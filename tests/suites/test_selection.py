"""The cases a run asks: the seeded sample per suite, and the unmerged sample drawn apart from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_parts import builtin_suites

from harness.suites.files import load_sources
from harness.suites.selection import sample_cases, unmerged_sample
from harness.suites.settings import SuiteSelection

ROOT = Path(__file__).resolve().parents[2]


def test_sample_is_seeded_ordered_and_keeps_only_used_tools() -> None:
    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "multiple"
    )
    first = sample_cases(suite, SuiteSelection(sample=5))
    assert [c.id for c in first.cases] == [c.id for c in sample_cases(suite, SuiteSelection(sample=5)).cases]
    order = [c.id for c in suite.cases]
    assert [order.index(c.id) for c in first.cases] == sorted(order.index(c.id) for c in first.cases)
    assert {t.key for t in first.tools} == {key for c in first.cases for key in c.tools}
    assert sample_cases(suite, SuiteSelection(sample=5, sample_seed=1)).cases != first.cases
    assert sample_cases(suite, SuiteSelection(sample=10_000)) is suite


@pytest.mark.parametrize(
    ("sample", "samples", "size"),
    [
        (None, {}, 36),  # every case
        (6, {}, 6),
        (6, {"mult*": 9}, 9),  # a pattern overrides the default
        (6, {"m*": 7, "multiple": 8}, 8),  # the exact name wins over a wildcard
        (6, {"other": 9}, 6),  # a pattern of another suite changes nothing
        (None, {"*": 5, "mu*": 3}, 3),  # the longer wildcard wins
    ],
)
def test_sample_size_per_suite(sample: int | None, samples: dict[str, int], size: int) -> None:
    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "multiple"
    )
    assert len(suite.cases) == 36
    assert len(sample_cases(suite, SuiteSelection(sample=sample, samples=samples)).cases) == size


def test_the_unmerged_sample_is_seeded_per_suite_in_order_and_not_the_sample_draw() -> None:
    suites = builtin_suites()
    asked = unmerged_sample(suites, SuiteSelection(unmerged_sample=6))
    assert asked is not None and asked == unmerged_sample(suites, SuiteSelection(unmerged_sample=6))
    for suite in suites:
        order = [c.id for c in suite.cases]
        assert len(asked[suite.name]) == min(6, len(order))
        assert [order.index(i) for i in asked[suite.name]] == sorted(order.index(i) for i in asked[suite.name])
    multiple = next(s for s in suites if s.name == "multiple")
    assert asked["multiple"] != [c.id for c in sample_cases(multiple, SuiteSelection(sample=6)).cases]
    assert unmerged_sample(suites, SuiteSelection(unmerged_sample=6, sample_seed=1)) != asked
    assert unmerged_sample(suites, SuiteSelection(unmerged_sample=10_000)) == {
        s.name: [c.id for c in s.cases] for s in suites
    }
    assert unmerged_sample(suites, SuiteSelection()) is None  # unmerged answers every case
