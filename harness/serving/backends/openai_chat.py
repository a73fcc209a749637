"""Streaming chat completions from any OpenAI-compatible endpoint: vLLM servers the harness manages, or external
ones. Streaming is what lets every request record time to first token and the gaps between tokens.

A vLLM server running a tool parser strips `<tool_call>` blocks from the text it streams and sends them as
`tool_calls` deltas instead. To keep the raw text as well, requests to vLLM ask for the generated token ids
(`return_token_ids`, a vLLM extension) and decode them with the model's tokenizer; that also makes vLLM send one
chunk per token, which is what the inter-token timings need.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from harness.fixtures.chat_template import openai_tools
from harness.generation.settings import GenerationSettings
from harness.serving.backends.base import BackendUnavailable
from harness.types import Answer, Message, Timings, Tool

TokenDecoder = Callable[[list[int]], str]
_ERROR_PREVIEW = 300


def tokenizer_decoder(model_dir: str) -> TokenDecoder:
    """Decode generated ids the way vLLM builds its own text (special tokens skipped)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return lambda ids: str(tokenizer.decode(ids, skip_special_tokens=True))


class _ToolCallDeltas:
    """Reassembles streamed `tool_calls` fragments (keyed by index) into whole OpenAI tool call objects."""

    def __init__(self) -> None:
        self.calls: dict[int, dict[str, Any]] = {}

    def add(self, deltas: list[dict[str, Any]]) -> None:
        for delta in deltas:
            call = self.calls.setdefault(
                int(delta.get("index", len(self.calls))), {"type": "function", "function": {"arguments": ""}}
            )
            if delta.get("id"):
                call["id"] = delta["id"]
            function = delta.get("function") or {}
            if function.get("name"):
                call["function"]["name"] = function["name"]
            call["function"]["arguments"] += function.get("arguments") or ""

    def result(self) -> list[dict[str, Any]] | None:
        return [self.calls[index] for index in sorted(self.calls)] or None


class OpenAIChatBackend:
    """One endpoint and model name; safe to use from many concurrent tasks."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        decoder: TokenDecoder | None = None,
        concurrency: int = 32,
        timeout_s: float = 600,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._decoder = decoder
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.AsyncClient(
            headers=headers, limits=limits, timeout=httpx.Timeout(timeout_s, connect=10), transport=transport
        )

    def request_body(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.chat() for m in messages],
            "max_tokens": settings.max_tokens,
            "temperature": settings.temperature,
            "seed": settings.seed,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if settings.stop:
            body["stop"] = settings.stop
        if tools:
            body["tools"] = openai_tools(tools)
            body["tool_choice"] = "auto"
        if self._decoder is not None:
            body["return_token_ids"] = True
        if not settings.skip_special_tokens:
            body["skip_special_tokens"] = False
        if settings.ignore_eos:
            body["ignore_eos"] = True
            body["min_tokens"] = settings.max_tokens
        return body

    async def generate(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> Answer:
        body = self.request_body(messages, tools, settings)
        url = f"{self.base_url}/chat/completions"
        began = time.perf_counter()
        try:
            async with self._client.stream("POST", url, json=body) as response:
                if response.status_code != 200:
                    detail = (await response.aread()).decode(errors="replace")[:_ERROR_PREVIEW]
                    return Answer(error=f"HTTP {response.status_code} from {url}: {detail}")
                return await self._read_stream(response, began)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise BackendUnavailable(f"{url}: {type(error).__name__}: {error}") from None
        except httpx.TimeoutException as error:
            return Answer(error=f"timed out after {time.perf_counter() - began:.0f} s: {type(error).__name__}")

    async def _read_stream(self, response: httpx.Response, began: float) -> Answer:
        content: list[str] = []
        token_ids: list[int] = []
        tool_calls = _ToolCallDeltas()
        arrivals: list[float] = []
        finish_reason: str | None = None
        usage: dict[str, Any] = {}
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            try:
                chunk = json.loads(payload)
            except json.JSONDecodeError:
                return Answer(error=f"unreadable stream chunk: {payload[:_ERROR_PREVIEW]}")
            if "error" in chunk:
                return Answer(error=f"server error mid-stream: {json.dumps(chunk['error'])[:_ERROR_PREVIEW]}")
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                ids = choice.get("token_ids") or []
                if ids or delta.get("content") or delta.get("tool_calls"):
                    arrivals.append(time.perf_counter())
                token_ids += ids
                content.append(delta.get("content") or "")
                tool_calls.add(delta.get("tool_calls") or [])
                finish_reason = choice.get("finish_reason") or finish_reason
        ended = time.perf_counter()
        text = self._decoder(token_ids) if self._decoder is not None and token_ids else "".join(content)
        return Answer(
            text=text,
            server_tool_calls=tool_calls.result(),
            finish_reason=finish_reason,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            timings=Timings(
                ttft_s=arrivals[0] - began if arrivals else None,
                e2e_s=ended - began,
                itl_s=[later - earlier for earlier, later in itertools.pairwise(arrivals)],
            ),
        )

    async def aclose(self) -> None:
        await self._client.aclose()
