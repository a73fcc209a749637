"""Variants as typed values: the fields a role may set, and the one derivation of a config's variants (names,
roles, which answer only the unmerged sample) before anything is trained."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from harness.run_config import RunConfig, declared_variants
from harness.types import Variant

LORA = {"name": "lora:a", "role": "lora", "model": "m", "adapter": "/a", "adapter_name": "a", "step": 8}
MERGED = {"name": "merged:a", "role": "merged", "model": "/m", "adapter_name": "a", "merge": "fp32", "step": 8}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "base", "role": "base", "adapter": "/a"}, "adapter is only for lora, reference variants"),
        ({"name": "base", "role": "base", "expect": "fail"}, "expect is only for lora, merged, reference variants"),
        ({"name": "e", "role": "external", "adapter_name": "a"}, "adapter_name is only for lora, merged, reference"),
        ({"name": "base-plain", "role": "base-plain", "step": 3}, "step is only for lora, merged, reference"),
        ({"name": "base", "role": "base", "asked": {"s": ["1"]}}, "asked is only for lora, merged variants"),
        (LORA | {"merge": "bf16"}, "merge is only for merged variants"),
        (LORA | {"extra_merge": True}, "extra_merge is only for merged variants"),
        (MERGED | {"adapter": "/a"}, "adapter is only for lora, reference variants"),
        (MERGED | {"checkpoint": True}, "checkpoint is only for lora variants"),
        ({**MERGED, "name": "ref-merged:a", "role": "reference"}, "merge is only for merged variants"),
        (LORA | {"checkpoint": True, "step": None}, "a checkpoint needs its adapter_name and step"),
        (LORA | {"checkpoint": True, "asked": {"s": ["1"]}}, "a checkpoint answers every case"),
        (MERGED | {"extra_merge": True, "adapter_name": None}, "a further merged form needs its adapter_name"),
        (MERGED | {"asked": {"s": ["1"]}}, "an adapter's merged form answers every case"),
    ],
)
def test_a_field_its_role_cannot_have_is_refused_by_name(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        Variant.model_validate({"model": "m"} | fields)
    assert f"variant {fields['name']!r}" in str(error.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "base", "role": "base", "dtype": "float32"},
        {"name": "e", "role": "external"},
        {"name": "lora", "role": "lora", "adapter": "fc-good"},  # the hand-made run: no adapter_name, no step
        LORA | {"asked": {"s": ["1"]}},
        LORA | {"name": "lora:a@4", "step": 4, "checkpoint": True},
        MERGED | {"name": "merged-bf16:a", "merge": "bf16", "extra_merge": True, "asked": {"s": ["1"]}},
        {"name": "ref-lora:a", "role": "reference", "model": "/b", "adapter": "/a", "adapter_name": "a"},
    ],
)
def test_what_runs_record_is_accepted(fields: dict[str, Any]) -> None:
    assert Variant.model_validate({"model": "m"} | fields).name == fields["name"]


def test_the_forms_of_one_adapter_find_each_other_by_typed_fields() -> None:
    lora, merged = Variant.model_validate(LORA), Variant.model_validate(MERGED)
    bf16 = Variant.model_validate(MERGED | {"name": "merged-bf16:a", "merge": "bf16", "extra_merge": True})
    kept = Variant.model_validate(LORA | {"name": "lora:a@4", "step": 4, "checkpoint": True})
    other = Variant.model_validate(MERGED | {"name": "merged:b", "adapter_name": "b"})
    variants = [kept, lora, bf16, merged, other]
    assert lora.serving_pair(variants) == merged.serving_pair(variants) == (lora, merged)
    assert [v.serving_pair(variants) for v in (bf16, kept, other)] == [None, None, None]
    assert lora.merged_forms(variants) == [merged, bf16]  # the merged form first
    assert kept.merged_forms(variants) == merged.merged_forms(variants) == []
    assert (merged.served_merged, lora.served_merged, bf16.served_merged) == (True, False, True)


A = {"name": "a", "recipe": "a.toml"}
B = {"name": "b", "path": "b", "merged": "bm"}
SAMPLE = {"suites": {"unmerged_sample": 3}, "gate": {"variants": ["merged:*"]}}


@pytest.mark.parametrize(
    ("config", "declared"),
    [
        ({"adapters": [A]}, ["base-plain", "base", "lora:a", "merged:a"]),
        ({"variants": ["base"]}, ["base"]),
        ({"adapters": [A, B], "variants": ["lora", "merged"]}, ["lora:a", "lora:b", "merged:a", "merged:b"]),
        ({"adapters": [A | {"serve_merged": False}], "variants": ["lora", "merged"]}, ["lora:a"]),
        ({"adapters": [A | {"serve_unmerged": False}], "variants": ["lora", "merged"]}, ["merged:a"]),
        (
            {"adapters": [A | {"merges": ["bf16", "fp32"]}], "variants": ["lora", "merged"]},
            ["lora:a", "merged:a", "merged-fp32:a"],
        ),
        (
            {"adapters": [A, {"name": "c", "path": "c"}], "variants": ["reference"]},
            ["ref-lora:a", "ref-merged:a", "ref-lora:c", "ref-merged:c"],
        ),  # c, a path adapter, is merged by the harness
        ({"variants": ["base"], "external": [{"name": "api", "urls": ["http://x/v1"], "model": "m"}]}, ["base", "api"]),
        ({"adapters": [A], "variants": ["lora", "merged"]} | SAMPLE, ["lora:a*", "merged:a"]),
        (
            {"adapters": [A | {"merges": ["fp32", "bf16"]}], "variants": ["lora", "merged"]} | SAMPLE,
            ["lora:a*", "merged:a", "merged-bf16:a*"],
        ),
        (
            {"adapters": [A, B | {"serve_merged": False}], "variants": ["lora", "merged"]} | SAMPLE,
            ["lora:a*", "lora:b", "merged:a"],
        ),  # b is served unmerged only: every case
        ({"adapters": [A], "variants": ["lora"]} | SAMPLE, ["lora:a"]),  # nothing served merged: no sample
    ],
)
def test_a_config_declares_its_variants_in_report_order(config: dict[str, Any], declared: list[str]) -> None:
    """Names in report order; `*` marks the variants that answer only the unmerged sample."""
    run = RunConfig.model_validate({"name": "x"} | config)
    assert [v.name + "*" * v.unmerged_sample for v in declared_variants(run)] == declared
    assert run.variant_names() == [name.rstrip("*") for name in declared]


def test_checkpoints_are_declared_once_their_steps_are_known() -> None:
    run = RunConfig(name="x", variants=["lora", "merged"], adapters=[A | {"checkpoints": "all"}], **SAMPLE)
    declared = declared_variants(run, {"a": [2, 4]})
    assert [(v.name, v.checkpoint, v.unmerged_sample) for v in declared] == [
        ("lora:a@2", 2, False),
        ("lora:a@4", 4, False),
        ("lora:a", None, True),
        ("merged:a", None, False),
    ]
