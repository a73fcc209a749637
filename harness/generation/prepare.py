"""Everything a run needs before any server starts: its suites, the base model, the adapters and the checkpoints
it serves (trained, taken from the cache or found, merged, checked and hashed: `generation.adapters`) and the
plan of servers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from harness.errors import ConfigError
from harness.files import read_json, read_text
from harness.fixtures.chat_template import PromptFormat, template_file
from harness.fixtures.recipes import Recipe, load_recipe
from harness.generation.adapters import resolve_adapters
from harness.generation.settings import GenerationSettings
from harness.run_config import AdapterSpec, RunConfig, load_run_config
from harness.serving.plan import AdapterFiles, ServerPlan, plan_run
from harness.serving.vllm_server import engine_defaults
from harness.suites.selection import load_run_suites, unmerged_sample
from harness.toml_files import located
from harness.types import AdapterRecord, Suite, Variant, lora_variant


@dataclass(frozen=True)
class Prepared:
    """Everything a run needs before any server starts."""

    config: RunConfig
    suites: list[tuple[Suite, str]]
    base: Path
    adapters: list[AdapterFiles]
    variants: list[Variant]
    plans: list[ServerPlan]
    trained: tuple[str, ...] = ()
    """Adapters trained by this call rather than taken from the cache."""
    start_side_by_side: bool = False
    """Whether the servers of a stage may start at once (see `ServerPool.launch`): on CPUs. On a GPU each vLLM
    server sizes its memory from what is free when it starts, so servers starting at once would each count the
    same free memory."""
    prompt: PromptFormat | None = None
    """How the shared template frames prompts for the base; None when the model's own template is used."""
    records: tuple[AdapterRecord, ...] = ()
    """What preparing found out about each adapter (its declared base, why it is served merged only), for the
    manifest."""

    @property
    def generation(self) -> GenerationSettings:
        """The config's request settings, with the stop strings the base's prompt format adds."""
        return with_format_stops(self.config.generation, self.prompt)


def with_format_stops(settings: GenerationSettings, prompt: PromptFormat | None) -> GenerationSettings:
    """`settings` with the stop strings of `prompt` it lacks: the run's own come first, and a base that adds none
    keeps the settings as they are."""
    extra = [stop for stop in prompt.stop if stop not in settings.stop] if prompt is not None else []
    if not extra:
        return settings
    special = {"skip_special_tokens": False} if prompt is not None and prompt.special_stops else {}
    return settings.model_copy(update={"stop": [*settings.stop, *extra], **special})


def load_measured_config(path: Path) -> RunConfig:
    """A run config for a command that trains and serves: read and checked (`load_run_config`), and checked against
    the recipes it names, before the command writes anything (its run folder's log included)."""
    config = load_run_config(path)
    read_recipes(config, path)
    return config


def read_recipes(config: RunConfig, config_path: Path) -> dict[str, Recipe]:
    """The recipe of every recipe adapter, by adapter name, read before anything is trained or served, with the
    checkpoints the config names checked against the steps each recipe keeps: a wrong step stops the run here, at
    its line in the config, not after minutes of training."""
    recipes = {s.name: load_recipe(config_path.parent / s.recipe) for s in config.adapters if s.recipe is not None}
    problems = [
        (index, field, why)
        for index, spec in enumerate(config.adapters)
        if spec.name in recipes
        for field, why in (
            ("checkpoints", _unkept(spec, recipes[spec.name])),
            ("recipe", _other_prompt(config, spec, recipes[spec.name])),
        )
        if why
    ]
    if problems:
        text = read_text(config_path)
        raise ConfigError(
            "; ".join(
                f"{located(config_path, text, ['adapters', str(i), field])}: adapters.{i}.{field}: {why}"
                for i, field, why in problems
            )
        )
    return recipes


def _other_prompt(config: RunConfig, spec: AdapterSpec, recipe: Recipe) -> str | None:
    """Why the run would serve an adapter in a prompt format other than the one it was trained in; None when it
    would not. Under the model's own template (`chat_template = "model"`) nothing is checked: that is the user's
    choice of format."""
    if config.chat_template != "harness" or recipe.prompt == config.prompt:
        return None
    return (
        f"{spec.recipe} trains in the {recipe.prompt!r} prompt format and this run prompts in {config.prompt!r};"
        f" set prompt = {recipe.prompt!r} at the top of the config (every adapter and the base then answer in it)"
    )


def _unkept(spec: AdapterSpec, recipe: Recipe) -> str | None:
    """Why the checkpoints an adapter names are not all kept by its recipe; None when they are."""
    kept = recipe.sft.kept_steps()
    if spec.checkpoints and not kept:
        return f"{spec.recipe} keeps none; set checkpoint_every in its [sft]"
    unkept = [step for step in spec.checkpoint_steps(kept) if step not in kept]
    if not unkept:
        return None
    return (
        f"{spec.recipe} does not keep step {', '.join(map(str, unkept))}; it keeps {', '.join(map(str, kept))}"
        f" (step {recipe.sft.max_steps} is the final adapter, {lora_variant(spec.name)})"
    )


def prepare(config: RunConfig, config_path: Path, console: Console | None = None) -> Prepared:
    """Suites, base model and adapters (training shows its progress on `console`, if any), and the plan of
    servers. The config's recipes are read first, so that a step they do not keep stops the run before anything
    else happens."""
    from harness.fixtures.base_model import materialise_base, prompt_format

    recipes = read_recipes(config, config_path)
    suites = load_run_suites(config.suites, config_path.parent)
    base = materialise_base(config.base)
    adapters, records, trained = resolve_adapters(config, config_path, recipes, base, console)
    prompt = prompt_format(base, config.prompt) if config.chat_template == "harness" else None
    template = template_file(prompt) if prompt is not None else None
    on_gpu = _on_gpu()
    sample = unmerged_sample([suite for suite, _ in suites], config.suites)
    variants, plans = plan_run(config, base, adapters, template, engine_defaults(on_gpu=on_gpu), sample)
    resolved = [_resolved_dtype(v) for v in variants]
    return Prepared(
        config,
        suites,
        base,
        adapters,
        resolved,
        plans,
        tuple(trained),
        start_side_by_side=not on_gpu,
        prompt=prompt,
        records=tuple(records),
    )


def _resolved_dtype(variant: Variant) -> Variant:
    """`auto` made concrete: vLLM then serves a model folder in the dtype its config.json names, and the manifest
    should say which one it was (merged and unmerged answers agree in float32 and can differ in bfloat16)."""
    config = Path(variant.model) / "config.json"
    if variant.dtype != "auto" or not config.is_file():
        return variant
    _, settings = read_json(config)
    dtype = settings.get("dtype") or settings.get("torch_dtype")
    return variant.model_copy(update={"dtype": str(dtype)}) if dtype else variant


def _on_gpu() -> bool:
    import torch

    return bool(torch.cuda.is_available())
