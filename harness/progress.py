"""What a long command shows while it works: one progress display per stage, and nothing from the libraries.

A bench used to print hundreds of lines, almost all of them trl's per-step dicts, tqdm bars and library warnings,
so the harness's own lines (and the verdict) were lost among them. Here every stage (training, the accuracy
pass, the latency study) gets one display: a rich bar on a terminal, and on anything else (a CI log, a pipe) a
few plain lines, because a bar written to a file is either nothing until the end or a screen of redraws.
Whatever the libraries write to stderr goes to a log file in the run folder instead, named when a command fails.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

LIBRARY_LOG = Path("logs") / "harness.log"
"""Where a run folder keeps what libraries wrote (warnings, their loggers, tqdm bars); vLLM servers log apart."""
PLAIN_EVERY_S = 30.0
"""Off a terminal, at most one progress line per tenth of a stage and per this many seconds: enough to see that a
long stage moves, too few to bury the report."""
_STDERR = 2


def duration(seconds: float) -> str:
    """Seconds as a person reads them in a log line: 42s, 3m 05s, 1h 02m."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


class StageProgress:
    """One stage's progress (done of total, a status such as the loss, the time left) as a context manager.

    On a terminal it is a rich bar that stays as one line when the stage ends. Elsewhere it prints plain lines: the
    total when it is known, a line at a new tenth at most every `PLAIN_EVERY_S`, and the end (or where it stopped).
    The total may come after the display starts (a trainer knows its step count only when it begins).
    """

    def __init__(self, console: Console, name: str, unit: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.name = name
        self.unit = unit
        self.clock = clock
        self.done = 0
        self.total: int | None = None
        self.status = ""
        self._began = clock()
        self._last_line = self._began
        self._tenth = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> StageProgress:
        if self.console.is_terminal and not self.console.is_dumb_terminal:
            # stderr stays where `library_output` sent it; rich would otherwise print it above the bar.
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(escape(self.unit)),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(escape(self.name), total=None, status="")
        return self

    def start(self, total: int) -> None:
        """Set the total; off a terminal, say it."""
        self.total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total)
        else:
            self.note(f"{total} {self.unit} to do")

    def drop(self, steps: int, why: str = "") -> None:
        """Take `steps` out of the total, work that turned out not to be needed (the blocks of a latency level
        that stopped once decided, the cases no rule needs any more), and say why, if given: the count and the
        time left stay true."""
        if self.total is not None:
            self.total -= steps
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, total=self.total)
        if why:
            self.note(why)

    def advance(self, steps: int = 1, status: str | None = None) -> None:
        self.done += steps
        if status is not None:
            self.status = status
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, status=escape(self.status))
            return
        if not self.total or self.done >= self.total:
            return
        tenth = self.done * 10 // self.total
        now = self.clock()
        if tenth > self._tenth and now - self._last_line >= PLAIN_EVERY_S:
            self._tenth, self._last_line = tenth, now
            left = (now - self._began) / self.done * (self.total - self.done)
            self.note(f"{self._count()} ({100 * self.done // self.total}%){self._status()}, ETA {duration(left)}")

    def note(self, text: str) -> None:
        """A line of its own (above the bar on a terminal)."""
        self.console.print(f"{escape(self.name)}: {escape(text)}", soft_wrap=True, highlight=False)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            return
        elapsed = duration(self.clock() - self._began)
        if kind is None:
            self.note(f"{self._count()} in {elapsed}{self._status()}")
        else:
            self.note(f"stopped at {self._count()} after {elapsed}")

    def _count(self) -> str:
        return f"{self.done}/{self.total if self.total is not None else '?'} {self.unit}"

    def _status(self) -> str:
        return f", {self.status}" if self.status else ""


@contextmanager
def library_output(log: Path) -> Iterator[None]:
    """Send everything written to the process's stderr into `log` while the block runs, and name the log in any
    error that leaves it.

    At the file-descriptor level, because the libraries reach stderr in too many ways to configure one by one:
    logging handlers bound to stderr when each library is first imported (transformers, datasets,
    huggingface_hub), Python warnings, tqdm bars, C++ warnings from torch. The harness's own lines go to stdout
    and stay on the console; its error messages are printed after the block, when stderr is the console again.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(_STDERR)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    header = f"\n=== {datetime.now(UTC).isoformat(timespec='seconds')} harness {' '.join(sys.argv[1:])}\n"
    os.write(target, header.encode())
    os.dup2(target, _STDERR)
    os.close(target)
    try:
        yield
    except Exception as error:
        error.add_note(f"library output and warnings: {log}")
        raise
    finally:
        sys.stderr.flush()
        os.dup2(saved, _STDERR)
        os.close(saved)
