"""A `vllm serve` process owned by the harness: started on a free local port, waited for, logged into the run
folder, and always stopped (SIGTERM to its process group, then SIGKILL), whatever happens to the run.

vLLM's engine runs in child processes of the API server; the server is started in a new session so that stopping
the group stops them all and no orphan keeps a port or the CPU busy after the harness is gone.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import httpx

from harness.errors import HarnessError
from harness.lifetime import ending_with_this_process
from harness.provenance import native_bf16

STOP_GRACE_S = 20.0
_POLL_S = 0.5
_QUOTED_LINES = 6
_PROBLEM = re.compile(r"(Error\b|Exception\b|[Ee]rror[,:]|Killed|out of memory|No such file)")
_QUOTED_CHARS = 400
_LOG_PREFIX = re.compile(r"^\([\w-]+ pid=\d+\)\s+(?:ERROR|WARNING|INFO)\s+\S+ \S+ \[[^\]]+\]\s*")

# On a CPU, vLLM keeps one core for the API server by default, which halves the engine on a two-core machine;
# the client side of a benchmark needs very little (ignored on GPUs). Unbuffered output, because a log written to
# a file is block-buffered and a killed server would lose exactly the lines that say why it died. INFO logging,
# because importing trl (done when fixtures are trained in the same process) sets VLLM_LOGGING_LEVEL=ERROR in
# os.environ, which would leave the server log without start-up and throughput lines (`server.env` overrides).
DEFAULT_ENV = {"VLLM_CPU_NUM_OF_RESERVED_CPU": "0", "PYTHONUNBUFFERED": "1", "VLLM_LOGGING_LEVEL": "INFO"}


CPU_KV_CACHE = "2G"


def engine_defaults(on_gpu: bool) -> dict[str, str | int | float | bool]:
    """Engine arguments the harness adds unless the config sets them.

    On a CPU: a fixed KV cache size, because the default reserves 92% of the machine's memory and refuses to start
    when anything else uses it; eager mode, because vLLM 0.32 cannot reload its compiled CPU graphs from the cache
    and compiles them again at every start (measured on two cores with SmolLM2-135M, 208 requests: start-up 165 s
    compiled against 40 s eager, the whole run 493 s against 405 s, the same answers); and float32 on CPUs without
    native bf16, where bf16 weights are emulated (measured 3x slower on an AVX2 machine). Nothing on GPUs: vLLM's
    own defaults (CUDA graphs) are right there. A config's `engine_args` override any of these.
    """
    if on_gpu:
        return {}
    defaults: dict[str, str | int | float | bool] = {"kv-cache-memory-bytes": CPU_KV_CACHE, "enforce-eager": True}
    if not native_bf16():
        defaults["dtype"] = "float32"
    return defaults


class ServerError(HarnessError):
    """A server that could not be started or died; the message quotes the relevant lines of its log."""


@dataclass(frozen=True)
class ServerSpec:
    """Everything that decides how one server is started."""

    model: str
    """Model folder or hub name to serve."""
    served_name: str
    """Name requests use for the model itself."""
    loras: Mapping[str, Path] = field(default_factory=dict)
    """LoRA name → adapter folder; empty starts a server without `--enable-lora`."""
    max_lora_rank: int | None = None
    """`--max-lora-rank`, matched to the adapters (kernels work on the padded rank)."""
    chat_template: Path | None = None
    """`--chat-template`; None keeps the model's own."""
    engine_args: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    """Passed through as `--NAME VALUE` (names spelt with dashes)."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment."""
    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port."""


def _launcher() -> list[str]:
    """The command that starts vLLM's OpenAI server from this interpreter.

    `vllm serve` looks up the distribution named `vllm` for its version, which the CPU build (distribution
    `vllm-cpu`) is not, so it fails there; the API server module it wraps works with both builds.
    """
    try:
        importlib.metadata.version("vllm")
    except importlib.metadata.PackageNotFoundError:
        return [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]
    return [sys.executable, "-m", "vllm.entrypoints.cli.main", "serve"]


def server_arguments(spec: ServerSpec, port: int) -> list[str]:
    """Command-line arguments after the launcher, for one spec on one port."""
    args = ["--model", spec.model, "--served-model-name", spec.served_name]
    args += ["--host", spec.host, "--port", str(port), "--seed", "0"]
    args += ["--enable-auto-tool-choice", "--tool-call-parser", "hermes"]
    if spec.chat_template is not None:
        args += ["--chat-template", str(spec.chat_template)]
    if spec.loras:
        # One slot more than adapters: vLLM 0.32's CPU LoRA ops index the stacked adapter weights with the
        # request's slot, and a request without an adapter has slot -1, which PyTorch reads as the last slot.
        # With every slot in use, base requests on a LoRA server silently get the last adapter applied; a spare
        # slot stays zero, so they get nothing. (GPU kernels skip -1; the spare slot costs them little.)
        args += ["--enable-lora", "--max-loras", str(len(spec.loras) + 1)]
        args += ["--lora-modules", *(f"{name}={path}" for name, path in spec.loras.items())]
        if spec.max_lora_rank is not None:
            args += ["--max-lora-rank", str(spec.max_lora_rank)]
    for name, value in spec.engine_args.items():
        flag = f"--{name}"
        if value is True:
            args.append(flag)
        elif value is not False:
            args += [flag, str(value)]
    return args


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_port_free(host: str, port: int) -> None:
    """Fail before starting an engine (which takes half a minute to notice) when the port is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServerError(
                f"port {port} on {host} is in use ({error.strerror}); set server.port = 0 to pick a free port"
            ) from None


def relevant_log_lines(log: str, limit: int = _QUOTED_LINES) -> list[str]:
    """The last distinct lines of a server log that say what went wrong, without vLLM's logging prefixes."""
    found: list[str] = []
    for line in reversed(log.splitlines()):
        if not _PROBLEM.search(line):
            continue
        cleaned = _LOG_PREFIX.sub("", line).strip()
        if cleaned.startswith(("raise ", "File ", "Traceback")) or cleaned in found:
            continue
        found.append(cleaned[:_QUOTED_CHARS] + ("…" if len(cleaned) > _QUOTED_CHARS else ""))
        if len(found) == limit:
            break
    return list(reversed(found))


Spawn = Callable[[list[str], BinaryIO, Mapping[str, str]], subprocess.Popen[bytes]]
"""Starts a server's process from its command line, the open log file and the environment."""


def spawn_in_new_session(command: list[str], log: BinaryIO, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """The server's process, output into its log, in a session of its own so that stopping its group stops the
    engine's children too, and ending when the harness ends, killed included (`harness.lifetime`). Called from the
    main thread: the kernel's parent-death signal follows the thread that started the process."""
    return subprocess.Popen(
        ending_with_this_process(command), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


class VllmServer:
    """One managed server; use it as a context manager so that it is stopped on any exit, Ctrl-C included."""

    def __init__(
        self,
        spec: ServerSpec,
        log_path: Path,
        *,
        spawn: Spawn = spawn_in_new_session,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`spawn` and `clock` exist so that the start-up logic can be checked without an engine and without
        waiting: a test spawns a stand-in process and moves the clock on, where the harness keeps the defaults."""
        self.spec = spec
        self.log_path = log_path
        self.port = 0
        self._spawn = spawn
        self._clock = clock
        self._process: subprocess.Popen[bytes] | None = None
        self._launched_at = 0.0
        self.ready = False
        """Whether the running process has answered; a launched server is alive before it is ready."""

    @property
    def base_url(self) -> str:
        return f"http://{self.spec.host}:{self.port}/v1"

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        return [*_launcher(), *server_arguments(self.spec, self.port)]

    def start(self, timeout_s: float) -> None:
        """Start the server and wait until it answers `/v1/models`; raise ServerError quoting its log if not."""
        self.launch()
        self.wait_ready(timeout_s)

    def launch(self) -> None:
        """Start the server's process without waiting for it to answer (`wait_ready` does)."""
        if self.spec.port:
            check_port_free(self.spec.host, self.spec.port)
            self.port = self.spec.port
        else:
            self.port = free_port(self.spec.host)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **DEFAULT_ENV, **self.spec.env}
        with self.log_path.open("ab") as log:
            log.write(f"\n$ {' '.join(self.command())}\n".encode())
            log.flush()
            self._process = self._spawn(self.command(), log, env)
        self._launched_at, self.ready = self._clock(), False

    def wait_ready(self, timeout_s: float) -> None:
        """Wait until the launched server answers, at most `timeout_s` after its launch. It is asked at least once
        whatever the time: a server launched beside others may have been ready for long when its turn comes, after
        another server's cases took longer than the timeout."""
        deadline = self._launched_at + timeout_s
        while True:
            if not self.alive:
                raise self.failure(f"vLLM server for {self.spec.model} exited during start-up")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    self.ready = True
                    return
            except httpx.TransportError:
                pass
            if self._clock() >= deadline:
                break
            time.sleep(_POLL_S)
        self.stop()
        raise self.failure(f"vLLM server for {self.spec.model} was not ready after {timeout_s:.0f} s")

    def failure(self, what: str) -> ServerError:
        """An error that says what happened and quotes the server log's relevant lines."""
        try:
            log = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            log = ""
        lines = relevant_log_lines(log)
        quoted = "".join(f"\n  | {line}" for line in lines) or "\n  (no error lines in the log)"
        return ServerError(f"{what}; server log {self.log_path}:{quoted}")

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after a grace period; safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Children that left the group's leader behind are still in the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> VllmServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
