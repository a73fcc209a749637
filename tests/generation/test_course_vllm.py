"""The Agents course's adapter shape end to end on the tiny model, through real vLLM: a recipe in the course's
prompt format with its added tokens and LoRA on embed_tokens and lm_head trains (trl refuses a head adapter on its
own), merges untied, and vLLM serves the merge, whose vocabulary grew, with the answers transformers gives, in the
course's template; `harness parity` says the adapter was applied.

The base is the tiny model with larger weights. The plain tiny model repeats the prompt's last token (a newline), and
two steps of training can leave that token on top on every case: on one CI machine they did, and parity failed an
adapter it had served. On the larger weights the base's answers depend on the prompt, and in each of 8 training
seeds the adapter changed its answers to two prompts from their first token on (transformers, AMD EPYC, avx2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vllm_runs import ROOT, lively_tiny_model

from harness.cli import main
from harness.runs.folder import RunFolder

COURSE_TOKENS = '["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>"]'


@pytest.mark.slow
def test_a_course_shaped_adapter_is_trained_merged_served_and_agrees_with_transformers(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = lively_tiny_model(tiny_model, tmp_path / "base")
    (tmp_path / "course-tiny.toml").write_text(
        f"""name = "course-tiny"
base = "{base}"
prompt = "course"
[data]
source = "generated"
rows = "course"
examples = 4
seed = 5
[lora]
r = 8
alpha = 32
dropout = 0.05
target_modules = ["q_proj", "v_proj", "embed_tokens", "lm_head"]
[sft]
learning_rate = 5e-2
max_steps = 2
batch_size = 2
max_length = 2048
seed = 5
add_tokens = {COURSE_TOKENS}
"""
    )
    config = tmp_path / "course.toml"
    config.write_text(
        f"""name = "course-tiny"
base = "{base}"
prompt = "course"
variants = ["base", "merged"]
[[adapters]]
name = "course-tiny"
recipe = "course-tiny.toml"
serve_unmerged = false
[suites]
sources = ["{ROOT / "suites" / "simple.json"}", "{ROOT / "suites" / "irrelevance.json"}"]
sample = 2
[generation]
max_tokens = 12
concurrency = 4
[server]
engine_args = {{ dtype = "float32" }}   # as the references compute, on every machine kind
"""
    )
    run_dir = tmp_path / "parity"
    assert main(["parity", str(config), "--per-suite", "2", "--out", str(run_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "vLLM applied course-tiny" in out
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    assert manifest.hashes["chat_template"] == "agents-course-gemma-v1"
    assert {v.name for v in manifest.variants} == {
        "base-plain",
        "base",
        "merged:course-tiny",  # no lora:course-tiny: vLLM cannot serve it unmerged
        "ref-lora:course-tiny",
        "ref-merged:course-tiny",
    }
    merged = next(v for v in manifest.variants if v.name == "merged:course-tiny")
    assert json.loads((Path(merged.model) / "config.json").read_text())["tie_word_embeddings"] is False
    answers = {(g.variant, g.case_id): g.text for g in (g for _, g in folder.read_generations().values())}
    served = {case: text for (variant, case), text in answers.items() if variant == "merged:course-tiny"}
    merged_ref = {case: text for (variant, case), text in answers.items() if variant == "ref-merged:course-tiny"}
    unmerged_ref = {case: text for (variant, case), text in answers.items() if variant == "ref-lora:course-tiny"}
    assert served == merged_ref and len(served) == 4  # vLLM and transformers, greedy, on the same merged weights
    assert unmerged_ref == merged_ref  # peft's unmerged adapter on the resized base answers as its untied merge
