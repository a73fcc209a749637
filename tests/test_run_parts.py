"""The pure parts of a run, without an engine: configs, variant and server planning, server command lines and
log quoting, the streaming reader (fed streams recorded from vLLM 0.32), sampling, parity arithmetic."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from harness.errors import ConfigError
from harness.gate.settings import GateRules
from harness.generation.settings import GenerationSettings
from harness.run_config import RunConfig, load_run_config
from harness.scoring.parity import adapter_parity, agreement
from harness.serving.backends.base import BackendUnavailable
from harness.serving.backends.openai_chat import OpenAIChatBackend
from harness.serving.plan import AdapterFiles, InProcessReference, RunningEndpoints, lora_rank_flag, plan_run
from harness.serving.vllm_server import VllmServer, engine_defaults, relevant_log_lines, server_arguments
from harness.suites.files import load_sources
from harness.suites.selection import sample_cases, unmerged_sample
from harness.suites.settings import SuiteSelection
from harness.types import Generation, Message, Suite, Variant

ROOT = Path(__file__).resolve().parent.parent


def adapter(name: str, rank: int = 16, merged: bool = True) -> AdapterFiles:
    return AdapterFiles(
        name=name,
        adapter=Path(f"/a/{name}"),
        merged=Path(f"/m/{name}") if merged else None,
        rank=rank,
        sha256="0" * 64,
    )


# ---------------------------------------------------------------- configs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x'\nvariants = ['lora']\n", "variants lora, merged and reference need at least one adapter"),
        ("name = 'x'\n[[adapters]]\nname = 'a'\n", "set exactly one of recipe and path"),
        ("name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\npath = 'p'\n", "set exactly one of recipe and path"),
        ("name = 'x'\n[generation]\nmax_tokens = 0\n", "generation.max_tokens: Input should be greater than"),
        ("name = 'x'\n[server]\nport = 70000\n", "server.port: Input should be less than"),
        ("name = 'x'\nvariants = ['merged', 'merged']\n[[adapters]]\nname='a'\nrecipe='r'\n", "must not repeat"),
        (
            "name = 'x'\n[generation]\ntemprature = 0\n",
            "3: generation.temprature: unknown key; did you mean 'temperature'?",
        ),
        ("name = 'X Y'\n", "name: String should match pattern"),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['fp32', 'fp16']\n",
            ":5: adapters.0.merges.1: Input should be 'fp32' or 'bf16'",
        ),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['bf16', 'bf16']\n",
            ":5: adapters.0.merges: each precision once, got bf16, bf16",
        ),
        ("name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = []\n", ":5: adapters.0.merges: List should"),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\npath = 'p'\nmerged = 'm'\nmerges = ['bf16']\n",
            ":6: adapters.0.merges: only for recipe adapters; a path adapter is served merged from its merged folder",
        ),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nserve_unmerged = false\nmerges = ['fp32', 'bf16']\n",
            ":6: adapters.0.merges: further merged forms are compared with the adapter's unmerged answers",
        ),
        (
            "name = 'x'\nvariants = ['merged']\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['fp32', 'bf16']\n",
            ":6: adapters.0.merges: further merged forms are compared with the unmerged form, so variants needs both"
            " lora and merged (it has merged)",
        ),
        (
            "name = 'x'\nvariants = ['lora', 'merged']\n[[adapters]]\nname = 'a'\nrecipe = 'r'\n"
            "merges = ['fp32', 'bf16']\n[suites]\nunmerged_sample = 2\n[gate]\njudge = ['merged*']\n",
            ":10: gate.judge: merged-bf16:a would be judged on the unmerged sample only",
        ),
        ("name = \n", "not TOML"),
    ],
)
def test_bad_configs_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_run_config(path)
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", str(error.value)) and message in str(error.value)


def test_committed_configs_load() -> None:
    for path in sorted((ROOT / "configs").glob("*.toml")):
        load_run_config(path)


def test_the_bench_judges_adapters_merged_and_the_full_study_unmerged_on_every_case() -> None:
    """The bench's time goes to the LoRA server: every adapter is served and judged merged on every case, and
    answers unmerged the unmerged sample; the full study keeps judging unmerged on every case."""
    bench = load_run_config(ROOT / "configs" / "bench.toml")
    assert bench.suites.unmerged_sample == 3 and bench.gate.judge == ["merged:*"]
    assert "merged" in bench.variants and all(adapter.serve_merged for adapter in bench.adapters)
    # A control has nothing to prove unmerged: only candidates pay the LoRA server.
    assert [a.name for a in bench.adapters if a.serve_unmerged] == [
        a.name for a in bench.adapters if a.expect == "pass"
    ]
    study = load_run_config(ROOT / "configs" / "embedded.toml")
    assert study.suites.unmerged_sample is None and study.gate.judge == ["lora:*"]
    # The full study merges every adapter both ways and reports which merge to prefer; the bench, over its time
    # budget, serves the one merge training makes.
    assert all(a.merges == ["fp32", "bf16"] for a in study.adapters) and study.adapters
    assert all(a.merges is None for a in bench.adapters)


# ---------------------------------------------------------------- planning


def test_plan_puts_base_and_every_lora_on_one_server_and_each_merged_on_its_own() -> None:
    config = RunConfig(
        name="x",
        adapters=[{"name": "good", "recipe": "g.toml"}, {"name": "bad", "recipe": "b.toml"}],
        server={"engine_args": {"max_model_len": 2048, "enforce-eager": True, "dtype": "bfloat16"}},
    )
    variants, plans = plan_run(
        config, Path("/base"), [adapter("good", 16), adapter("bad", 4)], Path("/t.jinja"), {"dtype": "float32"}
    )
    assert [v.name for v in variants] == [
        "base-plain",
        "base",
        "lora:good",
        "lora:bad",
        "merged:good",
        "merged:bad",
    ]
    assert [(p.name, p.models) for p in plans] == [
        ("base-plain", {"base-plain": "base"}),
        ("lora-server", {"base": "base", "lora:good": "good", "lora:bad": "bad"}),
        ("merged-good", {"merged:good": "merged:good"}),
        ("merged-bad", {"merged:bad": "merged:bad"}),
    ]
    plain, lora, merged, _ = (p.spec for p in plans)
    assert plain is not None and lora is not None and merged is not None
    assert not plain.loras and plain.max_lora_rank is None
    assert dict(lora.loras) == {"good": Path("/a/good"), "bad": Path("/a/bad")} and lora.max_lora_rank == 16
    assert merged.model == "/m/good"
    assert [p.serving.tokenizer for p in plans] == ["/base", "/base", "/m/good", "/m/bad"]  # token ids are decoded
    # Config engine arguments win over the harness's defaults, whatever their spelling.
    assert dict(lora.engine_args) == {"dtype": "bfloat16", "max-model-len": 2048, "enforce-eager": True}


def test_plan_records_roles_controls_and_dtype_and_serves_only_wanted_merged_models() -> None:
    control = {"name": "bad", "recipe": "b.toml", "expect": "fail", "serve_merged": False}
    config = RunConfig(
        name="x", variants=["base", "lora", "merged"], adapters=[{"name": "good", "recipe": "g.toml"}, control]
    )
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=None, rank=4, sha256="0", expect="fail")
    variants, plans = plan_run(config, Path("/base"), [adapter("good", 16), bad], None, {"dtype": "float32"})
    assert [(v.name, v.role, v.adapter_name, v.expect, v.dtype) for v in variants] == [
        ("base", "base", None, "pass", "float32"),
        ("lora:good", "lora", "good", "pass", "float32"),
        ("lora:bad", "lora", "bad", "fail", "float32"),
        ("merged:good", "merged", "good", "pass", "float32"),
    ]
    assert [p.name for p in plans] == ["lora-server", "merged-good"]  # no server for a merged model not wanted


def test_an_adapter_served_merged_only_stays_off_the_lora_server() -> None:
    """`serve_unmerged = false` leaves the adapter out of the LoRA server, and with nothing else for it to serve
    the LoRA server is not started at all; the config's variant names (what gate rules are checked against)
    agree with the plan."""
    control = {"name": "bad", "recipe": "b.toml", "expect": "fail", "serve_unmerged": False}
    config = RunConfig(name="x", variants=["lora", "merged"], adapters=[{"name": "good", "recipe": "g.toml"}, control])
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=Path("/m/bad"), rank=64, sha256="0",
                       expect="fail")  # fmt: skip
    variants, plans = plan_run(config, Path("/base"), [adapter("good", 16), bad], None, {})
    assert [v.name for v in variants] == config.variant_names() == ["lora:good", "merged:good", "merged:bad"]
    lora = plans[0].spec
    assert lora is not None and dict(lora.loras) == {"good": Path("/a/good")} and lora.max_lora_rank == 16
    alone = RunConfig(name="x", variants=["lora", "merged"], adapters=[control])
    _, plans = plan_run(alone, Path("/base"), [bad], None, {})
    assert [p.name for p in plans] == ["merged-bad"]
    with pytest.raises(ValueError, match="serve_merged and serve_unmerged are both false"):
        RunConfig(name="x", adapters=[control | {"serve_merged": False}])


def test_server_arguments_match_vllm_flags() -> None:
    config = RunConfig(name="x", variants=["lora"], adapters=[{"name": "good", "recipe": "g.toml"}])
    _, plans = plan_run(config, Path("/base"), [adapter("good", 12)], Path("/t.jinja"), {"enforce-eager": False})
    spec = plans[0].spec
    assert spec is not None
    args = server_arguments(spec, 8123)
    assert args[:4] == ["--model", "/base", "--served-model-name", "base"]
    text = " ".join(args)
    assert "--host 127.0.0.1 --port 8123" in text
    assert "--enable-auto-tool-choice --tool-call-parser hermes --chat-template /t.jinja" in text
    # A spare adapter slot: base requests on vLLM's CPU LoRA path read slot -1 (the last one), which must be empty.
    assert "--enable-lora --max-loras 2 --lora-modules good=/a/good --max-lora-rank 16" in text
    assert "enforce-eager" not in text  # false flags are left out


def test_a_server_ready_long_before_its_turn_is_asked_before_its_deadline_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Launched beside the LoRA server, a merged model's server waits while the LoRA server answers its cases, which
    can take longer than the start-up timeout (a checkpoint sweep took 20 minutes): it is asked once all the same."""
    spec = next(p.spec for p in plan_run(RunConfig(name="x", variants=["base-plain"]), Path("/b"), [], None, {})[1])
    assert spec is not None
    now = [0.0]

    def stand_in(command: list[str], log: BinaryIO, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["sleep", "30"], stdout=log, start_new_session=True)

    asked: list[str] = []

    def answers(url: str, timeout: float) -> httpx.Response:
        asked.append(url)
        return httpx.Response(200)

    monkeypatch.setattr(httpx, "get", answers)
    with VllmServer(spec, tmp_path / "server.log", spawn=stand_in, clock=lambda: now[0]) as server:
        server.launch()
        now[0] += 700
        server.wait_ready(600)
        assert server.alive
    assert server.ready and len(asked) == 1
    assert not server.alive  # stopped on leaving the block


@pytest.mark.parametrize(("rank", "flag"), [(1, 1), (4, 8), (8, 8), (12, 16), (64, 64), (65, 128)])
def test_lora_rank_flag(rank: int, flag: int) -> None:
    assert lora_rank_flag(rank) == flag


def test_reference_variants_and_external_endpoints_are_planned() -> None:
    config = RunConfig(
        name="x",
        variants=["reference"],
        adapters=[{"name": "good", "recipe": "g.toml"}],
        external=[{"name": "prod", "urls": ["http://a/v1", "http://b/v1"], "model": "m", "api_key_env": "KEY"}],
    )
    variants, plans = plan_run(config, Path("/base"), [adapter("good")], None, {})
    assert [(v.name, v.role) for v in variants] == [
        ("ref-lora:good", "reference"),
        ("ref-merged:good", "reference"),
        ("prod", "external"),
    ]
    assert isinstance(plans[0].serving, InProcessReference) and plans[0].serving.adapter == Path("/a/good")
    assert isinstance(plans[1].serving, InProcessReference) and plans[1].serving.model == Path("/m/good")
    assert isinstance(plans[2].serving, RunningEndpoints) and plans[2].serving.urls == ["http://a/v1", "http://b/v1"]
    assert plans[2].spec is None


def test_engine_defaults() -> None:
    assert engine_defaults(on_gpu=True) == {}
    assert engine_defaults(on_gpu=False)["kv-cache-memory-bytes"] == "2G"
    assert engine_defaults(on_gpu=False)["enforce-eager"] is True


# ---------------------------------------------------------------- server logs

STARTUP_FAILURE = """\
(EngineCore pid=19302) INFO 11-25 16:44:08 [core.py:133] Initializing a V1 LLM engine (v0.32.0)
(VllmWorker-0 pid=19315) ERROR 11-25 16:44:20 [multiproc_executor.py:953] WorkerProc failed to start.
(VllmWorker-0 pid=19315) ERROR 11-25 16:44:20 [multiproc_executor.py:953] Traceback (most recent call last):
(VllmWorker-0 pid=19315) ERROR 11-25 16:44:20 [multiproc_executor.py:953]   File "/x/cpu_worker.py", line 83, in __init__
(VllmWorker-0 pid=19315) ERROR 11-25 16:44:20 [multiproc_executor.py:953]     raise ValueError(
(VllmWorker-0 pid=19315) ERROR 11-25 16:44:20 [multiproc_executor.py:953] ValueError: Available memory on node 0 (13.53/15.09 GiB) on startup is less than desired CPU memory utilization
RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}
"""


def test_relevant_log_lines_quote_the_cause_without_prefixes() -> None:
    lines = relevant_log_lines(STARTUP_FAILURE)
    assert lines == [
        "ValueError: Available memory on node 0 (13.53/15.09 GiB) on startup is less than desired CPU memory utilization",
        "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}",
    ]


def test_relevant_log_lines_include_pydantic_value_errors() -> None:
    log = "pydantic_core._pydantic_core.ValidationError: 1 validation error for ModelConfig\n  Value error, User-specified max_model_len (4096) is greater\n"
    assert relevant_log_lines(log)[-1].startswith("Value error, User-specified max_model_len")


# ---------------------------------------------------------------- streaming reader

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


def sse(chunks: list[dict[str, object]]) -> bytes:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode() + b"data: [DONE]\n\n"


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


# ---------------------------------------------------------------- sampling and parity


def test_sample_is_seeded_ordered_and_keeps_only_used_tools() -> None:
    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "multiple"
    )
    first = sample_cases(suite, SuiteSelection(sample=5))
    assert [c.id for c in first.cases] == [c.id for c in sample_cases(suite, SuiteSelection(sample=5)).cases]
    order = [c.id for c in suite.cases]
    assert [order.index(c.id) for c in first.cases] == sorted(order.index(c.id) for c in first.cases)
    assert {t.key for t in first.tools} == {key for c in first.cases for key in c.tools}
    assert sample_cases(suite, SuiteSelection(sample=5, sample_seed=1)).cases != first.cases
    assert sample_cases(suite, SuiteSelection(sample=10_000)) is suite


@pytest.mark.parametrize(
    ("sample", "samples", "size"),
    [
        (None, {}, 36),  # every case
        (6, {}, 6),
        (6, {"mult*": 9}, 9),  # a pattern overrides the default
        (6, {"m*": 7, "multiple": 8}, 8),  # the exact name wins over a wildcard
        (6, {"other": 9}, 6),  # a pattern of another suite changes nothing
        (None, {"*": 5, "mu*": 3}, 3),  # the longer wildcard wins
    ],
)
def test_sample_size_per_suite(sample: int | None, samples: dict[str, int], size: int) -> None:
    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "multiple"
    )
    assert len(suite.cases) == 36
    assert len(sample_cases(suite, SuiteSelection(sample=sample, samples=samples)).cases) == size


def builtin_suites() -> list[Suite]:
    return [item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite]


def test_the_unmerged_sample_is_seeded_per_suite_in_order_and_not_the_sample_draw() -> None:
    suites = builtin_suites()
    asked = unmerged_sample(suites, SuiteSelection(unmerged_sample=6))
    assert asked is not None and asked == unmerged_sample(suites, SuiteSelection(unmerged_sample=6))
    for suite in suites:
        order = [c.id for c in suite.cases]
        assert len(asked[suite.name]) == min(6, len(order))
        assert [order.index(i) for i in asked[suite.name]] == sorted(order.index(i) for i in asked[suite.name])
    multiple = next(s for s in suites if s.name == "multiple")
    assert asked["multiple"] != [c.id for c in sample_cases(multiple, SuiteSelection(sample=6)).cases]
    assert unmerged_sample(suites, SuiteSelection(unmerged_sample=6, sample_seed=1)) != asked
    assert unmerged_sample(suites, SuiteSelection(unmerged_sample=10_000)) == {
        s.name: [c.id for c in s.cases] for s in suites
    }
    assert unmerged_sample(suites, SuiteSelection()) is None  # unmerged answers every case


def test_only_the_unmerged_form_of_an_adapter_served_merged_asks_the_unmerged_sample(tmp_path: Path) -> None:
    from harness.generation.answer import pending_work
    from harness.generation.prepare import Prepared
    from harness.runs.folder import RunFolder

    config = RunConfig(
        name="x",
        variants=["base", "lora", "merged"],
        adapters=[{"name": "good", "recipe": "g.toml"}, {"name": "bad", "recipe": "b.toml", "serve_merged": False}],
        suites={"unmerged_sample": 2},
        gate={"variants": ["merged:*"]},
    )
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=None, rank=4, sha256="0")
    suites = [s for s in builtin_suites() if s.name in ("multiple", "irrelevance")]
    asked = unmerged_sample(suites, SuiteSelection(unmerged_sample=2))
    variants, plans = plan_run(config, Path("/base"), [adapter("good"), bad], None, {}, asked)
    assert [(v.name, v.asked) for v in variants] == [
        ("base", None),
        ("lora:good", asked),
        ("lora:bad", None),  # served unmerged only: judged on every case
        ("merged:good", None),
    ]
    prepared = Prepared(config, [(s, "suites") for s in suites], Path("/base"), [], variants, plans)
    folder = RunFolder(tmp_path)
    work = pending_work(prepared, folder)
    every = sum(len(s.cases) for s in suites)
    assert {name: len(items) for name, items in work.items()} == {
        "base": every,
        "lora:good": 4,
        "lora:bad": every,
        "merged:good": every,
    }
    assert {(i.suite.name, i.case.id) for i in work["lora:good"]} == {
        (suite, case) for suite, ids in (asked or {}).items() for case in ids
    }
    for items in work.values():  # answer everything asked: a rerun asks nothing more
        for item in items:
            folder.append_generation(Generation(suite=item.suite.name, case_id=item.case.id, variant=item.variant))
    assert not any(pending_work(prepared, folder).values())


def test_further_merges_are_variants_of_their_own_served_on_the_unmerged_sample() -> None:
    """`merges = ["fp32", "bf16"]`: the bf16 merge is `merged-bf16:good` on a server of its own, typed as a
    further merge, never the unmerged form's counterpart, and it asks the unmerged sample as the unmerged form
    does; the config knows its name before anything is built."""
    config = RunConfig(
        name="x",
        variants=["base", "lora", "merged"],
        adapters=[{"name": "good", "recipe": "g.toml", "merges": ["fp32", "bf16"]}],
        suites={"unmerged_sample": 2},
        gate={"variants": ["merged:*"]},
    )
    good = AdapterFiles(name="good", adapter=Path("/a/good"), merged=Path("/m/good"), rank=8, sha256="0",
                        merge="fp32", extra_merges=(("bf16", Path("/m/good-bf16")),))  # fmt: skip
    asked = {"s": ["1", "2"]}
    variants, plans = plan_run(config, Path("/base"), [good], None, {}, asked)
    assert (
        [v.name for v in variants]
        == config.variant_names()
        == [
            "base",
            "lora:good",
            "merged:good",
            "merged-bf16:good",
        ]
    )
    assert [(v.name, v.role, v.merge, v.extra_merge, v.model) for v in variants[2:]] == [
        ("merged:good", "merged", "fp32", False, "/m/good"),
        ("merged-bf16:good", "merged", "bf16", True, "/m/good-bf16"),
    ]
    assert [(p.name, p.models) for p in plans[1:]] == [
        ("merged-good", {"merged:good": "merged:good"}),
        ("merged-bf16-good", {"merged-bf16:good": "merged-bf16:good"}),
    ]
    lora, merged, bf16 = variants[1:]
    assert lora.serving_pair(variants) == merged.serving_pair(variants) == (lora, merged)
    assert bf16.serving_pair(variants) is None
    assert [v.asked for v in variants] == [None, asked, None, asked]


def test_a_run_folder_from_before_merges_existed_is_resumed(tmp_path: Path) -> None:
    """A manifest written before `[[adapters]] merges` existed lacks the key; it reads as unset, the same run."""
    import json

    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import Prepared

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    config = RunConfig(name="x", variants=["merged"], adapters=[{"name": "a", "recipe": "r.toml"}])
    prepared = Prepared(config, [], base, [], [], [])
    run_dir = tmp_path / "run"
    open_run_folder(prepared, run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    del manifest["config"]["adapters"][0]["merges"]
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    open_run_folder(prepared, run_dir)


def gen(variant: str, case: str, text: str, error: str | None = None) -> Generation:
    return Generation(suite="s", case_id=case, variant=variant, text=text, error=error)


def log_of(*generations: Generation) -> dict[tuple[str, str, str], Generation]:
    return {(g.variant, g.suite, g.case_id): g for g in generations}


CALL = '<tool_call>{"name": "f", "arguments": {"a": 1, "b": 2}}</tool_call>'
SAME_CALL = '<tool_call>{"name": "f", "arguments": {"b": 2, "a": 1}}</tool_call>'


def test_agreement_counts_text_and_calls_on_cases_both_answered() -> None:
    log = log_of(
        gen("x", "1", CALL),
        gen("y", "1", SAME_CALL),
        gen("x", "2", "hello"),
        gen("y", "2", "hello"),
        gen("x", "3", "a"),
        gen("y", "3", "b", error="HTTP 500"),
        gen("x", "4", "only x"),
    )
    pair = agreement(log, "x", "y")
    assert pair is not None
    assert (pair.cases, pair.same_text, pair.same_calls, pair.differing) == (2, 1, 2, ["s/1"])
    assert agreement(log, "x", "nobody") is None


@pytest.mark.parametrize(
    ("lora_texts", "applied"),
    [(["a", "b"], False), (["a", "changed"], True)],
)
def test_adapter_that_equals_the_base_everywhere_is_not_applied(lora_texts: list[str], applied: bool) -> None:
    log = log_of(
        gen("base", "1", "a"),
        gen("base", "2", "b"),
        *(gen("lora:good", str(i + 1), text) for i, text in enumerate(lora_texts)),
        *(gen("merged:good", str(i + 1), text) for i, text in enumerate(lora_texts)),
    )
    variants = [
        Variant(name="base", role="base", model="b"),
        Variant(name="lora:good", role="lora", model="b", adapter="a", adapter_name="good"),
        Variant(name="merged:good", role="merged", model="m", adapter_name="good"),
    ]
    report = adapter_parity(log, variants, "good")
    assert report.applied is applied
    assert [(p.a, p.b) for p in report.pairs] == [("lora:good", "base"), ("lora:good", "merged:good")]
    assert report.pairs[1].same_text == 2


def test_answer_all_shards_over_endpoints_and_returns_what_it_could_not_reach() -> None:
    from harness.generation.answer import WorkItem, answer_all

    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "simple"
    )
    items = [WorkItem("v", suite, case, ()) for case in suite.cases[:12]]
    hits = {"a": 0, "b": 0}

    def endpoint(name: str, up: bool) -> dict[str, OpenAIChatBackend]:
        async def handle(request: httpx.Request) -> httpx.Response:
            if not up:
                raise httpx.ConnectError("refused")
            await asyncio.sleep(0.01)  # the network: other requests go out meanwhile
            hits[name] += 1
            return httpx.Response(200, content=sse([{"choices": [{"index": 0, "delta": {"content": "ok"}}]}]))

        return {"v": OpenAIChatBackend(f"http://{name}/v1", "m", transport=httpx.MockTransport(handle))}

    recorded: list[Generation] = []
    unreached = asyncio.run(
        answer_all(items, [endpoint("a", True), endpoint("b", True)], GenerationSettings(), recorded.append, 2)
    )
    assert not unreached and len(recorded) == 12 and hits["a"] > 0 and hits["b"] > 0
    assert {g.case_id for g in recorded} == {item.case.id for item in items}
    recorded.clear()
    unreached = asyncio.run(answer_all(items, [endpoint("c", False)], GenerationSettings(), recorded.append, 3))
    assert not recorded and len(unreached) == 12 and "refused" in unreached[0][1]


def test_server_pool_keeps_one_server_per_plan_and_logs_into_the_run_folder(tmp_path: Path) -> None:
    from harness.serving.plan import ManagedServer, ServerPlan
    from harness.serving.pool import ServerPool
    from harness.serving.vllm_server import ServerSpec

    plan = ServerPlan("merged-x", {"merged:x": "x"}, ManagedServer(ServerSpec(model="/m", served_name="x"), "/m"))
    with ServerPool(tmp_path, 10) as pool:
        server = pool.server(plan)
        assert pool.server(plan) is server and not server.alive
        assert server.log_path == tmp_path / "servers" / "merged-x.log"
        with pytest.raises(ValueError, match="external is not a managed server"):
            pool.server(ServerPlan("external", {"e": "m"}, RunningEndpoints(["http://localhost:1/v1"])))


def test_a_run_folder_takes_new_gate_and_bench_settings_but_not_new_measurements(tmp_path: Path) -> None:
    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import Prepared
    from harness.runs.folder import RunLogError

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")

    def prepared(**changes: object) -> Prepared:
        config = RunConfig(name="x", variants=["base"]).model_copy(update=changes)
        return Prepared(config, [], base, [], [], [])

    run_dir = tmp_path / "run"
    open_run_folder(prepared(), run_dir)
    stricter = GateRules(min_full_match={"*": 0.9})
    open_run_folder(prepared(gate=stricter), run_dir)  # judging differently is not measuring differently
    with pytest.raises(RunLogError, match="holds a run of a different config"):
        open_run_folder(prepared(generation=GenerationSettings(max_tokens=7)), run_dir)
