"""Aggregates: what each metric counts (its denominator above all), and the paired test between variants."""

from __future__ import annotations

import pytest

from harness.scoring import metrics, paired_test, summarise
from harness.types import CaseKind, CaseScore, ErrorKind, Outcome, ParseMode

RIGHT = Outcome(call_correct=True, args_correct=True, error_kind=None)
WRONG_ARGS = Outcome(call_correct=True, args_correct=False, error_kind=ErrorKind.WRONG_VALUE)
WRONG_CALL = Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.WRONG_FUNCTION)
SPURIOUS = Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.SPURIOUS_CALL)
UNPARSED = Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.PARSE_ERROR, parse_error=True)
INVENTED = Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.INVENTED_VALUE)


def score(
    case_id: str, kind: CaseKind, strict: Outcome, lenient: Outcome | None = None, variant: str = "lora"
) -> CaseScore:
    return CaseScore(suite="s", case_id=case_id, kind=kind, variant=variant, strict=strict, lenient=lenient or strict)


SCORES = [
    score("a", CaseKind.SIMPLE, RIGHT),
    score("b", CaseKind.SIMPLE, WRONG_ARGS),
    score("c", CaseKind.MULTIPLE, WRONG_CALL),
    score("d", CaseKind.PARALLEL, UNPARSED, RIGHT),
    score("e", CaseKind.IRRELEVANCE, RIGHT),
    score("f", CaseKind.IRRELEVANCE, SPURIOUS),
]

# (mode, metric, successes, trials)
EXPECTED = [
    (ParseMode.STRICT, "call_accuracy", 3, 6),
    (ParseMode.STRICT, "argument_accuracy", 1, 2),  # over relevant cases with the right calls: a, b
    (ParseMode.STRICT, "full_match", 2, 6),
    (ParseMode.STRICT, "irrelevance_accuracy", 1, 2),
    (ParseMode.STRICT, "parse_error_rate", 1, 6),
    (ParseMode.LENIENT, "call_accuracy", 4, 6),
    (ParseMode.LENIENT, "argument_accuracy", 2, 3),
    (ParseMode.LENIENT, "full_match", 3, 6),
    (ParseMode.LENIENT, "parse_error_rate", 0, 6),
]


@pytest.mark.parametrize(("mode", "name", "successes", "trials"), EXPECTED)
def test_metric_counts(mode: ParseMode, name: str, successes: int, trials: int) -> None:
    proportion = getattr(metrics(SCORES, mode), name)
    assert (proportion.successes, proportion.trials) == (successes, trials)
    assert proportion.low <= (successes / trials) <= proportion.high


def test_missing_info_has_a_metric_of_its_own() -> None:
    """Asking back counts towards missing_info accuracy only: not irrelevance, and not argument accuracy (no call
    is expected, so there are no arguments to get right)."""
    asked = [score("g", CaseKind.MISSING_INFO, RIGHT), score("h", CaseKind.MISSING_INFO, INVENTED)]
    before, after = metrics(SCORES, ParseMode.STRICT), metrics(SCORES + asked, ParseMode.STRICT)
    counts = {name: (p.successes, p.trials) for name, p in after}
    assert counts["missing_info_accuracy"] == (1, 2) and before.missing_info_accuracy.trials == 0
    assert (after.irrelevance_accuracy, after.argument_accuracy) == (
        before.irrelevance_accuracy,
        before.argument_accuracy,
    )
    assert counts["full_match"] == (3, 8) and counts["call_accuracy"] == (4, 8)


def test_summary_groups_by_suite_and_kind_and_counts_missing() -> None:
    sizes = {"s": {CaseKind.SIMPLE: 3, CaseKind.MULTIPLE: 1, CaseKind.PARALLEL: 1, CaseKind.IRRELEVANCE: 2}}
    summary = summarise(SCORES, {"lora": sizes, "merged": sizes})
    whole = {(g.variant, g.kind): (g.cases, g.missing) for g in summary.groups}
    assert whole[("lora", None)] == (6, 1)
    assert whole[("lora", CaseKind.SIMPLE)] == (2, 1)
    assert whole[("lora", CaseKind.IRRELEVANCE)] == (2, 0)
    assert whole[("merged", None)] == (0, 7)


def test_a_variant_asked_a_sample_misses_only_what_it_was_asked() -> None:
    """An unmerged sample of two simple cases, both answered: nothing is missing, whatever the suite holds."""
    everything = {"s": {CaseKind.SIMPLE: 3, CaseKind.MULTIPLE: 1, CaseKind.PARALLEL: 1, CaseKind.IRRELEVANCE: 2}}
    summary = summarise(SCORES[:2], {"lora": {"s": {CaseKind.SIMPLE: 2}}, "merged": everything})
    whole = {(g.variant, g.kind): (g.cases, g.missing) for g in summary.groups}
    assert whole[("lora", None)] == (2, 0)
    assert whole[("lora", CaseKind.SIMPLE)] == (2, 0)
    assert whole[("merged", None)] == (0, 7)


def test_paired_test_counts_discordant_cases() -> None:
    base = [score(c.case_id, c.kind, WRONG_CALL, variant="base") for c in SCORES]
    result = paired_test(SCORES, base, ParseMode.LENIENT)
    assert (result.cases, result.only_a, result.only_b) == (6, 3, 0)
    assert result.p_value == pytest.approx(0.25)
    same = paired_test(SCORES, SCORES, ParseMode.STRICT)
    assert (same.only_a, same.only_b, same.p_value) == (0, 0, 1.0)


def test_paired_test_uses_shared_cases_only() -> None:
    result = paired_test(SCORES[:2], SCORES, ParseMode.STRICT)
    assert result.cases == 2
