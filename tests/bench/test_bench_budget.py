"""`harness bench` cut by its accuracy budget, against real vLLM on the tiny model: the open rules are reported
undecided with the documented exit code (3) and the answers they would need, and a rerun into the same folder
without the budget goes on in the same order to a decision."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from harness.cli import main
from harness.runs.folder import RunFolder
from harness.types import UNDECIDED_EXIT, Decision, GateResult

ROOT = Path(__file__).resolve().parents[2]

CONFIG = f"""
name = "tiny-budget"
base = "tiny"
variants = ["merged"]

[[adapters]]
name = "tiny-smoke"
recipe = "{ROOT / "adapters" / "tiny-smoke.toml"}"

[suites]
sources = ["{ROOT / "suites"}"]
sample = 4
batch = 8

[generation]
max_tokens = 16
concurrency = 8

[gate]
judge = ["merged:*"]
must_beat = []
min_relevance = 0
max_merged_gap = 0.1
max_strict_parse_error_rate = 0.5
min_full_match = {{ "*" = 0.2 }}  # a suite of 4 cases cannot fail it before its last answer

[bench]
latency = false
html = "budget.html"
"""


def bench(config: Path, run_dir: Path) -> tuple[int, str]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["bench", str(config), "--out", str(run_dir)])
    return code, " ".join(printed.getvalue().split())


@pytest.mark.slow
def test_a_bench_cut_by_its_budget_is_undecided_and_resumes_to_a_verdict(
    model_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config, run_dir = tmp_path / "budget.toml", tmp_path / "run"
    config.write_text(CONFIG + "accuracy_budget_s = 0.001\n")
    code, out = bench(config, run_dir)
    folder = RunFolder(run_dir)
    order = folder.read_manifest().asking
    assert order is not None and order.batch == 8
    assert code == UNDECIDED_EXIT, out
    assert "gate undecided" in out and "more answers" in out
    stops = folder.read_stops()
    assert [(s.variant, s.position, s.reason) for s in stops] == [("merged:tiny-smoke", 8, "budget")]
    answered = {(suite, case) for _, suite, case in folder.read_generations()}
    assert answered == set(order.cases[:8])  # the first batch of the order, nothing else
    gate = GateResult.model_validate_json((run_dir / "gate.json").read_text())
    assert gate.verdicts[0].decision is Decision.UNDECIDED
    assert any(r.needed for r in gate.results if r.status.value == "undecided")

    config.write_text(CONFIG)  # the budget lifted: the same run, judged after the fact, goes on
    code, out = bench(config, run_dir)
    assert code in (0, 1), out  # decided either way: the tiny random model usually fails its floors
    gate = GateResult.model_validate_json((run_dir / "gate.json").read_text())
    assert gate.verdicts[0].decision in (Decision.PASSED, Decision.FAILED)
    answered_again = [(suite, case) for _, suite, case in folder.read_generations()]
    assert len(answered_again) == len(set(answered_again))  # nothing asked twice
    assert set(order.cases[:8]) <= set(answered_again)
