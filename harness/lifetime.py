"""Processes the harness starts end when the harness ends, however it ends.

A vLLM server runs in a session of its own (so that stopping its group stops its engine too), and the harness
stops it on every exit it sees, Ctrl-C included. A harness killed outright (SIGKILL, as the kernel does to a
process that runs the machine out of memory) sees nothing: its servers, several GiB each, would serve on for
nobody and starve the next run. Linux's parent-death signal closes that gap: the kernel sends the server SIGTERM
when the harness ends, and vLLM stops its engine on SIGTERM.

The setting must be made in the child before it becomes vLLM, and `preexec_fn` is unsafe in a process with
threads (a progress display runs one), so servers start through this file: `python -I lifetime.py PARENT COMMAND…`
asks for the signal, checks the harness did not end in between, and replaces itself with COMMAND (exec keeps the
setting). It imports the standard library only and runs isolated (`-I`), so that no folder of the harness's
package, such as `types`, shadows a module of the standard library.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

_PR_SET_PDEATHSIG = 1
"""From <linux/prctl.h>."""


def end_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when its parent ends; end now if `parent` has ended already (the
    signal only covers a death after the request). Nothing to ask outside Linux."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        sys.exit(f"the process that started this one ({parent}) has ended")


def ending_with_this_process(command: list[str]) -> list[str]:
    """`command`, started so that it ends when the calling process ends."""
    return [sys.executable, "-I", str(Path(__file__).resolve()), str(os.getpid()), *command]


if __name__ == "__main__":
    end_with_parent(int(sys.argv[1]))
    os.execvp(sys.argv[2], sys.argv[2:])
