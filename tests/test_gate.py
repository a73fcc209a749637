"""The gate on saved run folders: each rule passes and fails where it should, missing data is never a pass,
A/A against its own baseline never flags a regression, and JUnit / Markdown outputs are well-formed."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from run_factory import SILENT_CASES, synthetic_run

from harness.cli import main
from harness.gate import Baseline, Status, evaluate_gate, load_baseline, save_baseline
from harness.gate_output import junit_xml, markdown_summary
from harness.run_config import GateRules, load_run_config
from harness.score_run import score_run

ROOT = Path(__file__).resolve().parent.parent


def statuses(result: object) -> dict[str, Status]:
    return {f"{r.rule}:{r.variant}:{r.suite}": r.status for r in result.results}  # type: ignore[attr-defined]


def gated_run(folder: Path, right: dict[str, int], *, relevance: int = 9) -> Path:
    """A synthetic run with a base model that never calls (unless `right` says otherwise): every other variant
    answers `relevance` of the irrelevance cases without a call."""
    silent = {"base": SILENT_CASES} | {name: relevance for name in right if name != "base"}
    return synthetic_run(folder, {"base": 0, **right}, silent=silent)


def test_good_adapter_passes_every_default_rule(tmp_path: Path) -> None:
    result = evaluate_gate(gated_run(tmp_path / "good", {"lora:good": 27, "merged:good": 28}))
    assert result.exit_code == 0, result.results
    assert statuses(result) == {
        "merged_gap:lora:good:calls": Status.PASSED,
        "strict_parse_errors:lora:good:calls": Status.PASSED,
        "merged_gap:lora:good:silence": Status.PASSED,
        "strict_parse_errors:lora:good:silence": Status.PASSED,
        "must_beat:lora:good:None": Status.PASSED,
        "min_relevance:lora:good:None": Status.PASSED,
    }


@pytest.mark.parametrize(
    ("right", "relevance", "rules", "failing"),
    [
        ({"lora:bad": 3, "merged:bad": 3}, 9, GateRules(), "must_beat:lora:bad:None"),  # 3 vs 0: chance
        ({"base": 25, "lora:a": 28, "merged:a": 28}, 9, GateRules(), "must_beat:lora:a:None"),  # no better
        ({"lora:eager": 28, "merged:eager": 28}, 4, GateRules(), "min_relevance:lora:eager:None"),
        ({"lora:a": 20, "merged:a": 29}, 9, GateRules(), "merged_gap:lora:a:calls"),
        (
            {"lora:a": 20, "merged:a": 20},
            9,
            GateRules(min_full_match={"*": 0.5, "calls": 0.9}),
            "min_full_match:lora:a:calls",
        ),
    ],
)
def test_rules_fail_where_they_should(
    tmp_path: Path, right: dict[str, int], relevance: int, rules: GateRules, failing: str
) -> None:
    result = evaluate_gate(gated_run(tmp_path / "run", right, relevance=relevance), rules=rules)
    assert result.exit_code == 1
    assert [key for key, status in statuses(result).items() if status is Status.FAILED] == [failing]


def test_missing_answers_and_missing_latency_cannot_pass(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 30, "merged:a": 30}, missing=2)
    result = evaluate_gate(run)
    assert result.exit_code == 2 and statuses(result)["scores:lora:a:calls"] is Status.ERROR
    complete = synthetic_run(tmp_path / "complete", {"lora:a": 30, "merged:a": 30})
    result = evaluate_gate(complete)  # no base to beat, no irrelevance case to stay silent on
    assert result.exit_code == 2
    assert statuses(result)["must_beat:lora:a:None"] is Status.ERROR
    assert statuses(result)["min_relevance:lora:a:None"] is Status.ERROR
    result = evaluate_gate(complete, rules=GateRules(max_latency_overhead=0.5))
    assert result.exit_code == 2
    assert statuses(result)["latency_overhead:lora:a:None"] is Status.ERROR
    assert evaluate_gate(complete, rules=GateRules(variants=["nothing*"])).exit_code == 2


def test_baseline_of_the_same_run_never_flags_a_regression(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 12, "merged:a": 12})
    baseline = load_baseline(save_baseline(run, "aa", tmp_path / "baselines"))
    result = evaluate_gate(run, baseline)
    assert statuses(result)["no_regression:lora:a:calls"] is Status.PASSED
    assert "0 cases lost, 0 gained" in next(r.detail for r in result.results if r.rule == "no_regression")


def test_significant_drop_against_a_baseline_fails(tmp_path: Path) -> None:
    before = synthetic_run(tmp_path / "before", {"lora:a": 28, "merged:a": 28})
    baseline = load_baseline(save_baseline(before, "release", tmp_path / "baselines"))
    after = synthetic_run(tmp_path / "after", {"lora:b": 10, "merged:b": 10})  # another adapter name: still compared
    result = evaluate_gate(after, baseline)
    regression = next(r for r in result.results if r.rule == "no_regression")
    assert regression.status is Status.FAILED and "18 cases lost, 0 gained" in regression.detail
    slight = synthetic_run(tmp_path / "slight", {"lora:a": 26, "merged:a": 26})
    assert statuses(evaluate_gate(slight, baseline))["no_regression:lora:a:calls"] is Status.PASSED


def test_different_case_sets_are_compared_by_intervals(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 5, "merged:a": 5})
    outcomes = {f"other{i}": {"strict": True, "lenient": True} for i in range(100)}
    baseline = Baseline(name="big", run_id="x", created_at="now", outcomes={"lora:a": {"calls": outcomes}})
    regression = next(r for r in evaluate_gate(run, baseline).results if r.rule == "no_regression")
    assert regression.status is Status.FAILED and "case sets differ" in regression.detail


def test_junit_and_markdown_outputs(tmp_path: Path) -> None:
    result = evaluate_gate(gated_run(tmp_path / "run", {"lora:a|<script>": 3, "merged:a|<script>": 3}))
    suite = ElementTree.fromstring(junit_xml(result))
    assert suite.get("tests") == str(len(result.results)) and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and "McNemar p = 0.25" in (failure.get("message") or "")
    markdown = markdown_summary(result)
    assert markdown.startswith("### Gate FAILED") and "<script>" not in markdown and "a\\|&lt;script>" in markdown
    assert all(line.count(" | ") >= 4 for line in markdown.splitlines()[2:])


def test_gate_cli_writes_files_and_exits_with_the_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = gated_run(tmp_path / "run", {"lora:bad": 3, "merged:bad": 3})
    step = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step))
    assert main(["gate", str(run)]) == 1
    assert (run / "gate-junit.xml").exists() and "Gate FAILED" in (run / "gate-summary.md").read_text()
    assert "Gate FAILED" in step.read_text()
    assert main(["baseline", "save", str(run), "mine", "--dir", str(tmp_path / "b")]) == 0
    assert main(["gate", str(run), "--baseline", str(tmp_path / "b" / "mine.json")]) == 1
    assert main(["gate", str(run), "--baseline", str(tmp_path / "nope.json")]) == 2
    lenient = tmp_path / "lenient.toml"  # other rules than the run was made with
    lenient.write_text('name = "x"\nbase = "m"\nvariants = ["base"]\n[gate]\nmust_beat = []\n')
    assert main(["gate", str(run), "--rules", str(lenient)]) == 0
    lenient.write_text('name = "x"\nbase = "m"\nvariants = ["base"]\n[gate]\nmust_beat = "base"\n')
    assert main(["gate", str(run), "--rules", str(lenient)]) == 2  # a bad rules file: an error naming the field


def test_unscored_run_cannot_be_gated(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "handmade", tmp_path / "run")
    assert main(["gate", str(tmp_path / "run")]) == 2


def test_gate_on_the_real_bench_run(tmp_path: Path) -> None:
    """`harness bench configs/bench.toml` from cold (SmolLM2 + fc-good and fc-broken served by vLLM, 6 cases per
    suite) judged by the bench's rules: fc-good calls better than its base but calls where no tool fits, fc-broken
    is no better than its base, unmerged and merged serving agree everywhere, and the run against a baseline of
    itself shows no regression."""
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    score_run(run)
    result = evaluate_gate(run, rules=load_run_config(ROOT / "configs" / "bench.toml").gate)
    assert result.exit_code == 1
    failed = {key for key, status in statuses(result).items() if status is Status.FAILED}
    assert failed == {
        "min_relevance:lora:fc-good:None",
        "must_beat:lora:fc-broken:None",
        "min_relevance:lora:fc-broken:None",
        "strict_parse_errors:lora:fc-broken:argument_types",
    }
    details = {f"{r.rule}:{r.variant}": r.detail for r in result.results if r.suite is None}
    assert "8 right only here, 0 only for base; McNemar p = 0.00781" in details["must_beat:lora:fc-good"]
    assert "3 right only here, 0 only for base; McNemar p = 0.25" in details["must_beat:lora:fc-broken"]
    suite = ElementTree.fromstring(junit_xml(result))
    assert int(suite.get("tests") or 0) == len(result.results) == 2 * (8 * 2 + 2)
    assert suite.get("failures") == "4" and suite.get("errors") == "0"
    baseline = load_baseline(save_baseline(run, "itself", tmp_path / "baselines"))  # A/A on real answers
    again = evaluate_gate(run, baseline, rules=load_run_config(ROOT / "configs" / "bench.toml").gate)
    regressions = [r for r in again.results if r.rule == "no_regression"]
    assert len(regressions) == 2 * 8 and {r.status for r in regressions} == {Status.PASSED}
