"""From a run config and its materialised fixtures to the variants a run measures and the servers that serve
them. Pure: nothing here starts a process or reads a model.

One LoRA-enabled server serves `base`, every `lora:NAME` and every checkpoint `lora:NAME@STEP` (the request's
model name selects the adapter); a server without `--enable-lora` serves `base-plain`, because enabling LoRA alone
can change the base's latency; each `merged:NAME` gets its own server, and so does each further merge of an adapter
(`merged-bf16:NAME`, served to compare merge precisions); external endpoints are variants whose servers someone
else runs.

What answers a plan's variants is a tagged union (the class is the tag): a server the harness manages, endpoints
someone else runs, or the in-process transformers reference. Code that serves a plan matches on it, so a kind of
backend cannot be half-set or set twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.errors import ConfigError
from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS
from harness.run_config import RunConfig
from harness.serving.settings import EngineValue
from harness.serving.vllm_server import ServerSpec
from harness.types import (
    MergePrecision,
    Variant,
    checkpoint_name,
    extra_merged_variant,
    lora_variant,
    merged_variant,
    reference_variants,
)

BASE_NAME = "base"


@dataclass(frozen=True)
class Checkpoint:
    """An adapter kept during training, which the run serves unmerged beside the final one."""

    step: int
    adapter: Path
    sha256: str


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
    serve_unmerged: bool = True
    """Whether the LoRA server serves this adapter (see `AdapterSpec.serve_unmerged`)."""
    merge: MergePrecision | None = None
    """The precision `merged` was merged in; None when not known (a folder given by path)."""
    extra_merges: tuple[tuple[MergePrecision, Path], ...] = ()
    """Further merges served beside `merged` to compare precisions (`AdapterSpec.merges`): precision and folder."""
    step: int | None = None
    """Training step of the final adapter; None for an adapter from a folder."""
    checkpoints: tuple[Checkpoint, ...] = ()
    """Checkpoints the run serves (the config's `checkpoints`), in step order; same shape as the final adapter."""


@dataclass(frozen=True)
class ManagedServer:
    """A `vllm serve` the harness starts, restarts and stops."""

    spec: ServerSpec
    """How to start it."""
    tokenizer: str
    """Tokenizer that decodes the token ids asked from the server, so the raw text survives its tool parser."""


@dataclass(frozen=True)
class RunningEndpoints:
    """OpenAI-compatible endpoints someone else runs (`[[external]]` in a run config)."""

    urls: list[str]
    """Base URLs (cases are sharded over them)."""
    api_key_env: str | None = None
    """Environment variable holding the API key; the key is read when the run starts and never written."""
    tokenizer: str | None = None
    """For a vLLM endpoint, the tokenizer that decodes asked-for token ids; None keeps the streamed text."""


@dataclass(frozen=True)
class InProcessReference:
    """A model folder (and an adapter to apply unmerged) answered by in-process transformers instead of a server."""

    model: Path
    adapter: Path | None = None


Serving = ManagedServer | RunningEndpoints | InProcessReference
"""What answers a plan's variants."""


@dataclass(frozen=True)
class ServerPlan:
    """One backend and the variants it answers for."""

    name: str
    """Used for the server log's file name."""
    models: dict[str, str]
    """Variant name → model name sent in its requests."""
    serving: Serving
    """What answers them."""

    @property
    def spec(self) -> ServerSpec | None:
        """How to start the server; None when the harness starts none."""
        return self.serving.spec if isinstance(self.serving, ManagedServer) else None


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
    merge: MergePrecision | None = None,
    extra_merge: bool = False,
) -> Variant:
    """A variant that serves `adapter`: its typed fields say whose it is, at which step, how it was merged and what
    the gate expects of it."""
    return Variant(
        name=name,
        role=role,
        model=str(model),
        adapter=str(adapter.adapter) if unmerged else None,
        adapter_name=adapter.name,
        expect=adapter.expect,
        dtype=dtype,
        merge=merge,
        extra_merge=extra_merge,
        step=adapter.step,
    )


def _checkpoint_variant(adapter: AdapterFiles, checkpoint: Checkpoint, base: Path, dtype: str) -> Variant:
    """A checkpoint, served unmerged on the LoRA server like the final adapter."""
    return Variant(
        name=lora_variant(checkpoint_name(adapter.name, checkpoint.step)),
        role="lora",
        model=str(base),
        adapter=str(checkpoint.adapter),
        adapter_name=adapter.name,
        expect=adapter.expect,
        dtype=dtype,
        step=checkpoint.step,
        checkpoint=True,
    )


Planned = tuple[list[Variant], list[ServerPlan]]
"""Variants in report order and the plans that serve them, in the order they are run."""


@dataclass(frozen=True)
class _Planner:
    """What every part of the plan shares: the config, the fixtures and the engine arguments of every server."""

    config: RunConfig
    base: Path
    adapters: list[AdapterFiles]
    chat_template: Path | None
    engine_args: dict[str, EngineValue]

    @property
    def dtype(self) -> str:
        return str(self.engine_args.get("dtype", "auto"))

    def managed(self, model: Path, served: str, loras: dict[str, Path] | None = None, rank: int = 0) -> ManagedServer:
        """A server of `model`, with `loras` (served name → folder) of at most `rank` when it serves any."""
        settings = self.config.server
        spec = ServerSpec(
            model=str(model),
            served_name=served,
            loras=loras or {},
            max_lora_rank=lora_rank_flag(rank) if loras else None,
            chat_template=self.chat_template,
            engine_args=self.engine_args,
            env=settings.env,
            host=settings.host,
            port=settings.port,
        )
        return ManagedServer(spec, tokenizer=str(model))

    def base_plain(self) -> Planned:
        variant = Variant(name="base-plain", role="base-plain", model=str(self.base), dtype=self.dtype)
        return [variant], [ServerPlan("base-plain", {"base-plain": BASE_NAME}, self.managed(self.base, BASE_NAME))]

    def lora_server(self, kinds: set[str]) -> Planned | None:
        """One LoRA-enabled server for the base, every checkpoint and every adapter served unmerged (an adapter's
        checkpoints before it, in step order, as its curve reads); None when it would serve nothing."""
        variants: list[Variant] = []
        models: dict[str, str] = {}
        loras: dict[str, Path] = {}

        def add(variant: Variant, lora_name: str, folder: Path) -> None:
            variants.append(variant)
            models[variant.name] = lora_name
            loras[lora_name] = folder

        if "base" in kinds:
            variants.append(Variant(name="base", role="base", model=str(self.base), dtype=self.dtype))
            models["base"] = BASE_NAME
        for adapter in self.adapters if "lora" in kinds else []:
            for c in adapter.checkpoints:
                add(
                    _checkpoint_variant(adapter, c, self.base, self.dtype),
                    checkpoint_name(adapter.name, c.step),
                    c.adapter,
                )
            if adapter.serve_unmerged:
                name = lora_variant(adapter.name)
                final = _adapter_variant(adapter, name, "lora", self.base, unmerged=True, dtype=self.dtype)
                add(final, adapter.name, adapter.adapter)
        if not variants:
            return None
        rank = max((a.rank for a in self.adapters if a.serve_unmerged or a.checkpoints), default=0)
        return variants, [ServerPlan("lora-server", models, self.managed(self.base, BASE_NAME, loras, rank))]

    def merged(self) -> Planned:
        """A server per merged model that is wanted: each adapter's merged form, then its further merges."""
        variants, plans = [], []
        for adapter in (a for a in self.adapters if a.serve_merged):
            if adapter.merged is None:
                raise ConfigError(
                    f"adapter {adapter.name!r}: the merged variant needs a merged folder (set merged = PATH)"
                )
            forms = [(merged_variant(adapter.name), adapter.merge, adapter.merged, False)]
            forms += [(extra_merged_variant(adapter.name, m), m, folder, True) for m, folder in adapter.extra_merges]
            for name, merge, folder, extra in forms:
                variants.append(
                    _adapter_variant(
                        adapter,
                        name,
                        "merged",
                        folder,
                        unmerged=False,
                        dtype=self.dtype,
                        merge=merge,
                        extra_merge=extra,
                    )
                )
                plans.append(ServerPlan(name.replace(":", "-"), {name: name}, self.managed(folder, name)))
        return variants, plans

    def reference(self) -> Planned:
        """Each adapter in in-process transformers: unmerged through peft, and merged when it has a merged model."""
        variants, plans = [], []
        for adapter in self.adapters:
            unmerged, merged = reference_variants(adapter.name)
            variants.append(_adapter_variant(adapter, unmerged, "reference", self.base, unmerged=True))
            reference = InProcessReference(self.base, adapter.adapter)
            plans.append(ServerPlan(unmerged.replace(":", "-"), {unmerged: adapter.name}, reference))
            if adapter.merged is not None:
                variants.append(_adapter_variant(adapter, merged, "reference", adapter.merged, unmerged=False))
                reference = InProcessReference(adapter.merged)
                plans.append(ServerPlan(merged.replace(":", "-"), {merged: adapter.name}, reference))
        return variants, plans

    def external(self) -> Planned:
        variants, plans = [], []
        for endpoint in self.config.external:
            variants.append(Variant(name=endpoint.name, role="external", model=endpoint.model))
            serving = RunningEndpoints(endpoint.urls, endpoint.api_key_env, endpoint.tokenizer)
            plans.append(ServerPlan(endpoint.name.replace(":", "-"), {endpoint.name: endpoint.model}, serving))
        return variants, plans


def plan_run(
    config: RunConfig,
    base: Path,
    adapters: list[AdapterFiles],
    chat_template: Path | None,
    engine_defaults: dict[str, EngineValue],
) -> Planned:
    """The variants in report order and the servers to run, in the order they are run."""
    engine_args = {
        name.replace("_", "-"): value for name, value in [*engine_defaults.items(), *config.server.engine_args.items()]
    }
    planner = _Planner(config, base, adapters, chat_template, engine_args)
    kinds = set(config.variants)
    parts = [
        planner.base_plain() if "base-plain" in kinds else None,
        planner.lora_server(kinds) if kinds & {"base", "lora"} else None,
        planner.merged() if "merged" in kinds else None,
        planner.reference() if "reference" in kinds else None,
        planner.external(),
    ]
    planned = [part for part in parts if part is not None]
    return [v for variants, _ in planned for v in variants], [p for _, plans in planned for p in plans]
