"""The gate's CI files for a run the scheduler stopped asking once decided: an undecided rule is a skipped JUnit
case and a ⏳ Markdown line with the answers it would still need, never a pass; an undecided control is not
caught; each verdict says the answers it took. A gate.json from before those fields still loads and reads as before."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from run_factory import sequential_gate

from harness.gate.decided import answered, deciding_look, narrowed, narrowest_call, settling_rule, stopped_at
from harness.gate.outputs import junit_xml, markdown_summary
from harness.types import UNDECIDED_EXIT, Decision, GateResult, IntervalPoint, ParseMode, RuleResult, Status


def test_the_rules_that_settled_each_verdict() -> None:
    result = sequential_gate("run")
    assert result.exit_code == UNDECIDED_EXIT
    settled = {v.variant: (v.decision, settling_rule(result, v)) for v in result.verdicts}
    assert {
        variant: (decision, rule and (rule.rule, rule.answers)) for variant, (decision, rule) in settled.items()
    } == {
        "merged:good": (Decision.PASSED, ("min_full_match", 80)),  # a pass waits for its last rule
        "lora:good": (Decision.UNDECIDED, ("min_full_match", 60)),
        "merged:broken": (Decision.CAUGHT, ("min_full_match", 32)),  # one failure settles it: the earliest
        "lora:broken": (Decision.UNDECIDED, ("min_full_match", 16)),
    }
    assert [answered(result, v.variant) for v in result.verdicts] == [
        "80 of 134 answers", "60 of 128 answers", "40 of 134 answers", "16 of 128 answers"
    ]  # fmt: skip
    narrowest = narrowest_call(result)  # an open rule first, then the one that took the most answers
    assert narrowest is not None and (narrowest.variant, narrowest.answers) == ("lora:good", 60)
    assert deciding_look(narrowest) == narrowest.track[-1]
    decided = result.model_copy(update={"results": [r for r in result.results if r.status is not Status.UNDECIDED]})
    narrowest = narrowest_call(decided)
    assert narrowest is not None and (narrowest.variant, deciding_look(narrowest)) == (
        "merged:good",
        IntervalPoint(answers=80, low=0.36, high=0.56),
    )


@pytest.mark.parametrize(
    ("answers", "population", "stopped"),
    [
        ({"v": 40}, {"v": 134}, (40, 134)),
        ({"v": 134}, {"v": 134}, None),  # asked every case: its verdicts are today's, and outputs read as before
        ({}, {}, None),  # a gate.json from before the scheduler
        ({"v": 40}, {}, None),
    ],
)
def test_only_a_variant_that_stopped_early_says_where(
    answers: dict[str, int], population: dict[str, int], stopped: tuple[int, int] | None
) -> None:
    result = GateResult(run_id="r", mode=ParseMode.STRICT, results=[], answers=answers, population=population)
    assert stopped_at(result, "v") == stopped


@pytest.mark.parametrize(
    ("track", "drawn"),
    [
        ([(16, 0.1, 0.8)], True),  # decided at its first look
        ([(16, 0.1, 0.8), (134, 0.45, 0.45)], True),  # narrowed to the rate over every case
        ([(134, 0.45, 0.45)], False),  # asked to the end without a look before: a point, nothing narrowed
        ([], False),
    ],
)
def test_a_track_is_drawn_where_an_interval_narrowed(track: list[tuple[int, float, float]], drawn: bool) -> None:
    points = [IntervalPoint(answers=n, low=low, high=high) for n, low, high in track]
    rule = RuleResult(rule="min_full_match", variant="v", suite="s", status=Status.PASSED, detail="", track=points)
    assert narrowed(rule) is drawn


def test_junit_skips_what_is_undecided_and_never_passes_it() -> None:
    suite = ElementTree.fromstring(junit_xml(sequential_gate("run")))
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "10",
        "0",
        "0",
        "3",
    )
    skipped = {
        (case.get("classname"), case.get("name")): (case.find("skipped").get("message"), case.find("system-out"))  # type: ignore[union-attr]
        for case in suite.iter("testcase")
        if case.find("skipped") is not None
    }
    assert skipped == {
        ("lora:good", "min_full_match[calls]"): (
            "min_full_match on lora:good; minimum 35% (undecided: about 40 more answers)",
            None,
        ),
        ("lora:broken", "min_full_match[calls]"): (
            "min_full_match on lora:broken; minimum 35% (undecided: about 30 more answers)",
            None,
        ),
        ("lora:broken", "control_caught"): ("not caught yet: min_full_match[calls] undecided", None),
    }
    caught = {(c.get("classname"), c.get("name")): c.findtext("system-out") for c in suite.iter("testcase")}
    assert caught["merged:broken", "control_caught"] == "caught by min_full_match[calls], must_beat"


def test_markdown_marks_the_undecided_with_the_answers_they_need() -> None:
    markdown = markdown_summary(sequential_gate("run"))
    blocks = [block.strip().splitlines() for block in markdown.split("\n\n")]
    assert blocks[0] == ["### Gate undecided: run `run` (strict reading)"]
    assert blocks[1][2:] == [
        "| ✅ | merged:good | passed after 80 of 134 answers |  |",
        "| ⏳ | lora:good | undecided after 60 of 128 answers | min_full_match[calls] (about 40 more answers) |",
        "| ✅ | merged:broken (control) | caught after 40 of 134 answers | min_full_match[calls], must_beat |",
        "| ⏳ | lora:broken (control) | undecided after 16 of 128 answers | min_full_match[calls] (about 30 more answers) |",
    ]
    problems = [line.split(" | ")[:3] for line in blocks[2][2:]]
    assert problems == [  # failures first (the control's, as a control must), then what is still open
        ["| ❌", "min_full_match", "merged:broken"],
        ["| ❌", "must_beat", "merged:broken"],
        ["| ⏳", "min_full_match", "lora:good"],
        ["| ⏳", "min_full_match", "lora:broken"],
    ]
    assert "about 40 more answers" in blocks[2][4]


OLD_GATE = {
    "version": 1,
    "run_id": "old",
    "mode": "strict",
    "results": [
        {"rule": "must_beat", "variant": "lora:a", "suite": None, "status": "passed", "detail": "p = 0.01"},
        {"rule": "min_full_match", "variant": "lora:b", "suite": "calls", "status": "failed", "detail": "12%"},
    ],
    "controls": ["lora:b"],
}
"""A gate.json as the gate wrote it before it counted answers."""


def test_a_gate_json_from_before_the_scheduler_still_loads_and_reads_as_before() -> None:
    result = GateResult.model_validate_json(json.dumps(OLD_GATE))
    assert (result.answers, result.population, result.exit_code) == ({}, {}, 0)
    assert [(r.answers, r.needed, r.track, r.threshold) for r in result.results] == [(None, None, [], None)] * 2
    assert [answered(result, v.variant) for v in result.verdicts] == [None, None]
    lines = markdown_summary(result).splitlines()
    assert lines[4:6] == ["| ✅ | lora:a | passed |  |", "| ✅ | lora:b (control) | caught | min_full_match[calls] |"]
    assert ElementTree.fromstring(junit_xml(result)).get("skipped") == "0"
