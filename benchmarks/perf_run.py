"""`make perf-run`: the harness's wall time for an accuracy pass divided by vLLM's own offline `LLM.generate`
time on the same prompts and settings, measured in the same run (goal: at most 1.10).

The harness's pass is its real code path: `vllm serve` started by `VllmServer`, streaming requests from
`OpenAIChatBackend` at the default concurrency, every answer decoded, recorded and fsynced to a run log. The
offline pass renders the same prompts with the same template and asks `LLM.generate` for all of them at once,
which is the fastest vLLM can do them. Engine start-up is excluded from both; each engine is warmed up first.
Both passes generate greedily, so they do the same work; the token totals are printed to show it.

usage: python benchmarks/perf_run.py [MODEL] [CASES_PER_SUITE] [MAX_TOKENS]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from harness.fixtures.base_model import materialise_base, prompt_format
from harness.fixtures.chat_template import PromptFormat, render_prompt, template_file
from harness.generation.answer import WorkItem, ask_endpoints
from harness.generation.prepare import with_format_stops
from harness.generation.settings import GenerationSettings
from harness.runs.folder import RunFolder
from harness.serving.backends.openai_chat import tokenizer_decoder
from harness.serving.vllm_server import DEFAULT_ENV, ServerSpec, VllmServer, engine_defaults
from harness.suites.selection import load_run_suites
from harness.suites.settings import SuiteSelection

ROOT = Path(__file__).resolve().parent.parent


def work_items(per_suite: int) -> list[WorkItem]:
    suites = load_run_suites(SuiteSelection(sources=[str(ROOT / "suites")], sample=per_suite), ROOT)
    items = []
    for suite, _ in suites:
        tools = {tool.key: tool for tool in suite.tools}
        items += [WorkItem("base", suite, case, tuple(tools[k] for k in case.tools)) for case in suite.cases]
    return items


def harness_pass(
    model: Path, items: list[WorkItem], settings: GenerationSettings, prompt: PromptFormat, scratch: Path
) -> tuple[float, int]:
    engine = engine_defaults(on_gpu=False) | {"max-model-len": 4096}
    spec = ServerSpec(model=str(model), served_name="base", chat_template=template_file(prompt), engine_args=engine)
    folder = RunFolder(scratch / "run")
    folder.path.mkdir(parents=True)
    models = {"base": "base"}
    decoder = tokenizer_decoder(str(model))
    with VllmServer(spec, scratch / "server.log") as server:
        server.start(timeout_s=600)
        asyncio.run(ask_endpoints([server.base_url], models, items[:2], settings, decoder, lambda g: None))  # warm-up
        began = time.perf_counter()
        unreached = asyncio.run(
            ask_endpoints([server.base_url], models, items, settings, decoder, folder.append_generation)
        )
        seconds = time.perf_counter() - began
    assert not unreached, unreached[0][1]
    generations = [g for _, g in folder.read_generations().values()]
    assert all(g.error is None for g in generations), [g.error for g in generations if g.error][:1]
    return seconds, sum(g.completion_tokens or 0 for g in generations)


def offline_pass(
    model: Path, items: list[WorkItem], settings: GenerationSettings, prompt: PromptFormat
) -> tuple[float, int]:
    # The same engine environment as the harness's servers (all cores for the engine on a CPU), set before
    # vLLM is imported: otherwise vLLM keeps a core for a front end that offline use does not have.
    os.environ.update(DEFAULT_ENV)
    from transformers import AutoTokenizer
    from vllm import LLM, SamplingParams

    tokenizer = AutoTokenizer.from_pretrained(model)
    prompts = [render_prompt(tokenizer, item.case.messages, item.tools, prompt) for item in items]
    engine = {name.replace("-", "_"): value for name, value in engine_defaults(on_gpu=False).items()}
    if "kv_cache_memory_bytes" in engine:
        engine["kv_cache_memory_bytes"] = 2 << 30
    llm = LLM(model=str(model), seed=0, max_model_len=4096, **engine)
    sampling = SamplingParams(
        temperature=settings.temperature, seed=settings.seed, max_tokens=settings.max_tokens, stop=settings.stop
    )
    try:
        llm.generate(prompts[:2], sampling, use_tqdm=False)  # warm-up
        began = time.perf_counter()
        outputs = llm.generate(prompts, sampling, use_tqdm=False)
        seconds = time.perf_counter() - began
    finally:
        llm.llm_engine.engine_core.shutdown()  # else its engine process outlives the script
    return seconds, sum(len(output.outputs[0].token_ids) for output in outputs)


def main(model_name: str = "smollm2-135m-instruct", per_suite: str = "8", max_tokens: str = "96") -> int:
    model = materialise_base(model_name)
    prompt = prompt_format(model)
    items = work_items(int(per_suite))
    settings = with_format_stops(GenerationSettings(max_tokens=int(max_tokens)), prompt)
    print(f"{len(items)} cases of {model_name}, max_tokens {max_tokens}, concurrency {settings.concurrency}")
    with tempfile.TemporaryDirectory() as scratch:
        harness_s, harness_tokens = harness_pass(model, items, settings, prompt, Path(scratch))
    print(f"harness run pass : {harness_s:7.2f} s, {harness_tokens} tokens")
    offline_s, offline_tokens = offline_pass(model, items, settings, prompt)
    print(f"vLLM LLM.generate: {offline_s:7.2f} s, {offline_tokens} tokens")
    print(f"ratio harness / offline: {harness_s / offline_s:.2f} (goal <= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
