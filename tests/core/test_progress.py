"""Quiet progress: off a terminal a stage prints a few plain lines (never a bar), on a terminal one bar, and what
the libraries write to stderr lands in the run folder's log instead of on the console."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from harness.progress import PLAIN_EVERY_S, StageProgress, duration

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def plain_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=False, width=200), out


@pytest.mark.parametrize(("seconds", "text"), [(4.6, "5s"), (65, "1m 05s"), (3725, "1h 02m")])
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


# (seconds per step, lines after the start line): a line per new tenth, but no closer than PLAIN_EVERY_S.
PACES = [
    (
        PLAIN_EVERY_S / 3,
        [
            "training fc: 3/10 steps (30%), loss 0.700, ETA 1m 10s",
            "training fc: 6/10 steps (60%), loss 0.400, ETA 40s",
            "training fc: 9/10 steps (90%), loss 0.100, ETA 10s",
            "training fc: 10/10 steps in 1m 40s, loss 0.000",
        ],
    ),
    (
        PLAIN_EVERY_S,
        [
            f"training fc: {step}/10 steps ({step}0%), loss {1 - step / 10:.3f}, ETA {duration(30 * (10 - step))}"
            for step in range(1, 10)
        ]
        + ["training fc: 10/10 steps in 5m 00s, loss 0.000"],
    ),
    (1.0, ["training fc: 10/10 steps in 10s, loss 0.000"]),
]


@pytest.mark.parametrize(("pace", "lines"), PACES)
def test_off_a_terminal_a_stage_prints_plain_lines_at_most_every_tenth(pace: float, lines: list[str]) -> None:
    console, out = plain_console()
    clock = FakeClock()
    with StageProgress(console, "training fc", "steps", clock=clock) as shown:
        shown.start(10)
        for step in range(1, 11):
            clock.now += pace
            shown.advance(status=f"loss {1 - step / 10:.3f}")
    assert out.getvalue().splitlines() == ["training fc: 10 steps to do", *lines]


def test_a_stage_that_fails_says_where_it_stopped() -> None:
    console, out = plain_console()
    clock = FakeClock()
    with pytest.raises(RuntimeError), StageProgress(console, "accuracy", "answers", clock=clock) as shown:
        shown.start(48)
        clock.now = 75
        shown.advance(5)
        raise RuntimeError("server died")
    assert out.getvalue().splitlines()[-1] == "accuracy: stopped at 5/48 answers after 1m 15s"


def test_work_found_unneeded_leaves_the_total_and_says_why() -> None:
    console, out = plain_console()
    with StageProgress(console, "latency", "blocks", clock=FakeClock()) as shown:
        shown.start(24)
        shown.advance(8)
        shown.drop(4, "concurrency 1: every timed ratio decided after 8 of 12 blocks")
        shown.advance(12)
    assert out.getvalue().splitlines() == [
        "latency: 24 blocks to do",
        "latency: concurrency 1: every timed ratio decided after 8 of 12 blocks",
        "latency: 20/20 blocks in 0s",
    ]


def test_on_a_terminal_a_stage_is_one_bar_and_no_plain_lines() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with StageProgress(console, "latency", "blocks") as shown:
        shown.start(24)
        shown.advance(24, "concurrency 4")
    text = out.getvalue()
    assert "24/24" in text and "concurrency 4" in text and "━" in text
    assert "to do" not in text and "latency:" not in text


LIBRARY_NOISE = """
    import logging, os, sys, warnings
    from pathlib import Path
    from rich.console import Console
    from harness.progress import library_output

    imported_before = logging.getLogger("early_library")  # a library imported before the block, like torch
    imported_before.addHandler(logging.StreamHandler())
    console = Console()
    try:
        with library_output(Path(sys.argv[1])):
            imported_inside = logging.getLogger("late_library")  # like transformers, imported by training
            imported_inside.addHandler(logging.StreamHandler())
            imported_before.warning("early library warning")
            imported_inside.warning("late library warning")
            logging.getLogger("trl.trainer").warning("propagated warning")
            warnings.warn("python warning")
            os.write(2, b"native stderr line\\n")
            console.print("harness line")
            raise RuntimeError("training failed")
    except RuntimeError as error:
        print(error.__notes__[0])
    imported_before.warning("after the block")
"""


def test_library_output_goes_to_the_log_and_an_error_names_it(tmp_path: Path) -> None:
    """In a child process, because the redirection is of the process's stderr, which pytest captures itself."""
    log = tmp_path / "run" / "logs" / "harness.log"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LIBRARY_NOISE), str(log)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["harness line", f"library output and warnings: {log}"]
    assert done.stderr == "after the block\n"
    written = log.read_text()
    for line in ("early library warning", "late library warning", "propagated warning", "python warning"):
        assert line in written
    assert "native stderr line" in written and "harness line" not in written
