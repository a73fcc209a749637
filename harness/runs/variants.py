"""Which variants a run config serves, derived once from the config alone, before anything is trained: the config
checks its gate rules against these names when the file is read, and the run plan builds its variants from them,
adding what only the fixtures know (models, folders, dtypes, steps). Whether an adapter is served merged or
unmerged, and which variants answer only the unmerged sample, are decided here and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from harness.types import (
    Frozen,
    MergePrecision,
    Role,
    checkpoint_name,
    extra_merged_variant,
    lora_variant,
    merged_variant,
    reference_variants,
)

if TYPE_CHECKING:
    from harness.runs.config import AdapterSpec, RunConfig


class DeclaredVariant(Frozen):
    """A variant as its config declares it: its name and role and whose adapter weights it serves in which form,
    without what serves it."""

    name: str
    """Name in the run log."""
    role: Role
    """What it is (see `Variant.role`)."""
    adapter: str | None = None
    """Name of the adapter it serves; None for the base and external endpoints."""
    merged: bool = False
    """It answers from weights with the adapter merged in: a merged form, or the merged reference."""
    extra_merge: MergePrecision | None = None
    """For a further merged form of the adapter (`[[adapters]] merges` after the first), its precision."""
    checkpoint: int | None = None
    """For a checkpoint kept during training, its step."""
    unmerged_sample: bool = False
    """It answers only the unmerged sample (`[suites] unmerged_sample`): the unmerged form of an adapter that is
    also served merged, and the further merged forms compared with it. Every other variant answers every case."""


def serves_unmerged(config: RunConfig, adapter: AdapterSpec) -> bool:
    """Whether the run serves the adapter's final weights unmerged, from the LoRA server."""
    return "lora" in config.variants and adapter.serve_unmerged


def serves_merged(config: RunConfig, adapter: AdapterSpec) -> bool:
    """Whether the run serves the adapter merged, on a server of its own (and each further merge on another)."""
    return "merged" in config.variants and adapter.serve_merged


def _sampled(config: RunConfig, adapter: AdapterSpec) -> bool:
    """Whether the adapter's unmerged form (and its further merges) answers only the unmerged sample: when the
    config draws one and the adapter is served both ways, the merged form answering every case."""
    return (
        config.suites.unmerged_sample is not None
        and serves_unmerged(config, adapter)
        and serves_merged(config, adapter)
    )


def declared_variants(
    config: RunConfig, checkpoints: Mapping[str, Sequence[int]] | None = None
) -> list[DeclaredVariant]:
    """The variants of `config` in report order: the base on a plain server and on the LoRA server, each adapter's
    checkpoints and unmerged form, its merged forms, its references, then the external endpoints. `checkpoints`
    (adapter name → served steps, known once its recipe is read) adds the checkpoints; without it they are left
    out, as no rule that names variants judges one."""
    kinds = set(config.variants)
    declared = [DeclaredVariant(name=kind, role=kind) for kind in ("base-plain", "base") if kind in kinds]
    for spec in config.adapters:
        for step in (checkpoints or {}).get(spec.name, []) if "lora" in kinds else []:
            name = lora_variant(checkpoint_name(spec.name, step))
            declared.append(DeclaredVariant(name=name, role="lora", adapter=spec.name, checkpoint=step))
        if serves_unmerged(config, spec):
            declared.append(
                DeclaredVariant(
                    name=lora_variant(spec.name), role="lora", adapter=spec.name, unmerged_sample=_sampled(config, spec)
                )
            )
    for spec in config.adapters:
        if not serves_merged(config, spec):
            continue
        declared.append(DeclaredVariant(name=merged_variant(spec.name), role="merged", adapter=spec.name, merged=True))
        declared += [
            DeclaredVariant(
                name=extra_merged_variant(spec.name, merge),
                role="merged",
                adapter=spec.name,
                merged=True,
                extra_merge=merge,
                unmerged_sample=_sampled(config, spec),
            )
            for merge in spec.extra_merges
        ]
    for spec in config.adapters if "reference" in kinds else []:
        unmerged, merged = reference_variants(spec.name)
        declared.append(DeclaredVariant(name=unmerged, role="reference", adapter=spec.name))
        if spec.recipe is not None or spec.merged is not None:  # a path adapter has a merged model only if given
            declared.append(DeclaredVariant(name=merged, role="reference", adapter=spec.name, merged=True))
    return declared + [DeclaredVariant(name=endpoint.name, role="external") for endpoint in config.external]
