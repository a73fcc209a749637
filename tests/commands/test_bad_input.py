"""Bad input, one class per case: a one-line `error WHERE: what and what to do`, exit 2 for what cannot be read or
written (1 for suites that are invalid), nothing written where it was not asked for, and no temporary file left
behind. Each case is data: the arguments, what the error must say, and the exit code."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import main
from harness.runs.score import score_run

ROOT = Path(__file__).resolve().parents[2]
BENCH_CONFIG = ROOT / "configs" / "bench.toml"


def bench_line(text: str) -> int:
    """The line of configs/bench.toml holding `text`: where an error about it must point."""
    return next(n for n, line in enumerate(BENCH_CONFIG.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def run(bench_run: Path) -> Path:
    return bench_run


def bench_config(tmp_path: Path, old: str, new: str) -> Path:
    """configs/bench.toml with one line changed, beside the adapters and suites it names."""
    text = BENCH_CONFIG.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1).replace('"../', f'"{ROOT}/')
    path = tmp_path / "bench.toml"
    path.write_text(text, encoding="utf-8")
    return path


MERGES_FP16 = 'merges = ["fp32", "fp16"]\nrecipe = "../adapters/fc-good.toml"'
"""fc-good asks for a merge precision there is none of, on the line where its recipe was."""

# (name, arguments built from the run folder and tmp_path, exit code, what the one error line must contain)
Args = Callable[[Path, Path], list[str]]
CASES: list[tuple[str, Args, int, str]] = [
    ("gate junit is a folder", lambda r, t: ["gate", str(r), "--junit", str(t)], 2, "{t}: is a folder"),
    ("report html is a folder", lambda r, t: ["report", str(r), "--html", str(t)], 2, "{t}: is a folder"),
    ("compare html is a folder", lambda r, t: ["compare", str(r), "--html", str(t)], 2, "{t}: is a folder"),
    ("rank markdown is a folder", lambda r, t: ["rank", str(r), "--markdown", str(t)], 2, "{t}: is a folder"),
    (
        "course rows out is a folder",
        lambda r, t: ["data", "course-rows", "--examples", "1", "--seed", "0", "--out", str(t)],
        2,
        "{t}: is a folder",
    ),
    (
        "rank of fewer than two variants",
        lambda r, t: ["rank", str(r), "--variants", "lora:fc-good"],
        2,
        "--variants lora:fc-good matched lora:fc-good; ranking needs two or more of",
    ),
    (
        "baseline name leaves its folder",
        lambda r, t: ["baseline", "save", str(r), "../../x", "--dir", str(t / "bl")],
        2,
        "baseline name '../../x': use letters",
    ),
    (
        "empty baseline name",
        lambda r, t: ["baseline", "save", str(r), "", "--dir", str(t / "bl")],
        2,
        "baseline name '': use letters",
    ),
    ("suites folder without suites", lambda r, t: ["suites", "validate", str(t / "empty")], 1, "no suite files"),
    (
        "misspelt config key",
        lambda r, t: ["run", str(bench_config(t, "max_tokens = 256", "max_tokns = 256"))],
        2,
        f"bench.toml:{bench_line('max_tokens = 256')}: generation.max_tokns: unknown key; did you mean 'max_tokens'?",
    ),
    (
        "rate given as a percentage",
        lambda r, t: ["run", str(bench_config(t, '"heldout" = 0.35', '"heldout" = 35'))],
        2,
        "gate.min_full_match.heldout: Input should be less than or equal to 1",
    ),
    (
        "must_beat naming no variant",
        lambda r, t: ["run", str(bench_config(t, 'must_beat = ["base-plain"]', 'must_beat = ["basee"]'))],
        2,
        "gate.must_beat: 'basee' names no variant of this run (base-plain, lora:fc-good",
    ),
    (
        "gate judging the unmerged sample",
        lambda r, t: ["run", str(bench_config(t, 'judge = ["merged:*"]', 'judge = ["lora:*"]'))],
        2,
        "gate.judge: lora:fc-good would be judged on the unmerged sample only (suites.unmerged_sample)",
    ),
    (
        "recipe file that does not exist",
        lambda r, t: ["run", str(bench_config(t, 'adapters/fc-broken.toml"', 'adapters/fc-brokn.toml"'))],
        2,
        f"bench.toml:{bench_line('adapters/fc-broken.toml')}: adapters.1.recipe: ",
    ),
    (
        "suite source that does not exist",
        lambda r, t: ["run", str(bench_config(t, 'sources = ["../suites"', 'sources = ["../suitez"'))],
        2,
        f"bench.toml:{bench_line('sources = ')}: suites.sources: ",
    ),
    (
        "merge precision that does not exist",
        lambda r, t: ["run", str(bench_config(t, 'recipe = "../adapters/fc-good.toml"', MERGES_FP16))],
        2,
        f"bench.toml:{bench_line('adapters/fc-good.toml')}: adapters.0.merges.1: Input should be 'fp32' or 'bf16'",
    ),
    (
        "checkpoints of a recipe that keeps none",
        lambda r, t: [
            "run",
            str(bench_config(t, "serve_unmerged = false", 'serve_unmerged = false\ncheckpoints = "all"')),
        ],
        2,
        f"bench.toml:{bench_line('serve_unmerged = false') + 1}: adapters.1.checkpoints: {ROOT}/adapters/fc-broken.toml"
        " keeps none; set checkpoint_every in its [sft]",
    ),
    (
        "checkpoint at a step the recipe does not keep",
        lambda r, t: [
            "bench",
            str(bench_config(t, 'toml"      # trained on first', 'toml"\ncheckpoints = [64, 50]  # trained on first')),
        ],
        2,
        f"bench.toml:{bench_line('adapters/fc-good.toml') + 1}: adapters.0.checkpoints: {ROOT}/adapters/fc-good.toml"
        " does not keep step 50; it keeps 32, 64, 96, 128, 160 (step 192 is the final adapter, lora:fc-good)",
    ),
    (
        "latency adapter that is not configured",
        lambda r, t: ["run", str(bench_config(t, 'adapters = ["fc-good"]', 'adapters = ["fc-goood"]'))],
        2,
        "latency.adapters: fc-goood not among the adapters (fc-good, fc-broken)",
    ),
]


@pytest.mark.parametrize(("args", "code", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line_with_its_exit_code(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: Args, code: int, expected: str
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "empty").mkdir()
    argv = args(run, target)
    before = set(tmp_path.rglob("*"))
    assert main(argv) == code
    captured = capsys.readouterr()
    said = " ".join((captured.err + captured.out).split())
    assert expected.replace("{t}", str(target)) in said
    assert "Traceback" not in said
    assert set(tmp_path.rglob("*")) - before == set()


def test_config_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    assert main(["run", str(config)]) == 2
    assert f"{config}: not UTF-8 text (at byte offset 11); save it as UTF-8" in " ".join(
        capsys.readouterr().err.split()
    )


def test_existing_baseline_is_replaced_only_when_asked(run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "baselines"
    assert main(["baseline", "save", str(run), "release-1", "--dir", str(folder)]) == 0
    written = (folder / "release-1.json").read_bytes()
    assert main(["baseline", "save", str(run), "release-1", "--dir", str(folder)]) == 2
    assert (folder / "release-1.json").read_bytes() == written
    assert main(["baseline", "save", str(run), "release-1", "--dir", str(folder), "--force"]) == 0


def test_unwritable_step_summary_is_an_error_not_a_traceback(
    run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(missing))
    assert main(["gate", str(run)]) == 2
    assert f"{missing} (GITHUB_STEP_SUMMARY): cannot be appended to" in " ".join(capsys.readouterr().err.split())
    assert not missing.parent.exists()


def test_score_without_a_run_log_is_an_error_not_zeros(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (run / "generations.jsonl").unlink()
    assert main(["score", str(run)]) == 2
    assert f"{run / 'generations.jsonl'}: missing; `harness run CONFIG --out {run}` writes it" in " ".join(
        capsys.readouterr().err.split()
    )


def test_torn_last_line_is_said_aloud(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = run / "generations.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    assert main(["score", str(run)]) == 0
    said = " ".join(capsys.readouterr().err.split())
    assert f"warning {log}:{len(lines)}: a torn last line" in said
    intact = run / "intact"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", intact)
    assert main(["score", str(intact)]) == 0
    assert "torn" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["--a", "lora:nope"], "no variant 'lora:nope'; it has base-plain, base, lora:fc-good"),
        (["--a", "lora:fc-good", "--b", "lora:fc-good"], "a variant compared with itself decides nothing"),
    ],
)
def test_compare_names_the_variants_it_has(
    run: Path, capsys: pytest.CaptureFixture[str], given: list[str], expected: str
) -> None:
    assert main(["compare", str(run), *given]) == 2
    assert expected in " ".join(capsys.readouterr().err.split())


def test_gate_over_a_variant_without_answers_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    log = run / "generations.jsonl"
    kept = [line for line in log.read_text(encoding="utf-8").splitlines() if '"variant":"lora:fc-good"' not in line]
    log.write_text("\n".join(kept) + "\n", encoding="utf-8")
    score_run(run)
    assert main(["gate", str(run)]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "must_beat: lora:fc-good has no answer to any of the 36 cases that expect a call" in said
    assert "min_relevance: lora:fc-good has no answer to any of the 12 cases that expect no call" in said
    assert "add an irrelevance suite" not in said


def test_compare_with_one_of_two_adapters_named_takes_the_other(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(run), "--b", "lora:fc-good"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "lora:fc-broken (A) vs lora:fc-good (B)" in said
