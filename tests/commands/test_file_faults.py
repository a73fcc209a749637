"""Every path argument of every command, given files that cannot be read as what they should be: a folder, a
missing file, an empty file, bytes that are not UTF-8 and a file cut in half. Each ends in one `error FILE: what`
line with exit 2, never a traceback, and writes nothing outside the test's folder.

The commands come from the CLI's parser, so a new command's arguments must be classified here before this test
passes. Which files a command reads is not listed by hand: the command runs once on good input and Python's audit
hook records the files it opens; each of them (one per folder of siblings) is then damaged in turn. Commands that
would train or serve stop at a fence before either, and the damaged file must stop them before the fence."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from safetensors.numpy import save_file

from harness.cli import build_parser, main
from harness.fixtures.cache import CACHE_ENV
from harness.gate.baseline import save_baseline
from harness.runs.score import score_run

ROOT = Path(__file__).resolve().parents[2]


class Fenced(Exception):
    """A command got as far as training or materialising a model: past every file it reads from its arguments."""


def _fence(*_: object, **__: object) -> Any:
    raise Fenced


# --- what each argument of each command is ----------------------------------------------------------------------

Build = Callable[[Path], Path]
"""Makes a good input of its kind under a folder, returning the path to pass."""


def _run_folder(root: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", root / "run")
    score_run(root / "run")
    return root / "run"


def _repo_copy(root: Path, *names: str) -> None:
    for name in names:
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("conversations"))


def _config(root: Path) -> Path:
    _repo_copy(root, "configs", "adapters", "suites")
    return root / "configs" / "tiny-smoke.toml"


def _recipe(root: Path) -> Path:
    _repo_copy(root, "adapters")
    return root / "adapters" / "tiny-smoke.toml"


def _baseline(root: Path) -> Path:
    return save_baseline(_run_folder(root / "source"), "release", root / "baselines", replace=False)


def _dataset(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(ROOT / "tests" / "data" / "course_format.jsonl", root / "rows.jsonl"))


def _suite(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(ROOT / "suites" / "simple.json", root / "simple.json"))


def _adapter(root: Path) -> Path:
    """A PEFT LoRA folder vLLM could serve: rank 4 on q_proj of one layer."""
    folder = root / "adapter"
    folder.mkdir(parents=True)
    config = {
        "peft_type": "LORA",
        "r": 4,
        "lora_alpha": 8,
        "target_modules": ["q_proj"],
        "base_model_name_or_path": "b",
    }
    (folder / "adapter_config.json").write_text(json.dumps(config), encoding="utf-8")
    prefix = "base_model.model.model.layers.0.self_attn.q_proj"
    weights = {
        f"{prefix}.lora_A.weight": np.zeros((4, 8), np.float32),
        f"{prefix}.lora_B.weight": np.zeros((8, 4), np.float32),
    }
    save_file(weights, str(folder / "adapter_model.safetensors"))
    return folder


def _base(root: Path) -> Path:
    folder = root / "base"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"vocab_size": 8, "hidden_size": 8}), encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Input:
    """A path argument: how to make a good one, the whole command line around it, and what a damaged one gives."""

    build: Build
    argv: Callable[[Path, Path], list[str]]
    """The command line, from the path and a folder for everything else (outputs, a second run)."""
    code: int = 2
    folder: bool = False
    """The argument names a folder (a run folder, an adapter): a plain file in its place is damaged too."""


# (command words, argument dest) → the input; every argument of every command is in this table or in NOT_READ.
PATHS: dict[tuple[str, str], Input] = {
    ("score", "run_dir"): Input(_run_folder, lambda p, o: ["score", str(p)], folder=True),
    ("report", "run_dir"): Input(_run_folder, lambda p, o: ["report", str(p)], folder=True),
    ("export", "run_dir"): Input(_run_folder, lambda p, o: ["export", str(p), "--out", str(o / "c.csv")], folder=True),
    ("rank", "run_dir"): Input(_run_folder, lambda p, o: ["rank", str(p)], folder=True),
    ("compare", "run_a"): Input(_run_folder, lambda p, o: ["compare", str(p)], folder=True),
    ("compare", "run_b"): Input(_run_folder, lambda p, o: ["compare", str(_run_folder(o)), str(p)], folder=True),
    ("gate", "run_dir"): Input(_run_folder, lambda p, o: ["gate", str(p)], folder=True),
    ("gate", "baseline"): Input(_baseline, lambda p, o: ["gate", str(_run_folder(o)), "--baseline", str(p)]),
    ("gate", "rules"): Input(_config, lambda p, o: ["gate", str(_run_folder(o)), "--rules", str(p)]),
    ("baseline save", "run_dir"): Input(
        _run_folder, lambda p, o: ["baseline", "save", str(p), "b", "--dir", str(o)], folder=True
    ),
    ("run", "config"): Input(_config, lambda p, o: ["run", str(p), "--out", str(o / "run")]),
    ("latency", "config"): Input(_config, lambda p, o: ["latency", str(p), "--out", str(o / "run")]),
    ("parity", "config"): Input(_config, lambda p, o: ["parity", str(p), "--out", str(o / "run")]),
    ("bench", "config"): Input(_config, lambda p, o: ["bench", str(p), "--out", str(o / "run")]),
    ("train", "recipes"): Input(_recipe, lambda p, o: ["train", str(p)]),
    ("suites from-generator", "recipe"): Input(
        _recipe,
        lambda p, o: [
            "suites",
            "from-generator",
            "--recipe",
            str(p),
            "--cases",
            "2",
            "--seed",
            "0",
            "--out",
            str(o / "s.json"),
        ],
    ),
    ("data course-rows", "recipe"): Input(
        _recipe,
        lambda p, o: [
            "data",
            "course-rows",
            "--recipe",
            str(p),
            "--examples",
            "2",
            "--seed",
            "0",
            "--out",
            str(o / "r"),
        ],
    ),
    ("suites from-dataset", "source"): Input(
        _dataset, lambda p, o: ["suites", "from-dataset", str(p), "--holdout", "1", "--out", str(o / "s.json")]
    ),
    # `suites validate` reports every source it is given and exits 1 when any is invalid, unreadable ones included
    ("suites validate", "paths"): Input(_suite, lambda p, o: ["suites", "validate", str(p)], code=1),
    # `adapters check` reports a folder's unreadable files as findings (exit 1); a folder that is not one is exit 2
    ("adapters check", "path"): Input(_adapter, lambda p, o: ["adapters", "check", str(p)], code=1, folder=True),
    # a path that is not a folder is taken for a hub id, compared by name only
    ("adapters check", "base_model"): Input(
        _base, lambda p, o: ["adapters", "check", str(_adapter(o)), "--base-model", str(p)], code=1
    ),
}

NOT_READ: dict[tuple[str, str], str] = {
    **{
        (c, d): "a file or folder written"
        for c, d in [
            ("report", "html"),
            ("compare", "html"),
            ("rank", "html"),
            ("rank", "markdown"),
            ("export", "out"),
            ("gate", "junit"),
            ("gate", "summary"),
            ("baseline save", "dir"),
            ("run", "out"),
            ("latency", "out"),
            ("parity", "out"),
            ("bench", "out"),
            ("suites from-generator", "out"),
            ("suites multi-turn", "out"),
            ("suites heldout-multi-turn", "out"),
            ("suites from-dataset", "out"),
            ("data course-rows", "out"),
        ]
    },
    **{
        (c, d): "a name, never a path"
        for c, d in [
            ("suites from-generator", "name"),
            ("suites from-dataset", "name"),
            ("suites from-dataset", "split"),
            ("compare", "a"),
            ("compare", "b"),
            ("rank", "variants"),
            ("baseline save", "name"),
        ]
    },
    ("fixtures base", "name"): "a model name or a model folder, handed to the loaders whole (the fence here)",
}
"""Arguments taking text that the command does not read as a file (tests/commands/test_bad_input.py gives outputs a
folder)."""


def _text_arguments(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(command words, dest) of every argument of every command that takes free text: no type, no choices."""
    for action in parser._actions:  # argparse keeps its actions in this list; it has no public accessor
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _text_arguments(sub, (*words, name))
        elif words and action.dest != "help" and action.nargs != 0 and action.choices is None and action.type is None:
            yield " ".join(words), action.dest


def test_every_argument_taking_text_is_classified() -> None:
    arguments = set(_text_arguments(build_parser()))
    assert len(arguments) > 30, "the parser walk found too few arguments"
    unclassified = arguments - PATHS.keys() - NOT_READ.keys()
    assert not unclassified, f"classify these arguments in PATHS or NOT_READ: {sorted(unclassified)}"
    assert not (PATHS.keys() | NOT_READ.keys()) - arguments, "the tables name arguments the parser no longer has"


# --- what a command touches --------------------------------------------------------------------------------------

_TOUCHED: list[tuple[str, Path]] | None = None
"""While a command runs under `_watch`: ("read" | "write", path) of every file it opens, renames or makes."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _TOUCHED is None:
        return
    if event == "open" and isinstance(args[0], str | Path):
        mode, flags = args[1], args[2]
        writes = any(c in (mode or "") for c in "wax+") or (mode is None and flags & 0o3)
        _TOUCHED.append(("write" if writes else "read", Path(args[0]).absolute()))
    elif event in {"os.rename", "os.replace"}:
        _TOUCHED.append(("write", Path(args[1]).absolute()))
    elif event in {"os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree"} and isinstance(args[0], str | Path):
        _TOUCHED.append(("write", Path(args[0]).absolute()))


sys.addaudithook(_audit)


@contextmanager
def _watch() -> Iterator[list[tuple[str, Path]]]:
    global _TOUCHED
    _TOUCHED = touched = []
    try:
        yield touched
    finally:
        _TOUCHED = None


@pytest.fixture(autouse=True)
def fenced(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No model is trained or materialised, no server started; the cache and the working folder are the test's."""
    import harness.fixtures.base_model
    import harness.fixtures.training

    monkeypatch.setattr(harness.fixtures.base_model, "materialise_base", _fence)
    monkeypatch.setattr(harness.fixtures.training, "materialise_base", _fence)
    monkeypatch.setattr(harness.fixtures.training, "train", _fence)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    monkeypatch.chdir(tmp_path)


_PROBED: dict[str, list[Path]] = {}


def _files_read(argument: str, given: Input, root: Path, other: Path) -> list[Path]:
    """The files under `root` the command reads before writing them (relative to `root`), one per folder of
    siblings (a suite folder's files are read alike); found once per argument."""
    if argument in _PROBED:
        return _PROBED[argument]
    path = given.build(root)
    with _watch() as touched, suppress(Fenced):
        main(given.argv(path, other))
    written = {p for kind, p in touched if kind == "write"}
    first: dict[Path, Path] = {}
    for kind, file in touched:
        if kind == "read" and file.is_relative_to(root) and file not in written and file.is_file():
            group = file.parent if file.parent != path and file.parent != root else file
            first.setdefault(group, file.relative_to(root))
    _PROBED[argument] = list(first.values())
    return _PROBED[argument]


# --- the damage --------------------------------------------------------------------------------------------------

FAULTS: dict[str, Callable[[Path], None]] = {
    "a folder": lambda f: (f.unlink(), f.mkdir()),
    "an empty file": lambda f: f.write_bytes(b""),
    "not UTF-8": lambda f: f.write_bytes(b"\xe9" + f.read_bytes()),
    "cut in half": lambda f: f.write_bytes(f.read_bytes()[: f.stat().st_size // 2]),
}

APPEND_ONLY = {"generations.jsonl", "episodes.jsonl", "latency.jsonl"}
"""Logs appended to record by record: empty is one nothing was appended to yet, and cut in half is what a killed
writer leaves (a torn last line, which every reader skips and a resume asks again), so a command reads what there
is. The run log's own checks (scores of answers it no longer holds, no answers at all) are said where they apply."""


def _cases() -> list[tuple[str, str]]:
    """Each fault on every file an argument leads to; the argument itself missing, or a file for a folder."""
    return [
        (f"{c}:{d}", fault)
        for (c, d), given in PATHS.items()
        for fault in [*FAULTS, "missing", *(["a file for the folder"] if given.folder else [])]
    ]


@pytest.mark.parametrize(("argument", "fault"), _cases())
def test_a_damaged_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argument: str, fault: str
) -> None:
    given = PATHS[tuple(argument.split(":"))]  # type: ignore[index]
    root, other = tmp_path / "in", tmp_path / "other"
    files = _files_read(argument, given, tmp_path / "probe" / "in", tmp_path / "probe" / "other")
    assert files, "the command read nothing under its argument"
    path = given.build(root)
    if fault == "missing":
        targets = [(path, lambda f: shutil.rmtree(f) if f.is_dir() else f.unlink())]
    elif fault == "a file for the folder":
        targets = [(path, lambda f: (shutil.rmtree(f), f.write_text("{}\n")))]
    else:
        targets = [(root / f, FAULTS[fault]) for f in files]
    capsys.readouterr()
    for target, damage in targets:
        backup = tmp_path / "backup"
        shutil.copytree(root, backup)
        damage(target)
        with _watch() as touched:
            try:
                code = main(given.argv(path, other))
            except Fenced:
                pytest.fail(f"{target} ({fault}): the command went on to train or serve")
        captured = capsys.readouterr()
        said = " ".join((captured.err + captured.out).split())
        assert "Traceback" not in said
        outside = {p for kind, p in touched if kind == "write" and not p.is_relative_to(tmp_path)}
        assert not outside, f"{target} ({fault}): wrote outside the test's folder: {outside}"
        if fault in {"cut in half", "an empty file"} and target.name in APPEND_ONLY:
            assert code in {0, 1, 2}, said
        else:
            expected = 2 if target == path and given.folder else given.code
            named = str(target) in said or (target.is_relative_to(path) and str(path) in said and target.name in said)
            assert (code, "error" in said, named) == (expected, True, True), f"{target} ({fault}): {said}"
        shutil.rmtree(root)
        shutil.rmtree(other, ignore_errors=True)
        backup.rename(root)
