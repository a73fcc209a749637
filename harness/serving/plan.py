"""From a run config and its materialised fixtures to the variants a run measures and the servers that serve
them. Pure: nothing here starts a process or reads a model.

One LoRA-enabled server serves `base` and every `lora:NAME` (the request's model name selects the adapter); a
server without `--enable-lora` serves `base-plain`, because enabling LoRA alone can change the base's latency;
each `merged:NAME` gets its own server; external endpoints are variants whose servers someone else runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS
from harness.runs.config import ConfigError, EngineValue, RunConfig
from harness.serving import ServerSpec
from harness.types import Variant, lora_variant, merged_variant, reference_variants

BASE_NAME = "base"


@dataclass(frozen=True)
class AdapterFiles:
    """An adapter as the run uses it: its folders and what identifies its content."""

    name: str
    adapter: Path
    merged: Path | None
    rank: int
    sha256: str
    expect: Literal["pass", "fail"] = "pass"
    """`fail` for a control adapter (see `AdapterSpec.expect`)."""
    serve_merged: bool = True
    """Whether the `merged` variant serves this adapter (see `AdapterSpec.serve_merged`)."""


@dataclass(frozen=True)
class ReferenceSpec:
    """A model folder (and an adapter to apply unmerged) for the in-process reference backend."""

    model: Path
    adapter: Path | None = None


@dataclass(frozen=True)
class ServerPlan:
    """One server (managed or external) and the variants it answers for."""

    name: str
    """Used for the server log's file name."""
    models: dict[str, str]
    """Variant name → model name sent in its requests."""
    spec: ServerSpec | None = None
    """How to start it; None for an external endpoint."""
    urls: list[str] = field(default_factory=list)
    """External base URLs (cases are sharded over them)."""
    reference: ReferenceSpec | None = None
    """In-process transformers instead of a server."""
    api_key_env: str | None = None
    tokenizer: str | None = None
    """Tokenizer that decodes the token ids asked from a vLLM server, so the raw text survives its tool parser;
    None asks for no ids and keeps the streamed text."""


def lora_rank_flag(rank: int) -> int:
    """The smallest `--max-lora-rank` vLLM accepts that fits an adapter of this rank."""
    return next(allowed for allowed in VLLM_MAX_LORA_RANKS if allowed >= rank)


def _adapter_variant(
    adapter: AdapterFiles,
    name: str,
    role: Literal["lora", "merged", "reference"],
    model: Path,
    *,
    unmerged: bool,
    dtype: str | None = None,
) -> Variant:
    """A variant that serves `adapter`: its typed fields say whose it is and what the gate expects of it."""
    return Variant(
        name=name,
        role=role,
        model=str(model),
        adapter=str(adapter.adapter) if unmerged else None,
        adapter_name=adapter.name,
        expect=adapter.expect,
        dtype=dtype,
    )


def plan_run(
    config: RunConfig,
    base: Path,
    adapters: list[AdapterFiles],
    chat_template: Path | None,
    engine_defaults: dict[str, EngineValue],
) -> tuple[list[Variant], list[ServerPlan]]:
    """The variants in report order and the servers to run, in the order they are run."""
    settings = config.server
    engine_args = {
        name.replace("_", "-"): value for name, value in [*engine_defaults.items(), *settings.engine_args.items()]
    }

    def spec(model: Path, served: str, loras: dict[str, Path] | None = None) -> ServerSpec:
        ranks = [a.rank for a in adapters]
        return ServerSpec(
            model=str(model),
            served_name=served,
            loras=loras or {},
            max_lora_rank=lora_rank_flag(max(ranks)) if loras and ranks else None,
            chat_template=chat_template,
            engine_args=engine_args,
            env=settings.env,
            host=settings.host,
            port=settings.port,
        )

    dtype = str(engine_args.get("dtype", "auto"))
    variants: list[Variant] = []
    plans: list[ServerPlan] = []
    kinds = set(config.variants)
    if "base-plain" in kinds:
        variants.append(Variant(name="base-plain", role="base-plain", model=str(base), dtype=dtype))
        plans.append(
            ServerPlan(
                name="base-plain", models={"base-plain": BASE_NAME}, spec=spec(base, BASE_NAME), tokenizer=str(base)
            )
        )
    if kinds & {"base", "lora"}:
        models: dict[str, str] = {}
        if "base" in kinds:
            variants.append(Variant(name="base", role="base", model=str(base), dtype=dtype))
            models["base"] = BASE_NAME
        if "lora" in kinds:
            for adapter in adapters:
                name = lora_variant(adapter.name)
                variants.append(_adapter_variant(adapter, name, "lora", base, unmerged=True, dtype=dtype))
                models[name] = adapter.name
        loras = {a.name: a.adapter for a in adapters}
        plans.append(
            ServerPlan(name="lora-server", models=models, spec=spec(base, BASE_NAME, loras), tokenizer=str(base))
        )
    if "merged" in kinds:
        for adapter in (a for a in adapters if a.serve_merged):
            if adapter.merged is None:
                raise ConfigError(
                    f"adapter {adapter.name!r}: the merged variant needs a merged folder (set merged = PATH)"
                )
            name = merged_variant(adapter.name)
            variants.append(_adapter_variant(adapter, name, "merged", adapter.merged, unmerged=False, dtype=dtype))
            plans.append(
                ServerPlan(
                    name=name.replace(":", "-"),
                    models={name: name},
                    spec=spec(adapter.merged, name),
                    tokenizer=str(adapter.merged),
                )
            )
    if "reference" in kinds:
        for adapter in adapters:
            unmerged, merged = reference_variants(adapter.name)
            variants.append(_adapter_variant(adapter, unmerged, "reference", base, unmerged=True))
            plans.append(
                ServerPlan(
                    name=unmerged.replace(":", "-"),
                    models={unmerged: adapter.name},
                    reference=ReferenceSpec(base, adapter.adapter),
                )
            )
            if adapter.merged is not None:
                variants.append(_adapter_variant(adapter, merged, "reference", adapter.merged, unmerged=False))
                plans.append(
                    ServerPlan(
                        name=merged.replace(":", "-"),
                        models={merged: adapter.name},
                        reference=ReferenceSpec(adapter.merged),
                    )
                )
    for endpoint in config.external:
        variants.append(Variant(name=endpoint.name, role="external", model=endpoint.model))
        plans.append(
            ServerPlan(
                name=endpoint.name.replace(":", "-"),
                models={endpoint.name: endpoint.model},
                urls=endpoint.urls,
                api_key_env=endpoint.api_key_env,
                tokenizer=endpoint.tokenizer,
            )
        )
    return variants, plans
