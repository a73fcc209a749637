"""Serving: the plan of which backend answers which variant (a vLLM server the harness manages, endpoints
someone else runs, or the in-process transformers reference), the vLLM server process, the pool that shares
servers between stages, and the backends that send the requests."""

from harness.serving.vllm_server import ServerError, ServerSpec, VllmServer

__all__ = ["ServerError", "ServerSpec", "VllmServer"]
