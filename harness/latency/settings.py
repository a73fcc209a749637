"""The latency study's settings: the `[latency]` table of a run config. Pure data, read by the measurement and
by the analysis alike."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from harness.types import Frozen


class LatencySettings(Frozen):
    """The latency study (`harness latency`): equal work for every arm, randomised interleaved blocks, an A/A
    control, and intervals that resample blocks."""

    output_tokens: int = Field(default=32, ge=2)
    """Tokens every request generates (EOS ignored), so that arms are compared on equal work."""
    prompts: int = Field(default=4, ge=1)
    """Prompts drawn (seeded) from the run's suites and cycled through; every arm of a block answers the same ones."""
    concurrency: list[int] = Field(default_factory=lambda: [1, 4], min_length=1)
    """Concurrency levels measured; each is a separate study."""
    blocks: int = Field(default=8, ge=2)
    """Randomised blocks per level, at most: in each block every arm runs once, in a fresh random order. With
    `stop_when_decided` a level stops earlier once every timed ratio is decided, so this is the cap, what a
    level whose arms are within the noise runs."""
    min_blocks: int = Field(default=4, ge=2)
    """Blocks a level runs before it may stop: the reported intervals resample blocks, and a bootstrap over a
    handful of them says little about the spread even once the difference is decided. The stopping rule itself
    cannot decide before 8 blocks (all pointing one way) at its error level, so this binds only when set above
    that. At most `blocks` when given; the default above a smaller cap means the level runs to the cap."""
    stop_when_decided: bool = True
    """Stop a level's blocks once every timed ratio (each pair, each metric) is decided against the A/A control
    by an anytime-valid test (`harness.latency.stopping`), rather than always running `blocks`: a clear overhead
    is told in fewer blocks, and the time goes where a ratio is still open. False: always the full `blocks`."""
    requests_per_block: int = Field(default=1, ge=1)
    """Requests per arm per block, per unit of concurrency."""
    warmup: int = Field(default=1, ge=0)
    """Unrecorded requests per arm and unit of concurrency before each level: they warm the engine, while timed
    requests stay cold (each carries a fresh prefix-cache salt)."""
    settle_s: float = Field(default=1.2, ge=0)
    """Seconds to wait before timing a request on another server than the previous request's. vLLM's worker
    keeps polling for work (a `sched_yield` loop) for 1 s after each request it reads, so on a small CPU the
    previous server takes a core from the one being timed: measured on two cores, a merged model's cold TTFT was
    0.15 s or 1.1 s for the same prompt depending on which server answered just before, and the A/A floor of
    cold TTFT was 562%. 0 on a machine with cores to spare."""
    adapters: list[str] | None = None
    """Adapters whose `lora` and `merged` variants the study measures; None: all of them. Adapters of one
    shape cost the same to serve, so one of them often tells the whole story in less time."""
    resamples: int = Field(default=2000, ge=100)
    """Bootstrap resamples."""
    seed: int = 0
    """Seed of the prompt draw, the block orders and the bootstrap."""

    @model_validator(mode="after")
    def _stopping_after_the_minimum(self) -> Self:
        if "min_blocks" in self.model_fields_set and self.min_blocks > self.blocks:
            raise ValueError(f"min_blocks ({self.min_blocks}) must be at most blocks ({self.blocks})")
        return self
