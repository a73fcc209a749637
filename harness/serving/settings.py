"""How variants are served: the `[server]` table (managed vLLM servers) and the `[[external]]` endpoints of a
run config. Pure data: reading it loads none of the server machinery."""

from __future__ import annotations

from pydantic import Field

from harness.types import Frozen

EngineValue = str | int | float | bool


class ServerSettings(Frozen):
    """How the harness starts `vllm serve` for each group of variants."""

    host: str = "127.0.0.1"
    """Interface the server binds to."""
    port: int = Field(default=0, ge=0, le=65535)
    """Port; 0 picks a free one for each server."""
    startup_timeout_s: float = Field(default=600, gt=0)
    """Longest wait for a server to become ready."""
    max_restarts: int = Field(default=2, ge=0)
    """Times a server that dies mid-run is restarted before the remaining requests are recorded as errors."""
    engine_args: dict[str, EngineValue] = Field(default_factory=dict)
    """Passed through as `--NAME VALUE` (`true` as a bare flag): tensor-parallel-size, max-model-len, dtype..."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment for the server (VLLM_CPU_KVCACHE_SPACE, CUDA_VISIBLE_DEVICES...)."""


class ExternalEndpoint(Frozen):
    """An already running OpenAI-compatible endpoint measured as one more variant."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.:\-]*$")
    """Variant name in the run log."""
    urls: list[str] = Field(min_length=1)
    """Base URLs (ending in /v1); several shard the cases between them."""
    model: str
    """Model name sent in requests."""
    api_key_env: str | None = None
    """Environment variable holding the API key; the key itself is never written anywhere."""
    tokenizer: str | None = None
    """For a vLLM endpoint: a model folder or hub name whose tokenizer decodes the generated token ids the harness
    then asks for, so the raw text survives the server's tool parser. None keeps the streamed text only."""
