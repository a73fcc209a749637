"""The latency study's measurement: every timed request is cold (it cannot reuse a cached prefix), and the arms of
a block answer the same prompts with the same tokens. Checked on the requests the study really sends (through a
mock transport), then on a real vLLM server that would serve a repeated prompt from its prefix cache."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from harness.generation.settings import GenerationSettings
from harness.latency.analyse import analyse
from harness.latency.measure import ColdPrefixBackend, measure_arms, prefix_cache_hit_tokens
from harness.latency.settings import LatencySettings
from harness.runs.folder import read_samples
from harness.types import LatencySummary, LevelBlocks, Message, Tool

PROMPTS = [
    ([Message(role="user", content=f"question {i}")], [Tool(name=f"tool_{i}", description="d", parameters={})])
    for i in range(3)
]
ARMS = [("lora:a", "lora:a"), ("merged:a", "merged:a"), ("merged:a (A/A)", "merged:a")]
PAIRS = [("lora:a", "merged:a", False), ("merged:a (A/A)", "merged:a", True)]


def streamed_chunks(tokens: int) -> list[bytes]:
    chunks = [{"choices": [{"index": 0, "delta": {"content": "x"}}]}] * tokens
    chunks.append({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": tokens}})
    return [f"data: {json.dumps(chunk)}\n\n".encode() for chunk in chunks] + [b"data: [DONE]\n\n"]


def record_study(
    tmp_path: Path,
    settings: LatencySettings,
    seconds_per_token: dict[str, float] | None = None,
    console: Console | None = None,
) -> list[dict[str, Any]]:
    """Run the study's measurement against mock servers, which stream each token after a pause of their
    variant's `seconds_per_token` (none by default); the request bodies they received, in order."""
    bodies: list[dict[str, Any]] = []
    pauses = seconds_per_token or {}

    async def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)

        async def stream() -> AsyncIterator[bytes]:
            for chunk in streamed_chunks(body["max_tokens"]):
                await asyncio.sleep(pauses.get(body["model"], 0.0))
                yield chunk

        return httpx.Response(200, content=stream())

    async def measure() -> None:
        backends = {
            variant: ColdPrefixBackend("http://mock/v1", variant, transport=httpx.MockTransport(answer))
            for _, variant in ARMS
        }
        await measure_arms(
            backends, ARMS, PAIRS, PROMPTS, settings, tmp_path / "latency.jsonl", console or Console(quiet=True)
        )
        for backend in backends.values():
            await backend.aclose()

    asyncio.run(measure())
    return bodies


def prompt_of(body: dict[str, Any]) -> str:
    """What a request asks, whoever serves it: the rendered prompt (its tokens) depends on nothing else."""
    return json.dumps({key: value for key, value in body.items() if key not in ("model", "cache_salt")})


def test_every_request_is_cold_and_the_arms_of_a_block_send_the_same_prompts(tmp_path: Path) -> None:
    settings = LatencySettings(concurrency=[1, 2], blocks=3, requests_per_block=2, warmup=1)
    bodies = record_study(tmp_path, settings)
    salts = [body.get("cache_salt") for body in bodies]
    assert all(salts) and len(set(salts)) == len(salts), "a request without a fresh salt can hit the prefix cache"

    # The schedule per level: warm-up requests for every arm, then per block one batch per arm, one after another.
    blocks: list[list[Counter[str]]] = []
    for level in settings.concurrency:
        bodies = bodies[len(ARMS) * settings.warmup * level :]
        batch = settings.requests_per_block * level
        for _ in range(settings.blocks):
            blocks.append([Counter(map(prompt_of, bodies[i * batch : (i + 1) * batch])) for i in range(len(ARMS))])
            bodies = bodies[len(ARMS) * batch :]
    assert not bodies
    for arms in blocks:  # equal prompts (messages and tools through one template): equal tokens in every arm
        assert all(sent == arms[0] for sent in arms), arms
    assert len({key for arms in blocks for key in arms[0]}) == len(PROMPTS)  # the study cycles through them all
    samples = read_samples(tmp_path / "latency.jsonl")
    assert len(samples) == len(ARMS) * settings.blocks * settings.requests_per_block * sum(settings.concurrency)


@pytest.mark.parametrize(("stop_when_decided", "early"), [(True, True), (False, False)])
def test_a_level_stops_once_its_ratios_are_decided(tmp_path: Path, stop_when_decided: bool, early: bool) -> None:
    """The unmerged adapter streams fifteen times slower than its merged model: decided after 8 blocks that all
    show it (one block the noise turns costs four more), well before a cap of 16, unless stopping is off."""
    settings = LatencySettings(
        concurrency=[1], blocks=16, output_tokens=2, warmup=0, settle_s=0, stop_when_decided=stop_when_decided
    )
    console = Console(record=True, width=200)
    record_study(tmp_path, settings, {"lora:a": 0.03, "merged:a": 0.002}, console)
    samples = read_samples(tmp_path / "latency.jsonl")
    ran = len({sample.block for sample in samples})
    assert len(samples) == len(ARMS) * ran and (8 <= ran < settings.blocks) is early
    assert (ran == settings.blocks) is not early
    summary = analyse(samples, PAIRS, settings.model_copy(update={"resamples": 100}), {})
    assert summary.blocks["1"].measured == ran and summary.blocks["1"].stopped_early is early
    said = f"latency: concurrency 1: every timed ratio decided after {ran} of 16 blocks"
    assert (said in console.export_text()) is early


def test_two_cold_requests_for_one_prompt_differ_only_by_their_salt() -> None:
    backend = ColdPrefixBackend("http://mock/v1", "m")
    messages, tools = PROMPTS[0]
    first, second = (backend.request_body(messages, tools, GenerationSettings(max_tokens=4)) for _ in range(2))
    assert first["cache_salt"] != second["cache_salt"]
    assert prompt_of(first) == prompt_of(second) and first["model"] == second["model"]


@pytest.mark.parametrize("prefix_cache", ["cold", "warm"])
def test_reports_name_ttft_by_how_it_was_measured(prefix_cache: str) -> None:
    summary = LatencySummary.model_validate(
        {"arms": [], "comparisons": [], "noise_floor": {}, "prefix_cache": prefix_cache}
    )
    assert (summary.label("ttft_s"), summary.label("tpot_s")) == (f"{prefix_cache} TTFT", "TPOT")
    assert summary.prefix_cache_note.startswith(f"{prefix_cache} TTFT: ")


@pytest.mark.parametrize("prefix_cache", ["cold", "warm"])
def test_the_console_report_says_how_ttft_was_measured(prefix_cache: str) -> None:
    from harness.reports.console import print_latency

    recorded = LatencySummary.model_validate_json(
        (Path(__file__).resolve().parents[1] / "data" / "runs" / "bench-cold" / "latency-summary.json").read_bytes()
    )
    assert recorded.prefix_cache == "warm"  # measured before TTFT was cold, so it must not read as cold
    console = Console(record=True, width=200)
    print_latency(recorded.model_copy(update={"prefix_cache": prefix_cache}), console)
    text = console.export_text()
    headers = [line.split() for line in text.splitlines() if line.split()[:1] == ["arm"]]
    assert headers and all(header[1:3] == [prefix_cache, "TTFT"] for header in headers)
    assert f"\n{prefix_cache} TTFT: " in text


@pytest.mark.parametrize(("measured", "said"), [(5, True), (8, False)])
def test_the_console_report_says_where_a_level_stopped_early(measured: int, said: bool) -> None:
    from harness.reports.console import print_latency

    recorded = LatencySummary.model_validate_json(
        (Path(__file__).resolve().parents[1] / "data" / "runs" / "bench-cold" / "latency-summary.json").read_bytes()
    )
    assert recorded.blocks == {}  # written before a level could stop: read as it was
    levels = {str(arm.concurrency) for arm in recorded.arms}
    blocks = {level: LevelBlocks(measured=measured, cap=8) for level in levels}
    console = Console(record=True, width=200)
    print_latency(recorded.model_copy(update={"blocks": blocks}), console, brief=True)
    text = console.export_text()
    line = f"stopped after {measured} of 8 blocks: every timed ratio was decided against the A/A control"
    assert text.count(line) == (len(levels) if said else 0)


@pytest.mark.slow
def test_vllm_serves_a_repeated_prompt_from_its_cache_unless_salted(tiny_model: Path, tmp_path: Path) -> None:
    """The mechanism on a real server: a plain repeat is a prefix-cache hit, a salted repeat is not."""
    from harness.fixtures.chat_template import template_path
    from harness.serving.backends.openai_chat import OpenAIChatBackend
    from harness.serving.vllm_server import ServerSpec, VllmServer, engine_defaults

    spec = ServerSpec(
        model=str(tiny_model),
        served_name="m",
        chat_template=template_path(),
        engine_args=engine_defaults(on_gpu=False) | {"max-model-len": 2048},
    )
    # A prompt several cache blocks long, so that a hit is possible at all.
    messages = [Message(role="user", content=" ".join(f"word{i}" for i in range(200)))]
    settings = GenerationSettings(max_tokens=2)

    async def twice(backend: OpenAIChatBackend) -> None:
        for _ in range(2):
            assert (await backend.generate(messages, [], settings)).error is None
        await backend.aclose()

    with VllmServer(spec, tmp_path / "server.log") as server:
        server.start(timeout_s=600)
        began = prefix_cache_hit_tokens(server.base_url)
        asyncio.run(twice(ColdPrefixBackend(server.base_url, "m")))
        salted = prefix_cache_hit_tokens(server.base_url)
        asyncio.run(twice(OpenAIChatBackend(server.base_url, "m")))
        plain = prefix_cache_hit_tokens(server.base_url)
    assert salted == began
    assert plain > salted
