"""Shared fixtures: paths into the repository, and one model cache per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.fixtures.cache import CACHE_ENV

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache shared by the session's tests: the tiny model is built once, and nothing touches the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        yield folder


@pytest.fixture(scope="session")
def tiny_model(model_cache: Path) -> Path:
    from harness.fixtures.base_model import TINY, materialise_base

    return materialise_base(TINY)


@pytest.fixture
def bench_run(tmp_path: Path) -> Path:
    """The real cold bench run (tests/data/runs/bench-cold), scored, in a folder of the test's own."""
    import shutil

    from harness.runs.score import score_run

    folder = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", folder)
    score_run(folder)
    return folder
