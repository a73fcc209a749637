"""The run folder: the single source of truth that scoring, reports and gates read, and the one API through
which every stage reads and writes it.

    RUN_DIR/manifest.json          RunManifest: what was measured, with hashes and versions
    RUN_DIR/suites/NAME.json       snapshot of every suite used, so a run re-scores identically after suites change
    RUN_DIR/generations.jsonl      append-only, one Generation per line, flushed per record
    RUN_DIR/scores.jsonl           CaseScore per generation, written by `harness score`
    RUN_DIR/summary.json           RunSummary, written by `harness score`
    RUN_DIR/latency.jsonl          append-only, one LatencySample per timed request, written by `harness latency`
    RUN_DIR/latency-summary.json   LatencySummary, the study's analysis of latency.jsonl
    RUN_DIR/stages.json            BenchStages, written by `harness bench` after every stage
    RUN_DIR/gate.json              GateResult, the verdict of the last `harness gate` (or bench), baseline included
    RUN_DIR/episodes.jsonl         append-only, one EpisodeStep per request of a multi-turn episode, an EpisodeEnd
                                   per finished attempt
    RUN_DIR/episode-scores.jsonl   EpisodeScore per finished episode, written by `harness score`
    RUN_DIR/episode-summary.json   EpisodeSummary, written by `harness score`

A run is resumable because generations are only ever appended: a torn last line (a killed process) is ignored,
and when a key (variant, suite, case) appears twice the later line wins (a retried request).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from harness.errors import HarnessError
from harness.files import FileReadError, parse_model, read_bytes, read_json_lines, read_model, read_text
from harness.types import (
    AskingStop,
    CaseScore,
    EpisodeEnd,
    EpisodeKey,
    EpisodeRecord,
    EpisodeScore,
    EpisodeStep,
    EpisodeSummary,
    GateResult,
    Generation,
    GenerationKey,
    LatencySample,
    LatencySummary,
    RunManifest,
    RunSummary,
    Suite,
    SuiteRef,
)

MANIFEST = "manifest.json"
GENERATIONS = "generations.jsonl"
SCORES = "scores.jsonl"
SUMMARY = "summary.json"
SUITES = "suites"
LATENCY = "latency.jsonl"
LATENCY_SUMMARY = "latency-summary.json"
STAGES = "stages.json"
GATE = "gate.json"
EPISODES = "episodes.jsonl"
EPISODE_SCORES = "episode-scores.jsonl"
EPISODE_SUMMARY = "episode-summary.json"
ASKING = "asking.jsonl"

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", covariant=True)


class JsonLineReader(Protocol[R]):
    """What reads one line of a JSON Lines file: a pydantic model class, or a TypeAdapter of a union of them."""

    def __call__(self, line: str) -> R: ...


_EPISODE_RECORD: TypeAdapter[EpisodeStep | EpisodeEnd] = TypeAdapter(EpisodeRecord)


@dataclass(frozen=True)
class FinishedEpisode:
    """An attempt at an episode that ran to its end line, with its steps in order: what scoring reads."""

    end: EpisodeEnd
    steps: list[EpisodeStep]


class RunLogError(FileReadError):
    """A run folder that cannot be read as written; the message names the file and line or field."""


class OutputError(HarnessError):
    """A file the harness was asked to write cannot be written; nothing half-written is left behind."""


def write_atomic(path: Path, data: str) -> None:
    """Replace a file in one step, so that an interruption leaves the old content or the new, never half; a path
    that cannot be written is an `OutputError` naming it, and the temporary file is removed."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give the path of a file to write")
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(data, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({error.strerror or error})") from None


def append_text(path: Path, data: str, what: str) -> None:
    """Append to a file someone else owns (a CI step summary), with the same clear error when it cannot be."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(data)
    except OSError as error:
        raise OutputError(f"{path} ({what}): cannot be appended to ({error.strerror or error})") from None


def _read_model(path: Path, model: type[M]) -> M:
    return read_model(path, model, missing="missing", error=RunLogError)


def snapshot_name(suite_name: str) -> str:
    """File name of a suite snapshot; suite names may hold ':' (bfcl:simple_python)."""
    return suite_name.replace(":", "__") + ".json"


def suite_snapshot(suite: Suite, source: str) -> tuple[str, SuiteRef]:
    """The snapshot text of a suite and the manifest's reference to it (which holds its hash)."""
    text = suite.model_dump_json(indent=1, exclude_defaults=True) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    ref = SuiteRef(name=suite.name, source=source, sha256=digest, cases=len(suite.cases), semantics=suite.semantics)
    return text, ref


def read_appended(path: Path, model: type[M]) -> list[tuple[int, M]]:
    """Records of an append-only JSON Lines file with their line numbers: a torn final line (a writer killed
    mid-line) is skipped, any other bad line is an error naming it."""
    return read_lines(path, model.model_validate_json)


def read_lines(path: Path, read: JsonLineReader[R]) -> list[tuple[int, R]]:
    """`read_appended` for any reader of a line (a union of record kinds goes through a TypeAdapter)."""
    return read_json_lines(path, read, torn_ok=True, error=RunLogError)


def append_samples(path: Path, samples: Sequence[LatencySample]) -> None:
    """Append a block's timed requests to a latency log."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(sample.model_dump_json() + "\n" for sample in samples))


def read_samples(path: Path) -> list[LatencySample]:
    """Every timed request of a latency log."""
    if not path.exists():
        raise RunLogError(f"{path}: missing; run `harness latency` first")
    return [sample for _, sample in read_appended(path, LatencySample)]


class RunFolder:
    """Reading and writing one run folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _file(self, name: str) -> Path:
        return self.path / name

    def write_manifest(self, manifest: RunManifest) -> None:
        write_atomic(self._file(MANIFEST), manifest.model_dump_json(indent=2) + "\n")

    def has_manifest(self) -> bool:
        return self._file(MANIFEST).exists()

    def read_manifest(self) -> RunManifest:
        if not self.path.is_dir():
            why = "a file, not a folder" if self.path.exists() else "no such folder"
            raise RunLogError(f"{self.path}: not a run folder ({why})")
        return _read_model(self._file(MANIFEST), RunManifest)

    def write_suite(self, suite: Suite, source: str) -> SuiteRef:
        """Snapshot a suite into the run; the returned reference goes into the manifest."""
        text, ref = suite_snapshot(suite, source)
        write_atomic(self.path / SUITES / snapshot_name(suite.name), text)
        return ref

    def read_suites(self, manifest: RunManifest) -> dict[str, Suite]:
        """The suites the run used, checked against the manifest's hashes."""
        suites = {}
        for ref in manifest.suites:
            path = self.path / SUITES / snapshot_name(ref.name)
            data = read_bytes(path, missing=f"missing snapshot of suite {ref.name!r}", error=RunLogError)
            if hashlib.sha256(data).hexdigest() != ref.sha256:
                raise RunLogError(f"{path}: content does not match the sha256 in {self._file(MANIFEST)}")
            suites[ref.name] = parse_model(path, data, Suite, RunLogError)
        return suites

    def append_generation(self, generation: Generation) -> None:
        """Append one record and push it to disk before returning: a crash loses at most the request in flight."""
        self._append_line(GENERATIONS, generation)

    def read_generations(self) -> dict[GenerationKey, tuple[int, Generation]]:
        """Latest generation per key, with its line number; a torn final line is skipped, any other bad line
        is an error naming it."""
        path = self._file(GENERATIONS)
        if not path.exists():
            return {}
        latest: dict[GenerationKey, tuple[int, Generation]] = {}
        for number, generation in read_appended(path, Generation):
            latest[(generation.variant, generation.suite, generation.case_id)] = (number, generation)
        return latest

    def torn_generation(self) -> str | None:
        """Where the run log ends in a torn line, which every reader skips: said aloud by the commands that read
        the log, so that a dropped answer is never silent."""
        path = self._file(GENERATIONS)
        text = read_text(path, error=RunLogError) if path.exists() else ""
        if not text.strip() or text.endswith("\n"):
            return None
        try:  # only the last line can be torn: the one with no newline after it
            Generation.model_validate_json(text.rsplit("\n", 1)[-1])
        except ValidationError:
            return f"{path}:{text.count(chr(10)) + 1}"
        return None

    def require_generations(self) -> None:
        """A run log to read, or an error that says how one is made (scores of nothing are not zeros)."""
        path = self._file(GENERATIONS)
        if not path.exists() or (path.is_file() and not path.stat().st_size):
            state = "missing" if not path.exists() else "empty"
            raise RunLogError(f"{path}: {state}; `harness run CONFIG --out {self.path}` writes it")

    def write_scores(self, scores: Iterable[CaseScore], summary: RunSummary) -> None:
        write_atomic(self._file(SCORES), "".join(s.model_dump_json() + "\n" for s in scores))
        write_atomic(self._file(SUMMARY), summary.model_dump_json(indent=2) + "\n")

    def read_scores(self) -> list[CaseScore]:
        path = self._file(SCORES)
        if not path.exists():
            raise RunLogError(f"{path}: missing; run `harness score {self.path}` first")
        return [
            score for _, score in read_json_lines(path, CaseScore.model_validate_json, torn_ok=False, error=RunLogError)
        ]

    def read_scores_of(self, generations: Mapping[GenerationKey, object]) -> list[CaseScore]:
        """The scores, which must be of the answers in the run log, one each: a log cut short, grown or replaced
        after scoring leaves scores no report can pair with its answers."""
        scores = self.read_scores()
        scored = {(s.variant, s.suite, s.case_id) for s in scores}
        if scored != generations.keys():
            odd = sorted(scored ^ generations.keys())[0]
            holds = "does not hold" if odd in scored else "holds"
            raise RunLogError(
                f"{self._file(SCORES)} and {self._file(GENERATIONS)} disagree: the log {holds} the answer of"
                f" {odd[0]} to {odd[1]}/{odd[2]}; re-score with `harness score {self.path}`"
            )
        return scores

    def is_scored(self) -> bool:
        """Whether `harness score` wrote the scores and the summary."""
        return self._file(SCORES).exists() and self._file(SUMMARY).exists()

    def read_summary(self) -> RunSummary:
        path = self._file(SUMMARY)
        if not path.exists():
            raise RunLogError(f"{path}: missing; run `harness score {self.path}` first")
        return _read_model(path, RunSummary)

    @property
    def latency_log(self) -> Path:
        """`latency.jsonl`, which the study appends to block by block."""
        return self._file(LATENCY)

    def archive_latency_samples(self) -> None:
        """Keep an earlier study's samples beside the new one's, under the time the new one started."""
        if self.latency_log.exists():
            self.latency_log.rename(self.latency_log.with_name(f"latency-{datetime.now(UTC):%Y%m%dT%H%M%S}.jsonl"))

    def has_latency_samples(self) -> bool:
        return self.latency_log.exists()

    def read_latency_samples(self) -> list[LatencySample]:
        return read_samples(self.latency_log)

    def write_latency_summary(self, summary: LatencySummary) -> None:
        write_atomic(self._file(LATENCY_SUMMARY), summary.model_dump_json(indent=2) + "\n")

    def has_latency_summary(self) -> bool:
        return self._file(LATENCY_SUMMARY).exists()

    def read_latency_summary(self) -> LatencySummary | None:
        """The latency study's summary; None when the run has none."""
        return _read_model(self._file(LATENCY_SUMMARY), LatencySummary) if self.has_latency_summary() else None

    def write_gate(self, result: GateResult) -> None:
        write_atomic(self._file(GATE), result.model_dump_json(indent=2) + "\n")

    def read_gate(self) -> GateResult | None:
        """The last gate's result; None when no gate has judged the run since it was last scored (a re-score can
        change any verdict, so an older result is not the run's)."""
        gate, summary = self._file(GATE), self._file(SUMMARY)
        if not gate.exists() or (summary.exists() and summary.stat().st_mtime_ns > gate.stat().st_mtime_ns):
            return None
        return _read_model(gate, GateResult)

    def _append_line(self, name: str, record: BaseModel) -> None:
        with self._file(name).open("a", encoding="utf-8") as handle:
            handle.write(record.model_dump_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def append_stop(self, stop: AskingStop) -> None:
        """Record where the scheduler stopped asking a variant, and why."""
        self._append_line(ASKING, stop)

    def read_stops(self) -> list[AskingStop]:
        """Every stop recorded, in the order they happened (a resumed run may stop a variant again, later)."""
        path = self._file(ASKING)
        return [stop for _, stop in read_appended(path, AskingStop)] if path.exists() else []

    def append_episode_record(self, record: EpisodeStep | EpisodeEnd) -> None:
        """Append one step or end of an episode and push it to disk before returning, like a generation."""
        self._append_line(EPISODES, record)

    def has_episodes(self) -> bool:
        """Whether any multi-turn episode was asked in this run."""
        return self._file(EPISODES).exists()

    def read_episode_log(self) -> tuple[dict[EpisodeKey, FinishedEpisode], dict[EpisodeKey, int]]:
        """The latest finished attempt of every episode, and the last attempt number seen per episode (finished or
        not), from which a resumed run numbers its next attempt. A torn final line is skipped; steps of attempts
        that never ended are kept in the log but never scored."""
        path = self._file(EPISODES)
        if not path.exists():
            return {}, {}
        steps: dict[tuple[str, str, str, int], list[EpisodeStep]] = {}
        finished: dict[EpisodeKey, FinishedEpisode] = {}
        attempts: dict[EpisodeKey, int] = {}
        for _, record in read_lines(path, _EPISODE_RECORD.validate_json):
            key = (record.variant, record.suite, record.episode_id)
            attempts[key] = max(attempts.get(key, 0), record.attempt)
            if isinstance(record, EpisodeStep):
                steps.setdefault((*key, record.attempt), []).append(record)
            else:
                finished[key] = FinishedEpisode(record, steps.get((*key, record.attempt), []))
        return finished, attempts

    def write_episode_scores(self, scores: Iterable[EpisodeScore], summary: EpisodeSummary) -> None:
        write_atomic(self._file(EPISODE_SCORES), "".join(s.model_dump_json() + "\n" for s in scores))
        write_atomic(self._file(EPISODE_SUMMARY), summary.model_dump_json(indent=2) + "\n")

    def read_episode_scores(self) -> list[EpisodeScore]:
        """Every scored episode; none when the run asked no episode."""
        path = self._file(EPISODE_SCORES)
        return [score for _, score in read_appended(path, EpisodeScore)] if path.exists() else []

    def read_episode_summary(self) -> EpisodeSummary | None:
        """The episode summary; None when the run has no episodes scored."""
        path = self._file(EPISODE_SUMMARY)
        return _read_model(path, EpisodeSummary) if path.exists() else None
