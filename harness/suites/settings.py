"""Which cases a run uses: the `[suites]` table of a run config. Pure data, read by suite selection."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from harness.types import Frozen


class SuiteSelection(Frozen):
    """Which cases the run uses."""

    sources: list[str] = Field(default_factory=lambda: ["suites"], min_length=1)
    """Suite files, folders or `bfcl:CATEGORY` (relative paths are relative to the config file)."""
    sample: int | None = Field(default=None, ge=1)
    """Take at most this many cases per suite, a seeded sample in suite order; None takes all."""
    samples: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → cases to sample from it, overriding `sample`; the most specific pattern
    applies. A held-out suite that carries an accuracy floor needs more cases than a quick look at the others."""
    sample_seed: int = 0
    """Seed of the sample."""
    order_seed: int = 0
    """Seed of the order the cases are asked in: one random order over every case of every suite, the same for
    every variant (recorded in the manifest), so that a variant stopped early has answered a fair sample."""
    batch: int = Field(default=48, ge=1)
    """Positions of that order asked between two looks of the gate, when `harness bench` stops asking a variant
    once its rules are decided (`[bench] stop_when_decided`). Smaller looks more often and can stop sooner, but
    each batch waits for its slowest answer and a server answers only its batch at once: measured on two cores
    (avx2), batches of 16 kept 5 to 16 requests running per server and halved the answers per minute of asking
    every case at once; 48 keeps a CPU server busy and still stops a clear control after its first batch."""
    unmerged_sample: int | None = Field(default=None, ge=1)
    """Cases per suite (after `sample`/`samples`) that an adapter served merged too answers unmerged: a seeded
    unmerged sample, drawn apart from `sample`, on which the gate's `merged_gap` pairs the two forms. vLLM's CPU LoRA
    path costs several times a merged model per prompt token, so judging adapters merged on every case
    (`[gate] judge = ["merged:*"]`) and unmerged on a sample keeps a bench within its time. Adapters served
    unmerged only, and the base, answer every case. None: unmerged answers every case."""
