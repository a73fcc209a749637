"""The code passes the project's linter and formatter, and the workflows pass actionlint, so CI catches what a
reviewer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["harness", "tests", "benchmarks"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", *command, *PATHS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_actionlint() -> None:
    """actionlint reads every workflow with the runner labels declared in .github/actionlint.yaml (and checks
    `run:` scripts with shellcheck where that is installed)."""
    actionlint = Path(sys.executable).parent / "actionlint"
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflow to lint"
    result = subprocess.run([str(actionlint), *map(str, workflows)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
