"""The physical floor under the overhead of serving a LoRA adapter unmerged.

Decoding is memory-bound: each step reads every weight once. Unmerged, a step also reads the adapter's A and B
matrices, padded by vLLM to `--max-lora-rank`. Their size relative to the base weights is therefore the smallest
overhead an unmerged adapter can have on time per output token; a measured overhead far above it is the
kernels' cost (on CPUs, vLLM's LoRA path is plain PyTorch gathers), not the arithmetic's.
"""

from __future__ import annotations

import math
from pathlib import Path

from harness.fixtures.adapter_check import tensor_shapes


def parameter_count(files: list[Path]) -> int:
    """Parameters in safetensors files, read from their headers only."""
    return sum(math.prod(shape) for file in files for shape in tensor_shapes(file).values())


def unmerged_read_floor(base: Path, adapter: Path, rank: int, served_rank: int) -> float:
    """Extra weight reads per decode step of the unmerged adapter, as a fraction of the base's."""
    base_params = parameter_count(sorted(base.glob("*.safetensors")))
    adapter_params = parameter_count([adapter / "adapter_model.safetensors"])
    return adapter_params * (served_rank / rank) / base_params
