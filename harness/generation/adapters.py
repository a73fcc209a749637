"""The adapters a run serves, as files: recipe adapters trained (or taken from the cache), `path` adapters found
(a folder or a hub id) and merged by the harness; each checked against the run's base and against what vLLM
serves unmerged, before any server starts, with what the checks found kept for the manifest.

Every refusal names the line of the config that asked for the adapter, because that is what the user edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.errors import ConfigError
from harness.files import read_text
from harness.fixtures.adapter_check import WEIGHT_FILES, AdapterReport, check_adapter
from harness.fixtures.cache import sha256_file
from harness.fixtures.recipes import Recipe
from harness.run_config import AdapterSpec, RunConfig, serves_merged, serves_unmerged
from harness.serving.plan import AdapterFiles, Checkpoint
from harness.toml_files import located
from harness.types import AdapterRecord, MergePrecision

COMPARED_HERE = frozenset({"base-mismatch"})
"""Problems of the adapter check that the run decides itself: whether the declared base is the run's, which the
check can tell only by folder name (`declared_base` knows the bases' names)."""
DEFAULT_MERGE: MergePrecision = "fp32"
"""How a `path` adapter is merged when its config names no `merges`."""


@dataclass(frozen=True)
class _Config:
    """The config file, for errors that name the line of an adapter's key."""

    config: RunConfig
    path: Path
    text: str

    def error(self, index: int, key: str, message: str) -> ConfigError:
        """`FILE:LINE: adapters.N.KEY: message`, at the key's line (its table's when the key is not written)."""
        return ConfigError(f"{located(self.path, self.text, ['adapters', str(index), key])}: adapters.{index}.{key}: {message}")  # fmt: skip


@dataclass(frozen=True)
class _Merges:
    """The merged forms of an adapter the run serves: its merged form and the further ones."""

    merged: Path | None
    merge: MergePrecision | None = None
    extra: tuple[tuple[MergePrecision, Path], ...] = ()


def resolve_adapters(
    config: RunConfig, config_path: Path, recipes: dict[str, Recipe], base: Path, console: Console | None
) -> tuple[list[AdapterFiles], list[AdapterRecord], list[str]]:
    """Every adapter of the config as the run serves it (`base` is the run's base, materialised), what was found
    out about each, and the names of those trained by this call."""
    from harness.fixtures.training import train

    source = _Config(config, config_path, read_text(config_path))
    resolved, records, trained_now = [], [], []
    for index, spec in enumerate(config.adapters):
        step, checkpoints, merges = None, (), _Merges(None)
        if spec.recipe is not None:
            trained = train(recipes[spec.name], console=console)
            adapter, step = trained.adapter, trained.steps
            merges = _Merges(trained.merged, trained.merge)
            if spec.merges and serves_merged(config, spec):  # merged again only when served
                (merge, merged), *extra = [(precision, trained.merged_in(precision)) for precision in spec.merges]
                merges = _Merges(merged, merge, tuple(extra))
            steps = spec.checkpoint_steps(recipes[spec.name].sft.kept_steps())
            checkpoints = tuple(_checkpoint(trained.checkpoint(s), s) for s in steps)
            if trained.trained_now:
                trained_now.append(spec.name)
        else:
            adapter = _path_folder(source, index, spec)
        report = check_adapter(adapter, base_model=str(base))
        record = _checked(source, index, spec, report, base, console)
        if spec.path is not None:
            merges = _path_merges(source, index, spec, report, base)
        resolved.append(
            AdapterFiles(
                name=spec.name,
                adapter=adapter,
                merged=merges.merged,
                merge=merges.merge,
                extra_merges=merges.extra,
                rank=report.r or 1,
                sha256=sha256_file(adapter / (report.weights_file or WEIGHT_FILES[0])),
                expect=spec.expect,
                step=step,
                checkpoints=checkpoints,
            )
        )
        records.append(record)
    return resolved, records, trained_now


def _path_folder(source: _Config, index: int, spec: AdapterSpec) -> Path:
    """The folder of a `path` adapter: as named, or the hub snapshot of the hub id it names."""
    from harness.fixtures.adapter_source import AdapterSourceError, adapter_folder

    assert spec.path is not None
    try:
        return adapter_folder(spec.path, source.path.parent)
    except AdapterSourceError as error:
        raise source.error(index, "path", str(error)) from None


def _checked(
    source: _Config, index: int, spec: AdapterSpec, report: AdapterReport, base: Path, console: Console | None
) -> AdapterRecord:
    """The adapter's record, once its declared base is the run's (or cannot be told) and it is servable in every
    form the config serves it in: a different base, an unreadable adapter, or one served unmerged that vLLM
    cannot serve so, stops the run at the config's line."""
    from harness.fixtures.declared_base import compare_base

    key = "recipe" if spec.recipe is not None else "path"
    if report.weights_file is None:
        reasons = "; ".join(p.message for p in report.problems)
        raise source.error(index, key, f"adapter {spec.name!r} ({report.path}) cannot be read: {reasons}")
    declared = report.base_model_name_or_path
    compared = compare_base(declared, source.config.base, base)
    if compared.verdict == "different":
        raise source.error(index, key, f"adapter {spec.name!r} belongs to another model: {compared.why}")
    unchecked = compared.why if compared.verdict == "unknown" else None
    if unchecked is not None and console is not None:
        console.print(f"adapter {escape(spec.name)}: base not compared, {escape(unchecked)}", soft_wrap=True)
    reasons = [problem.message for problem in report.problems if problem.code not in COMPARED_HERE]
    if serves_unmerged(source.config, spec) and reasons:
        raise source.error(
            index,
            "serve_unmerged",
            f"adapter {spec.name!r} ({report.path}) cannot be served unmerged: {'; '.join(reasons)}; set"
            " serve_unmerged = false to serve it merged only",
        )
    return AdapterRecord(
        name=spec.name,
        folder=report.path,
        declared_base=declared,
        base_unchecked=unchecked,
        merged_only_because=reasons if serves_merged(source.config, spec) else [],
    )


def _path_merges(source: _Config, index: int, spec: AdapterSpec, report: AdapterReport, base: Path) -> _Merges:
    """A `path` adapter's merged forms: the folder `merged` names, or the harness's own merges in the precisions
    the config asks for (`merges`, else DEFAULT_MERGE), made only when a merged form is served (a merged variant,
    or the merged reference)."""
    from harness.fixtures.adapter_merge import merged_adapters

    if spec.merged is not None:
        return _Merges(source.path.parent / spec.merged)
    config = source.config
    precisions = spec.merges or [DEFAULT_MERGE]
    if not serves_merged(config, spec):
        precisions = precisions[:1] if "reference" in config.variants else []
    if not precisions:
        return _Merges(None)
    (merge, merged), *extra = zip(precisions, merged_adapters(Path(report.path), base, precisions), strict=True)
    return _Merges(merged, merge, tuple(extra))


def _checkpoint(folder: Path, step: int) -> Checkpoint:
    """A kept checkpoint, hashed for the manifest; training saved it as the final adapter is saved, so it has the
    final adapter's weight file, shape and check."""
    return Checkpoint(step, folder, sha256_file(folder / WEIGHT_FILES[0]))
