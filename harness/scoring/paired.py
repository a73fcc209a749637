"""Two variants on the same cases, the one place where their per-case verdicts are paired: the gate (against the
base, a baseline and merged serving), `harness compare` and the parity check all go through here, so they agree on
which cases count (those both answered) and on what a discordant pair is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from harness.stats import mcnemar_exact
from harness.types import CaseKey, CaseScore, Frozen, ParseMode

K = TypeVar("K", str, CaseKey)
"""A case: its id within one suite, or (suite, case id) across a run."""
V = TypeVar("V")


class PairedTest(Frozen):
    """Two variants on the same cases: who got which right, and whether the difference is more than chance."""

    cases: int
    """Cases both variants answered."""
    only_a: int
    """Cases only variant A got right."""
    only_b: int
    """Cases only variant B got right."""
    p_value: float
    """Two-sided exact McNemar p-value."""


def shared_cases(a: Mapping[K, V], b: Mapping[K, V]) -> list[tuple[K, V, V]]:
    """The keys both sides have, in order, with each side's value: nothing one side lacks is ever counted."""
    return [(key, a[key], b[key]) for key in sorted(a.keys() & b.keys())]


def full_matches(scores: Iterable[CaseScore], mode: ParseMode) -> dict[CaseKey, bool]:
    """Case → whether the answer was a full match under one reading."""
    return {score.key: score.outcome(mode).full_match for score in scores}


def paired(verdicts: Iterable[tuple[bool, bool]]) -> PairedTest:
    """The paired verdict: discordant pairs counted each way and an exact McNemar test on them."""
    return paired_counts([(a and not b, b and not a) for a, b in verdicts])


def paired_counts(better: list[tuple[bool, bool]]) -> PairedTest:
    """Per shared item, whether A did better and whether B did: an exact sign test over the items where one did
    (McNemar's test is this test on right/wrong verdicts)."""
    only_a = sum(a for a, _ in better)
    only_b = sum(b for _, b in better)
    return PairedTest(cases=len(better), only_a=only_a, only_b=only_b, p_value=mcnemar_exact(only_a, only_b))


def paired_test(a: Iterable[CaseScore], b: Iterable[CaseScore], mode: ParseMode) -> PairedTest:
    """Exact McNemar test on full match, over the cases both score lists share."""
    return paired((x, y) for _, x, y in shared_cases(full_matches(a, mode), full_matches(b, mode)))
