"""Run folders: `harness score` re-scores a hand-made run log without a model, under the scoring semantics its
manifest records or the one `--semantics` names; damaged logs fail with the file and line, a torn last line (a
killed writer) is tolerated, and nothing already written is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.reports.html_page import render_html
from harness.runs.folder import GENERATIONS, RunFolder, RunLogError
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.types import ErrorKind, Generation, RunManifest, Semantics, Variant

HANDMADE = Path(__file__).resolve().parents[1] / "data" / "runs" / "handmade"


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(HANDMADE, target)
    return target


def _full_match(run_dir: Path, variant: str, mode: str) -> tuple[int, int, int]:
    summary = score_run(run_dir).summary
    group = next(g for g in summary.groups if g.variant == variant and g.kind is None)
    proportion = getattr(group, mode).full_match
    return proportion.successes, proportion.trials, group.missing


def test_score_command_rescores_the_handmade_log(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "lora" in out and "60 [23-88]" in out
    scores = {(s.variant, s.case_id): s for s in RunFolder(run_dir).read_scores()}
    assert len(scores) == 9
    verdicts = {key: (s.strict.error_kind, s.lenient.error_kind) for key, s in scores.items()}
    assert verdicts == {
        ("base", "w1"): (ErrorKind.MISSED_CALL, ErrorKind.MISSED_CALL),
        ("base", "w2"): (ErrorKind.MISSED_CALL, ErrorKind.MISSED_CALL),
        ("base", "c1"): (ErrorKind.MISSED_CALL, ErrorKind.MISSED_CALL),
        ("base", "i1"): (None, None),
        ("lora", "w1"): (None, None),  # the retried request's later line wins over the failed one
        ("lora", "w2"): (ErrorKind.PARSE_ERROR, None),  # single-quoted: only the lenient reading accepts it
        ("lora", "c1"): (ErrorKind.WRONG_VALUE, ErrorKind.WRONG_VALUE),
        ("lora", "p1"): (None, None),  # parallel calls in the other order
        ("lora", "i1"): (ErrorKind.SPURIOUS_CALL, ErrorKind.SPURIOUS_CALL),
    }
    assert _full_match(run_dir, "base", "lenient") == (1, 4, 1)
    assert _full_match(run_dir, "lora", "strict") == (2, 5, 0)


def test_scoring_is_idempotent(run_dir: Path) -> None:
    score_run(run_dir)
    first = (run_dir / "summary.json").read_bytes(), (run_dir / "scores.jsonl").read_bytes()
    score_run(run_dir)
    assert first == ((run_dir / "summary.json").read_bytes(), (run_dir / "scores.jsonl").read_bytes())


def test_torn_last_line_is_ignored_and_appending_resumes(run_dir: Path) -> None:
    log = run_dir / GENERATIONS
    log.write_text(log.read_text() + '{"version": 1, "suite": "mini", "case_id": "p1", "vari')
    assert _full_match(run_dir, "base", "lenient") == (1, 4, 1)


def test_bad_middle_line_names_file_and_line(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = run_dir / GENERATIONS
    lines = log.read_text().splitlines(keepends=True)
    lines[2] = '{"version": 1, "suite": "mini", "case_id": "c1"}\n'
    log.write_text("".join(lines))
    assert main(["score", str(run_dir)]) == 2
    assert f"{log}:3: variant: Field required" in capsys.readouterr().err.replace("\n", "")


def test_unknown_case_names_the_line(run_dir: Path) -> None:
    folder = RunFolder(run_dir)
    folder.append_generation(Generation(suite="mini", case_id="zz", variant="lora", text=""))
    with pytest.raises(RunLogError, match=r"generations.jsonl:11: case 'zz' of suite 'mini'"):
        score_run(run_dir)


def test_changed_suite_snapshot_is_detected(run_dir: Path) -> None:
    snapshot = run_dir / "suites" / "mini.json"
    snapshot.write_text(snapshot.read_text().replace("Oslo", "Bergen"))
    with pytest.raises(RunLogError, match="does not match the sha256"):
        score_run(run_dir)


def test_missing_manifest_and_folder(tmp_path: Path) -> None:
    with pytest.raises(RunLogError, match="not a run folder"):
        score_run(tmp_path / "nope")
    with pytest.raises(RunLogError, match=r"manifest\.json: missing"):
        score_run(tmp_path)


def test_variant_without_generations_shows_as_missing(run_dir: Path) -> None:
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    extra = Variant(name="merged", role="merged", model="merged-folder")
    folder.write_manifest(RunManifest(**{**manifest.model_dump(), "variants": [*manifest.variants, extra]}))
    group = next(g for g in score_run(run_dir).summary.groups if g.variant == "merged")
    assert (group.cases, group.missing) == (0, 5)


def test_a_manifest_from_before_the_unmerged_sample_asks_every_case(run_dir: Path) -> None:
    variants = RunFolder(run_dir).read_manifest().variants
    assert [v.asked for v in variants] == [None, None]
    assert all(v.asks("mini", case) for v in variants for case in ("w1", "i1"))


def test_a_variant_asked_a_sample_is_complete_when_it_answered_it(run_dir: Path) -> None:
    """The unmerged adapter was asked four of the five cases (not p1) and answered them: nothing is missing, while
    the base, asked every case, misses p1."""
    log = run_dir / "generations.jsonl"
    log.write_text("".join(line for line in log.read_text().splitlines(keepends=True) if '"p1"' not in line))
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    lora = manifest.variants[1].model_copy(update={"asked": {"mini": ["w1", "w2", "c1", "i1"]}})
    folder.write_manifest(manifest.model_copy(update={"variants": [manifest.variants[0], lora]}))
    assert RunFolder(run_dir).read_manifest().variants[1].asked == {"mini": ["w1", "w2", "c1", "i1"]}
    groups = {g.variant: (g.cases, g.missing) for g in score_run(run_dir).summary.groups if g.kind is None}
    assert groups == {"base": (4, 1), "lora": (4, 0)}


def test_written_run_round_trips(tmp_path: Path) -> None:
    source = RunFolder(run_dir := tmp_path / "new")
    suite = RunFolder(HANDMADE).read_suites(RunFolder(HANDMADE).read_manifest())["mini"]
    ref = source.write_suite(suite, "tests")
    source.write_manifest(RunManifest(run_id="new", created_at="2026-11-25T00:00:00Z", suites=[ref], variants=[]))
    source.append_generation(Generation(suite="mini", case_id="i1", variant="lora", text="No tool needed."))
    assert RunFolder(run_dir).read_suites(RunFolder(run_dir).read_manifest())["mini"] == suite
    assert _full_match(run_dir, "lora", "strict") == (1, 1, 4)


def test_semantics_override_rescores_and_is_recorded(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`CELSIUS.` breaks the enum under `schema` and is `celsius` under `bfcl`; `--semantics` re-scores the run by
    it, the manifest says so from then on, and the reports name it."""
    folder = RunFolder(run_dir)
    text = '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "CELSIUS."}}</tool_call>'
    folder.append_generation(Generation(suite="mini", case_id="w1", variant="base", text=text))

    def verdict() -> ErrorKind | None:
        return next(s for s in folder.read_scores() if (s.variant, s.case_id) == ("base", "w1")).strict.error_kind

    assert main(["score", str(run_dir)]) == 0
    assert verdict() is ErrorKind.SCHEMA_VIOLATION
    assert "scoring: schema semantics (JSON Schema) for every suite" in capsys.readouterr().out
    assert main(["score", str(run_dir), "--semantics", "bfcl"]) == 0
    assert verdict() is None
    assert [ref.semantics for ref in folder.read_manifest().suites] == [Semantics.BFCL]
    assert "scoring: bfcl semantics (BFCL's checker rules) for every suite" in capsys.readouterr().out
    assert main(["score", str(run_dir)]) == 0  # the manifest's semantics, now bfcl
    assert verdict() is None
    assert "bfcl semantics (BFCL&#x27;s checker rules) for every suite" in render_html(load_run(run_dir))


def test_a_new_run_records_each_suite_semantics(tmp_path: Path) -> None:
    suite = RunFolder(HANDMADE).read_suites(RunFolder(HANDMADE).read_manifest())["mini"]
    ref = RunFolder(tmp_path).write_suite(suite.model_copy(update={"semantics": Semantics.BFCL}), "tests")
    assert ref.semantics is Semantics.BFCL
    assert RunFolder(HANDMADE).read_manifest().suites[0].semantics is Semantics.SCHEMA  # written before it existed


def test_unknown_semantics_is_refused(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(run_dir), "--semantics", "leaderboard"])
    assert exit_info.value.code == 2
    assert "--semantics" in capsys.readouterr().err
