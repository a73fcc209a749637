"""The gate on runs that stopped asking early (issue 26): rules read at the looks of the run's seeded order decide
as soon as their anytime-valid tests do, a run cut before a decision is undecided (exit 3) and resumes to one,
the verdicts of a full sample are today's, and a re-score reads the same looks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from run_factory import CASES, SILENT_CASES, gate_of, synthetic_run

from harness.gate.rules import cases_to_ask
from harness.gate.settings import GateRules
from harness.runs.folder import RunFolder
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.types import UNDECIDED_EXIT, AskingOrder, Decision, Status

FLOOR_ONLY = GateRules(
    judge=["merged:*"],
    must_beat=[],
    min_relevance=0,
    max_merged_gap=None,
    max_strict_parse_error_rate=None,
    min_full_match={"calls": 0.5},
)


def ordered(run: Path, batch: int = 5, stops: dict[str, int] | None = None, seed: int = 3) -> Path:
    """The run as the scheduler leaves it: its cases in a seeded order (kept in the manifest), and each variant in
    `stops` answering only its cases among the first `stops[variant]` positions of it."""
    folder = RunFolder(run)
    manifest = folder.read_manifest()
    suites = folder.read_suites(manifest)
    cases = [(name, case.id) for name, suite in suites.items() for case in suite.cases]
    random.Random(seed).shuffle(cases)
    folder.write_manifest(manifest.model_copy(update={"asking": AskingOrder(seed=seed, batch=batch, cases=cases)}))
    position = {key: index for index, key in enumerate(cases)}
    log = run / "generations.jsonl"
    kept = [
        line
        for (variant, suite, case), (_, generation) in folder.read_generations().items()
        if position[(suite, case)] < (stops or {}).get(variant, len(cases))
        for line in [generation.model_dump_json()]
    ]
    log.write_text("".join(line + "\n" for line in kept))
    score_run(run)
    return run


def rule_of(result_rules: list, name: str, variant: str):  # type: ignore[no-untyped-def]
    return next(r for r in result_rules if r.rule == name and r.variant == variant)


def test_a_control_far_below_its_floor_is_caught_on_the_answers_it_gave(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"merged:bad": 2}, controls=frozenset({"bad"}))
    result = gate_of(ordered(run, stops={"merged:bad": 10}), rules=FLOOR_ONLY)
    floor = rule_of(result.results, "min_full_match", "merged:bad")
    assert floor.status is Status.FAILED and floor.answers == 10 and floor.track
    assert result.verdicts[0].decision is Decision.CAUGHT and result.exit_code == 0
    assert result.answers["merged:bad"] == 10 and result.population["merged:bad"] == CASES


def test_a_run_cut_before_its_rules_decide_is_undecided_then_resumes_to_a_verdict(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"merged:good": 16})  # 53% against a floor of 50%
    result = gate_of(ordered(run, stops={"merged:good": 10}), rules=FLOOR_ONLY)
    floor = rule_of(result.results, "min_full_match", "merged:good")
    assert floor.status is Status.UNDECIDED and floor.needed and 0 < floor.needed <= CASES - 10
    assert result.verdicts[0].decision is Decision.UNDECIDED and result.exit_code == UNDECIDED_EXIT
    assert "so far, 10 of 30 asked" in floor.detail
    resumed = gate_of(ordered(synthetic_run(tmp_path / "again", {"merged:good": 16})), rules=FLOOR_ONLY)
    assert resumed.exit_code == 0 and rule_of(resumed.results, "min_full_match", "merged:good").answers == CASES


@pytest.mark.parametrize("right", [0, 5, 14, 15, 16, 25, 30])
@pytest.mark.parametrize("rules", ["floor", "default"])
def test_a_run_that_asked_every_case_gets_todays_verdicts(tmp_path: Path, right: int, rules: str) -> None:
    """The order changes nothing once every case is answered: same statuses as a run folder without one."""
    gate = (
        FLOOR_ONLY if rules == "floor" else GateRules(judge=["merged:*"], must_beat=["base"], min_full_match={"*": 0.5})
    )
    answers = {"base": 10, "lora:a": right, "merged:a": right}
    before = gate_of(synthetic_run(tmp_path / "plain", answers, silent={"merged:a": 8}), rules=gate)
    after = gate_of(ordered(synthetic_run(tmp_path / "ordered", answers, silent={"merged:a": 8})), rules=gate)
    assert [(r.rule, r.variant, r.suite, r.status) for r in after.results] == [
        (r.rule, r.variant, r.suite, r.status) for r in before.results
    ]


def test_a_rescore_of_a_stopped_run_reads_the_same_verdicts(tmp_path: Path) -> None:
    run = synthetic_run(tmp_path / "run", {"merged:bad": 1, "merged:good": 30}, controls=frozenset({"bad"}))
    first = gate_of(ordered(run, stops={"merged:bad": 10, "merged:good": 20}), rules=FLOOR_ONLY)
    score_run(run)
    assert gate_of(run, rules=FLOOR_ONLY).results == first.results


def test_the_scheduler_asks_only_what_an_open_rule_reads(tmp_path: Path) -> None:
    """A caught control stops; the reference of a candidate's open `must_beat` goes on; a variant no rule reads
    (lora:good here, with no merged_gap) is asked for the reports."""
    rules = FLOOR_ONLY.model_copy(update={"must_beat": ["base"]})
    answers = {"base": 5, "merged:bad": 0, "merged:good": 16, "lora:good": 16}
    run = synthetic_run(tmp_path / "run", answers, controls=frozenset({"bad"}), silent={"merged:good": SILENT_CASES})
    view = load_run(ordered(run, stops=dict.fromkeys(answers, 20)))
    result = gate_of(view.path, rules=rules)
    assert rule_of(result.results, "min_full_match", "merged:bad").status is Status.FAILED
    assert rule_of(result.results, "min_full_match", "merged:good").status is Status.UNDECIDED
    needed = cases_to_ask(view, None, rules)
    assert set(needed) == {"base", "merged:good", "lora:good"} and needed["lora:good"] is None
    later = {key for key in (view.manifest.asking.cases if view.manifest.asking else [])[20:] if key[0] == "calls"}
    assert needed["base"] == needed["merged:good"] == later  # must_beat and the floor read the calls only
