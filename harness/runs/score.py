"""`harness score RUN_DIR`: re-score a saved run log without any model, and write the scores beside it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.environments import Sandbox
from harness.environments.replay import replay_turns
from harness.runs.folder import FinishedEpisode, RunFolder, RunLogError
from harness.runs.view import RunView, load_run
from harness.scoring import ToolValidators, score_generation, summarise
from harness.scoring.episode import score_episode, summarise_episodes
from harness.types import (
    CaseKind,
    CaseScore,
    EpisodeScore,
    EpisodeSummary,
    RunManifest,
    Semantics,
    Suite,
    ToolCall,
    Variant,
)


def score_run(run_dir: Path, semantics: Semantics | None = None) -> RunView:
    """Score every generation of a run against the suite snapshots it recorded, under the semantics its manifest
    records for each suite; write scores and summary. `semantics` (the `--semantics` override) judges every suite
    by one semantics instead, and the manifest is rewritten to say so: it always names what the scores mean.
    Returns the run as scored, built from what scoring read, so a caller that reports it reads nothing twice."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    if not folder.has_episodes():
        folder.require_generations()
    if semantics is not None and any(ref.semantics is not semantics for ref in manifest.suites):
        refs = [ref.model_copy(update={"semantics": semantics}) for ref in manifest.suites]
        manifest = manifest.model_copy(update={"suites": refs})
        folder.write_manifest(manifest)
    suites = folder.read_suites(manifest)
    cases = {(name, case.id): case for name, suite in suites.items() for case in suite.cases}
    validators = {ref.name: ToolValidators.for_suite(suites[ref.name], ref.semantics) for ref in manifest.suites}
    scores: list[CaseScore] = []
    episode_scores, episode_summary = score_episodes(folder, manifest, suites) if folder.has_episodes() else ([], None)
    generations = folder.read_generations()
    for number, generation in sorted(generations.values(), key=lambda item: item[0]):
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
            if suite.cases
        }
        for variant in dict.fromkeys([*variants, *(score.variant for score in scores)])
    }
    summary = summarise(scores, asked)
    folder.write_scores(scores, summary)
    return RunView(
        path=run_dir,
        manifest=manifest,
        suites=suites,
        generations={key: generation for key, (_, generation) in generations.items()},
        scores=scores,
        summary=summary,
        latency=folder.read_latency_summary(),
        episode_scores=episode_scores,
        episode_summary=episode_summary,
    )


def scored_run(run_dir: Path) -> RunView:
    """The run as the reading commands show it: read when it is scored, else scored from its own log first (pure:
    no model is called), which writes its scores; `load_run` alone never writes."""
    return load_run(run_dir) if RunFolder(run_dir).is_scored() else score_run(run_dir)


def score_episodes(
    folder: RunFolder, manifest: RunManifest, suites: dict[str, Suite]
) -> tuple[list[EpisodeScore], EpisodeSummary]:
    """Score every finished episode by replaying its logged calls and the right ones on fresh environments, under
    its suite's semantics; write the episode scores and summary."""
    semantics = {ref.name: ref.semantics for ref in manifest.suites}
    finished, _ = folder.read_episode_log()
    with Sandbox() as sandbox:
        scores = [
            score_finished(sandbox, suites, semantics, done)
            for _, done in sorted(finished.items(), key=lambda item: item[0])
            if done.end.suite in suites
        ]
    variants: dict[str, Variant] = {variant.name: variant for variant in manifest.variants}
    asked = {
        name: {
            suite.name: sum(variant.asks(suite.name, episode.id) for episode in suite.episodes)
            for suite in suites.values()
            if suite.episodes
        }
        for name, variant in variants.items()
    }
    summary = summarise_episodes(scores, asked)
    folder.write_episode_scores(scores, summary)
    return scores, summary


def score_finished(
    sandbox: Sandbox, suites: dict[str, Suite], semantics: dict[str, Semantics], done: FinishedEpisode
) -> EpisodeScore:
    """One finished attempt scored: its logged calls and the right ones replayed on fresh environments, then every
    turn judged under the suite's semantics."""
    end = done.end
    suite = suites[end.suite]
    episode = next((e for e in suite.episodes if e.id == end.episode_id), None)
    if episode is None:
        raise RunLogError(f"{end.variant}: episode {end.episode_id!r} is not in the run's suite {end.suite!r}")
    asked = min(end.turns_asked, len(episode.turns))
    model_turns: list[list[list[ToolCall]]] = [[] for _ in range(asked)]
    for step in sorted(done.steps, key=lambda s: (s.turn, s.step)):
        if step.turn < asked:
            model_turns[step.turn].append([ToolCall(name=c.name, arguments=c.arguments) for c in step.calls])
    facts = replay_turns(sandbox, episode, {tool.key: tool for tool in suite.tools}, model_turns)
    return score_episode(
        episode,
        end.status,
        suite=suite.name,
        variant=end.variant,
        turns_asked=asked,
        calls=[sum(len(calls) for calls in turn) for turn in model_turns],
        steps=[len(turn) for turn in model_turns],
        facts=facts,
        semantics=semantics.get(suite.name, suite.semantics),
    )
