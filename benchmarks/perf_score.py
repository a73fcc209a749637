"""`make perf-score`: scoring throughput over every supported BFCL category, ground truths as model outputs.

Single-threaded on one core. Beside the absolute rate it prints the same run's cost of a bare `json.loads` of the
same outputs, the floor any scorer pays, because on a shared machine only a ratio measured in one run is stable.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from harness.parsing import format_tool_calls
from harness.scoring import ToolValidators, ideal_calls, score_generation
from harness.suites import bfcl
from harness.types import Case, Generation

GOAL_CASES_PER_SECOND = 20_000
ROUNDS = 15


def best_seconds(work: Callable[[], object]) -> float:
    """Fastest of a few rounds: the least disturbed by other processes."""
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


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
    print(f"scoring: {rate:,.0f} cases/s on one core (goal {GOAL_CASES_PER_SECOND:,}) — best of {ROUNDS}")
    print(f"ratio: scoring takes {scoring / floor:.1f}x a bare json.loads of the same outputs, measured in this run")
    return 0 if rate >= GOAL_CASES_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
