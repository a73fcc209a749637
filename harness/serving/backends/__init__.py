"""Backends: what answers a chat request with tools. `openai_chat` (any OpenAI-compatible endpoint, vLLM above
all) and `reference` (in-process transformers + peft, imported only when a run uses it)."""

from harness.serving.backends.base import Backend, BackendUnavailable

__all__ = ["Backend", "BackendUnavailable"]
