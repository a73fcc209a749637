"""`make perf-score`: scoring throughput over every supported BFCL category, ground truths as model outputs.

Single-threaded on one core. Beside the absolute rate it prints the same run's cost of a bare `json.loads` of the
same outputs, the floor any scorer pays, because on a shared machine only a ratio measured in one run is stable.
When BFCL's checker venv exists (`make bfcl-agreement` makes it; see `bfcl_reference.py`), it also times BFCL's own
checker on the same outputs of its AST categories, in the same run, against ours under both semantics: scoring
alone on both sides (BFCL's checker reads decoded calls, ours parsed ones), each expected call compiled on first
use and the best of the rounds kept, as BFCL's data is read before its clock starts.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from bfcl_reference import Output, ast_suites, seconds, venv_path, venv_python

from harness.parsing import format_tool_calls
from harness.scoring import ToolValidators, ideal_calls, score_generation, score_parsed
from harness.suites import bfcl
from harness.types import Case, Generation, ParseResult, Semantics

GOAL_CASES_PER_SECOND = 20_000
GOAL_RATIO_TO_BFCL = 1.0
ROUNDS = 15


def best_seconds(work: Callable[[], object]) -> float:
    """Fastest of a few rounds: the least disturbed by other processes."""
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def against_bfcl() -> bool:
    """Ours against BFCL's checker on the same ground truths, scoring alone; whether both semantics reach the goal."""
    python = venv_python()
    if python is None:
        print(f"BFCL's checker: no venv at {venv_path()}; `make bfcl-agreement` makes it, then this compares")
        return True
    outputs: list[Output] = []
    parsed: list[tuple[Case, ParseResult, dict[Semantics, ToolValidators]]] = []
    for category, suite in ast_suites():
        validators = {semantics: ToolValidators.for_suite(suite, semantics) for semantics in Semantics}
        for case in suite.cases:
            calls = ideal_calls(case)
            outputs.append(Output(category, case, calls))
            parsed.append((case, ParseResult(calls=calls, errors=[]), validators))
    theirs = len(outputs) / seconds(python, outputs, ROUNDS)
    print(f"against BFCL's checker ({python.parent.parent}), the same {len(outputs)} outputs of its AST categories:")
    print(f"  BFCL's checker            {theirs:>9,.0f} cases/s")
    reached = True
    for semantics, note in ((Semantics.BFCL, ""), (Semantics.SCHEMA, ", JSON Schema validation included")):
        rate = len(parsed) / best_seconds(lambda s=semantics: [score_parsed(c, p, v[s]) for c, p, v in parsed])
        print(f"  ours, {semantics.value + ' semantics':17} {rate:>9,.0f} cases/s   {rate / theirs:.2f}x{note}")
        reached &= rate / theirs >= GOAL_RATIO_TO_BFCL
    print(f"  (scoring alone on both sides, one core, best of {ROUNDS}; goal {GOAL_RATIO_TO_BFCL:.1f}x)")
    return reached


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    items: list[tuple[Case, Generation, ToolValidators]] = []
    for category in bfcl.CATEGORIES:
        suite, _ = bfcl.load_category(category)
        validators = ToolValidators.for_suite(suite)
        for case in suite.cases:
            text = format_tool_calls(ideal_calls(case)) if case.expected else "No tool fits."
            items.append((case, Generation(suite=suite.name, case_id=case.id, variant="truth", text=text), validators))
    texts = [generation.text for _, generation, _ in items]

    def score_all() -> None:
        for case, generation, validators in items:
            score_generation(case, generation, validators)

    def json_floor() -> None:
        for text in texts:
            for block in text.split("\n"):
                if block.startswith("<tool_call>"):
                    json.loads(block[11:-12])

    scoring = best_seconds(score_all)
    floor = best_seconds(json_floor)
    rate = len(items) / scoring
    print(f"cases: {len(items)} over {len(bfcl.CATEGORIES)} BFCL categories (strict and lenient verdict each)")
    print(f"parsing and scoring: {rate:,.0f} cases/s on one core (goal {GOAL_CASES_PER_SECOND:,}) — best of {ROUNDS}")
    print(f"ratio: that takes {scoring / floor:.1f}x a bare json.loads of the same outputs, measured in this run")
    reached = against_bfcl()
    return 0 if rate >= GOAL_CASES_PER_SECOND and reached else 1


if __name__ == "__main__":
    sys.exit(main())
