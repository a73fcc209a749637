"""The vLLM servers of one run folder, started on first use and stopped together.

Why a pool: a vLLM server takes from half a minute (eager, on a CPU) to minutes (compiled, a large model) to
start, so the stages of a bench (accuracy, then the latency study) share the servers instead of each starting its
own.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from harness.serving import VllmServer
from harness.serving.plan import ServerPlan

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

    def started(self, plan: ServerPlan) -> VllmServer:
        """The plan's server, running: started now unless it already is."""
        server = self.server(plan)
        if not server.alive:
            server.start(self.startup_timeout_s)
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
