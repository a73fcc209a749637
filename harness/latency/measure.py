"""`harness latency CONFIG`: time to first token, time per output token and end-to-end latency of every variant,
and the overhead of an unmerged adapter over its merged model, measured so that noise cannot fake a difference.

- Equal work: every request generates exactly `output_tokens` (EOS ignored) from prompts drawn from the suites.
- Cold TTFT: users send prompts the server has not seen, so no timed request may reuse a cached prefix (a cache
  hit skips the prefill, which is where an unmerged adapter costs most on CPUs). Every request carries a fresh
  `cache_salt`, which vLLM mixes into the hash of the prompt's first block and hence of every block after it: all
  blocks miss, while the prompt's tokens stay the suite's, so the arms of a block still do identical work.
- All servers are up at once and the arms run in randomised interleaved blocks (a fresh random order per block),
  so a drift of the machine hits every arm alike; warm-up requests come first (they warm the engine, not the
  prefix cache) and are not recorded.
- An A/A control measures one variant as two arms; its interval is the noise floor of this machine in this run.
- A level stops before `blocks` once every timed ratio is decided against the A/A control by an anytime-valid
  test (`harness.latency.stopping`), never by re-reading the bootstrap intervals.
- Every request's timings go to `RUN_DIR/latency.jsonl`; the analysis (`latency-summary.json`) is a pure
  function of that file (`harness.latency.analyse`).
"""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from harness.generation.prepare import Prepared
from harness.generation.settings import GenerationSettings
from harness.latency.analyse import Pair, analyse
from harness.latency.floor import unmerged_read_floor
from harness.latency.settings import LatencySettings
from harness.latency.stopping import level_decided
from harness.progress import StageProgress
from harness.runs.folder import RunFolder, RunLogError, append_samples
from harness.serving.backends.openai_chat import OpenAIChatBackend, tokenizer_decoder
from harness.serving.plan import ManagedServer, lora_rank_flag
from harness.serving.pool import ServerPool
from harness.types import Answer, LatencySample, LatencySummary, Message, Tool, Variant

CONTROL_SUFFIX = " (A/A)"


class ColdPrefixBackend(OpenAIChatBackend):
    """A vLLM endpoint on which every request misses the prefix cache (see the module docstring).

    A salt per request rather than a nonce in the prompt: the model reads exactly the suite's prompt, with the
    same token count in every arm, and nothing depends on where the chat template puts a nonce relative to the
    first cache block. Rather than resetting the cache per block: that endpoint exists only in vLLM's development
    mode, and arms share servers (the A/A twin, the base and the unmerged adapters), so within a block one arm
    would still warm the cache for the next.
    """

    def request_body(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> dict[str, Any]:
        return super().request_body(messages, tools, settings) | {"cache_salt": secrets.token_hex(16)}


_PREFIX_CACHE_HITS = re.compile(r"^vllm:prefix_cache_hits_total(?:\{[^}]*\})? (\S+)$", re.MULTILINE)


def prefix_cache_hit_tokens(base_url: str) -> float:
    """Prompt tokens a vLLM server has served from its prefix cache since it started (its Prometheus counter):
    the evidence that a cold study had no hit is that this does not move while it runs."""
    text = httpx.get(f"{base_url.removesuffix('/v1')}/metrics", timeout=10).text
    return sum(float(value) for value in _PREFIX_CACHE_HITS.findall(text))


def study_arms(prepared: Prepared) -> tuple[list[tuple[str, str]], list[tuple[str, str, bool]]]:
    """Arms (arm name, variant) and the pairs to compare (numerator, denominator, is the A/A control).

    Adapters are those of `[latency] adapters` (default: all). The control duplicates the merged model of the
    first one when there is one (the arm the overhead is measured against), else the first variant.
    """
    chosen = prepared.config.latency.adapters
    adapters = [a.name for a in prepared.adapters if chosen is None or a.name in chosen]  # names checked on load

    def timed(variant: Variant) -> bool:
        """The base both ways, and each chosen adapter's final unmerged form and its merged form."""
        if variant.role in ("base-plain", "base"):
            return True
        final = variant.role in ("lora", "merged") and not (variant.checkpoint or variant.extra_merge)
        return final and variant.adapter_name in adapters

    measured = [v for v in prepared.variants if timed(v)]
    names = [v.name for v in measured]
    if not names:
        raise RunLogError("the latency study needs at least one served variant (base-plain, base, lora or merged)")
    first_merged = [v.name for v in measured if v.role == "merged" and adapters and v.adapter_name == adapters[0]]
    control = (first_merged or names)[0]
    arms = [(name, name) for name in names] + [(control + CONTROL_SUFFIX, control)]
    served_both = [pair for v in measured if v.role == "lora" and (pair := v.serving_pair(measured)) is not None]
    pairs = [(unmerged.name, merged.name, False) for unmerged, merged in served_both]
    pairs += [("base", "base-plain", False)] if {"base", "base-plain"} <= {v.role for v in measured} else []
    pairs.append((control + CONTROL_SUFFIX, control, True))
    return arms, pairs


def draw_prompts(prepared: Prepared, settings: LatencySettings) -> list[tuple[list[Message], list[Tool]]]:
    """Seeded prompts of the run's suites: every case's, and every episode's first turn (with the tools it offers
    there), which is a cold request like a case's."""
    everything = []
    for suite, _ in prepared.suites:
        tools = {tool.key: tool for tool in suite.tools}
        everything += [(list(case.messages), [tools[k] for k in case.tools]) for case in suite.cases]
        everything += [
            (list(episode.turns[0].messages), [tools[k] for k in [*episode.tools, *episode.turns[0].tools_added]])
            for episode in suite.episodes
        ]
    rng = random.Random(settings.seed)
    return rng.sample(everything, min(settings.prompts, len(everything)))


def _sample(concurrency: int, block: int, arm: str, variant: str, prompt: int, answer: Answer) -> LatencySample:
    tokens, ttft, e2e = answer.completion_tokens, answer.timings.ttft_s, answer.timings.e2e_s
    tpot = (e2e - ttft) / (tokens - 1) if tokens and tokens > 1 and ttft is not None and e2e is not None else None
    return LatencySample(
        concurrency=concurrency,
        block=block,
        arm=arm,
        variant=variant,
        prompt=prompt,
        ttft_s=ttft,
        tpot_s=tpot,
        e2e_s=e2e,
        itl_s=answer.timings.itl_s,
        output_tokens=tokens,
        error=answer.error,
    )


async def measure_arms(
    backends: dict[str, ColdPrefixBackend],
    arms: list[tuple[str, str]],
    pairs: Sequence[Pair],
    prompts: list[tuple[list[Message], list[Tool]]],
    settings: LatencySettings,
    output: Path,
    console: Console,
) -> None:
    """Time every arm (a label and the variant whose backend answers it) in shuffled, paired blocks per concurrency
    level, appending the samples to `output`, until the level's `pairs` are decided or its blocks run out. Apart
    from servers and the run folder, so that the requests the study sends can be checked against mock backends."""
    request = GenerationSettings(max_tokens=settings.output_tokens, stop=[], ignore_eos=True, seed=settings.seed)
    rng = random.Random(settings.seed)
    drawn = 0
    last_server = ""

    def next_prompts(count: int) -> list[int]:
        """The prompts of one block: every arm of the block answers these same prompts, so an arm's ratio
        against another compares equal work and prompt lengths cannot pose as a difference between arms."""
        nonlocal drawn
        picks = [(drawn + i) % len(prompts) for i in range(count)]
        drawn += count
        return picks

    async def batch(level: int, picks: list[int], block: int, arm: str, variant: str) -> list[LatencySample]:
        queue = list(picks)
        results: list[LatencySample] = []

        async def worker() -> None:
            while queue:
                index = queue.pop()
                messages, tools = prompts[index]
                answer = await backends[variant].generate(messages, tools, request)
                results.append(_sample(level, block, arm, variant, index, answer))

        await asyncio.gather(*(worker() for _ in range(min(level, len(picks)))))
        return results

    with StageProgress(console, "latency", "blocks") as shown:
        shown.start(len(settings.concurrency) * settings.blocks)
        for level in settings.concurrency:
            if settings.warmup:  # the engine's first requests are slow; salted, so no timed prompt becomes a hit
                warmup = [i % len(prompts) for i in range(settings.warmup * level)]
                shown.advance(0, f"concurrency {level}, warm-up")
                for arm, variant in arms:
                    await batch(level, warmup, -1, arm, variant)
            measured: list[LatencySample] = []
            for block in range(settings.blocks):
                picks = next_prompts(settings.requests_per_block * level)
                order = list(arms)
                rng.shuffle(order)
                for arm, variant in order:
                    if backends[variant].base_url != last_server:  # let the last server's worker stop polling
                        await asyncio.sleep(settings.settle_s)
                    timed = await batch(level, picks, block, arm, variant)
                    append_samples(output, timed)
                    measured += timed
                    last_server = backends[variant].base_url
                shown.advance(status=f"concurrency {level}")
                ran = block + 1
                may_stop = settings.stop_when_decided and settings.min_blocks <= ran < settings.blocks
                if may_stop and level_decided(measured, level, pairs):
                    shown.drop(
                        settings.blocks - ran,
                        f"concurrency {level}: every timed ratio decided after {ran} of {settings.blocks} blocks",
                    )
                    break


def _read_floors(prepared: Prepared) -> dict[str, float]:
    return {
        adapter.name: unmerged_read_floor(prepared.base, adapter.adapter, adapter.rank, lora_rank_flag(adapter.rank))
        for adapter in prepared.adapters
    }


def latency_study(
    prepared: Prepared, folder: RunFolder, console: Console, pool: ServerPool | None = None
) -> LatencySummary:
    """Run the study into the run folder (opened by the caller, `open_run_folder`) and write its summary; an
    earlier study's log is kept beside it. Servers come from `pool` when a stage before this one already started
    them."""
    began = time.perf_counter()
    config = prepared.config
    settings = config.latency
    arms, pairs = study_arms(prepared)
    prompts = draw_prompts(prepared, settings)
    wanted = {variant for _, variant in arms}
    folder.archive_latency_samples()
    with ExitStack() as stack:
        servers = pool or stack.enter_context(ServerPool(folder.path, config.server.startup_timeout_s))
        backends: dict[str, ColdPrefixBackend] = {}
        for plan in prepared.plans:
            if not isinstance(plan.serving, ManagedServer) or not wanted & plan.models.keys():
                continue
            if not servers.server(plan).alive:
                console.print(f"starting {plan.name} …")
            server = servers.started(plan)
            decoder = tokenizer_decoder(plan.serving.tokenizer)
            for variant, model in plan.models.items():
                backends[variant] = ColdPrefixBackend(
                    server.base_url, model, decoder=decoder, concurrency=max(settings.concurrency)
                )

        async def measure_and_close() -> None:
            try:
                await measure_arms(backends, arms, pairs, prompts, settings, folder.latency_log, console)
            finally:
                for backend in backends.values():
                    await backend.aclose()

        asyncio.run(measure_and_close())
    samples = folder.read_latency_samples()
    summary = analyse(samples, pairs, settings, _read_floors(prepared), time.perf_counter() - began)
    folder.write_latency_summary(summary)
    return summary
