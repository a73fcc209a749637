"""`harness run` against real vLLM servers on the tiny model: every variant answers, the adapter really changes
the output, a server killed mid-run is restarted, an interrupted run resumes with every case exactly once, and
start-up mistakes give clear errors."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from vllm_runs import ROOT, SMOKE_CONFIG, group_ended_within, keys_and_counts, lively_tiny_model, planned_cases

from harness.cli import main
from harness.run_config import load_run_config
from harness.runs.folder import RunFolder
from harness.serving.vllm_server import ServerError


def write_config(folder: Path, text: str) -> Path:
    path = folder / "run.toml"
    path.write_text(text.replace("ROOT", str(ROOT)))
    return path


def base_only_config(folder: Path, *, sample: int, max_tokens: int = 16, extra: str = "") -> Path:
    return write_config(
        folder,
        f"""
name = "base-only"
base = "tiny"
variants = ["base"]
[suites]
sources = ["ROOT/suites"]
sample = {sample}
[generation]
max_tokens = {max_tokens}
concurrency = 2
{extra}
""",
    )


@pytest.mark.slow
def test_merge_precision_counts_the_answers_the_servers_gave(tiny_model: Path, tmp_path: Path) -> None:
    """A tiny adapter merged in fp32 and in bf16, each served by vLLM beside the unmerged adapter on its unmerged
    sample: the finding's counts are the answers' own, counted here apart from the harness from the raw run log,
    and the bf16 merge (which rounds the base's float32 weights too) changes some of them."""
    from harness.runs.view import load_run

    base = lively_tiny_model(tiny_model, tmp_path / "base")
    recipe = (ROOT / "adapters" / "tiny-smoke.toml").read_text().replace('base = "tiny"', f'base = "{base}"')
    recipe = recipe.replace("learning_rate = 5e-2", "learning_rate = 1e-3")  # at 5e-2 most answers are alike
    (tmp_path / "lively.toml").write_text(recipe.replace('name = "tiny-smoke"', 'name = "lively"'))
    config = write_config(
        tmp_path,
        f"""
name = "merges"
base = "{base}"
variants = ["lora", "merged"]
[[adapters]]
name = "lively"
recipe = "{tmp_path / "lively.toml"}"
merges = ["fp32", "bf16"]
[suites]
sources = ["ROOT/suites"]
sample = 6
unmerged_sample = 4
[generation]
max_tokens = 24
concurrency = 8
[gate]
judge = ["merged:*"]
""",
    )
    run_dir = tmp_path / "run"
    assert main(["run", str(config), "--out", str(run_dir)]) == 0
    variants = RunFolder(run_dir).read_manifest().variants
    assert [(v.name, v.merge, v.extra_merge) for v in variants] == [
        ("lora:lively", None, False),
        ("merged:lively", "fp32", False),
        ("merged-bf16:lively", "bf16", True),
    ]
    unmerged, fp32, bf16 = variants
    assert bf16.asked == unmerged.asked is not None and fp32.asked is None
    assert Path(bf16.model) == Path(fp32.model).with_name("merged-bf16")  # beside merged/ in the adapter's entry
    texts: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for line in (run_dir / "generations.jsonl").read_text().splitlines():
        row = json.loads(line)
        assert row["error"] is None, row["error"]
        texts[row["variant"]][(row["suite"], row["case_id"])] = row["text"]
    shared = texts[unmerged.name].keys() & texts[fp32.name].keys() & texts[bf16.name].keys()
    assert len(shared) == sum(len(ids) for ids in (unmerged.asked or {}).values())
    (finding,) = load_run(run_dir).merge_precision()
    assert finding.cases == len(shared)
    for form in finding.forms:
        differ = [f"{s}/{c}" for s, c in sorted(shared) if texts[form.variant][(s, c)] != texts[unmerged.name][(s, c)]]
        assert form.differing == differ, form.variant
    assert finding.forms[1].variant == bf16.name and finding.forms[1].differing, "nothing to count: no answer differs"
    print(f"answers differing from unmerged: {[(f.variant, len(f.differing)) for f in finding.forms]} of {len(shared)}")


def _server_pid(log: Path) -> int | None:
    found = re.findall(r"APIServer pid=(\d+)", log.read_text()) if log.exists() else []
    return int(found[-1]) if found else None


@pytest.mark.slow
def test_killed_server_is_restarted_and_every_case_answered_once(model_cache: Path, tmp_path: Path) -> None:
    import threading

    config = base_only_config(tmp_path, sample=6, max_tokens=48)
    run_dir = tmp_path / "run"
    killed: list[int] = []

    def kill_after_first_answer() -> None:
        log = run_dir / "servers" / "lora-server.log"
        while not (run_dir / "generations.jsonl").exists():
            time.sleep(0.05)
        pid = _server_pid(log)
        if pid is not None:
            os.killpg(pid, signal.SIGKILL)
            killed.append(pid)

    killer = threading.Thread(target=kill_after_first_answer, daemon=True)
    killer.start()
    assert main(["run", str(config), "--out", str(run_dir)]) == 0
    killer.join(timeout=5)
    assert killed, "the server was not killed"
    counts = keys_and_counts(run_dir)
    assert len(counts) == planned_cases(run_dir) and set(counts.values()) == {1}
    assert all(g.error is None for _, g in RunFolder(run_dir).read_generations().values())
    assert (run_dir / "servers" / "lora-server.log").read_text().count("Starting vLLM server") == 2


@pytest.mark.slow
def test_interrupted_run_stops_its_server_and_resumes(model_cache: Path, tmp_path: Path) -> None:
    config = base_only_config(tmp_path, sample=8, max_tokens=64)
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "harness", "run", str(config), "--out", str(run_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while not (run_dir / "generations.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    server = _server_pid(run_dir / "servers" / "lora-server.log")
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "rerun to resume" in " ".join(output.split())
    assert server is not None
    assert group_ended_within(server, 10), "the server's process group outlived the harness"
    answered = len(keys_and_counts(run_dir))
    assert 0 < answered < planned_cases(run_dir)
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    counts = keys_and_counts(run_dir)
    assert len(counts) == planned_cases(run_dir) and set(counts.values()) == {1}


def test_missing_adapter_path_is_a_clear_error(
    model_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path,
        """
name = "missing"
base = "tiny"
variants = ["lora"]
[suites]
sources = ["ROOT/suites"]
[[adapters]]
name = "gone"
path = "no-such-adapter"
""",
    )
    assert main(["run", str(config), "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert "no-such-adapter" in error and "Traceback" not in error


def test_taken_port_is_a_clear_error(model_cache: Path, tmp_path: Path) -> None:
    from rich.console import Console

    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import prepare
    from harness.generation.schedule import answer_pending

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config_path = base_only_config(tmp_path, sample=1, extra=f"[server]\nport = {port}\n")
        with pytest.raises(ServerError, match=rf"port {port} on 127.0.0.1 is in use"):
            prepared = prepare(load_run_config(config_path), config_path)
            answer_pending(prepared, open_run_folder(prepared, tmp_path / "run"), Console(quiet=True))


@pytest.mark.slow
def test_parity_reports_the_adapter_applied_and_agreement(
    model_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "parity"
    assert main(["parity", str(SMOKE_CONFIG), "--per-suite", "2", "--out", str(run_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "vLLM applied tiny-smoke" in out
    for pair in ("lora:tiny-smoke", "ref-lora:tiny-smoke", "ref-merged:tiny-smoke", "merged:tiny-smoke"):
        assert pair in out
    variants = {key[0] for key in RunFolder(run_dir).read_generations()}
    assert variants == {
        "base-plain",
        "base",
        "lora:tiny-smoke",
        "merged:tiny-smoke",
        "ref-lora:tiny-smoke",
        "ref-merged:tiny-smoke",
    }
    assert "base on the LoRA server vs a plain server" in out


@pytest.mark.slow
def test_external_endpoints_shard_cases_and_never_record_the_key(
    model_cache: Path, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.fixtures.chat_template import template_path
    from harness.serving.vllm_server import ServerSpec, VllmServer, engine_defaults

    secret = "sk-test-4f9a1c0e-never-in-files"
    monkeypatch.setenv("FC_TEST_KEY", secret)
    spec = ServerSpec(
        model=str(tiny_model), served_name="tiny", chat_template=template_path(), engine_args=engine_defaults(False)
    )
    with VllmServer(spec, tmp_path / "external.log") as server:
        server.start(timeout_s=600)
        url = server.base_url
        config = write_config(
            tmp_path,
            f"""
name = "external"
base = "tiny"
variants = []
[suites]
sources = ["ROOT/suites"]
sample = 3
[generation]
max_tokens = 8
concurrency = 2
[[external]]
name = "prod"
urls = ["{url}", "{url}/"]
model = "tiny"
api_key_env = "FC_TEST_KEY"
tokenizer = "{tiny_model}"
""",
        )
        run_dir = tmp_path / "run"
        assert main(["run", str(config), "--out", str(run_dir)]) == 0
    counts = keys_and_counts(run_dir)
    assert len(counts) == planned_cases(run_dir) and set(counts.values()) == {1}
    assert all(g.error is None and g.completion_tokens for _, g in RunFolder(run_dir).read_generations().values())
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path


def episode_ends(run_dir: Path) -> Counter[tuple[str, str, str]]:
    """How many attempts of each episode the log closes."""
    lines = (run_dir / "episodes.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return Counter((r["variant"], r["suite"], r["episode_id"]) for r in records if r["record"] == "end")


@pytest.mark.slow
def test_episodes_through_vllm_resume_mid_episode_and_report_per_turn(
    model_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built-in episodes and BFCL's base category through a real server: a context of 2048 tokens holds the
    built-in episodes and not BFCL's tool listings (context_overflow, counted); a run interrupted once an episode has
    begun resumes with every episode closed exactly once; scores, report, export and gate read it per turn."""
    config = base_only_config(
        tmp_path,
        sample=6,
        extra='[server]\nengine_args = { max-model-len = 2048 }\n[gate]\njudge = ["base"]\nmust_beat = []\n'
        'min_episodes = { "*" = 0.0 }\n',
    )
    text = config.read_text().replace(
        f'sources = ["{ROOT}/suites"]',
        f'sources = ["{ROOT}/suites/conversations/multi_turn.json", "bfcl:multi_turn_base"]',
    )
    assert "conversations" in text
    config.write_text(text.replace("sample = 6", 'sample = 6\nsamples = { "bfcl:*" = 2 }'))
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "harness", "run", str(config), "--out", str(run_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while not (run_dir / "episodes.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert sum(episode_ends(run_dir).values()) < 8
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    ends = episode_ends(run_dir)
    assert len(ends) == 8 and set(ends.values()) == {1}, ends
    scores = RunFolder(run_dir).read_episode_scores()
    by_suite = Counter((s.suite, s.status) for s in scores)
    assert by_suite[("bfcl:multi_turn_base", "context_overflow")] == 2
    assert by_suite[("multi_turn", "complete")] == 6
    assert main(["export", str(run_dir)]) == 0
    turns = (run_dir / "turns.csv").read_text().splitlines()
    assert len(turns) == 1 + sum(len(s.turns) for s in scores)
    assert main(["report", str(run_dir)]) in (0, 1)
    out = " ".join(capsys.readouterr().out.split())
    assert "multi-turn episodes" in out and "pass % by turn" in out
    assert main(["gate", str(run_dir)]) == 0
