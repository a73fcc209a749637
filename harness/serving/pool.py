"""The vLLM servers of one run folder, started on first use and stopped together.

Why a pool: a vLLM server takes from half a minute (eager, on a CPU) to minutes (compiled, a large model) to
start, so the stages of a bench (accuracy, then the latency study) share the servers instead of each starting its
own.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from harness.serving.plan import ServerPlan
from harness.serving.vllm_server import VllmServer

SERVER_LOGS = "servers"


class ServerPool:
    """Managed servers by plan name; leaving the `with` block stops every one of them."""

    def __init__(self, run_dir: Path, startup_timeout_s: float) -> None:
        self.logs = run_dir / SERVER_LOGS
        self.startup_timeout_s = startup_timeout_s
        self._servers: dict[str, VllmServer] = {}

    def server(self, plan: ServerPlan) -> VllmServer:
        """The plan's server, created (not started) on first use."""
        if plan.spec is None:
            raise ValueError(f"{plan.name} is not a managed server")
        if plan.name not in self._servers:
            self._servers[plan.name] = VllmServer(plan.spec, self.logs / f"{plan.name}.log")
        return self._servers[plan.name]

    def launch(self, plans: list[ServerPlan]) -> None:
        """Start the processes of every managed server among `plans` that is not running, side by side and without
        waiting. A vLLM server is three processes (API server, engine, worker), each spending most of its start-up
        importing vLLM and torch on one core: measured on two cores, one server started in 45 s and two side by
        side in 62 s, so a stage that needs several starts them all at once. Not on a GPU, where each server
        sizes its memory from what is free when it starts."""
        for server in (self.server(plan) for plan in plans if plan.spec is not None):
            if not server.alive:
                server.launch()

    def started(self, plan: ServerPlan) -> VllmServer:
        """The plan's server, running and ready: started now, or waited for if it was launched, unless it is."""
        server = self.server(plan)
        if not server.alive:
            server.start(self.startup_timeout_s)
        elif not server.ready:
            server.wait_ready(self.startup_timeout_s)
        return server

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()

    def __enter__(self) -> ServerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
