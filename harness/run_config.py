"""Run configs: TOML files that say which base, adapters, variants and suites a run measures, and how to serve
and query them. Data, not code; every field documented here is the reference for writing one.

The config composes the stages' own settings (`suites.settings`, `generation.settings`, `serving.settings`,
`latency.settings`, `gate.settings`): each stage reads its table without importing this module, and a setting
of one stage is added in that stage alone.

Which variants a config serves is derived here once (`declared_variants`), from the config alone and before
anything is trained: the config checks its gate rules against these names when the file is read, and the run plan
builds its variants from them, adding what only the fixtures know (models, folders, dtypes, steps). Whether an
adapter is served merged or unmerged, and which variants answer only the unmerged sample, are decided here and
nowhere else."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from harness.errors import ConfigError
from harness.files import read_text
from harness.gate.settings import GateRules
from harness.generation.settings import GenerationSettings
from harness.hub_ids import hub_id
from harness.latency.settings import LatencySettings
from harness.patterns import matches_any
from harness.serving.settings import ExternalEndpoint, ServerSettings
from harness.suites.settings import SuiteSelection
from harness.toml_files import load_toml_model, located
from harness.types import (
    Frozen,
    MergePrecision,
    PromptStyle,
    Role,
    checkpoint_name,
    extra_merged_variant,
    lora_variant,
    merged_variant,
    reference_variants,
)

CONFIG_VERSION = 1
VariantKind = Literal["base-plain", "base", "lora", "merged", "reference"]


class AdapterSpec(Frozen):
    """One adapter to measure: trained from a recipe (or taken from the cache), or one of your own (a folder or a
    hub id), which the harness merges itself when the config serves it merged."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    """Name in variant names (`lora:NAME`, `merged:NAME`) and the LoRA name the server knows it by."""
    recipe: str | None = None
    """Recipe file (relative to the config file); the adapter and its merged model come from `harness train`."""
    path: str | None = None
    """An adapter of your own, instead of a recipe: a PEFT folder (relative to the config file) or a hub id
    (`OWNER/NAME`, fetched with the hub client into its cache; a path-looking string or an existing folder is a
    folder). The base it declares (`base_model_name_or_path`) must be the run's `base`, under any of its names."""
    merged: str | None = None
    """A merged model folder for a `path` adapter, served as its merged form instead of the harness's own merge
    (`merges`), whose precision the reports then do not know."""
    serve_merged: bool = True
    """Serve the merged model too when the config's variants include `merged`. Each merged model costs a server
    of its own, but on a CPU it answers far faster than the LoRA server: with `[suites] unmerged_sample` an
    adapter served merged answers unmerged only the unmerged sample. `false`: the adapter is served (and judged)
    unmerged on every case."""
    serve_unmerged: bool = True
    """Serve the adapter unmerged (from the LoRA server) when the config's variants include `lora`. `false`: merged
    only, for an adapter with nothing to prove unmerged (a control the gate judges merged) or one vLLM cannot
    serve unmerged (trained embeddings or LM head); each adapter on the LoRA server costs every prompt token
    vLLM's CPU LoRA ops."""
    merges: list[MergePrecision] | None = Field(default=None, min_length=1)
    """How the adapter is merged into its base: `fp32` (in float32, then stored in the base's dtype) or `bf16`
    (directly in bfloat16, rounding the LoRA delta). The first is the adapter's merged form (`merged:NAME`: judged,
    paired with the unmerged form, timed); each further one is served as `merged-PRECISION:NAME` on the cases the
    unmerged form answers (its unmerged sample, or every case), and the reports count the answers each form changes
    against unmerged and say which merge to prefer. Merging again needs no training (the adapter and the base are
    in the cache), but each further form costs a server and its answers. None: for a recipe adapter the one merge
    training makes, in the training dtype (`fp32` unless the recipe trains in bf16); for a `path` adapter `fp32`.
    A `path` adapter is merged by the harness, cached by the content of the adapter and the base."""
    checkpoints: Literal["all"] | list[int] = Field(default_factory=list)
    """Checkpoints of a recipe adapter to serve beside its final form, for a learning curve and for `harness rank`
    to choose among: `"all"` (every step the recipe keeps, its `[sft] checkpoint_every`) or a list of those steps.
    Each is a variant `lora:NAME@STEP` on the one LoRA server (vLLM picks the adapter per request, so N checkpoints
    cost one server, and every prompt token of theirs vLLM's CPU LoRA ops), answering every case; the final adapter
    is the last point of the curve. A step the recipe does not keep is an error before anything is trained. The
    gate judges none of them: a checkpoint is a point of a curve until `harness rank` picks it."""
    expect: Literal["pass", "fail"] = "pass"
    """`pass`: a candidate the gate must pass. `fail`: a control, a known-bad adapter the gate must catch (at least
    one rule fails); a control that passes every rule is reported as MISSED and fails the gate, because a gate
    that lets a known-bad adapter through cannot be trusted with a real one."""

    @model_validator(mode="after")
    def _one_source(self) -> AdapterSpec:
        if (self.recipe is None) == (self.path is None):
            raise ValueError("set exactly one of recipe and path")
        if self.merged is not None and self.path is None:
            raise ValueError("merged is only for path adapters (a recipe's merged model is built with it)")
        if not (self.serve_merged or self.serve_unmerged):
            raise ValueError("serve_merged and serve_unmerged are both false: the adapter would not be served")
        if self.merges is not None:
            self._check_merges(self.merges)
        if self.checkpoints and self.recipe is None:
            raise ValueError("checkpoints: only a recipe adapter has them (its training keeps them)")
        return self

    def _check_merges(self, merges: list[MergePrecision]) -> None:
        if self.merged is not None:
            raise ValueError("merges: not with merged, a folder merged elsewhere; leave one of them out")
        if len(set(merges)) != len(merges):
            raise ValueError(f"merges: each precision once, got {', '.join(merges)}")
        if len(merges) > 1 and not (self.serve_merged and self.serve_unmerged):
            raise ValueError(
                "merges: further merged forms are compared with the adapter's unmerged answers, so it must be served"
                " both ways (serve_merged and serve_unmerged true)"
            )

    @property
    def extra_merges(self) -> list[MergePrecision]:
        """The merges served beside the adapter's merged form to compare precisions."""
        return (self.merges or [])[1:]

    @field_validator("checkpoints", mode="before")
    @classmethod
    def _all_or_steps(cls, value: object) -> object:
        """One message for any wrong value, rather than pydantic's one per member of the union."""
        steps = value if isinstance(value, list) else []
        if value != "all" and not (isinstance(value, list) and all(type(step) is int and step >= 1 for step in steps)):
            raise ValueError('"all" or a list of training steps (whole numbers from 1)')
        if len(set(steps)) != len(steps):
            raise ValueError("a step is named twice")
        return value

    def checkpoint_steps(self, kept: list[int]) -> list[int]:
        """The steps whose checkpoints this adapter serves, in order, given those its recipe keeps."""
        return list(kept) if self.checkpoints == "all" else sorted(self.checkpoints)


class BenchSettings(Frozen):
    """`harness bench CONFIG`: where the stages after the measurements put what people read."""

    html: str | None = None
    """HTML report, relative to the working directory; default `reports/NAME.html`."""
    baseline: str | None = None
    """Baseline the gate compares against (`harness baseline save`), relative to the config file; none: the
    gate judges the rules alone."""
    latency: bool = True
    """Run the latency study after the accuracy pass."""
    stop_when_decided: bool = True
    """Stop asking a variant once every gate rule that reads it is decided (anytime-valid rules, read after each
    `[suites] batch` of the run's order; docs/concepts.md, Gate). False asks every case, as `harness run` does."""
    accuracy_budget_s: float | None = Field(default=None, gt=0)
    """Seconds the accuracy stage may take; when they run out, every rule still open is reported undecided (exit
    code 3) with an estimate of the answers it needs, and a rerun into the same folder goes on from there. Needs
    `stop_when_decided`. None: no budget."""

    @model_validator(mode="after")
    def _budget_needs_stopping(self) -> BenchSettings:
        if self.accuracy_budget_s is not None and not self.stop_when_decided:
            raise ValueError("accuracy_budget_s needs stop_when_decided = true: a budget stops asking early")
        return self


class RunConfig(Frozen):
    """One run config file."""

    version: Literal[1] = CONFIG_VERSION
    """Format version of the config."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    """Name of the run; the default run folder is `runs/NAME`."""
    base: str = "smollm2-135m-instruct"
    """Base model: an embedded one (`smollm2-135m-instruct`, `gemma3-270m`), `tiny`, a model folder or a hub name."""
    chat_template: Literal["harness", "model"] = "harness"
    """`harness`: a template of the harness's, in the format `prompt` names (recorded in the manifest); `model`: the
    model's own template."""
    prompt: PromptStyle = "hermes"
    """The prompt format of a `harness` template: `hermes` (the harness's) or `course` (the Agents course's Gemma
    turns). Every recipe adapter must have been trained in it (its recipe's `prompt`): an adapter is served in
    the format it learned, and the base answers in the same one."""
    adapters: list[AdapterSpec] = Field(default_factory=list)
    """Adapters to measure; several can be compared in one run."""
    variants: list[VariantKind] = Field(default_factory=lambda: ["base-plain", "base", "lora", "merged"])
    """What to serve: the base on a plain server, the base on the LoRA server, each adapter unmerged, each adapter
    merged; `reference` adds each adapter unmerged and merged in in-process transformers (slow; for parity)."""
    suites: SuiteSelection = Field(default_factory=SuiteSelection)
    """The cases."""
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    """Request settings."""
    server: ServerSettings = Field(default_factory=ServerSettings)
    """Managed vLLM servers."""
    external: list[ExternalEndpoint] = Field(default_factory=list)
    """Running endpoints measured beside (or instead of) managed servers."""
    latency: LatencySettings = Field(default_factory=LatencySettings)
    """The latency study."""
    gate: GateRules = Field(default_factory=GateRules)
    """Rules of the regression gate."""
    bench: BenchSettings = Field(default_factory=BenchSettings)
    """What `harness bench` writes and gates against."""

    @model_validator(mode="after")
    def _consistent(self) -> RunConfig:
        names = [adapter.name for adapter in self.adapters]
        if len(set(names)) != len(names):
            raise ValueError("adapter names must be unique")
        if {"lora", "merged", "reference"} & set(self.variants) and not self.adapters:
            raise ValueError("variants lora, merged and reference need at least one adapter")
        if "lora" not in self.variants and any(adapter.checkpoints for adapter in self.adapters):
            raise ValueError('variants: checkpoints are served unmerged; add "lora"')
        if len(set(self.variants)) != len(self.variants):
            raise ValueError("variants must not repeat")
        compared = next((i for i, a in enumerate(self.adapters) if a.extra_merges), None)
        if compared is not None and not {"lora", "merged"} <= set(self.variants):
            raise ValueError(
                f"adapters.{compared}.merges: further merged forms are compared with the unmerged form, so variants"
                f" needs both lora and merged (it has {', '.join(self.variants)})"
            )
        unknown = [name for name in self.latency.adapters or [] if name not in names]
        if unknown:
            raise ValueError(f"latency.adapters: {', '.join(unknown)} not among the adapters ({', '.join(names)})")
        served = self.variant_names()
        # Only what the file names: the default names the base, which a run without it cannot judge (the gate
        # then says the rule is not evaluable), but a run config need not be a gated one.
        for pattern in self.gate.must_beat if "must_beat" in self.gate.model_fields_set else []:
            if not fnmatch.filter(served, pattern):
                raise ValueError(f"gate.must_beat: {pattern!r} names no variant of this run ({', '.join(served)})")
        sampled = [
            v.name for v in declared_variants(self) if v.unmerged_sample and matches_any(v.name, self.gate.judge)
        ]
        if sampled:
            raise ValueError(
                f"gate.judge: {', '.join(sampled)} would be judged on the unmerged sample only"
                ' (suites.unmerged_sample), too few cases; judge the merged forms (judge = ["merged:*"]) or leave'
                " unmerged_sample out"
            )
        return self

    def variant_names(self) -> list[str]:
        """The names of the variants this config serves, known before anything is trained or started: what the
        rules that name variants are checked against when the file is read, not tens of minutes later. Checkpoints
        are not among them: no rule judges one (their steps, for `"all"`, are the recipe's to say)."""
        return [variant.name for variant in declared_variants(self)]


def load_run_config(path: Path, *, files: bool = True) -> RunConfig:
    """Read and validate a run config; errors name the file and the field. With `files`, every file it names must
    exist too, so that a typo stops the run before any training or serving (not when the second adapter's turn
    comes); a config read only for its gate rules need not."""
    config = load_toml_model(path, RunConfig, ConfigError)
    if files:
        missing = [
            f"{located(path, read_text(path), loc)}: {'.'.join(loc)}: {named} does not exist"
            for loc, named in _named_files(config, path.parent)
            if not named.exists()
        ]
        if missing:
            raise ConfigError("; ".join(missing))
    return config


def _named_files(config: RunConfig, config_dir: Path) -> list[tuple[list[str], Path]]:
    """Every file or folder the config names, with where it names it; relative paths are the config file's."""
    named: list[tuple[list[str], Path]] = []
    for index, adapter in enumerate(config.adapters):
        for field in ("recipe", "path", "merged"):
            value = getattr(adapter, field)
            local = value and not (field == "path" and hub_id(value, config_dir))  # a hub id is fetched, not a file
            named += [(["adapters", str(index), field], config_dir / value)] if local else []
    sources = [s for s in config.suites.sources if not s.startswith("bfcl:")]
    named += [(["suites", "sources"], config_dir / source) for source in sources]
    if config.bench.baseline:
        named.append((["bench", "baseline"], config_dir / config.bench.baseline))
    return named


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
        declared.append(DeclaredVariant(name=merged, role="reference", adapter=spec.name, merged=True))
    return declared + [DeclaredVariant(name=endpoint.name, role="external") for endpoint in config.external]
