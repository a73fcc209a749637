"""`harness train RECIPE`: a LoRA adapter trained with trl's SFTTrainer and peft, merged, and cached.

The cache key hashes the recipe, the training data and the base weights, so an unchanged recipe reuses its
adapter and any change retrains. The entry holds `adapter/` (peft), `merged/` (merge_and_unload), the loss curve
and a manifest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field
from rich.console import Console

from harness.cache import cached_folder, sha256_file, sha256_json
from harness.chat_template import END_OF_TURN, TEMPLATE_ID, render_prompt
from harness.errors import HarnessError
from harness.fixtures import materialise_base
from harness.progress import StageProgress
from harness.provenance import native_bf16, package_versions
from harness.recipes import Recipe, RecipeError
from harness.training_data import TrainingExample, load_examples
from harness.types import Frozen, Message

TRAINER_VERSION = 3
"""Bump when training code changes in a way that changes the adapter, so cached adapters are retrained."""
ADAPTER, MERGED, MANIFEST, LOSS = "adapter", "merged", "training-manifest.json", "loss.json"


class TrainingManifest(Frozen):
    """`training-manifest.json` of a trained adapter: what it was made from, and what training measured."""

    version: int = 1
    """Format version."""
    recipe: Recipe
    """The recipe as loaded."""
    recipe_sha256: str
    """Hash of the recipe content."""
    data_sha256: str
    """Hash of the training examples."""
    base_sha256: str
    """Hash of the base model's weight files."""
    base_path: str
    """Folder of the base model."""
    bf16: bool = False
    """Whether training ran in bfloat16 (the recipe's `bf16`, with `auto` decided by the machine)."""
    chat_template: str = TEMPLATE_ID
    """Template the prompts were rendered with."""
    examples: int
    """Training examples used."""
    too_long: int = 0
    """Examples left out because they do not fit in `sft.max_length`."""
    train_tokens: int
    """Tokens processed by training (prompt and completion, all steps)."""
    seconds: float
    """Wall time of the training loop."""
    final_loss: float | None
    """Training loss at the last logged step."""
    packages: dict[str, str] = Field(default_factory=dict)
    """Versions of torch, transformers, peft and trl."""


@dataclass(frozen=True)
class TrainedAdapter:
    """Where a trained fixture lives."""

    folder: Path
    manifest: TrainingManifest
    trained_now: bool
    """True when this call trained it, False when it came from the cache (a bench records which it was)."""

    @property
    def adapter(self) -> Path:
        return self.folder / ADAPTER

    @property
    def merged(self) -> Path:
        return self.folder / MERGED


def base_weights_sha256(base: Path) -> str:
    """Hash of a model folder's weights and config: what an adapter was trained on top of."""
    files = [*sorted(base.glob("*.safetensors")), base / "config.json"]
    return sha256_json({f.name: sha256_file(f) for f in files if f.is_file()})


class TemplateError(HarnessError):
    """A chat template that renders a conversation's history differently from the prompts it was answered in."""


TokenRow = dict[str, list[int]]
"""`input_ids` and `completion_mask` (1 where the token carries loss), the pre-tokenized rows trl takes."""


def token_row(tokenizer: Any, example: TrainingExample) -> TokenRow:
    """The whole conversation as tokens, with loss on every assistant turn and its end-of-turn token only.

    Each part is tokenized on its own, prompts as rendered for generation: at serving time the server tokenizes
    the prompt and the model produces the answer's tokens, so this is the split the model is trained on.
    """
    conversation = [*example.messages, Message(role="assistant", content=example.answer)]
    row: TokenRow = {"input_ids": [], "completion_mask": []}
    seen = ""
    for index, message in enumerate(conversation):
        if message.role != "assistant":
            continue
        prompt = render_prompt(tokenizer, conversation[:index], example.tools)
        if not prompt.startswith(seen):
            raise TemplateError(
                "the chat template renders an earlier assistant turn differently from the answer it was trained on,"
                f" so it cannot train on every turn: expected the prompt to start with {seen[-80:]!r}"
            )
        completion = message.content + END_OF_TURN
        for text, loss in ((prompt[len(seen) :], 0), (completion, 1)):
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            row["input_ids"] += ids
            row["completion_mask"] += [loss] * len(ids)
        seen = prompt + completion
    return row


def fitting_rows(rows: list[TokenRow], max_length: int) -> tuple[list[TokenRow], int]:
    """The rows of at most `max_length` tokens, and how many were longer. trl would cut a longer row at the end,
    which is where its last answer sits: such a row costs a full step and teaches a truncated answer, so it is
    left out and counted instead."""
    fitting = [row for row in rows if len(row["input_ids"]) <= max_length]
    return fitting, len(rows) - len(fitting)


def sft_config(recipe: Recipe, output_dir: Path) -> Any:
    """The recipe's SFT settings as trl's SFTConfig: loss on completions only, a log entry per step (for the loss
    curve and the progress display, not printed), no checkpoints, no tqdm bar."""
    import torch
    from trl import SFTConfig

    sft = recipe.sft
    return SFTConfig(
        use_cpu=not torch.cuda.is_available(),  # transformers refuses bf16 autocast on a CPU unless told so
        output_dir=str(output_dir),
        max_steps=sft.max_steps or -1,
        num_train_epochs=sft.epochs or 1.0,
        per_device_train_batch_size=sft.batch_size,
        gradient_accumulation_steps=sft.grad_accum,
        learning_rate=sft.learning_rate,
        lr_scheduler_type=sft.lr_scheduler,
        warmup_steps=sft.warmup,
        weight_decay=sft.weight_decay,
        max_length=sft.max_length,
        packing=sft.packing,
        gradient_checkpointing=sft.gradient_checkpointing,
        bf16=trains_in_bf16(recipe),
        seed=sft.seed,
        logging_steps=1,
        disable_tqdm=True,
        include_num_input_tokens_seen="non_padding",
        save_strategy="no",
        report_to=[],
        completion_only_loss=True,
        train_sampling_strategy="group_by_length" if sft.group_by_length else "random",
    )


def lora_config(recipe: Recipe, num_layers: int) -> Any:
    """The recipe's adapter shape as peft's LoraConfig."""
    from peft import LoraConfig

    lora = recipe.lora
    top = None if lora.top_layers is None else list(range(max(0, num_layers - lora.top_layers), num_layers))
    return LoraConfig(
        layers_to_transform=top,
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=lora.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )


def trains_in_bf16(recipe: Recipe) -> bool:
    """The recipe's `bf16`, with `auto` decided by this machine."""
    return native_bf16() if recipe.sft.bf16 == "auto" else recipe.sft.bf16


def load_for_training(recipe: Recipe, base: Path) -> tuple[Any, Any]:
    """(model, tokenizer) of the base, in the training dtype, with the recipe's added tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(
        base, dtype=torch.bfloat16 if trains_in_bf16(recipe) else torch.float32
    )
    if recipe.sft.add_tokens:
        tokenizer.add_tokens(recipe.sft.add_tokens)
        model.resize_token_embeddings(len(tokenizer))
    return model, tokenizer


def _run_training(
    recipe: Recipe, base: Path, rows: list[TokenRow], folder: Path, console: Console
) -> tuple[int, float, list[dict[str, float]]]:
    """Train, save the adapter and the merged model into `folder`; returns (tokens, seconds, loss log)."""
    import tempfile

    import datasets
    import torch
    from transformers import AutoConfig, PrinterCallback, ProgressCallback, TrainerCallback
    from transformers.utils import logging as transformers_logging
    from trl import SFTTrainer

    # Bars and per-step dicts would only fill the log file: the stage's own display says the same.
    datasets.disable_progress_bars()
    transformers_logging.disable_progress_bar()
    stored_dtype = AutoConfig.from_pretrained(base).dtype or torch.float32
    model, tokenizer = load_for_training(recipe, base)
    losses: list[dict[str, float]] = []

    class ShowAndKeepLoss(TrainerCallback):  # type: ignore[misc]
        """The loss per step, kept for `loss.json` and shown as the stage's progress (step of total, loss, ETA)."""

        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            shown.start(state.max_steps)

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **_: Any) -> None:
            if logs and "loss" in logs:
                losses.append({"step": state.global_step, "loss": logs["loss"]})
                shown.advance(state.global_step - shown.done, f"loss {logs['loss']:.3f}")

    with tempfile.TemporaryDirectory() as scratch, StageProgress(console, f"training {recipe.name}", "steps") as shown:
        trainer = SFTTrainer(
            model=model,
            args=sft_config(recipe, Path(scratch)),
            train_dataset=datasets.Dataset.from_list(rows),
            processing_class=tokenizer,
            peft_config=lora_config(recipe, model.config.num_hidden_layers),
            callbacks=[ShowAndKeepLoss()],
        )
        for printer in (PrinterCallback, ProgressCallback):
            trainer.remove_callback(printer)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    trainer.model.save_pretrained(folder / ADAPTER)
    if recipe.sft.add_tokens:
        tokenizer.save_pretrained(folder / ADAPTER)
    merged = trainer.model.merge_and_unload()
    merged.to(stored_dtype).save_pretrained(folder / MERGED)
    tokenizer.save_pretrained(folder / MERGED)
    return tokens, seconds, losses


def train(recipe: Recipe, *, force: bool = False, console: Console | None = None) -> TrainedAdapter:
    """The recipe's adapter and merged model, trained now or taken from the cache. Training shows its progress on
    `console` (none without one)."""
    import json

    base = materialise_base(recipe.base)
    examples = load_examples(recipe.data)
    data_sha = sha256_json([e.model_dump(mode="json") for e in examples])
    base_sha = base_weights_sha256(base)
    recipe_sha = sha256_json(recipe.model_dump(mode="json"))
    key = sha256_json({"recipe": recipe_sha, "data": data_sha, "base": base_sha, "trainer": TRAINER_VERSION})[:16]

    trained_now = False

    def build(folder: Path) -> None:
        from transformers import AutoTokenizer

        nonlocal trained_now
        trained_now = True

        tokenizer = AutoTokenizer.from_pretrained(base)
        rows, too_long = fitting_rows([token_row(tokenizer, e) for e in examples], recipe.sft.max_length)
        if not rows:
            raise RecipeError(f"{recipe.name}: no training example fits in sft.max_length = {recipe.sft.max_length}")
        tokens, seconds, log = _run_training(recipe, base, rows, folder, console or Console(quiet=True))
        manifest = TrainingManifest(
            recipe=recipe,
            bf16=trains_in_bf16(recipe),
            recipe_sha256=recipe_sha,
            data_sha256=data_sha,
            base_sha256=base_sha,
            base_path=str(base),
            examples=len(rows),
            too_long=too_long,
            train_tokens=tokens,
            seconds=round(seconds, 2),
            final_loss=log[-1]["loss"] if log else None,
            packages=package_versions(("torch", "transformers", "peft", "trl")),
        )
        (folder / LOSS).write_text(json.dumps(log) + "\n")
        (folder / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n")

    folder = cached_folder("adapters", f"{recipe.name}-{key}", build, force=force)
    manifest = TrainingManifest.model_validate_json((folder / MANIFEST).read_text())
    return TrainedAdapter(folder, manifest, trained_now)
