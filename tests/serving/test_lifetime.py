"""Processes the harness starts end when the harness is killed outright: real processes, a real SIGKILL, and a
real vLLM server with its engine for the slow case."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from vllm_runs import group_ended_within, live_group_members

from harness.lifetime import ending_with_this_process

# A stand-in for the harness: it starts a server as the harness does, prints the server's pid, and waits to be
# killed.
HARNESS = """
import os, sys, time
from harness.serving.vllm_server import spawn_in_new_session
with open(sys.argv[1], "ab") as log:
    process = spawn_in_new_session(COMMAND, log, dict(os.environ))
print(process.pid, flush=True)
time.sleep(600)
"""

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def _harness(command: list[str], log: Path) -> tuple[subprocess.Popen[str], int]:
    """The stand-in harness started, and the pid of the server it started (the leader of its session and group)."""
    code = HARNESS.replace("COMMAND", repr(command))
    harness = subprocess.Popen([sys.executable, "-c", code, str(log)], stdout=subprocess.PIPE, text=True)
    assert harness.stdout is not None
    return harness, int(harness.stdout.readline())


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_server_ends_when_the_harness_that_started_it_is_killed(tmp_path: Path) -> None:
    harness, server = _harness(SLEEPER, tmp_path / "server.log")
    try:
        time.sleep(1.0)  # the launcher has become the sleeper by now
        assert live_group_members(server) == [server], "the server runs, in a session of its own"
        _kill(harness)
        assert group_ended_within(server, 10), "the server outlived the harness that started it"
    finally:
        for pid in live_group_members(server):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_launcher_whose_parent_ended_before_it_asked_never_runs_its_command(tmp_path: Path) -> None:
    """The signal covers a death after the request only: a launcher that finds another parent ends at once."""
    marker = tmp_path / "ran"
    command = ending_with_this_process([sys.executable, "-c", f"open({str(marker)!r}, 'w')"])
    command[3] = "1"  # as if the process that started it had ended before the launcher asked for the signal
    ended = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert ended.returncode == 1 and "the process that started this one (1) has ended" in ended.stderr
    assert not marker.exists()


def test_a_launched_command_runs_as_given(tmp_path: Path) -> None:
    """The launcher replaces itself with the command, arguments and exit status unchanged."""
    script = "import sys; print(sys.argv[1:]); sys.exit(7)"
    ended = subprocess.run(
        ending_with_this_process([sys.executable, "-c", script, "a b", "--flag=1"]), capture_output=True, text=True
    )
    assert (ended.returncode, ended.stdout.strip()) == (7, "['a b', '--flag=1']")


@pytest.mark.slow
def test_a_vllm_server_and_its_engine_end_when_the_harness_is_killed(tiny_model: Path, tmp_path: Path) -> None:
    """The server's engine runs in processes of its own: all of them end with the harness."""
    from harness.fixtures.chat_template import template_path
    from harness.serving.vllm_server import ServerSpec, VllmServer, engine_defaults, free_port

    spec = ServerSpec(
        model=str(tiny_model), served_name="tiny", chat_template=template_path(), engine_args=engine_defaults(False)
    )
    vllm = VllmServer(spec, tmp_path / "server.log")
    vllm.port = free_port(spec.host)
    harness, server = _harness(vllm.command(), tmp_path / "server.log")
    try:
        deadline = time.monotonic() + 600
        while not _answers(f"{vllm.base_url}/models"):
            assert time.monotonic() < deadline and harness.poll() is None, (tmp_path / "server.log").read_text()
            time.sleep(1.0)
        assert len(live_group_members(server)) >= 2, "an API server and its engine core"
        _kill(harness)
        assert group_ended_within(server, 120), f"still running: {live_group_members(server)}"
    finally:
        for pid in live_group_members(server):
            os.kill(pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.TransportError:
        return False
