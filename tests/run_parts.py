"""Shared pieces of the tests of a run's parts: adapters as the plan takes them, the built-in suites, and the
server-sent events an OpenAI-compatible server streams."""

from __future__ import annotations

import json
from pathlib import Path

from harness.serving.plan import AdapterFiles
from harness.suites.files import load_sources
from harness.types import Suite

ROOT = Path(__file__).resolve().parent.parent


def adapter_files(name: str, rank: int = 16, merged: bool = True) -> AdapterFiles:
    """An adapter as the plan takes it, with folders that need not exist (nothing is started)."""
    return AdapterFiles(
        name=name,
        adapter=Path(f"/a/{name}"),
        merged=Path(f"/m/{name}") if merged else None,
        rank=rank,
        sha256="0" * 64,
    )


def builtin_suites() -> list[Suite]:
    """The committed suites of `suites/`."""
    return [item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite]


def sse(chunks: list[dict[str, object]]) -> bytes:
    """A streamed answer as the server sends it."""
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode() + b"data: [DONE]\n\n"
