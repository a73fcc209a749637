"""The vLLM server process without an engine: its command line, its start-up deadline, the engine defaults, the log lines quoted on failure, and the pool that shares servers between stages."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest
from run_parts import adapter_files

from harness.run_config import RunConfig
from harness.serving.plan import RunningEndpoints, plan_run
from harness.serving.vllm_server import VllmServer, engine_defaults, relevant_log_lines, server_arguments

ROOT = Path(__file__).resolve().parents[2]


def test_server_arguments_match_vllm_flags() -> None:
    config = RunConfig(name="x", variants=["lora"], adapters=[{"name": "good", "recipe": "g.toml"}])
    _, plans = plan_run(config, Path("/base"), [adapter_files("good", 12)], Path("/t.jinja"), {"enforce-eager": False})
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


def test_engine_defaults() -> None:
    assert engine_defaults(on_gpu=True) == {}
    assert engine_defaults(on_gpu=False)["kv-cache-memory-bytes"] == "2G"
    assert engine_defaults(on_gpu=False)["enforce-eager"] is True


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
