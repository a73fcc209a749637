"""Per-case scores → the metrics reports show, each with its Wilson interval."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from harness.stats import wilson
from harness.types import CaseKind, CaseScore, GroupSummary, Metrics, Outcome, ParseMode, RunSummary


def metrics(scores: Sequence[CaseScore], mode: ParseMode) -> Metrics:
    """Metrics of a group of scores under one parse mode."""
    outcomes: list[tuple[CaseKind, Outcome]] = [(s.kind, s.outcome(mode)) for s in scores]
    relevant_called = [o for k, o in outcomes if k.expects_call and o.call_correct]
    irrelevant = [o for k, o in outcomes if k is CaseKind.IRRELEVANCE]
    missing_info = [o for k, o in outcomes if k is CaseKind.MISSING_INFO]
    n = len(outcomes)
    return Metrics(
        call_accuracy=wilson(sum(o.call_correct for _, o in outcomes), n),
        argument_accuracy=wilson(sum(o.args_correct for o in relevant_called), len(relevant_called)),
        full_match=wilson(sum(o.full_match for _, o in outcomes), n),
        irrelevance_accuracy=wilson(sum(o.full_match for o in irrelevant), len(irrelevant)),
        missing_info_accuracy=wilson(sum(o.full_match for o in missing_info), len(missing_info)),
        parse_error_rate=wilson(sum(o.parse_error for _, o in outcomes), n),
    )


AskedSizes = dict[str, dict[str, dict[CaseKind, int]]]
"""Variant → suite → cases of each kind the variant was asked: what the run should hold."""


def summarise(scores: Iterable[CaseScore], asked: AskedSizes) -> RunSummary:
    """Group scores by variant × suite (and × kind). `asked` says what the run should hold, so that missing
    generations show as missing instead of making a variant look better; a variant asked only a sample of the
    cases (an unmerged sample) counts as missing only what it was asked and has no answer for."""
    groups: dict[tuple[str, str, CaseKind | None], list[CaseScore]] = defaultdict(list)
    for variant, suites in asked.items():
        for suite in suites:
            groups[(variant, suite, None)] = []
    for score in scores:
        groups[(score.variant, score.suite, None)].append(score)
        groups[(score.variant, score.suite, score.kind)].append(score)
    summaries = []
    for (variant, suite, kind), members in sorted(groups.items(), key=lambda item: _group_order(item[0])):
        sizes = asked.get(variant, {}).get(suite, {})
        expected = sum(sizes.values()) if kind is None else sizes.get(kind, 0)
        summaries.append(
            GroupSummary(
                variant=variant,
                suite=suite,
                kind=kind,
                cases=len(members),
                missing=max(0, expected - len(members)),
                strict=metrics(members, ParseMode.STRICT),
                lenient=metrics(members, ParseMode.LENIENT),
            )
        )
    return RunSummary(groups=summaries)


def _group_order(key: tuple[str, str, CaseKind | None]) -> tuple[str, str, int, str]:
    variant, suite, kind = key
    return (variant, suite, 0 if kind is None else 1, kind.value if kind else "")
