"""BFCL's own checker as a reference, from the project's side: the throwaway venv it runs in, the outputs it reads,
and the JSON pipe to `bfcl_checker.py`.

The venv lives outside the project and its cache (`$BFCL_CHECKER_VENV`, else `~/.cache/bfcl-eval-checker`):
bfcl-eval's modules pin old numpy and more, and about 6 GiB of dependencies, that must never reach the project's
venv, where only its data files are installed (`pip install --no-deps`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.suites import bfcl
from harness.types import Case, CaseKind, Suite, ToolCall

VENV_ENV = "BFCL_CHECKER_VENV"
PACKAGES = ("bfcl-eval==2026.3.23", "soundfile")
"""What the venv holds: the bfcl-eval release whose data the harness reads, and soundfile, which its model
handlers import on the way to the checker but do not declare."""
WORKER = Path(__file__).with_name("bfcl_checker.py")
AST_CATEGORIES = tuple(c for c, kind in bfcl.CATEGORIES.items() if kind is not CaseKind.IRRELEVANCE)
"""The categories BFCL decides with its AST checker (irrelevance is decided by the absence of a call)."""


def venv_path() -> Path:
    explicit = os.environ.get(VENV_ENV)
    return Path(explicit) if explicit else Path.home() / ".cache" / "bfcl-eval-checker"


def venv_python() -> Path | None:
    """The reference venv's interpreter, or None when the venv has not been made (or was left half made)."""
    python = venv_path() / "bin" / "python"
    return python if (venv_path() / ".complete").exists() and python.exists() else None


def ensure_venv() -> Path:
    """The reference venv's interpreter, made first when missing (a few minutes, about 6 GiB)."""
    found = venv_python()
    if found is not None:
        return found
    path = venv_path()
    print(f"making BFCL's checker venv in {path} ({VENV_ENV} moves it): pip install {' '.join(PACKAGES)}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    (path / ".complete").touch()
    return path / "bin" / "python"


@dataclass(frozen=True)
class Output:
    """One model output to judge: a case of a BFCL category and the calls an imagined model made."""

    category: str
    case: Case
    calls: Sequence[ToolCall]

    def request_item(self) -> dict[str, Any]:
        """The output as BFCL's checker reads a decoded model answer: a list of {function: arguments}."""
        output = [{call.name: call.arguments} for call in self.calls]
        return {"category": self.category, "id": self.case.id, "output": output}


def ask(python: Path, request: dict[str, Any], worker: Path = WORKER) -> Any:
    """One request to one of BFCL's checkers (the AST one unless `worker` names another), one JSON answer back;
    its failure stops the benchmark with its stderr."""
    done = subprocess.run(
        [str(python), str(worker)], input=json.dumps(request), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"BFCL's checker failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def verdicts(python: Path, outputs: Sequence[Output]) -> list[dict[str, Any]]:
    """BFCL's verdict on every output, in order."""
    return ask(python, {"mode": "check", "items": [o.request_item() for o in outputs]})


def seconds(python: Path, outputs: Sequence[Output], rounds: int) -> float:
    """Best time of BFCL's checker over `rounds` passes through every output, on one core."""
    return float(
        ask(python, {"mode": "time", "rounds": rounds, "items": [o.request_item() for o in outputs]})["seconds"]
    )


def ast_suites() -> Iterable[tuple[str, Suite]]:
    """Every AST category as the harness loads it."""
    for category in AST_CATEGORIES:
        yield category, bfcl.load_category(category)[0]
