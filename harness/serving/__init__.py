"""Serving: the plan of which backend answers which variant (a vLLM server the harness manages, endpoints
someone else runs, or the in-process transformers reference), the vLLM server process, the pool that shares
servers between stages, and the backends that send the requests.

Imports nothing, so that reading `harness.serving.settings` (pure data) loads none of the server machinery:
import the server from `harness.serving.vllm_server`."""
