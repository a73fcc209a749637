"""The suites of a run: loaded from the config's sources and sampled, seeded, to the sizes it asks for."""

from __future__ import annotations

import random
from pathlib import Path

from harness.patterns import most_specific
from harness.runs.config import ConfigError, SuiteSelection
from harness.suites.files import load_sources
from harness.types import Suite


def _seeded_indices(count: int, size: int, seed: str) -> list[int]:
    """`size` of `count` positions, drawn by `seed`, in order."""
    return sorted(random.Random(seed).sample(range(count), size))


def sample_cases(suite: Suite, selection: SuiteSelection) -> Suite:
    """A seeded sample of a suite's cases in suite order, keeping only the tools the sample uses."""
    size = most_specific(selection.samples, suite.name) or selection.sample
    if size is None or size >= len(suite.cases):
        return suite
    chosen = _seeded_indices(len(suite.cases), size, f"{selection.sample_seed}:{suite.name}")
    cases = [suite.cases[i] for i in chosen]
    used = {key for case in cases for key in case.tools}
    return suite.model_copy(update={"cases": cases, "tools": [t for t in suite.tools if t.key in used]})


def parity_sample(suites: list[Suite], selection: SuiteSelection) -> dict[str, list[str]] | None:
    """Suite name → ids of the cases an adapter served merged too answers unmerged (`unmerged_sample` per suite,
    every case of a smaller suite), in suite order; None when the config asks unmerged for every case. Its own
    seed string, so that it is not the draw that sampled the suite."""
    size = selection.unmerged_sample
    if size is None:
        return None
    return {
        suite.name: [
            suite.cases[i].id
            for i in _seeded_indices(
                len(suite.cases), min(size, len(suite.cases)), f"{selection.sample_seed}:parity:{suite.name}"
            )
        ]
        for suite in suites
    }


def load_run_suites(selection: SuiteSelection, config_dir: Path) -> list[tuple[Suite, str]]:
    """The suites of a run with their sources; an invalid suite stops the run before any server starts."""
    specs = [s if s.startswith("bfcl:") or Path(s).is_absolute() else str(config_dir / s) for s in selection.sources]
    loaded = load_sources(specs)
    problems = [str(problem) for item in loaded for problem in item.problems]
    if problems:
        raise ConfigError("invalid suites:\n  " + "\n  ".join(problems[:20]))
    return [(sample_cases(item.suite, selection), item.source) for item in loaded if item.suite is not None]
