"""`harness score RUN_DIR`: re-score a saved run log without any model, and write the scores beside it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.runs.folder import RunFolder, RunLogError
from harness.scoring import ToolValidators, score_generation, summarise
from harness.types import CaseKind, CaseScore, RunSummary


def score_run(run_dir: Path) -> RunSummary:
    """Score every generation of a run against the suite snapshots it recorded; write scores and summary."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    folder.require_generations()
    suites = folder.read_suites(manifest)
    cases = {(name, case.id): case for name, suite in suites.items() for case in suite.cases}
    validators = {name: ToolValidators.for_suite(suite) for name, suite in suites.items()}
    scores: list[CaseScore] = []
    for number, generation in sorted(folder.read_generations().values(), key=lambda item: item[0]):
        case = cases.get((generation.suite, generation.case_id))
        if case is None:
            raise RunLogError(
                f"{folder.path / 'generations.jsonl'}:{number}: case {generation.case_id!r} of suite "
                f"{generation.suite!r} is not in the run's suites"
            )
        scores.append(score_generation(case, generation, validators[generation.suite]))
    sizes = {name: dict(Counter(CaseKind(case.kind) for case in suite.cases)) for name, suite in suites.items()}
    summary = summarise(scores, sizes, [variant.name for variant in manifest.variants])
    folder.write_scores(scores, summary)
    return summary
