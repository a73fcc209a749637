"""`make fixture-accuracy`: full-match accuracy of the base model and of trained fixture adapters on the
built-in suites, generated in-process with transformers (greedy), written as a real run folder and scored by
`harness score`. A stand-in for the vLLM run until serving exists; the numbers go into fixture notes.

usage: python benchmarks/fixture_accuracy.py RUN_DIR RECIPE.toml [RECIPE.toml ...]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.chat_template import render_prompt
from harness.fixtures import materialise_base
from harness.recipes import load_recipe
from harness.runlog import RunFolder
from harness.score_run import score_run
from harness.scoring import paired_test
from harness.stats import wilson
from harness.suite_files import load_sources
from harness.training import train
from harness.types import Case, Generation, ParseMode, RunManifest, Suite, Timings, Variant

BATCH = 16
MAX_NEW_TOKENS = 160


def generate_all(model_dir: Path, items: list[tuple[Suite, Case]], variant: str, folder: RunFolder) -> None:
    tokenizer = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    tools_of = {suite.name: {t.key: t for t in suite.tools} for suite, _ in items}
    prompts = [
        (suite, case, render_prompt(tokenizer, case.messages, [tools_of[suite.name][k] for k in case.tools]))
        for suite, case in items
    ]
    prompts.sort(key=lambda item: len(item[2]))
    for start in range(0, len(prompts), BATCH):
        batch = prompts[start : start + BATCH]
        encoded = tokenizer([p for _, _, p in batch], return_tensors="pt", padding=True, add_special_tokens=False)
        began = time.perf_counter()
        with torch.inference_mode():
            output = model.generate(
                **encoded,
                max_new_tokens=MAX_NEW_TOKENS,
                do_sample=False,
                eos_token_id=tokenizer.eos_token_id,
                pad_token_id=tokenizer.pad_token_id,
            )
        seconds = time.perf_counter() - began
        for (suite, case, _), row in zip(batch, output[:, encoded["input_ids"].shape[1] :], strict=True):
            text = tokenizer.decode(row, skip_special_tokens=True)
            tokens = int((row != tokenizer.pad_token_id).sum())
            folder.append_generation(
                Generation(
                    suite=suite.name,
                    case_id=case.id,
                    variant=variant,
                    text=text,
                    completion_tokens=tokens,
                    timings=Timings(e2e_s=seconds),
                )
            )
        print(f"  {variant}: {min(start + BATCH, len(prompts))}/{len(prompts)}", flush=True)


def main(run_dir: str, *recipes: str) -> int:
    loaded = [item for item in load_sources(["suites"]) if item.suite]
    folder = RunFolder(Path(run_dir))
    folder.path.mkdir(parents=True, exist_ok=False)
    refs = [folder.write_suite(item.suite, item.source) for item in loaded if item.suite]
    items = [(item.suite, case) for item in loaded if item.suite for case in item.suite.cases]
    base = materialise_base()
    models = {"base": base}
    variants = [Variant(name="base", role="base", model=str(base))]
    for path in recipes:
        trained = train(load_recipe(Path(path)))
        models[trained.manifest.recipe.name] = trained.merged
        variants.append(Variant(name=trained.manifest.recipe.name, role="merged", model=str(trained.merged)))
    folder.write_manifest(
        RunManifest(run_id=folder.path.name, created_at=datetime.now(UTC).isoformat(), suites=refs, variants=variants)
    )
    for name, model_dir in models.items():
        generate_all(model_dir, items, name, folder)
    summary = score_run(folder.path)
    for group in summary.groups:
        if group.kind is None:
            lenient, strict = group.lenient.full_match, group.strict.full_match
            print(f"{group.variant:>16} {group.suite:>15}  lenient {lenient.value:4.0%}  strict {strict.value:4.0%}")
    scores = folder.read_scores()
    for variant in models:
        mine = [s for s in scores if s.variant == variant]
        for mode in ("lenient", "strict"):
            overall = wilson(sum(getattr(s, mode).full_match for s in mine), len(mine))
            print(
                f"{variant:>16} all suites {mode:>8} full match {overall.value:.1%} [{overall.low:.1%}, {overall.high:.1%}]"
            )
    base_scores = [s for s in scores if s.variant == "base"]
    for variant in list(models)[1:]:
        test = paired_test([s for s in scores if s.variant == variant], base_scores, ParseMode.LENIENT)
        print(
            f"{variant} vs base: {test.only_a} cases only {variant} got right, {test.only_b} only base; p = {test.p_value:.2g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
