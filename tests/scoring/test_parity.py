"""Parity arithmetic: agreement of two variants on text and calls, and an adapter that answers exactly like its base is reported as not applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scoring.parity import adapter_parity, agreement
from harness.types import Generation, Variant

ROOT = Path(__file__).resolve().parents[2]


def gen(variant: str, case: str, text: str, error: str | None = None) -> Generation:
    return Generation(suite="s", case_id=case, variant=variant, text=text, error=error)


def log_of(*generations: Generation) -> dict[tuple[str, str, str], Generation]:
    return {(g.variant, g.suite, g.case_id): g for g in generations}


CALL = '<tool_call>{"name": "f", "arguments": {"a": 1, "b": 2}}</tool_call>'
SAME_CALL = '<tool_call>{"name": "f", "arguments": {"b": 2, "a": 1}}</tool_call>'


def test_agreement_counts_text_and_calls_on_cases_both_answered() -> None:
    log = log_of(
        gen("x", "1", CALL),
        gen("y", "1", SAME_CALL),
        gen("x", "2", "hello"),
        gen("y", "2", "hello"),
        gen("x", "3", "a"),
        gen("y", "3", "b", error="HTTP 500"),
        gen("x", "4", "only x"),
    )
    pair = agreement(log, "x", "y")
    assert pair is not None
    assert (pair.cases, pair.same_text, pair.same_calls, pair.differing) == (2, 1, 2, ["s/1"])
    assert agreement(log, "x", "nobody") is None


@pytest.mark.parametrize(
    ("lora_texts", "applied"),
    [(["a", "b"], False), (["a", "changed"], True)],
)
def test_adapter_that_equals_the_base_everywhere_is_not_applied(lora_texts: list[str], applied: bool) -> None:
    log = log_of(
        gen("base", "1", "a"),
        gen("base", "2", "b"),
        *(gen("lora:good", str(i + 1), text) for i, text in enumerate(lora_texts)),
        *(gen("merged:good", str(i + 1), text) for i, text in enumerate(lora_texts)),
    )
    variants = [
        Variant(name="base", role="base", model="b"),
        Variant(name="lora:good", role="lora", model="b", adapter="a", adapter_name="good"),
        Variant(name="merged:good", role="merged", model="m", adapter_name="good"),
    ]
    report = adapter_parity(log, variants, "good")
    assert report.applied is applied and report.served == "lora:good"
    assert [(p.a, p.b) for p in report.pairs] == [("lora:good", "base"), ("lora:good", "merged:good")]
    assert report.pairs[1].same_text == 2


@pytest.mark.parametrize(("merged_texts", "applied"), [(["a", "b"], False), (["a", "changed"], True)])
def test_an_adapter_served_merged_only_is_applied_when_its_merge_answers_otherwise(
    merged_texts: list[str], applied: bool
) -> None:
    """The Agents course's adapter (LoRA on the embeddings, added tokens) has no unmerged form on vLLM: its merged
    model is what must differ from the base, and it is what the reference's merged form is compared with."""
    log = log_of(
        gen("base", "1", "a"),
        gen("base", "2", "b"),
        *(gen("merged:course", str(i + 1), text) for i, text in enumerate(merged_texts)),
        *(gen("ref-merged:course", str(i + 1), text) for i, text in enumerate(merged_texts)),
    )
    variants = [
        Variant(name="base", role="base", model="b"),
        Variant(name="merged:course", role="merged", model="m", adapter_name="course"),
        Variant(name="ref-merged:course", role="reference", model="m", adapter_name="course"),
    ]
    report = adapter_parity(log, variants, "course")
    assert report.applied is applied and report.served == "merged:course"  # what the FAIL line names
    assert [(p.a, p.b) for p in report.pairs] == [("merged:course", "base"), ("merged:course", "ref-merged:course")]
