"""`make perf-latency`: the unmerged/merged ratios of TTFT and TPOT from the harness's latency study beside the
same ratios from vLLM's own client, `vllm bench serve`, measured in one run on the same two servers (the LoRA
server serving the adapter unmerged, and the merged model's server), both started by the harness's server pool.

Why: the study once reported "no difference above the noise floor" for TTFT where `vllm bench serve` measured the
unmerged adapter's TTFT at ten times the merged model's: it had timed prefix-cache hits. A study whose ratios
agree with vLLM's own client on the same servers can be trusted. The clients' prompts differ (the study's come
from the suites; vLLM's are random tokens of the study's median prompt length), so ratios, not milliseconds,
should agree; at a concurrency above 1 less closely, because the clients schedule differently (the study sends
a block's requests together, `vllm bench serve` keeps its window full). Both measure cold: the study salts every
request's prefix-cache key, and vLLM's random prompts share no prefix (no warm-up requests: they would repeat
its first prompt; the study has warmed the engines). The servers' prefix-cache hit counters must not move
during the study; the script fails when they do.

usage: python benchmarks/perf_latency.py [CONFIG] [ADAPTER]   (default configs/tiny-smoke.toml, its first adapter)
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from harness.fixtures.chat_template import openai_tools
from harness.generation.manifest import open_run_folder
from harness.generation.prepare import Prepared, prepare
from harness.latency.measure import draw_prompts, latency_study, prefix_cache_hit_tokens
from harness.run_config import RunConfig, load_run_config
from harness.serving.pool import ServerPool
from harness.serving.vllm_server import VllmServer
from harness.types import LatencySummary, lora_variant, merged_variant

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(__file__).with_name("vllm_cli.py")
ROUNDS = 2
"""`vllm bench serve` rounds per server, alternating servers: their spread shows the client's own noise."""
METRICS = {"ttft_s": "median_ttft_ms", "tpot_s": "median_tpot_ms"}
"""The study's metric → the field of `vllm bench serve`'s result with the same definition."""


def one_adapter(config: RunConfig, name: str | None) -> RunConfig:
    """The config cut to one adapter, unmerged and merged: the two servers the comparison needs."""
    adapter = next((a for a in config.adapters if name in (None, a.name)), None)
    if adapter is None:
        raise SystemExit(f"{name}: not an adapter of {config.name}")
    latency = config.latency.model_copy(update={"adapters": [adapter.name]})
    return config.model_copy(update={"adapters": [adapter], "variants": ["lora", "merged"], "latency": latency})


def median_prompt_tokens(server: VllmServer, model: str, prepared: Prepared) -> int:
    """The median length of the study's prompts as the server tokenizes them (chat template and tools included)."""
    counts = []
    for messages, tools in draw_prompts(prepared, prepared.config.latency):
        body = {"model": model, "messages": [m.model_dump() for m in messages], "tools": openai_tools(tools) or None}
        response = httpx.post(f"{server.base_url.removesuffix('/v1')}/tokenize", json=body, timeout=60)
        response.raise_for_status()
        counts.append(int(response.json()["count"]))
    return int(statistics.median(counts))


def vllm_bench(
    server: VllmServer, lora: str | None, level: int, lengths: tuple[int, int], seed: int, out: Path
) -> dict[str, Any]:
    """One `vllm bench serve` pass at one concurrency (`lora`: the adapter to address on a LoRA server); its
    console output goes to a log file beside its result."""
    input_len, output_len = lengths
    args = ["bench", "serve", "--backend", "openai", "--endpoint", "/v1/completions"]
    args += ["--base-url", server.base_url.removesuffix("/v1"), "--model", server.spec.served_name]
    args += ["--tokenizer", server.spec.model, "--dataset-name", "random", "--random-range-ratio", "0"]
    args += ["--random-input-len", str(input_len), "--random-output-len", str(output_len), "--ignore-eos"]
    args += ["--temperature", "0", "--seed", str(seed), "--disable-tqdm"]
    args += ["--num-prompts", str(max(8, 2 * level)), "--max-concurrency", str(level)]
    args += ["--save-result", "--result-dir", str(out.parent), "--result-filename", out.name]
    if lora is not None:
        args += ["--lora-modules", lora]
    log = out.with_suffix(".log")
    with log.open("w") as handle:
        done = subprocess.run([sys.executable, str(CLI), *args], stdout=handle, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-15:])
        raise SystemExit(f"vllm bench serve failed ({log}):\n{tail}")
    return dict(json.loads(out.read_text()))


Servers = dict[str, tuple[VllmServer, str]]
"""Variant → its server and the model name its requests use."""


def bench_rounds(
    servers: Servers, levels: list[int], lengths: tuple[int, int], seed: int, folder: Path
) -> dict[tuple[int, str], list[dict[str, Any]]]:
    """`vllm bench serve` results per (concurrency, variant), ROUNDS each, the servers' order alternating."""
    results: dict[tuple[int, str], list[dict[str, Any]]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for level in levels:
        for round_ in range(ROUNDS):
            for variant in list(servers)[:: 1 if round_ % 2 else -1]:
                server, model = servers[variant]
                lora = None if model == server.spec.served_name else model
                out = folder / f"c{level}-r{round_}-{variant.replace(':', '-')}.json"
                # Fresh random prompts per round: a repeat would be a prefix-cache hit on the second pass.
                results.setdefault((level, variant), []).append(
                    vllm_bench(server, lora, level, lengths, seed + round_, out)
                )
    return results


def study_cells(summary: LatencySummary, level: int, metric: str, numerator: str, denominator: str) -> list[str]:
    """The study's p50 of each arm (ms) and the ratio with its 95% interval."""
    p50 = {a.arm: a.percentiles[metric]["p50"] for a in summary.arms if a.concurrency == level}
    estimate = next(
        c.estimate
        for c in summary.comparisons
        if (c.concurrency, c.metric, c.numerator, c.denominator) == (level, metric, numerator, denominator)
    )
    return [
        f"{1000 * p50[numerator]:.0f} / {1000 * p50[denominator]:.0f}",
        f"{estimate.ratio:.2f} [{estimate.low:.2f}, {estimate.high:.2f}]",
    ]


def print_side_by_side(
    summary: LatencySummary,
    results: dict[tuple[int, str], list[dict[str, Any]]],
    unmerged: str,
    merged: str,
    console: Console,
) -> None:
    console.print(f"{unmerged} over {merged}, measured in one run on the same servers (ms: medians)")
    console.print(
        "c | metric | study ms (unmerged / merged) | study ratio [95% CI] | A/A floor | vllm bench serve per round"
    )
    for level in sorted({level for level, _ in results}):
        for metric, field in METRICS.items():
            rounds = zip(results[(level, unmerged)], results[(level, merged)], strict=True)
            bench = [f"{u[field] / m[field]:.2f} ({u[field]:.0f} / {m[field]:.0f} ms)" for u, m in rounds]
            floor = f"{summary.noise_floor[str(level)][metric]:.1%}"
            cells = study_cells(summary, level, metric, unmerged, merged)
            console.print(" | ".join([str(level), summary.label(metric), *cells, floor, ", ".join(bench)]))


def main(config_path: str = "configs/tiny-smoke.toml", adapter: str | None = None) -> int:
    console = Console(highlight=False, soft_wrap=True)  # table rows stay one line each
    path = ROOT / config_path
    config = one_adapter(load_run_config(path), adapter)
    prepared = prepare(config, path)
    unmerged, merged = lora_variant(config.adapters[0].name), merged_variant(config.adapters[0].name)
    run_dir = ROOT / "runs" / "perf-latency" / config.name
    shutil.rmtree(run_dir, ignore_errors=True)  # this benchmark's own scratch folder
    with ServerPool(run_dir, config.server.startup_timeout_s) as pool:
        servers: Servers = {}
        for plan in prepared.plans:
            console.print(f"starting {plan.name} …")
            servers |= {variant: (pool.started(plan), model) for variant, model in plan.models.items()}
        before = {variant: prefix_cache_hit_tokens(server.base_url) for variant, (server, _) in servers.items()}
        summary = latency_study(prepared, open_run_folder(prepared, run_dir), console, pool)
        hits = {v: prefix_cache_hit_tokens(server.base_url) - before[v] for v, (server, _) in servers.items()}
        lengths = (median_prompt_tokens(*servers[merged], prepared), config.latency.output_tokens)
        console.print(f"vllm bench serve: random prompts of {lengths[0]} tokens (the study's median), {lengths[1]} out")
        results = bench_rounds(
            servers, config.latency.concurrency, lengths, config.latency.seed, run_dir / "vllm-bench"
        )
    print_side_by_side(summary, results, unmerged, merged, console)
    console.print(f"prefix-cache hit tokens during the study: {hits} (0: every timed TTFT was cold)")
    console.print(f"servers' logs and vllm bench results: {run_dir}")
    return 1 if any(hits.values()) else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
