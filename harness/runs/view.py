"""A scored run folder loaded whole, read-only: what every report, comparison and gate output is rendered from.
Nothing here calls a model or writes a file; a run folder that is not scored yet is scored by `runs.score`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.runs.folder import RunFolder, RunLogError
from harness.scoring.merge_precision import MergePrecisionFinding, merge_precision
from harness.types import (
    Case,
    CaseScore,
    EpisodeScore,
    EpisodeSummary,
    Generation,
    GenerationKey,
    LatencySample,
    LatencySummary,
    RunManifest,
    RunSummary,
    Semantics,
    Suite,
    Variant,
)

SEMANTICS_WORDS = {Semantics.SCHEMA: "JSON Schema", Semantics.BFCL: "BFCL's checker rules"}
"""How reports name each scoring semantics for a reader who has not read docs/suite-format.md."""


@dataclass(frozen=True)
class RunView:
    path: Path
    manifest: RunManifest
    suites: dict[str, Suite]
    generations: dict[GenerationKey, Generation]
    scores: list[CaseScore]
    summary: RunSummary
    latency: LatencySummary | None
    episode_scores: list[EpisodeScore] = field(default_factory=list)
    """Every multi-turn episode scored, for runs that asked any."""
    episode_summary: EpisodeSummary | None = None
    """Their summary per variant × suite; None when the run asked no episode."""

    @property
    def case_suites(self) -> dict[str, Suite]:
        """The suites with single-turn cases, which the accuracy tables and curves show (episodes have their own)."""
        return {name: suite for name, suite in self.suites.items() if suite.cases}

    @property
    def variants(self) -> list[str]:
        return [v.name for v in self.manifest.variants]

    def variants_of(self, role: str) -> list[Variant]:
        """The run's variants of one role (`lora`, `merged`, `base`...), in report order."""
        return [v for v in self.manifest.variants if v.role == role]

    def unmerged_sample_label(self, variant: str) -> str | None:
        """`unmerged sample, N cases` for a variant asked only the unmerged sample of the run's cases
        (`Variant.asked`); None when it was asked every case."""
        asked = next((v.asked for v in self.manifest.variants if v.name == variant), None)
        return None if asked is None else f"unmerged sample, {sum(len(ids) for ids in asked.values())} cases"

    @property
    def unanswered(self) -> str:
        """What a case a variant was asked but has no answer to is, in reports: `not asked` in a run that asks in
        an order and stops once the rules are decided, `missing` (a failed run) in one from before."""
        return "not asked" if self.manifest.asking is not None else "missing"

    def label(self, variant: str) -> str:
        """A variant's name where reports show its accuracy, saying when its figures cover the unmerged sample only:
        `lora:fc-good (unmerged sample, 18 cases)`."""
        sampled = self.unmerged_sample_label(variant)
        return variant if sampled is None else f"{variant} ({sampled})"

    def case(self, suite: str, case_id: str) -> Case:
        return next(c for c in self.suites[suite].cases if c.id == case_id)

    def scores_of(self, variant: str) -> list[CaseScore]:
        return [s for s in self.scores if s.variant == variant]

    def semantics(self, suite: str) -> Semantics:
        """The scoring semantics the run's scores judge a suite by, as its manifest records it."""
        return next(ref.semantics for ref in self.manifest.suites if ref.name == suite)

    def semantics_line(self) -> str:
        """`scoring: bfcl semantics (BFCL's checker rules) for bfcl:multiple; schema semantics (JSON Schema) for
        simple, parallel`: what the reports' figures mean, in one line."""
        by_semantics: dict[Semantics, list[str]] = {}
        for ref in self.manifest.suites:
            by_semantics.setdefault(ref.semantics, []).append(ref.name)
        every = len(by_semantics) == 1
        parts = [
            f"{semantics.value} semantics ({SEMANTICS_WORDS[semantics]}) for "
            + ("every suite" if every else ", ".join(names))
            for semantics, names in sorted(by_semantics.items())
        ]
        return "scoring: " + "; ".join(parts)

    def distribution(self, suite: str) -> str:
        """`in` when the suite is a held-out split of what the adapters were trained for, else `out`."""
        return self.suites[suite].distribution

    def scores_by_distribution(self, variant: str) -> dict[str, list[CaseScore]]:
        """A variant's scores pooled in and out of distribution, for reports to show side by side."""
        mine = self.scores_of(variant)
        return {d: [s for s in mine if self.distribution(s.suite) == d] for d in ("in", "out")}

    def merge_precision(self) -> list[MergePrecisionFinding]:
        """Per adapter served both ways, the answers each merged form changes against the unmerged ones, and the
        merge to prefer: a finding every report shows."""
        return merge_precision(self.manifest.variants, self.generations, self.scores)

    def latency_samples(self) -> list[LatencySample]:
        """Every timed request of the run's latency study; none when it has no study."""
        folder = RunFolder(self.path)
        return folder.read_latency_samples() if folder.has_latency_samples() else []


def load_run(path: Path) -> RunView:
    """A scored run folder, read whole; one not scored yet is an error that says how to score it (`scored_run`
    in `runs.score` scores it first, for the commands that may write)."""
    folder = RunFolder(path)
    manifest = folder.read_manifest()
    if not folder.is_scored():
        raise RunLogError(f"{path}: not scored yet; run `harness score {path}` first")
    generations = {key: g for key, (_, g) in folder.read_generations().items()}
    return RunView(
        path=path,
        manifest=manifest,
        suites=folder.read_suites(manifest),
        generations=generations,
        scores=folder.read_scores_of(generations),
        summary=folder.read_summary(),
        latency=folder.read_latency_summary(),
        episode_scores=folder.read_episode_scores(),
        episode_summary=folder.read_episode_summary(),
    )
