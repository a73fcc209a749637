"""From a run config and its materialised fixtures to the variants a run measures and the servers that serve
them. Pure: nothing here starts a process or reads a model. The variants are those the config declares
(`runs.variants.declared_variants`); the plan adds what serves each one.

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

from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS
from harness.run_config import DeclaredVariant, RunConfig, declared_variants
from harness.serving.settings import EngineValue, ExternalEndpoint
from harness.serving.vllm_server import ServerSpec
from harness.types import MergePrecision, Variant, checkpoint_name

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
    """The merged model of its merged form: a recipe's from training, a `path` adapter's from the harness's merge
    or the config's `merged`; None when no merged form is served."""
    rank: int
    sha256: str
    expect: Literal["pass", "fail"] = "pass"
    """`fail` for a control adapter (see `AdapterSpec.expect`)."""
    merge: MergePrecision | None = None
    """The precision `merged` was merged in; None when not known (a folder given as `merged`)."""
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


Planned = tuple[list[Variant], list[ServerPlan]]
"""Variants in report order and the plans that serve them, in the order they are run."""


@dataclass(frozen=True)
class _Planner:
    """What every part of the plan shares: the config, the fixtures, the engine arguments of every server and the
    cases of the unmerged sample."""

    config: RunConfig
    base: Path
    adapters: dict[str, AdapterFiles]
    chat_template: Path | None
    engine_args: dict[str, EngineValue]
    unmerged_sample: dict[str, list[str]] | None

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

    def variant(self, declared: DeclaredVariant) -> Variant:
        """The declared variant with what serves it: its model, folder, dtype and step, and the cases it is asked
        when it answers only the unmerged sample."""
        if declared.adapter is None:
            if declared.role == "external":
                return Variant(name=declared.name, role="external", model=self._endpoint(declared.name).model)
            return Variant(name=declared.name, role=declared.role, model=str(self.base), dtype=self.dtype)
        adapter = self.adapters[declared.adapter]
        served = self._served(declared, adapter)
        return Variant(
            name=declared.name,
            role=declared.role,
            model=str(served.model),
            adapter=str(served.adapter) if served.adapter is not None else None,
            adapter_name=adapter.name,
            expect=adapter.expect,
            dtype=None if declared.role == "reference" else self.dtype,
            merge=served.merge,
            extra_merge=declared.extra_merge is not None,
            step=served.step,
            checkpoint=declared.checkpoint is not None,
            asked=self.unmerged_sample if declared.unmerged_sample else None,
        )

    def _served(self, declared: DeclaredVariant, adapter: AdapterFiles) -> _Weights:
        """The folders and step of the adapter weights a declared variant serves."""
        if declared.checkpoint is not None:
            kept = next(c for c in adapter.checkpoints if c.step == declared.checkpoint)
            return _Weights(self.base, kept.adapter, kept.step)
        if not declared.merged:
            return _Weights(self.base, adapter.adapter, adapter.step)
        if declared.extra_merge is not None:
            folder = dict(adapter.extra_merges)[declared.extra_merge]
            return _Weights(folder, None, adapter.step, declared.extra_merge)
        assert adapter.merged is not None, f"adapter {adapter.name!r}: prepared without the merged model it serves"
        merge = adapter.merge if declared.role == "merged" else None
        return _Weights(adapter.merged, None, adapter.step, merge)

    def _endpoint(self, name: str) -> ExternalEndpoint:
        return next(endpoint for endpoint in self.config.external if endpoint.name == name)

    def lora_server(self, variants: list[Variant]) -> ServerPlan:
        """One LoRA-enabled server for the base, every checkpoint and every adapter served unmerged."""
        loras = {self._lora_name(v): Path(v.adapter) for v in variants if v.adapter is not None}
        models = {v.name: self._lora_name(v) if v.adapter is not None else BASE_NAME for v in variants}
        rank = max((self.adapters[v.adapter_name].rank for v in variants if v.adapter_name is not None), default=0)
        return ServerPlan("lora-server", models, self.managed(self.base, BASE_NAME, loras, rank))

    @staticmethod
    def _lora_name(variant: Variant) -> str:
        """The name the LoRA server knows an adapter's weights by: the adapter's, or `NAME@STEP` for a checkpoint."""
        assert variant.adapter_name is not None
        if variant.checkpoint and variant.step is not None:
            return checkpoint_name(variant.adapter_name, variant.step)
        return variant.adapter_name

    def own_server(self, variant: Variant) -> ServerPlan:
        """The plan of a variant served on its own: the base on a plain server, a merged model, a reference in
        transformers, or an external endpoint."""
        name = variant.name.replace(":", "-")
        if variant.role == "base-plain":
            return ServerPlan(variant.name, {variant.name: BASE_NAME}, self.managed(self.base, BASE_NAME))
        if variant.role == "merged":
            return ServerPlan(name, {variant.name: variant.name}, self.managed(Path(variant.model), variant.name))
        if variant.role == "reference":
            assert variant.adapter_name is not None
            adapter = Path(variant.adapter) if variant.adapter is not None else None
            return ServerPlan(
                name, {variant.name: variant.adapter_name}, InProcessReference(Path(variant.model), adapter)
            )
        endpoint = self._endpoint(variant.name)
        serving = RunningEndpoints(endpoint.urls, endpoint.api_key_env, endpoint.tokenizer)
        return ServerPlan(name, {variant.name: endpoint.model}, serving)


@dataclass(frozen=True)
class _Weights:
    """What serves a variant's adapter weights: the model folder, the adapter folder applied to it (None when the
    adapter is merged in), the training step and the merge precision."""

    model: Path
    adapter: Path | None
    step: int | None
    merge: MergePrecision | None = None


def plan_run(
    config: RunConfig,
    base: Path,
    adapters: list[AdapterFiles],
    chat_template: Path | None,
    engine_defaults: dict[str, EngineValue],
    unmerged_sample: dict[str, list[str]] | None = None,
) -> Planned:
    """The variants in report order (as the config declares them) and the servers to run, in the order they are
    run; the variants that answer only the unmerged sample are asked `unmerged_sample` (suite → case ids)."""
    engine_args = {
        name.replace("_", "-"): value for name, value in [*engine_defaults.items(), *config.server.engine_args.items()]
    }
    planner = _Planner(config, base, {a.name: a for a in adapters}, chat_template, engine_args, unmerged_sample)
    served = {a.name: [c.step for c in a.checkpoints] for a in adapters}
    variants = [planner.variant(declared) for declared in declared_variants(config, served)]
    on_lora_server = [v for v in variants if v.role in ("base", "lora")]
    plans = [planner.own_server(v) for v in variants if v.role == "base-plain"]
    plans += [planner.lora_server(on_lora_server)] if on_lora_server else []
    plans += [planner.own_server(v) for v in variants if v.role not in ("base-plain", "base", "lora")]
    return variants, plans
