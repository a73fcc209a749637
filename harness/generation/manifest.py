"""The manifest a run folder starts with (what was measured, with hashes, versions and the machine), and
reopening a folder to resume: only a run of the same config and suites may continue in it."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from harness.generation.prepare import Prepared
from harness.provenance import git_revision, machine, package_versions
from harness.run_config import RunConfig
from harness.runs.folder import RunFolder, RunLogError, suite_snapshot
from harness.suites.selection import asking_order
from harness.types import RunManifest, SuiteRef


def _manifest(prepared: Prepared, run_id: str, refs: list[SuiteRef]) -> RunManifest:
    from harness.fixtures.training import base_weights_sha256

    hashes = {"base": base_weights_sha256(prepared.base)}
    hashes |= {f"adapter:{a.name}": a.sha256 for a in prepared.adapters}
    hashes["chat_template"] = prepared.prompt.template_id if prepared.prompt is not None else "model's own"
    return RunManifest(
        version=2 if any(suite.episodes for suite, _ in prepared.suites) else 1,
        run_id=run_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        config=prepared.config.model_dump(mode="json"),
        suites=refs,
        variants=prepared.variants,
        hashes=hashes,
        packages=package_versions(),
        git_revision=git_revision(),
        machine=machine(),
        adapters=list(prepared.records),
        asking=asking_order([suite for suite, _ in prepared.suites], prepared.config.suites),
    )


AFTER_THE_FACT = ("gate", "bench")
"""Config sections that judge or present a run without changing what it measured: editing them (a new
threshold, a baseline, a report path) keeps the run folder usable."""


def _measured(config: dict[str, Any]) -> dict[str, Any]:
    """What a config measures, each section read through today's types (without the checks across sections, which
    may name the judging ones left out here): a field added since the run started reads as its default, so a run
    folder stays resumable across such an upgrade (`[[adapters]] merges` left unset)."""
    measured = {}
    for name, field in RunConfig.model_fields.items():
        if name in AFTER_THE_FACT:
            continue
        section, value = TypeAdapter(field.annotation), config.get(name, field.get_default(call_default_factory=True))
        with contextlib.suppress(ValidationError):  # a value today's types cannot read differs from any they can
            value = section.dump_python(section.validate_python(value), mode="json")
        measured[name] = value
    return measured


def open_run_folder(prepared: Prepared, run_dir: Path) -> RunFolder:
    """A new run folder with manifest and suite snapshots, or the existing one when it holds the same run."""
    folder = RunFolder(run_dir)
    snapshots = [(suite, *suite_snapshot(suite, source)) for suite, source in prepared.suites]
    if folder.has_manifest():
        manifest = folder.read_manifest()
        if _measured(manifest.config) != _measured(prepared.config.model_dump(mode="json")):
            raise RunLogError(f"{run_dir}: holds a run of a different config; choose another folder with --out")
        recorded = {ref.name: ref.sha256 for ref in manifest.suites}
        for suite, _, ref in snapshots:
            if recorded.get(suite.name) != ref.sha256:
                raise RunLogError(
                    f"{run_dir}: suite {suite.name!r} changed since this run started; choose another folder with --out"
                )
        return folder
    refs = [folder.write_suite(suite, ref.source) for suite, _, ref in snapshots]
    folder.write_manifest(_manifest(prepared, run_dir.name, refs))
    return folder
