"""How every request of a run is made: the `[generation]` table of a run config. Pure data the
backends, the runner and the latency study read without importing the run config that composes it."""

from __future__ import annotations

from pydantic import Field

from harness.types import Frozen


class GenerationSettings(Frozen):
    """How every request is made; the same for all variants so that they answer under equal terms."""

    max_tokens: int = Field(default=256, ge=1)
    """Most tokens generated per answer."""
    temperature: float = Field(default=0.0, ge=0)
    """0 is greedy decoding."""
    seed: int = 0
    """Sampling seed sent with every request."""
    stop: list[str] = Field(default_factory=lambda: ["<tool_response>"])
    """Stop sequences; the default stops a model that goes on to invent the tool's answer."""
    concurrency: int = Field(default=64, ge=1)
    """Requests in flight per endpoint; high enough that the engine batches."""
    request_timeout_s: float = Field(default=600, gt=0)
    """Longest wait for one answer before it is recorded as an error."""
    skip_special_tokens: bool = True
    """Whether the server drops special tokens from the text it matches `stop` against (vLLM's parameter). The
    harness sets it false for a prompt format that stops on a special token (the course's `<end_of_turn>`); answers
    are decoded from token ids either way."""
    ignore_eos: bool = False
    """Generate exactly `max_tokens` whatever the model says (vLLM's `ignore_eos`/`min_tokens`), so that latency
    arms do equal work; for latency studies, never for accuracy."""
    max_steps_per_turn: int = Field(default=20, ge=1)
    """Requests one user turn of a multi-turn episode may take (each answer with calls is followed by another
    request carrying their results); a turn still calling at the cap ends the episode as `step_limit`, and its
    later turns are never asked. 20 is BFCL's limit."""
