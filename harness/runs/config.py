"""Run configs: TOML files that say which base, adapters, variants and suites a run measures, and how to serve
and query them. Data, not code; every field documented here is the reference for writing one."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from harness.errors import HarnessError
from harness.patterns import matches_any
from harness.runs.variants import declared_variants
from harness.toml_files import load_toml_model, located
from harness.types import Frozen, MergePrecision, ParseMode

CONFIG_VERSION = 1
VariantKind = Literal["base-plain", "base", "lora", "merged", "reference"]
EngineValue = str | int | float | bool
SuiteScope = Literal["all", "in", "out"]
"""Suites a rule looks at, by the distribution their files declare (`in`: held out from the training data)."""


class ConfigError(HarnessError):
    """A run config that cannot be used; the message names the file and the field."""


class AdapterSpec(Frozen):
    """One adapter to measure: trained from a recipe (or taken from the cache), or an existing folder."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    """Name in variant names (`lora:NAME`, `merged:NAME`) and the LoRA name the server knows it by."""
    recipe: str | None = None
    """Recipe file (relative to the config file); the adapter and its merged model come from `harness train`."""
    path: str | None = None
    """An existing PEFT adapter folder, instead of a recipe."""
    merged: str | None = None
    """An existing merged model folder for a `path` adapter; needed only for the `merged` variant."""
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
    """How a recipe adapter is merged into its base: `fp32` (in float32, then stored in the base's dtype) or `bf16`
    (directly in bfloat16, rounding the LoRA delta). The first is the adapter's merged form (`merged:NAME`: judged,
    paired with the unmerged form, timed); each further one is served as `merged-PRECISION:NAME` on the cases the
    unmerged form answers (its unmerged sample, or every case), and the reports count the answers each form changes
    against unmerged and say which merge to prefer. Merging again needs no training (the adapter and the base are
    in the cache), but each further form costs a server and its answers. None: the one merge training makes, in
    the training dtype (`fp32` unless the recipe trains in bf16)."""
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
        if self.path is not None:
            raise ValueError("merges: only for recipe adapters; a path adapter is served merged from its merged folder")
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


class GenerationSettings(Frozen):
    """How every request is made; the same for all variants so that they answer under equal terms."""

    max_tokens: int = Field(default=256, ge=1)
    """Most tokens generated per answer."""
    temperature: float = Field(default=0.0, ge=0)
    """0 is greedy decoding."""
    seed: int = 0
    """Sampling seed sent with every request."""
    stop: list[str] = Field(default_factory=lambda: ["<tool_response>"])
    """Stop sequences; the default stops a model that goes on to invent the tool's answer."""
    concurrency: int = Field(default=64, ge=1)
    """Requests in flight per endpoint; high enough that the engine batches."""
    request_timeout_s: float = Field(default=600, gt=0)
    """Longest wait for one answer before it is recorded as an error."""
    ignore_eos: bool = False
    """Generate exactly `max_tokens` whatever the model says (vLLM's `ignore_eos`/`min_tokens`), so that latency
    arms do equal work; for latency studies, never for accuracy."""
    max_steps_per_turn: int = Field(default=20, ge=1)
    """Requests one user turn of a multi-turn episode may take (each answer with calls is followed by another
    request carrying their results); a turn still calling at the cap ends the episode as `step_limit`, and its
    later turns are never asked. 20 is BFCL's limit."""


class ServerSettings(Frozen):
    """How the harness starts `vllm serve` for each group of variants."""

    host: str = "127.0.0.1"
    """Interface the server binds to."""
    port: int = Field(default=0, ge=0, le=65535)
    """Port; 0 picks a free one for each server."""
    startup_timeout_s: float = Field(default=600, gt=0)
    """Longest wait for a server to become ready."""
    max_restarts: int = Field(default=2, ge=0)
    """Times a server that dies mid-run is restarted before the remaining requests are recorded as errors."""
    engine_args: dict[str, EngineValue] = Field(default_factory=dict)
    """Passed through as `--NAME VALUE` (`true` as a bare flag): tensor-parallel-size, max-model-len, dtype..."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment for the server (VLLM_CPU_KVCACHE_SPACE, CUDA_VISIBLE_DEVICES...)."""


class LatencySettings(Frozen):
    """The latency study (`harness latency`): equal work for every arm, randomised interleaved blocks, an A/A
    control, and intervals that resample blocks."""

    output_tokens: int = Field(default=32, ge=2)
    """Tokens every request generates (EOS ignored), so that arms are compared on equal work."""
    prompts: int = Field(default=4, ge=1)
    """Prompts drawn (seeded) from the run's suites and cycled through; every arm of a block answers the same ones."""
    concurrency: list[int] = Field(default_factory=lambda: [1, 4], min_length=1)
    """Concurrency levels measured; each is a separate study."""
    blocks: int = Field(default=8, ge=2)
    """Randomised blocks per level: in each block every arm runs once, in a fresh random order."""
    requests_per_block: int = Field(default=1, ge=1)
    """Requests per arm per block, per unit of concurrency."""
    warmup: int = Field(default=1, ge=0)
    """Unrecorded requests per arm and unit of concurrency before each level: they warm the engine, while timed
    requests stay cold (each carries a fresh prefix-cache salt)."""
    settle_s: float = Field(default=1.2, ge=0)
    """Seconds to wait before timing a request on another server than the previous request's. vLLM's worker
    keeps polling for work (a `sched_yield` loop) for 1 s after each request it reads, so on a small CPU the
    previous server takes a core from the one being timed: measured on two cores, a merged model's cold TTFT was
    0.15 s or 1.1 s for the same prompt depending on which server answered just before, and the A/A floor of
    cold TTFT was 562%. 0 on a machine with cores to spare."""
    adapters: list[str] | None = None
    """Adapters whose `lora` and `merged` variants the study measures; None: all of them. Adapters of one
    shape cost the same to serve, so one of them often tells the whole story in less time."""
    resamples: int = Field(default=2000, ge=100)
    """Bootstrap resamples."""
    seed: int = 0
    """Seed of the prompt draw, the block orders and the bootstrap."""


class GateRules(Frozen):
    """Rules of `harness gate`; every limit can be switched off with an explicit value (0 or an empty table)."""

    mode: ParseMode = ParseMode.STRICT
    """Which reading the accuracy rules judge: strict (what vLLM's parser gives users) or lenient."""
    variants: list[str] = Field(default_factory=lambda: ["lora:*"])
    """Variants the gate judges (shell patterns); by default every unmerged adapter, and never a checkpoint (see
    `AdapterSpec.checkpoints`). `["merged:*"]` judges each adapter on its merged form, for a run whose unmerged
    forms answer only a parity sample (`unmerged_sample`): `merged_gap` then pairs each with its unmerged form over
    the sample."""
    must_beat: list[str] = Field(default_factory=lambda: ["base"])
    """Variants every gated one must beat on the cases that expect a call: more of them right, by more than chance
    (exact McNemar at `alpha`). An adapter that does not beat its own base model is not worth serving, whatever
    the model's size. Empty: rule off."""
    must_beat_on: SuiteScope = "all"
    """Which suites' call cases `must_beat` counts: `all`, `out` (suites nobody trained on: does the adapter
    generalise beyond its training data?) or `in` (held-out splits of it)."""
    min_relevance: float = Field(default=0.5, ge=0, le=1)
    """Smallest allowed rate of answering without a call where no tool fits, over every irrelevance case of the
    run: the base rarely calls, so beating it on calls says nothing about calling too eagerly. 0: rule off."""
    relevance_on: SuiteScope = "all"
    """Which suites' irrelevance cases `min_relevance` counts: `all`, `in` (a held-out split of the training
    data, where the adapter was taught when to stay silent) or `out`."""
    min_ask: float = Field(default=0, ge=0, le=1)
    """Smallest allowed rate of asking back instead of calling where the user left out a value a fitting tool
    requires, over every missing_info case of the run (`suites/missing_info.json`): a call there carries an
    invented value. Apart from `min_relevance`, which counts irrelevance cases only: staying silent where no tool
    fits is not knowing what to ask for. 0 (the default): rule off, as for a model never taught to ask."""
    ask_on: SuiteScope = "all"
    """Which suites' missing_info cases `min_ask` counts: `all`, `in` or `out`, as for `relevance_on`."""
    min_full_match: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → minimum full-match rate; the most specific pattern applies. None by default:
    what a model should reach depends on the model (see docs/concepts.md, Gate)."""
    must_beat_episodes: list[str] = Field(default_factory=list)
    """Variants every gated one must beat on multi-turn episodes (in the suites `must_beat_on` names): further, in
    turns passed before the first failure, on more episodes than the other way round, by more than chance (an exact
    sign test at `alpha` over the episodes both finished). Paired on progress, not on whole episodes, which small
    models rarely pass. Empty (the default): rule off."""
    min_episodes: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → minimum rate of multi-turn episodes passed whole (every turn right, BFCL's
    all-or-nothing), for suites with episodes; the most specific pattern applies. None by default."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    """Significance level of the paired tests (against the base, a baseline, merged serving)."""
    max_merged_gap: float | None = Field(default=0.1, ge=0, le=1)
    """Largest allowed full-match difference between an adapter served unmerged and merged, over every case both
    answered; the rule fails only when the difference is also beyond chance (exact McNemar at `alpha`), so a few
    answers that flip when bf16 merging rounds the LoRA delta do not fail an adapter. None: rule off."""
    max_strict_parse_error_rate: float | None = Field(default=0.2, ge=0, le=1)
    """Largest allowed rate of outputs vLLM's parser cannot read, per suite: a suite fails when the 95% interval of
    its rate lies wholly above it. None: rule off."""
    max_latency_overhead: float | None = Field(default=None, ge=0)
    """Largest allowed TPOT overhead of unmerged over merged (0.5 = +50%), judged on the interval's lower bound;
    needs `harness latency` in the run folder. None: rule off."""


class ExternalEndpoint(Frozen):
    """An already running OpenAI-compatible endpoint measured as one more variant."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.:\-]*$")
    """Variant name in the run log."""
    urls: list[str] = Field(min_length=1)
    """Base URLs (ending in /v1); several shard the cases between them."""
    model: str
    """Model name sent in requests."""
    api_key_env: str | None = None
    """Environment variable holding the API key; the key itself is never written anywhere."""
    tokenizer: str | None = None
    """For a vLLM endpoint: a model folder or hub name whose tokenizer decodes the generated token ids the harness
    then asks for, so the raw text survives the server's tool parser. None keeps the streamed text only."""


class SuiteSelection(Frozen):
    """Which cases the run uses."""

    sources: list[str] = Field(default_factory=lambda: ["suites"], min_length=1)
    """Suite files, folders or `bfcl:CATEGORY` (relative paths are relative to the config file)."""
    sample: int | None = Field(default=None, ge=1)
    """Take at most this many cases per suite, a seeded sample in suite order; None takes all."""
    samples: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → cases to sample from it, overriding `sample`; the most specific pattern
    applies. A held-out suite that carries an accuracy floor needs more cases than a quick look at the others."""
    sample_seed: int = 0
    """Seed of the sample."""
    unmerged_sample: int | None = Field(default=None, ge=1)
    """Cases per suite (after `sample`/`samples`) that an adapter served merged too answers unmerged: a seeded
    parity sample, drawn apart from `sample`, on which the gate's `merged_gap` pairs the two forms. vLLM's CPU LoRA
    path costs several times a merged model per prompt token, so judging adapters merged on every case
    (`[gate] variants = ["merged:*"]`) and unmerged on a sample keeps a bench within its time. Adapters served
    unmerged only, and the base, answer every case. None: unmerged answers every case."""


class BenchSettings(Frozen):
    """`harness bench CONFIG`: where the stages after the measurements put what people read."""

    html: str | None = None
    """HTML report, relative to the working directory; default `reports/NAME.html`."""
    baseline: str | None = None
    """Baseline the gate compares against (`harness baseline save`), relative to the config file; none: the
    gate judges the rules alone."""
    latency: bool = True
    """Run the latency study after the accuracy pass."""


class RunConfig(Frozen):
    """One run config file."""

    version: Literal[1] = CONFIG_VERSION
    """Format version of the config."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    """Name of the run; the default run folder is `runs/NAME`."""
    base: str = "smollm2-135m-instruct"
    """Base model: an embedded one (`smollm2-135m-instruct`, `gemma3-270m`), `tiny`, a model folder or a hub name."""
    chat_template: Literal["harness", "model"] = "harness"
    """`harness`: the shared Hermes tool template (recorded in the manifest); `model`: the model's own template."""
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
            v.name for v in declared_variants(self) if v.unmerged_sample and matches_any(v.name, self.gate.variants)
        ]
        if sampled:
            raise ValueError(
                f"gate.variants: {', '.join(sampled)} would be judged on the unmerged sample only"
                ' (suites.unmerged_sample), too few cases; judge the merged forms (variants = ["merged:*"]) or leave'
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
            f"{located(path, path.read_text(encoding='utf-8'), loc)}: {'.'.join(loc)}: {named} does not exist"
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
            named += [(["adapters", str(index), field], config_dir / value)] if value else []
    sources = [s for s in config.suites.sources if not s.startswith("bfcl:")]
    named += [(["suites", "sources"], config_dir / source) for source in sources]
    if config.bench.baseline:
        named.append((["bench", "baseline"], config_dir / config.bench.baseline))
    return named
