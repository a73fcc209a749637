"""Adapter training recipes: TOML files in `adapters/`, data rather than code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from harness.errors import HarnessError
from harness.toml_files import load_toml_model
from harness.types import Frozen

RECIPE_VERSION = 1


class RecipeError(HarnessError):
    """A recipe that cannot be read; the message names the file and the field."""


class DataSpec(Frozen):
    """Where the training examples come from."""

    source: str = "generated"
    """`generated` (the harness's own generator), `hub:NAME` (a dataset in the Agents-course format, downloaded
    through `datasets`) or a path to a local JSON Lines file in that format."""
    examples: int = Field(default=1000, ge=1)
    """How many examples (conversations) to generate, or the most rows to take from a dataset."""
    seed: int = 0
    """Seed of the generator and of the row sample."""
    mix: dict[Literal["single", "multiple", "parallel", "no_call"], float] | None = None
    """Weights of example kinds for the generator; None keeps the generator's default."""
    corruption: Literal["none", "wrong_types", "swapped_functions"] = "none"
    """Deliberately corrupted targets, for known-bad fixture adapters."""
    rename_rate: float = Field(default=0.0, ge=0, le=1)
    """Chance that each offered tool of a generated example gets a fresh name (and sometimes camelCase
    parameters), so the adapter learns to copy names from the prompt rather than recall the pool's."""
    turns: int = Field(default=1, ge=1)
    """Requests per generated conversation: the first drawn by `mix`, the rest on the same tools. Every answer
    carries loss, so follow-ups add supervision for a fraction of the tools prompt's tokens."""
    split: str = "train"
    """Dataset split for hub sources."""
    holdout: int = Field(default=0, ge=0)
    """Rows of a dataset source left out of training, for a held-out in-distribution suite: the same rows
    `harness suites from-dataset SOURCE --holdout N --seed S` turns into cases (one function draws them for both).
    Generated data needs none: its held-out tools never reach training."""
    holdout_seed: int = 0
    """Seed of the held-out row draw: the suite command's `--seed`."""

    @model_validator(mode="after")
    def _holdout_needs_rows(self) -> DataSpec:
        if self.holdout and self.source == "generated":
            raise ValueError("holdout leaves rows of a dataset out; generated data holds out its own tools")
        return self


class LoraSpec(Frozen):
    """The LoRA adapter's shape (peft `LoraConfig`)."""

    r: int = Field(ge=1)
    """Rank."""
    alpha: float = Field(gt=0)
    """Scaling numerator (`lora_alpha`)."""
    dropout: float = Field(default=0.0, ge=0, lt=1)
    """Dropout on the LoRA path."""
    target_modules: list[str] = Field(min_length=1)
    """Module names to adapt (q_proj, k_proj, ...); embed_tokens or lm_head make an adapter vLLM serves merged only."""
    top_layers: int | None = Field(default=None, ge=1)
    """Adapt only the top N transformer layers (None: all). Backpropagation then stops below them, which is the
    largest training-speed lever on a CPU; the served adapter simply has no weights for the lower layers."""


class SftSpec(Frozen):
    """Supervised fine-tuning settings (trl `SFTConfig`)."""

    learning_rate: float = Field(gt=0)
    """Peak learning rate."""
    max_steps: int | None = Field(default=None, ge=1)
    """Optimizer steps; exclusive with `epochs`."""
    epochs: float | None = Field(default=None, gt=0)
    """Passes over the data; exclusive with `max_steps`."""
    batch_size: int = Field(default=4, ge=1)
    """Examples per device step."""
    grad_accum: int = Field(default=1, ge=1)
    """Device steps per optimizer step."""
    max_length: int = Field(default=1024, ge=16)
    """Longest tokenized example (prompt and completion); longer ones are left out and counted in the manifest."""
    seed: int = 0
    """Seed of initialisation and shuffling."""
    lr_scheduler: str = "cosine"
    """Learning-rate schedule name (transformers `lr_scheduler_type`)."""
    warmup: float = Field(default=0.0, ge=0)
    """Warm-up: a fraction of the steps when below 1, else a step count."""
    weight_decay: float = 0.0
    """AdamW weight decay."""
    packing: bool = False
    """Pack several examples per sequence (fewer pad tokens; needs flash attention to keep examples apart)."""
    group_by_length: bool = True
    """Batch examples of similar length together, so that batches carry little padding."""
    gradient_checkpointing: bool = False
    """Trade compute for memory (large models)."""
    bf16: bool | Literal["auto"] = False
    """Train in bfloat16 (GPUs, or CPUs with native bf16). `auto`: bf16 where the hardware has it and float32
    elsewhere, where emulated bf16 is slower than float32; the adapter then depends on the machine kind, and its
    training manifest says which it was."""
    add_tokens: list[str] = Field(default_factory=list)
    """Tokens to add to the vocabulary (the Agents course adds its tags); resizes the embeddings."""

    @model_validator(mode="after")
    def _one_length(self) -> SftSpec:
        if (self.max_steps is None) == (self.epochs is None):
            raise ValueError("set exactly one of max_steps and epochs")
        return self


class Recipe(Frozen):
    """One adapter recipe file."""

    version: Literal[1] = RECIPE_VERSION
    """Format version of the recipe."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    """Adapter name, used in cache keys and as the served LoRA name."""
    description: str = ""
    """What the adapter is for (a good adapter, a known-bad fixture...)."""
    base: str
    """Base model: `smollm2-135m-instruct`, `tiny`, a model folder or a hub name."""
    data: DataSpec = Field(default_factory=DataSpec)
    """Training data."""
    lora: LoraSpec
    """Adapter shape."""
    sft: SftSpec
    """Training settings."""


def load_recipe(path: Path) -> Recipe:
    """Read and validate a recipe; errors name the file and the field."""
    return load_toml_model(path, Recipe, RecipeError)
