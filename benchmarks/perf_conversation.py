"""`make perf-conversation`: time to first token of a conversation's first turn (cold) and of a follow-up turn
(its history in vLLM's prefix cache, as a real conversation has it), merged and unmerged, as two labelled figures.

A follow-up turn resends everything before it: the earlier turns, the calls, their results. A server with prefix
caching (vLLM's default) keeps the blocks of the previous request's prompt, so the follow-up prefills only what is
new, and its TTFT is not the first turn's. Measured here on the right answers' conversations of the built-in
multi-turn suite (`harness.suites.gold`), which the model under test need not have produced: the prompt lengths
and the cache behaviour are what matter, not the answers.

- Cold first turn: the episode's first user turn, with a fresh `cache_salt` (nothing cached; see
  `harness.latency.measure`).
- Follow-up: the conversation up to the last turn's user message, under a salt of its own; first the history
  before that message is sent untimed (one token), which caches its blocks as the previous request of a real
  conversation would, then the follow-up is timed under the same salt.

Both servers are up at once; arms run in randomised interleaved blocks, every request generates the same number of
tokens (EOS ignored); ratios of medians get a paired block bootstrap interval (`harness.latency.stats`). The servers'
prefix-cache counters must move by at least the follow-ups' cached history, and the script fails when they do not.

usage: python benchmarks/perf_conversation.py [CONFIG] [ADAPTER]   (default configs/bench.toml, fc-good)
"""

from __future__ import annotations

import asyncio
import random
import secrets
import shutil
import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perf_latency import one_adapter
from rich.console import Console

from harness.generation.prepare import prepare
from harness.generation.settings import GenerationSettings
from harness.latency.measure import prefix_cache_hit_tokens
from harness.latency.stats import ratio_of_medians
from harness.run_config import load_run_config
from harness.serving.backends.openai_chat import OpenAIChatBackend, tokenizer_decoder
from harness.serving.pool import ServerPool
from harness.suites.gold import gold_conversation
from harness.suites.multi_turn_builtin import built_in_episodes
from harness.suites.multi_turn_tools import TOOLS
from harness.types import Message, Tool, lora_variant, merged_variant

ROOT = Path(__file__).resolve().parent.parent
EPISODES = 4
"""Conversations per block and arm: each gives one cold first turn and one follow-up."""
BLOCKS = 8
OUTPUT_TOKENS = 16
KINDS = ("first turn (cold)", "follow-up (history cached)")


class SaltedBackend(OpenAIChatBackend):
    """An endpoint whose requests carry a prefix-cache salt the caller chooses: the same salt for a follow-up and
    the history that warmed it, a fresh one for everything else."""

    salt = ""

    def request_body(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> dict[str, Any]:
        return super().request_body(messages, tools, settings) | {"cache_salt": self.salt}


def conversations() -> list[tuple[list[Message], list[Message], list[Message], list[Tool]]]:
    """Per built-in episode of two turns or more: its first turn, the right answer's history before its last turn,
    that turn's user messages, and the tools it offers by then."""
    tools = {tool.key: tool for tool in TOOLS}
    found = []
    for gold in built_in_episodes():
        episode = gold.episode
        if len(episode.turns) < 2:
            continue
        history = gold_conversation(gold, tools)
        last = episode.turns[-1].messages
        start = next(i for i in range(len(history) - 1, -1, -1) if history[i] == last[0])
        offered = [*episode.tools, *(key for turn in episode.turns for key in turn.tools_added)]
        found.append((list(episode.turns[0].messages), history[:start], list(last), [tools[k] for k in offered]))
    return found


async def _ttft(backend: SaltedBackend, messages: list[Message], tools: list[Tool], salt: str) -> float:
    settings = GenerationSettings(max_tokens=OUTPUT_TOKENS, stop=[], ignore_eos=True)
    backend.salt = salt
    answer = await backend.generate(messages, tools, settings)
    if answer.error is not None or answer.timings.ttft_s is None:
        raise SystemExit(f"request failed: {answer.error}")
    return answer.timings.ttft_s


async def _measure(
    backends: dict[str, SaltedBackend], chosen: list[Any], seed: int
) -> dict[tuple[str, str], dict[int, list[float]]]:
    """(arm, kind) → block → TTFTs; arms in a fresh random order per block, one request at a time."""
    rng = random.Random(seed)
    samples: dict[tuple[str, str], dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    first, _, _, tools = chosen[0]
    for backend in backends.values():  # engine warm-up, unrecorded, under salts nobody reuses
        await _ttft(backend, first, tools, secrets.token_hex(16))
    for block in range(BLOCKS):
        arms = list(backends)
        rng.shuffle(arms)
        for arm in arms:
            backend = backends[arm]
            for first, history, last, tools in rng.sample(chosen, min(EPISODES, len(chosen))):
                samples[(arm, KINDS[0])][block].append(await _ttft(backend, first, tools, secrets.token_hex(16)))
                salt = secrets.token_hex(16)
                await _ttft(backend, history, tools, salt)  # the previous request of the conversation: untimed
                samples[(arm, KINDS[1])][block].append(await _ttft(backend, [*history, *last], tools, salt))
    return samples


def main(config_path: str = "configs/bench.toml", adapter: str | None = "fc-good") -> int:
    console = Console(highlight=False, soft_wrap=True)
    path = ROOT / config_path
    config = one_adapter(load_run_config(path), adapter)
    prepared = prepare(config, path, console)
    unmerged, merged = lora_variant(config.adapters[0].name), merged_variant(config.adapters[0].name)
    run_dir = ROOT / "runs" / "perf-conversation" / config.name
    shutil.rmtree(run_dir, ignore_errors=True)  # this benchmark's own scratch folder
    chosen = conversations()
    with ServerPool(run_dir, config.server.startup_timeout_s) as pool:
        backends: dict[str, SaltedBackend] = {}
        urls = {}
        pool.launch(prepared.plans)
        for plan in prepared.plans:
            server = pool.started(plan)
            # the generated ids, decoded: a server's tool parser holds back the text of a call it is still reading,
            # so without them a call's first token would not arrive until the call is complete
            decoder = tokenizer_decoder(plan.serving.tokenizer)
            for variant, model in plan.models.items():
                if variant in (unmerged, merged):
                    backends[variant] = SaltedBackend(server.base_url, model, decoder=decoder)
                    urls[variant] = server.base_url
        before = {variant: prefix_cache_hit_tokens(url) for variant, url in urls.items()}
        samples = asyncio.run(_measure(backends, chosen, config.latency.seed))
        hits = {variant: prefix_cache_hit_tokens(url) - before[variant] for variant, url in urls.items()}
        for backend in backends.values():
            asyncio.run(backend.aclose())
    console.print(
        f"TTFT of {unmerged} and {merged}: {BLOCKS} blocks x {EPISODES} conversations of the built-in multi-turn"
        f" suite, {OUTPUT_TOKENS} tokens out (medians in ms; ratio unmerged/merged with a 95% block bootstrap CI)"
    )
    for kind in KINDS:
        medians = {
            arm: statistics.median(v for values in samples[(arm, kind)].values() for v in values) for arm in backends
        }
        estimate = ratio_of_medians(samples[(unmerged, kind)], samples[(merged, kind)])
        assert estimate is not None
        console.print(
            f"{kind}: merged {1000 * medians[merged]:.0f} ms, unmerged {1000 * medians[unmerged]:.0f} ms; unmerged/merged"
            f" {estimate.ratio:.2f} [{estimate.low:.2f}, {estimate.high:.2f}]"
        )
    for kind_arm in (merged, unmerged):
        cold = statistics.median(v for values in samples[(kind_arm, KINDS[0])].values() for v in values)
        warm = statistics.median(v for values in samples[(kind_arm, KINDS[1])].values() for v in values)
        console.print(f"{kind_arm}: follow-up TTFT over first-turn TTFT {warm / cold:.2f}")
    console.print(f"prefix-cache hit tokens during the measurement: {hits} (the follow-ups' cached histories)")
    console.print(f"servers' logs: {run_dir}")
    return 0 if all(value > 0 for value in hits.values()) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
