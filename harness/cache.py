"""Where build products (converted models, trained adapters, merged models) live, keyed by content.

Trained weights are never committed: they are rebuilt from recipes and cached under a key that hashes everything
they were made from, so an unchanged recipe reuses its adapter and a changed one cannot be served a stale one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "HARNESS_CACHE_DIR"
DONE = ".complete"
"""Marker written last into a cache entry: an entry without it is an interrupted build and is rebuilt."""


def cache_root() -> Path:
    """`$HARNESS_CACHE_DIR`, else `$XDG_CACHE_HOME/fc-harness`, else `~/.cache/fc-harness`."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fc-harness"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value: object) -> str:
    """Hash of a JSON-able value, independent of key order."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def cached_folder(kind: str, key: str, build: Callable[[Path], None], *, force: bool = False) -> Path:
    """The cache entry `kind/key`, built by `build(folder)` when absent, incomplete or forced.

    The build writes into a temporary sibling that is renamed into place only when complete, so an interrupted
    build never leaves a folder that looks usable and never destroys the previous good entry before the new one
    is ready.
    """
    target = cache_root() / kind / key
    if (target / DONE).exists() and not force:
        return target
    _remove_abandoned(target.parent)
    staging = target.with_name(f".{key}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        build(staging)
        (staging / DONE).write_text(key + "\n")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def _remove_abandoned(folder: Path) -> None:
    """Staging folders whose build was killed outright (SIGKILL, a lost machine), so that no cleanup ran: their
    process is gone. A build still running, here or in another process, keeps its folder."""
    for staging in folder.glob(".*.building-*"):
        pid = staging.name.rsplit("-", 1)[1]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
