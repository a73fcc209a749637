"""The sandbox's worker as a process: starting it, its JSON-lines protocol with a deadline per answer, and ending
it. `harness.environments.sandbox` decides what to ask and what to do when an answer does not come."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.environments.registry import EnvironmentSetupError

_START_TIMEOUT_S = 30.0
"""Limit on the worker's start, up to its ready line."""


class WorkerLost(Exception):
    """The worker did not answer: it ran past the limit, or it died."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "died")
        self.timed_out = timed_out


class WorkerProcess:
    """One worker process and its line protocol."""

    def __init__(self, memory_mb: int) -> None:
        # Lives as long as the process, closed in kill(): a context manager cannot span that.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        package_root = str(Path(__file__).resolve().parents[2])
        paths = [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harness.environments.worker", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
        self._buffer = bytearray()
        self._ids = itertools.count()
        try:
            self._receive(_START_TIMEOUT_S)
        except WorkerLost as lost:
            self.kill()
            raise EnvironmentSetupError(
                f"the environment worker did not start ({lost}): {self.stderr_tail()}"
            ) from None

    def request(self, payload: Mapping[str, Any], timeout_s: float) -> dict[str, Any]:
        """Send one request and wait for its answer; `WorkerLost` when none comes in time."""
        request_id = next(self._ids)
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps({"id": request_id, **payload}).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerLost(timed_out=False) from None
        answer = self._receive(timeout_s)
        if answer.get("id") != request_id:
            raise WorkerLost(timed_out=False)
        return answer

    def _receive(self, timeout_s: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([descriptor], [], [], remaining)[0]:
                raise WorkerLost(timed_out=True)
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                raise WorkerLost(timed_out=False)
            self._buffer += chunk
        line, _, rest = self._buffer.partition(b"\n")
        self._buffer = bytearray(rest)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stderr_tail(self) -> str:
        """The end of what the worker wrote on stderr, for a start failure's message."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:].strip() or "(no output)"

    def kill(self) -> None:
        """End the process now."""
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()

    def stop(self) -> None:
        """Let the process end by closing its input, and kill it if it does not."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2.0)
        self.kill()
