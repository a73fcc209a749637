"""`harness score RUN_DIR`: re-score a saved run log without any model, and write the scores beside it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.runs.folder import RunFolder, RunLogError
from harness.scoring import ToolValidators, score_generation, summarise
from harness.types import CaseKind, CaseScore, RunSummary, Semantics


def score_run(run_dir: Path, semantics: Semantics | None = None) -> RunSummary:
    """Score every generation of a run against the suite snapshots it recorded, under the semantics its manifest
    records for each suite; write scores and summary. `semantics` (the `--semantics` override) judges every suite
    by one semantics instead, and the manifest is rewritten to say so: it always names what the scores mean."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    folder.require_generations()
    if semantics is not None and any(ref.semantics is not semantics for ref in manifest.suites):
        refs = [ref.model_copy(update={"semantics": semantics}) for ref in manifest.suites]
        manifest = manifest.model_copy(update={"suites": refs})
        folder.write_manifest(manifest)
    suites = folder.read_suites(manifest)
    cases = {(name, case.id): case for name, suite in suites.items() for case in suite.cases}
    validators = {ref.name: ToolValidators.for_suite(suites[ref.name], ref.semantics) for ref in manifest.suites}
    scores: list[CaseScore] = []
    for number, generation in sorted(folder.read_generations().values(), key=lambda item: item[0]):
        case = cases.get((generation.suite, generation.case_id))
        if case is None:
            raise RunLogError(
                f"{folder.path / 'generations.jsonl'}:{number}: case {generation.case_id!r} of suite "
                f"{generation.suite!r} is not in the run's suites"
            )
        scores.append(score_generation(case, generation, validators[generation.suite]))
    variants = {variant.name: variant for variant in manifest.variants}

    def asks(variant: str, suite: str, case_id: str) -> bool:
        """A variant the manifest does not list (a hand-written log) was asked every case."""
        return variant not in variants or variants[variant].asks(suite, case_id)

    asked = {
        variant: {
            name: dict(Counter(CaseKind(case.kind) for case in suite.cases if asks(variant, name, case.id)))
            for name, suite in suites.items()
        }
        for variant in dict.fromkeys([*variants, *(score.variant for score in scores)])
    }
    summary = summarise(scores, asked)
    folder.write_scores(scores, summary)
    return summary
