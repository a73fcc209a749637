"""The gate on saved run folders: each rule passes and fails where it should, missing data is never a pass,
A/A against its own baseline never flags a regression, and JUnit / Markdown outputs are well-formed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from run_factory import SILENT_CASES, gate_of, synthetic_run

from harness.cli import main
from harness.gate.baseline import Baseline, load_baseline, save_baseline
from harness.gate.outputs import junit_xml, markdown_summary
from harness.gate.recommend import recommend
from harness.gate.settings import GateRules
from harness.runs.folder import RunFolder, RunLogError
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.types import (
    CaseKind,
    Decision,
    LatencyComparison,
    LatencySummary,
    RatioEstimate,
    Status,
    Verdict,
)

ROOT = Path(__file__).resolve().parents[2]


def statuses(result: object) -> dict[str, Status]:
    return {f"{r.rule}:{r.variant}:{r.suite}": r.status for r in result.results}  # type: ignore[attr-defined]


def gated_run(folder: Path, right: dict[str, int], *, relevance: int = 9) -> Path:
    """A synthetic run with a base model that never calls (unless `right` says otherwise): every other variant
    answers `relevance` of the irrelevance cases without a call."""
    silent = {"base": SILENT_CASES} | {name: relevance for name in right if name != "base"}
    return synthetic_run(folder, {"base": 0, **right}, silent=silent)


def test_good_adapter_passes_every_default_rule(tmp_path: Path) -> None:
    result = gate_of(gated_run(tmp_path / "good", {"lora:good": 27, "merged:good": 28}))
    assert result.exit_code == 0, result.results
    assert statuses(result) == {
        "strict_parse_errors:lora:good:calls": Status.PASSED,
        "strict_parse_errors:lora:good:silence": Status.PASSED,
        "must_beat:lora:good:None": Status.PASSED,
        "min_relevance:lora:good:None": Status.PASSED,
        "merged_gap:lora:good:None": Status.PASSED,
    }


@pytest.mark.parametrize(
    ("right", "relevance", "rules", "failing"),
    [
        ({"lora:bad": 3, "merged:bad": 3}, 9, GateRules(), "must_beat:lora:bad:None"),  # 3 vs 0: chance
        ({"base": 25, "lora:a": 28, "merged:a": 28}, 9, GateRules(), "must_beat:lora:a:None"),  # no better
        ({"lora:eager": 28, "merged:eager": 28}, 4, GateRules(), "min_relevance:lora:eager:None"),
        ({"lora:a": 20, "merged:a": 29}, 9, GateRules(), "merged_gap:lora:a:None"),  # 0 vs 9: p = 0.004
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
    result = gate_of(gated_run(tmp_path / "run", right, relevance=relevance), rules=rules)
    assert result.exit_code == 1
    assert [key for key, status in statuses(result).items() if status is Status.FAILED] == [failing]


@pytest.mark.parametrize(
    ("held_out", "rules", "status", "detail"),
    [
        (frozenset({"silence"}), GateRules(relevance_on="in"), Status.PASSED, "9 of 10 cases in distribution, 90.0%"),
        (frozenset(), GateRules(relevance_on="in"), Status.ERROR, "no case in distribution of the run expects no"),
        (frozenset({"silence"}), GateRules(relevance_on="out"), Status.ERROR, "no case out of distribution of"),
        (frozenset({"silence"}), GateRules(must_beat_on="out"), Status.PASSED, "on 30 cases out of distribution"),
        (frozenset({"calls"}), GateRules(must_beat_on="out"), Status.ERROR, "no case out of distribution of the"),
    ],
)
def test_rules_count_the_suites_of_their_scope(
    tmp_path: Path, held_out: frozenset[str], rules: GateRules, status: Status, detail: str
) -> None:
    run = synthetic_run(
        tmp_path / "run",
        {"base": 0, "lora:a": 27, "merged:a": 27},
        silent={"base": 10, "lora:a": 9, "merged:a": 9},
        held_out=held_out,
    )
    rule = "min_relevance" if rules.relevance_on != "all" else "must_beat"
    result = next(r for r in gate_of(run, rules=rules).results if r.rule == rule)
    assert result.status is status and detail in result.detail, result.detail


@pytest.mark.parametrize(
    ("asking", "rules", "rule", "status", "detail"),
    [
        (9, GateRules(min_ask=0.8), "min_ask", Status.PASSED,
         "asked for the missing value instead of calling in 9 of 10 cases, 90.0% [59.6%, 98.2%]; minimum 80%"),
        (4, GateRules(min_ask=0.8), "min_ask", Status.FAILED, "in 4 of 10 cases, 40.0%"),
        (None, GateRules(min_ask=0.8), "min_ask", Status.ERROR,
         "no case of the run expects a question back (add suites/missing_info.json)"),
        (9, GateRules(min_ask=0.8, ask_on="in"), "min_ask", Status.ERROR,
         "no case in distribution of the run expects a question back"),
        (9, GateRules(), "min_ask", None, ""),  # off by default
        (0, GateRules(), "min_relevance", Status.PASSED, "no call where none fits in 9 of 10 cases"),
        (0, GateRules(), "must_beat", Status.PASSED, "on 30 cases that expect a call"),
    ],
)  # fmt: skip
def test_missing_info_cases_count_for_min_ask_only(
    tmp_path: Path, asking: int | None, rules: GateRules, rule: str, status: Status | None, detail: str
) -> None:
    """The base never calls, so it is right on every missing_info case: were they counted as call cases or as
    irrelevance, `must_beat` and `min_relevance` would change with how often the adapter invents a value."""
    run = synthetic_run(
        tmp_path / "run",
        {"base": 0, "lora:a": 27, "merged:a": 27},
        silent={"base": 10, "lora:a": 9, "merged:a": 9},
        asking=None if asking is None else {"base": 10, "lora:a": asking, "merged:a": asking},
    )
    found = [r for r in gate_of(run, rules=rules).results if r.rule == rule]
    assert [(r.status, detail in r.detail) for r in found] == ([] if status is None else [(status, True)]), found


def test_missing_answers_and_missing_latency_cannot_pass(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 30, "merged:a": 30}, missing=2)
    result = gate_of(run)
    assert result.exit_code == 2 and statuses(result)["scores:lora:a:calls"] is Status.ERROR
    complete = synthetic_run(tmp_path / "complete", {"lora:a": 30, "merged:a": 30})
    result = gate_of(complete)  # no base to beat, no irrelevance case to stay silent on
    assert result.exit_code == 2
    assert statuses(result)["must_beat:lora:a:None"] is Status.ERROR
    assert statuses(result)["min_relevance:lora:a:None"] is Status.ERROR
    result = gate_of(complete, rules=GateRules(max_latency_overhead=0.5))
    assert result.exit_code == 2
    assert statuses(result)["latency_overhead:lora:a:None"] is Status.ERROR
    assert gate_of(complete, rules=GateRules(judge=["nothing*"])).exit_code == 2


def test_baseline_of_the_same_run_never_flags_a_regression(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 12, "merged:a": 12})
    baseline = load_baseline(save_baseline(run, "aa", tmp_path / "baselines"))
    result = gate_of(run, baseline)
    assert statuses(result)["no_regression:lora:a:calls"] is Status.PASSED
    assert "0 cases lost, 0 gained" in next(r.detail for r in result.results if r.rule == "no_regression")


def test_significant_drop_against_a_baseline_fails(tmp_path: Path) -> None:
    before = synthetic_run(tmp_path / "before", {"lora:a": 28, "merged:a": 28})
    baseline = load_baseline(save_baseline(before, "release", tmp_path / "baselines"))
    after = synthetic_run(tmp_path / "after", {"lora:b": 10, "merged:b": 10})  # another adapter name: still compared
    result = gate_of(after, baseline)
    regression = next(r for r in result.results if r.rule == "no_regression")
    assert regression.status is Status.FAILED and "18 cases lost, 0 gained" in regression.detail
    slight = synthetic_run(tmp_path / "slight", {"lora:a": 26, "merged:a": 26})
    assert statuses(gate_of(slight, baseline))["no_regression:lora:a:calls"] is Status.PASSED


def test_different_case_sets_are_compared_by_intervals(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:a": 5, "merged:a": 5})
    outcomes = {f"other{i}": {"strict": True, "lenient": True} for i in range(100)}
    baseline = Baseline(name="big", run_id="x", created_at="now", outcomes={"lora:a": {"calls": outcomes}})
    regression = next(r for r in gate_of(run, baseline).results if r.rule == "no_regression")
    assert regression.status is Status.FAILED and "case sets differ" in regression.detail


def test_junit_and_markdown_outputs(tmp_path: Path) -> None:
    result = gate_of(gated_run(tmp_path / "run", {"lora:a|<script>": 3, "merged:a|<script>": 3}))
    suite = ElementTree.fromstring(junit_xml(result))
    assert suite.get("tests") == str(len(result.results)) and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and "McNemar p = 0.25" in (failure.get("message") or "")
    markdown = markdown_summary(result)
    assert markdown.startswith("### Gate FAILED") and "<script>" not in markdown and "a\\|&lt;script>" in markdown
    blocks = [block.strip().splitlines() for block in markdown.split("\n\n")]
    verdicts, problems, folded, passed = blocks[1:5]
    assert verdicts[2].startswith("| ❌ | lora:a\\|&lt;script> | failed | must_beat |")
    assert [line.split(" | ")[1] for line in problems[2:]] == ["must_beat"]  # only what decided it, unfolded
    passing = [r for r in result.results if r.status is Status.PASSED]
    assert folded == [f"<details><summary>{len(passing)} rules passed</summary>"] and blocks[5] == ["</details>"]
    assert len(passed) == len(passing) + 2 and all(line.startswith("| ✅ |") for line in passed[2:])
    assert {line.count(" | ") for line in verdicts} == {3} and {line.count(" | ") for line in problems + passed} == {4}


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
    before = sorted(path.name for path in (tmp_path / "run").iterdir())
    assert main(["gate", str(tmp_path / "run")]) == 2
    assert sorted(path.name for path in (tmp_path / "run").iterdir()) == before  # reading wrote nothing


@pytest.mark.parametrize(
    ("gate_table", "field"),
    [({"must_beat": "base"}, "must_beat"), ({"alpha": 2}, "alpha"), ({"no_such_rule": 1}, "no_such_rule")],
)
def test_rules_in_the_manifest_that_do_not_validate_are_an_error(
    tmp_path: Path, gate_table: dict[str, object], field: str
) -> None:
    """The gate judges by the rules the run recorded; rules it cannot read are an error naming the manifest and the
    field, never the default rules in their place."""
    run = gated_run(tmp_path / "run", {"lora:good": 27, "merged:good": 28})
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["config"] = {**manifest["config"], "gate": gate_table}
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunLogError, match=rf"manifest\.json: config\.gate: .*{field}"):
        gate_of(run)


def test_gate_on_the_real_bench_run(tmp_path: Path) -> None:
    """`harness bench configs/bench.toml` from cold (SmolLM2 + fc-good and the control fc-broken served by vLLM,
    6 cases per suite) judged by the bench's rules: fc-good calls better than its base but calls where no tool
    fits, fc-broken is caught (no better than its base), unmerged and merged serving agree everywhere, and the run
    against a baseline of itself shows no regression."""
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    score_run(run)
    rules = GateRules(max_merged_gap=0.1, max_strict_parse_error_rate=0.2)  # the defaults, spelt out
    result = gate_of(run, rules=rules)
    assert result.exit_code == 1
    assert {v.variant: (v.decision, v.failed) for v in result.verdicts} == {
        "lora:fc-good": (Decision.FAILED, ["min_relevance"]),
        "lora:fc-broken": (Decision.CAUGHT, ["must_beat", "min_relevance"]),
    }
    details = {f"{r.rule}:{r.variant}:{r.suite}": r.detail for r in result.results}
    # 2 of 6 outputs unreadable is 33%, over the 20% maximum, but its interval reaches down to 10%: not beyond chance
    assert (
        "strict parse errors 33.3% of 6 (95% interval 10%-70%)"
        in details["strict_parse_errors:lora:fc-broken:argument_types"]
    )
    stricter = gate_of(run, rules=rules.model_copy(update={"max_strict_parse_error_rate": 0.05}))
    assert statuses(stricter)["strict_parse_errors:lora:fc-broken:argument_types"] is Status.FAILED  # 10% > 5%
    details = {f"{r.rule}:{r.variant}": r.detail for r in result.results if r.suite is None}
    assert (
        "8 right only here, 0 only for base; e-value 56.8 (passes at 40), McNemar p = 0.00781"
        in details["must_beat:lora:fc-good"]
    )
    assert (
        "3 right only here, 0 only for base; e-value 3.75 (passes at 40), McNemar p = 0.25"
        in details["must_beat:lora:fc-broken"]
    )
    assert "differs on 0 of 48 cases" in details["merged_gap:lora:fc-good"]
    suite = ElementTree.fromstring(junit_xml(result))
    assert len(result.results) == 2 * (8 + 3)  # per suite: parse errors; per variant: base, relevance, merged
    assert suite.get("tests") == str(len(result.results) + 1)  # and one case for the control
    assert suite.get("failures") == "1" and suite.get("errors") == "0"  # fc-good's relevance; fc-broken is caught
    baseline = load_baseline(save_baseline(run, "itself", tmp_path / "baselines"))  # A/A on real answers
    again = gate_of(run, baseline, rules=rules)
    regressions = [r for r in again.results if r.rule == "no_regression"]
    assert len(regressions) == 2 * 8 and {r.status for r in regressions} == {Status.PASSED}


def test_one_flipped_case_between_merged_and_unmerged_is_not_a_failure(tmp_path: Path) -> None:
    """The bench run above with one of fc-good's merged answers flipped from right to wrong: one case in six of
    its suite, the kind of difference bf16 merging makes. A raw per-suite gap (16.7% > 10%) used to fail fc-good;
    the paired test over every shared case does not, and says what differs."""
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "data" / "runs" / "bench-cold", run)
    score_run(run)
    right = next(
        s
        for s in RunFolder(run).read_scores()
        if s.variant == "merged:fc-good" and s.strict.full_match and s.kind is not CaseKind.IRRELEVANCE
    )
    lines = (run / "generations.jsonl").read_text().splitlines()
    flipped = [
        json.dumps(row | {"text": "I cannot help with that.", "server_tool_calls": None})
        if (row := json.loads(line))["variant"] == "merged:fc-good"
        and row["case_id"] == right.case_id
        and row["suite"] == right.suite
        else line
        for line in lines
    ]
    assert flipped != lines
    (run / "generations.jsonl").write_text("\n".join(flipped) + "\n")
    score_run(run)
    result = gate_of(run)
    merged = next(r for r in result.results if r.rule == "merged_gap" and r.variant == "lora:fc-good")
    assert merged.status is Status.PASSED
    assert "differs on 1 of 48 cases (1 right only unmerged, 0 only merged), +2.1%; McNemar p = 1" in merged.detail


@pytest.mark.parametrize(
    ("right", "controls", "exit_code", "decisions"),
    [
        # the control fails must_beat: caught, and the candidate passes: the gate passes
        (
            {"lora:good": 27, "merged:good": 28, "lora:bad": 3, "merged:bad": 3},
            {"bad"},
            0,
            {"lora:good": Decision.PASSED, "lora:bad": Decision.CAUGHT},
        ),
        # a control that passes every rule is MISSED: the gate fails
        (
            {"lora:good": 27, "merged:good": 28, "lora:bad": 3, "merged:bad": 3},
            {"good", "bad"},
            1,
            {"lora:good": Decision.MISSED, "lora:bad": Decision.CAUGHT},
        ),
        # no candidate at all, every control caught: pass
        ({"lora:bad": 3, "merged:bad": 3}, {"bad"}, 0, {"lora:bad": Decision.CAUGHT}),
        # a failing candidate fails the gate whatever the controls do
        (
            {"lora:bad": 3, "merged:bad": 3, "lora:worse": 2, "merged:worse": 2},
            {"worse"},
            1,
            {"lora:bad": Decision.FAILED, "lora:worse": Decision.CAUGHT},
        ),
    ],
)
def test_controls_must_be_caught(
    tmp_path: Path, right: dict[str, int], controls: set[str], exit_code: int, decisions: dict[str, Decision]
) -> None:
    run = synthetic_run(
        tmp_path / "run",
        {"base": 0, **right},
        silent={"base": 10} | dict.fromkeys(right, 9),
        controls=frozenset(controls),
    )
    result = gate_of(run)
    assert {v.variant: v.decision for v in result.verdicts} == decisions
    assert result.exit_code == exit_code


def test_a_control_that_cannot_be_evaluated_is_not_caught(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"lora:bad": 30, "merged:bad": 30}, controls=frozenset({"bad"}))
    result = gate_of(run, rules=GateRules(must_beat=[], min_relevance=0, max_latency_overhead=0.5))
    assert [v.decision for v in result.verdicts] == [Decision.ERROR]  # only the latency rule, with no study
    assert result.exit_code == 2


def test_gate_cli_says_missed_and_junit_fails_the_control(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = synthetic_run(
        tmp_path / "run",
        {"base": 0, "lora:good": 27, "merged:good": 28},
        silent={"base": 10, "lora:good": 9, "merged:good": 9},
        controls=frozenset({"good"}),
    )
    assert main(["gate", str(run)]) == 1
    out = capsys.readouterr().out
    assert "gate FAILED" in out.splitlines()[0] and "MISSED lora:good (control): passed every rule" in out
    suite = ElementTree.fromstring((run / "gate-junit.xml").read_text())
    failures = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failures == ["control_caught"]
    assert "| ❌ | lora:good (control) | MISSED |" in (run / "gate-summary.md").read_text()


def test_an_adapter_not_served_merged_has_no_merged_rule(tmp_path: Path) -> None:
    """`serve_merged = false` leaves the merged variant out of the run: nothing to compare, so no rule (not an
    error); an adapter whose merged variant is in the run but incomplete cannot pass it (tested above)."""
    run = synthetic_run(tmp_path / "run", {"base": 0, "lora:a": 27}, silent={"base": 10, "lora:a": 9})
    result = gate_of(run)
    assert "merged_gap" not in {r.rule for r in result.results} and result.exit_code == 0


def sampled_run(folder: Path, unmerged_good: set[int], *, sample: int = 10) -> Path:
    """A candidate and a control, each served merged on every case and unmerged on the first `sample` cases of
    each suite; the unmerged candidate answers `unmerged_good` right, its merged form the first 28."""
    right: dict[str, int | set[int]] = {
        "base": 0,
        "lora:good": unmerged_good,
        "merged:good": 28,
        "lora:bad": 3,
        "merged:bad": 3,
    }
    silent = {"base": SILENT_CASES} | dict.fromkeys(right, 9)
    return synthetic_run(folder, right, silent=silent, controls=frozenset({"bad"}), unmerged_sample=sample)


MERGED = GateRules(judge=["merged:*"])


def test_adapters_judged_merged_are_paired_with_their_unmerged_sample(tmp_path: Path) -> None:
    """One case of the sample flips between the forms: chance, not a merged gap."""
    run = sampled_run(tmp_path / "run", set(range(28)) - {3})
    groups = {(g.variant, g.suite): (g.cases, g.missing) for g in RunFolder(run).read_summary().groups if not g.kind}
    assert groups[("lora:good", "calls")] == (10, 0) and groups[("merged:good", "calls")] == (30, 0)
    result = gate_of(run, rules=MERGED)
    assert {v.variant: v.decision for v in result.verdicts} == {
        "merged:good": Decision.PASSED,
        "merged:bad": Decision.CAUGHT,
    }
    assert result.exit_code == 0, result.results
    gap = next(r for r in result.results if r.rule == "merged_gap" and r.variant == "merged:good")
    assert gap.status is Status.PASSED
    assert "differs on 1 of 20 cases (0 right only unmerged, 1 only merged)" in gap.detail
    assert {r.variant for r in result.results} == {"merged:good", "merged:bad"}  # the sample is not judged itself


def test_a_merged_gap_on_the_unmerged_sample_fails_the_merged_form(tmp_path: Path) -> None:
    result = gate_of(sampled_run(tmp_path / "run", set()), rules=MERGED)
    failed = [key for key, status in statuses(result).items() if status is Status.FAILED]
    assert "merged_gap:merged:good:None" in failed and result.exit_code == 1


def test_an_unfinished_unmerged_sample_cannot_pass_the_merged_gap(tmp_path: Path) -> None:
    run = sampled_run(tmp_path / "run", set(range(28)))
    log = run / "generations.jsonl"
    log.write_text(
        "".join(line + "\n" for line in log.read_text().splitlines() if '"lora:good"' not in line or "c09" not in line)
    )
    score_run(run)
    gap = next(r for r in gate_of(run, rules=MERGED).results if r.rule == "merged_gap" and "good" in r.variant)
    assert gap.status is Status.ERROR and gap.detail == "lora:good has not answered every case it was asked"


def slower_unmerged(run: Path, ratio: float) -> Path:
    """A latency study in which fc-good's unmerged form takes `ratio` times its merged form's TPOT."""
    estimate = RatioEstimate(ratio=ratio, low=ratio - 0.1, high=ratio + 0.1, p_value=0.01, blocks=8, samples=(8, 8))
    words = Verdict(different=True, text=f"lora:good is {ratio - 1:.0%} slower than merged:good")
    comparison = LatencyComparison(
        concurrency=1,
        metric="tpot_s",
        numerator="lora:good",
        denominator="merged:good",
        estimate=estimate,
        verdict=words,
    )
    RunFolder(run).write_latency_summary(LatencySummary(arms=[], comparisons=[comparison], noise_floor={}))
    return run


@pytest.mark.parametrize(("ratio", "status"), [(1.8, Status.FAILED), (1.2, Status.PASSED)])
def test_latency_overhead_of_an_adapter_judged_merged_is_its_unmerged_over_merged(
    tmp_path: Path, ratio: float, status: Status
) -> None:
    run = slower_unmerged(sampled_run(tmp_path / "run", set(range(28))), ratio)
    result = gate_of(run, rules=MERGED.model_copy(update={"max_latency_overhead": 0.5}))
    latency = {r.variant: r for r in result.results if r.rule == "latency_overhead"}
    assert latency["merged:good"].status is status
    assert latency["merged:good"].detail.startswith(f"lora:good TPOT {ratio - 1:+.1%}")
    assert latency["merged:bad"].detail == "no TPOT comparison of lora:bad with merged:bad"


def test_the_recommendation_from_the_merged_form_quotes_the_unmerged_price(tmp_path: Path) -> None:
    run = slower_unmerged(sampled_run(tmp_path / "run", set(range(28))), 1.8)
    view = load_run(run)
    advice = recommend(view, gate_of(run, rules=MERGED))
    assert advice.headline == "Ship good, served merged."
    assert advice.reasons[0].startswith("merged:good: full match (strict)")
    assert advice.reasons[1].startswith("merged vs unmerged: full match differs on 0 of 20 cases")
    assert advice.reasons[2] == "concurrency 1: lora:good is 80% slower than merged:good"


def episode_run(folder: Path, progress: dict[str, list[int]], *, finished: int | None = None) -> Path:
    """A scored run of the built-in multi-turn suite's first ten episodes only: per variant (`base-plain` or
    `merged:NAME`), the turns each episode passed before failing (all of them: passed whole); `finished` leaves the
    rest of the candidate's unfinished."""
    from harness.scoring.episode import summarise_episodes
    from harness.suites.multi_turn_builtin import built_in_suite
    from harness.types import EpisodeScore, EpisodeStatus, RunManifest, RunSummary, TurnError, TurnScore, Variant

    suite = built_in_suite()
    suite = suite.model_copy(update={"episodes": suite.episodes[:10]})
    run = RunFolder(folder)
    ref = run.write_suite(suite, "suites/conversations")
    variants = [
        Variant(name=name, role="merged", model="m", adapter_name=name.removeprefix("merged:"))
        if name.startswith("merged:")
        else Variant(name=name, role="base-plain", model="m")
        for name in progress
    ]
    run.write_manifest(RunManifest(run_id="episodes", created_at="now", suites=[ref], variants=variants, version=2))
    scores = [
        EpisodeScore(
            suite=suite.name,
            episode_id=episode.id,
            variant=variant,
            status=EpisodeStatus.COMPLETE,
            turns=[
                TurnScore(turn=t, kind=turn.kind, passed=t < passed, error=None if t < passed else TurnError.NO_CALL)
                for t, turn in enumerate(episode.turns)
            ],
        )
        for variant, passes in progress.items()
        for index, (episode, passed) in enumerate(zip(suite.episodes, passes, strict=True))
        if variant != "merged:good" or finished is None or index < finished
    ]
    run.write_scores([], RunSummary(groups=[]))
    run.write_episode_scores(scores, summarise_episodes(scores, {v: {suite.name: 10} for v in progress}))
    return folder


EPISODE_RULES = GateRules(
    variants=["merged:*"], must_beat=[], min_relevance=0, must_beat_episodes=["base-plain"], min_episodes={"*": 0.3}
)
BEHIND = [0] * 10


@pytest.mark.parametrize(
    ("good", "finished", "expected"),
    [
        ([9] * 10, None, {"min_episodes": Status.PASSED, "must_beat_episodes": Status.PASSED}),
        ([9] * 2 + [1] * 8, None, {"min_episodes": Status.FAILED, "must_beat_episodes": Status.PASSED}),
        ([9] * 4 + [0] * 6, None, {"min_episodes": Status.PASSED, "must_beat_episodes": Status.FAILED}),
        ([9] * 10, 7, {"min_episodes": Status.ERROR, "must_beat_episodes": Status.PASSED}),
    ],
    ids=["further and whole", "further, rarely whole", "whole on four, tied on six", "three unfinished"],
)
def test_episode_rules(tmp_path: Path, good: list[int], finished: int | None, expected: dict[str, Status]) -> None:
    """A floor on episodes passed whole, and beating the base on progress by an exact sign test: four episodes
    further and six ties is not beyond chance (p = 0.125), ten is; an unfinished episode is never a pass."""
    run = episode_run(tmp_path, {"base-plain": BEHIND, "merged:good": good}, finished=finished)
    result = gate_of(run, rules=EPISODE_RULES)
    assert {(r.variant, r.rule, r.status) for r in result.results} == {("merged:good", *kv) for kv in expected.items()}
    assert result.exit_code == (
        0 if set(expected.values()) == {Status.PASSED} else 1 if Status.ERROR not in expected.values() else 2
    )


def test_a_variant_is_never_judged_against_itself(tmp_path: Path) -> None:
    """The control named as every adapter's reference is judged too (`merged:*`): a paired rule against itself
    ties by construction and would catch it for nothing, so it gets none; the candidate's still runs."""
    single = sampled_run(tmp_path / "single", set(range(28)))
    episodes = episode_run(tmp_path / "episodes", {"merged:good": [9] * 10, "merged:bad": BEHIND})
    cases = (
        (single, MERGED.model_copy(update={"must_beat": ["merged:bad"]}), "must_beat"),
        (episodes, EPISODE_RULES.model_copy(update={"must_beat_episodes": ["merged:bad"]}), "must_beat_episodes"),
    )
    for run, rules, rule in cases:
        paired = {(r.variant, r.status) for r in gate_of(run, rules=rules).results if r.rule == rule}
        assert paired == {("merged:good", Status.PASSED)}, rule


def test_a_judged_variant_no_rule_reads_cannot_be_evaluated(tmp_path: Path) -> None:
    """With the control's only rule one against itself, nothing judges it: silence would miss it (or pass a
    candidate) on no evidence, so the gate says so and cannot be evaluated."""
    run = episode_run(tmp_path, {"merged:good": [9] * 10, "merged:bad": BEHIND})
    rules = EPISODE_RULES.model_copy(update={"must_beat_episodes": ["merged:bad"], "min_episodes": {}})
    result = gate_of(run, rules=rules)
    assert [(r.variant, r.rule, r.status) for r in result.results] == [
        ("merged:good", "must_beat_episodes", Status.PASSED),
        ("merged:bad", "rules", Status.ERROR),
    ]
    assert {v.variant: v.decision for v in result.verdicts} == {
        "merged:good": Decision.PASSED,
        "merged:bad": Decision.ERROR,
    }
    assert result.exit_code == 2
