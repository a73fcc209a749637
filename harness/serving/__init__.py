"""Managed inference servers."""

from harness.serving.vllm_server import ServerError, ServerSpec, VllmServer

__all__ = ["ServerError", "ServerSpec", "VllmServer"]
