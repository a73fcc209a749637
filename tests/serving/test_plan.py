"""The run plan, without an engine: which server serves which variant, with what typed fields, and which variants answer only the unmerged sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_parts import adapter_files

from harness.run_config import RunConfig
from harness.serving.plan import AdapterFiles, InProcessReference, RunningEndpoints, lora_rank_flag, plan_run

ROOT = Path(__file__).resolve().parents[2]


def test_plan_puts_base_and_every_lora_on_one_server_and_each_merged_on_its_own() -> None:
    config = RunConfig(
        name="x",
        adapters=[{"name": "good", "recipe": "g.toml"}, {"name": "bad", "recipe": "b.toml"}],
        server={"engine_args": {"max_model_len": 2048, "enforce-eager": True, "dtype": "bfloat16"}},
    )
    variants, plans = plan_run(
        config,
        Path("/base"),
        [adapter_files("good", 16), adapter_files("bad", 4)],
        Path("/t.jinja"),
        {"dtype": "float32"},
    )
    assert [v.name for v in variants] == [
        "base-plain",
        "base",
        "lora:good",
        "lora:bad",
        "merged:good",
        "merged:bad",
    ]
    assert [(p.name, p.models) for p in plans] == [
        ("base-plain", {"base-plain": "base"}),
        ("lora-server", {"base": "base", "lora:good": "good", "lora:bad": "bad"}),
        ("merged-good", {"merged:good": "merged:good"}),
        ("merged-bad", {"merged:bad": "merged:bad"}),
    ]
    plain, lora, merged, _ = (p.spec for p in plans)
    assert plain is not None and lora is not None and merged is not None
    assert not plain.loras and plain.max_lora_rank is None
    assert dict(lora.loras) == {"good": Path("/a/good"), "bad": Path("/a/bad")} and lora.max_lora_rank == 16
    assert merged.model == "/m/good"
    assert [p.serving.tokenizer for p in plans] == ["/base", "/base", "/m/good", "/m/bad"]  # token ids are decoded
    # Config engine arguments win over the harness's defaults, whatever their spelling.
    assert dict(lora.engine_args) == {"dtype": "bfloat16", "max-model-len": 2048, "enforce-eager": True}


def test_plan_records_roles_controls_and_dtype_and_serves_only_wanted_merged_models() -> None:
    control = {"name": "bad", "recipe": "b.toml", "expect": "fail", "serve_merged": False}
    config = RunConfig(
        name="x", variants=["base", "lora", "merged"], adapters=[{"name": "good", "recipe": "g.toml"}, control]
    )
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=None, rank=4, sha256="0", expect="fail")
    variants, plans = plan_run(config, Path("/base"), [adapter_files("good", 16), bad], None, {"dtype": "float32"})
    assert [(v.name, v.role, v.adapter_name, v.expect, v.dtype) for v in variants] == [
        ("base", "base", None, "pass", "float32"),
        ("lora:good", "lora", "good", "pass", "float32"),
        ("lora:bad", "lora", "bad", "fail", "float32"),
        ("merged:good", "merged", "good", "pass", "float32"),
    ]
    assert [p.name for p in plans] == ["lora-server", "merged-good"]  # no server for a merged model not wanted


def test_an_adapter_served_merged_only_stays_off_the_lora_server() -> None:
    """`serve_unmerged = false` leaves the adapter out of the LoRA server, and with nothing else for it to serve
    the LoRA server is not started at all; the config's variant names (what gate rules are checked against)
    agree with the plan."""
    control = {"name": "bad", "recipe": "b.toml", "expect": "fail", "serve_unmerged": False}
    config = RunConfig(name="x", variants=["lora", "merged"], adapters=[{"name": "good", "recipe": "g.toml"}, control])
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=Path("/m/bad"), rank=64, sha256="0",
                       expect="fail")  # fmt: skip
    variants, plans = plan_run(config, Path("/base"), [adapter_files("good", 16), bad], None, {})
    assert [v.name for v in variants] == config.variant_names() == ["lora:good", "merged:good", "merged:bad"]
    lora = plans[0].spec
    assert lora is not None and dict(lora.loras) == {"good": Path("/a/good")} and lora.max_lora_rank == 16
    alone = RunConfig(name="x", variants=["lora", "merged"], adapters=[control])
    _, plans = plan_run(alone, Path("/base"), [bad], None, {})
    assert [p.name for p in plans] == ["merged-bad"]
    with pytest.raises(ValueError, match="serve_merged and serve_unmerged are both false"):
        RunConfig(name="x", adapters=[control | {"serve_merged": False}])


@pytest.mark.parametrize(("rank", "flag"), [(1, 1), (4, 8), (8, 8), (12, 16), (64, 64), (65, 128)])
def test_lora_rank_flag(rank: int, flag: int) -> None:
    assert lora_rank_flag(rank) == flag


def test_reference_variants_and_external_endpoints_are_planned() -> None:
    config = RunConfig(
        name="x",
        variants=["reference"],
        adapters=[{"name": "good", "recipe": "g.toml"}],
        external=[{"name": "prod", "urls": ["http://a/v1", "http://b/v1"], "model": "m", "api_key_env": "KEY"}],
    )
    variants, plans = plan_run(config, Path("/base"), [adapter_files("good")], None, {})
    assert [(v.name, v.role) for v in variants] == [
        ("ref-lora:good", "reference"),
        ("ref-merged:good", "reference"),
        ("prod", "external"),
    ]
    assert isinstance(plans[0].serving, InProcessReference) and plans[0].serving.adapter == Path("/a/good")
    assert isinstance(plans[1].serving, InProcessReference) and plans[1].serving.model == Path("/m/good")
    assert isinstance(plans[2].serving, RunningEndpoints) and plans[2].serving.urls == ["http://a/v1", "http://b/v1"]
    assert plans[2].spec is None


def test_further_merges_are_variants_of_their_own_served_on_the_unmerged_sample() -> None:
    """`merges = ["fp32", "bf16"]`: the bf16 merge is `merged-bf16:good` on a server of its own, typed as a
    further merge, never the unmerged form's counterpart, and it asks the unmerged sample as the unmerged form
    does; the config knows its name before anything is built."""
    config = RunConfig(
        name="x",
        variants=["base", "lora", "merged"],
        adapters=[{"name": "good", "recipe": "g.toml", "merges": ["fp32", "bf16"]}],
        suites={"unmerged_sample": 2},
        gate={"judge": ["merged:*"]},
    )
    good = AdapterFiles(name="good", adapter=Path("/a/good"), merged=Path("/m/good"), rank=8, sha256="0",
                        merge="fp32", extra_merges=(("bf16", Path("/m/good-bf16")),))  # fmt: skip
    asked = {"s": ["1", "2"]}
    variants, plans = plan_run(config, Path("/base"), [good], None, {}, asked)
    assert (
        [v.name for v in variants]
        == config.variant_names()
        == [
            "base",
            "lora:good",
            "merged:good",
            "merged-bf16:good",
        ]
    )
    assert [(v.name, v.role, v.merge, v.extra_merge, v.model) for v in variants[2:]] == [
        ("merged:good", "merged", "fp32", False, "/m/good"),
        ("merged-bf16:good", "merged", "bf16", True, "/m/good-bf16"),
    ]
    assert [(p.name, p.models) for p in plans[1:]] == [
        ("merged-good", {"merged:good": "merged:good"}),
        ("merged-bf16-good", {"merged-bf16:good": "merged-bf16:good"}),
    ]
    lora, merged, bf16 = variants[1:]
    assert lora.serving_pair(variants) == merged.serving_pair(variants) == (lora, merged)
    assert bf16.serving_pair(variants) is None
    assert [v.asked for v in variants] == [None, asked, None, asked]
