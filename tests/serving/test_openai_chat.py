"""The OpenAI-compatible backend fed streams recorded from vLLM 0.32: calls reassembled, token ids decoded, failures recorded, an unreachable endpoint raised for the runner to restart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from run_parts import sse

from harness.generation.settings import GenerationSettings
from harness.serving.backends.base import BackendUnavailable
from harness.serving.backends.openai_chat import OpenAIChatBackend
from harness.types import Message

ROOT = Path(__file__).resolve().parents[2]


# Chunks as vLLM 0.32 streams them with `return_token_ids` and the hermes tool parser (ids abridged).
TOOL_CALL_STREAM = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}], "prompt_token_ids": [1, 2]},
    {"choices": [{"index": 0, "delta": {}, "token_ids": [44]}]},
    {"choices": [{"index": 0, "delta": {}, "token_ids": [19324]}]},
    {
        "choices": [
            {
                "index": 0,
                "delta": {
                    "content": None,
                    "tool_calls": [{"id": "c1", "type": "function", "index": 0, "function": {"name": "get_weather"}}],
                },
                "token_ids": [79],
            }
        ]
    },
    {
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]},
                "token_ids": [5],
            }
        ]
    },
    {
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]},
                "token_ids": [6],
                "finish_reason": "tool_calls",
            }
        ]
    },
    {"choices": [], "usage": {"prompt_tokens": 134, "completion_tokens": 5, "total_tokens": 139}},
]


def answer_from(handler: httpx.MockTransport, *, decoder: object = None) -> object:
    async def go() -> object:
        backend = OpenAIChatBackend("http://server/v1", "m", decoder=decoder, transport=handler)  # type: ignore[arg-type]
        try:
            return await backend.generate([Message(role="user", content="hi")], [], GenerationSettings())
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_stream_reader_reassembles_tool_calls_and_decodes_token_ids() -> None:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, content=sse(TOOL_CALL_STREAM))

    answer = answer_from(httpx.MockTransport(handle), decoder=lambda ids: "|".join(map(str, ids)))
    assert answer.text == "44|19324|79|5|6"  # type: ignore[attr-defined]
    assert answer.server_tool_calls == [  # type: ignore[attr-defined]
        {"type": "function", "id": "c1", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    ]
    assert answer.finish_reason == "tool_calls" and answer.completion_tokens == 5  # type: ignore[attr-defined]
    assert len(answer.timings.itl_s) == 4  # type: ignore[attr-defined]
    body = seen[0]
    assert body["return_token_ids"] is True and body["stream"] is True and body["temperature"] == 0.0
    assert "tools" not in body  # no tools offered: no tool_choice either


def test_stream_reader_without_token_ids_keeps_streamed_content() -> None:
    chunks = [{"choices": [{"index": 0, "delta": {"content": part}}]} for part in ("No ", "tool ", "fits.")]
    answer = answer_from(httpx.MockTransport(lambda request: httpx.Response(200, content=sse(chunks))))
    assert answer.text == "No tool fits." and answer.server_tool_calls is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            httpx.Response(400, json={"error": {"message": "prompt too long"}}),
            "HTTP 400 from http://server/v1/chat/completions",
        ),
        (
            httpx.Response(200, content=b'data: {"error": {"message": "EngineCore died"}}\n\n'),
            "server error mid-stream",
        ),
        (httpx.Response(200, content=b"data: {not json\n\n"), "unreadable stream chunk"),
    ],
)
def test_request_failures_become_recorded_errors(response: httpx.Response, expected: str) -> None:
    answer = answer_from(httpx.MockTransport(lambda request: response))
    assert expected in answer.error  # type: ignore[attr-defined]


def test_unreachable_endpoint_raises_so_the_runner_can_restart_it() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(BackendUnavailable, match="connection refused"):
        answer_from(httpx.MockTransport(refuse))
