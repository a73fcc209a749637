"""`make perf-train`: training tokens per second of the harness's fixture training against a plain trl
SFTTrainer run on the same examples, measured in the same run.

Both runs share the recipe's steps, batch size, gradient accumulation, learning rate, LoRA rank, alpha and target
modules, maximum length and seed. They differ in what the harness does on purpose, which is what the ratio
measures. The plain run is what the Agents-course notebook does: a conversational dataset (messages and tools)
rendered by the tokenizer's chat template, loss on every token, LoRA on every layer, random batches. The harness's
run is `harness train`'s: pre-tokenized rows with loss on the answers only, only the answer positions projected
through the LM head, LoRA on the recipe's top layers only (`top_layers`, 16 of SmolLM2-135M's 30 for fc-good, so
backpropagation stops early) and length-grouped batches (little padding). Tokens are non-padding input tokens.

usage: python benchmarks/perf_train.py [RECIPE.toml] [STEPS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.fixtures.base_model import materialise_base, prompt_format
from harness.fixtures.chat_template import openai_tools
from harness.fixtures.recipes import Recipe, load_recipe
from harness.fixtures.trainer import build_trainer
from harness.fixtures.training import token_row
from harness.fixtures.training_process import load_for_training
from harness.training_data import load_examples


def timed_train(trainer: Any) -> float:
    """Non-padding tokens per second of one training run."""
    start = time.perf_counter()
    trainer.train()
    return float(trainer.state.num_input_tokens_seen) / (time.perf_counter() - start)


def harness_rate(recipe: Recipe, base: Path, examples: list[Any], scratch: Path) -> float:
    model, tokenizer = load_for_training(recipe, base)
    rows = [token_row(tokenizer, e, prompt_format(base, recipe.prompt)) for e in examples]
    return timed_train(build_trainer(recipe, model, tokenizer, rows, scratch, []))


def plain_rate(recipe: Recipe, base: Path, examples: list[Any], scratch: Path) -> float:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    model, tokenizer = load_for_training(recipe, base)
    rows = [
        {
            "messages": [*(m.model_dump() for m in e.messages), {"role": "assistant", "content": e.answer}],
            "tools": openai_tools(e.tools),
        }
        for e in examples
    ]
    sft, lora = recipe.sft, recipe.lora
    config = SFTConfig(
        output_dir=str(scratch),
        max_steps=sft.max_steps or -1,
        per_device_train_batch_size=sft.batch_size,
        gradient_accumulation_steps=sft.grad_accum,
        learning_rate=sft.learning_rate,
        max_length=sft.max_length,
        seed=sft.seed,
        bf16=sft.bf16,
        save_strategy="no",
        report_to=[],
        include_num_input_tokens_seen="non_padding",
    )
    peft = LoraConfig(r=lora.r, lora_alpha=lora.alpha, target_modules=lora.target_modules, task_type="CAUSAL_LM")
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=Dataset.from_list(rows), processing_class=tokenizer, peft_config=peft
    )
    return timed_train(trainer)


def main(recipe_path: str = "adapters/fc-good.toml", steps: str = "5") -> int:
    recipe = load_recipe(Path(recipe_path))
    recipe = recipe.model_copy(update={"sft": recipe.sft.model_copy(update={"max_steps": int(steps), "epochs": None})})
    base = materialise_base(recipe.base)
    examples = load_examples(recipe.data)[: int(steps) * recipe.sft.batch_size * recipe.sft.grad_accum]
    with tempfile.TemporaryDirectory() as scratch:
        plain = plain_rate(recipe, base, examples, Path(scratch))
        ours = harness_rate(recipe, base, examples, Path(scratch))
    print(f"recipe {recipe.name}: {len(examples)} examples, {steps} steps, batch {recipe.sft.batch_size}")
    print(f"plain trl SFTTrainer: {plain:.0f} tokens/s")
    print(f"harness train:        {ours:.0f} tokens/s")
    print(f"ratio: {ours / plain:.2f}x the plain run's training tokens per second, measured in this run")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
