"""The suites of a run: loaded from the config's sources and sampled, seeded, to the sizes it asks for."""

from __future__ import annotations

import random
from pathlib import Path

from harness.errors import ConfigError
from harness.patterns import most_specific
from harness.suites.files import load_sources
from harness.suites.settings import SuiteSelection
from harness.types import AskingOrder, Suite


def _seeded_indices(count: int, size: int, seed: str) -> list[int]:
    """`size` of `count` positions, drawn by `seed`, in order."""
    return sorted(random.Random(seed).sample(range(count), size))


def sample_cases(suite: Suite, selection: SuiteSelection) -> Suite:
    """A seeded sample of a suite's cases, and of its episodes, in suite order, keeping only the tools the sample
    uses. Episodes are drawn with a seed of their own, so adding episodes to a suite keeps its sample of cases."""
    size = most_specific(selection.samples, suite.name) or selection.sample
    if size is None or size >= max(len(suite.cases), len(suite.episodes)):
        return suite
    cases, episodes = suite.cases, suite.episodes
    if size < len(cases):
        cases = [cases[i] for i in _seeded_indices(len(cases), size, f"{selection.sample_seed}:{suite.name}")]
    if size < len(episodes):
        seed = f"{selection.sample_seed}:episodes:{suite.name}"
        episodes = [episodes[i] for i in _seeded_indices(len(episodes), size, seed)]
    used = {key for case in cases for key in case.tools}
    used |= {
        key for episode in episodes for key in [*episode.tools, *(k for t in episode.turns for k in t.tools_added)]
    }
    tools = [t for t in suite.tools if t.key in used]
    return suite.model_copy(update={"cases": cases, "episodes": episodes, "tools": tools})


def unmerged_sample(suites: list[Suite], selection: SuiteSelection) -> dict[str, list[str]] | None:
    """Suite name → ids of the cases (then the episodes) an adapter served merged too answers unmerged
    (`unmerged_sample` per suite and per kind, every one of a smaller suite), in suite order; None when the config
    asks unmerged for everything. Its own seed strings, so that it is not the draw that sampled the suite; they
    still say `parity`, the sample's old name, so that a config draws the cases it drew before the rename."""
    size = selection.unmerged_sample
    if size is None:
        return None
    seed = selection.sample_seed
    return {
        suite.name: [
            *(
                suite.cases[i].id
                for i in _seeded_indices(len(suite.cases), min(size, len(suite.cases)), f"{seed}:parity:{suite.name}")
            ),
            *(
                suite.episodes[i].id
                for i in _seeded_indices(
                    len(suite.episodes), min(size, len(suite.episodes)), f"{seed}:parity-episodes:{suite.name}"
                )
            ),
        ]
        for suite in suites
    }


def asking_order(suites: list[Suite], selection: SuiteSelection) -> AskingOrder:
    """Every case of the run in one seeded random order (suites interleaved), for every variant alike: a uniform
    permutation, so that its restriction to any suite, kind or unmerged sample is a uniform order of those cases
    too, which is what the gate's confidence sequences for sampling without replacement assume."""
    cases = [(suite.name, case.id) for suite in suites for case in suite.cases]
    random.Random(f"{selection.order_seed}:order").shuffle(cases)
    return AskingOrder(seed=selection.order_seed, batch=selection.batch, cases=cases)


def load_run_suites(selection: SuiteSelection, config_dir: Path) -> list[tuple[Suite, str]]:
    """The suites of a run with their sources; an invalid suite stops the run before any server starts."""
    specs = [s if s.startswith("bfcl:") or Path(s).is_absolute() else str(config_dir / s) for s in selection.sources]
    loaded = load_sources(specs)
    problems = [str(problem) for item in loaded for problem in item.problems]
    if problems:
        raise ConfigError("invalid suites:\n  " + "\n  ".join(problems[:20]))
    return [(sample_cases(item.suite, selection), item.source) for item in loaded if item.suite is not None]
