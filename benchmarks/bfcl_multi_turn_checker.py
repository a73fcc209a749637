"""BFCL's own multi-turn checker behind a JSON pipe. Runs in the throwaway bfcl-eval venv only (see
`bfcl_reference.py`); imports nothing of the harness.

Reads one request on stdin, writes one answer on stdout:
    {"items": [{"category": C, "id": ID, "trajectory": [[[CALL, ...], ...], ...]}, ...]}
        (turn -> step -> call strings, BFCL's decoded format)
    -> {"verdicts": [{"valid": bool, "error_type": str}, ...], "seconds": checking every item once, on one core}
Each trajectory is checked under a model name of its own: BFCL keeps its class instances in module globals keyed by
model name and entry id, so trajectories sharing a name would share state. Entries and ground truths come from this
venv's own bfcl_eval data, never from the harness's conversion.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Any

from bfcl_checker import load_category
from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils
from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_checker import multi_turn_checker


def _verdict(
    entry: dict[str, Any], truth: list[Any], trajectory: list[Any], category: str, name: str
) -> dict[str, Any]:
    try:
        result = multi_turn_checker(trajectory, truth, entry, category, name)
    except Exception as error:  # the checker's own bugs are verdicts to report, not reasons to stop
        result = {"valid": False, "error_type": f"crash: {type(error).__name__}: {error}"}
    finally:  # the instances of this trajectory (model and ground truth) are never read again: free them
        for key in [k for k in vars(multi_turn_utils) if k.startswith(f"{name}_")]:
            delattr(multi_turn_utils, key)
    return {"valid": bool(result["valid"]), "error_type": result.get("error_type", "")}


def main() -> int:
    request = json.load(sys.stdin)
    data: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    work = []
    for item in request["items"]:
        category = item["category"]
        if category not in data:
            data[category] = load_category(category)
        entries, answers = data[category]
        work.append((entries[item["id"]], answers[item["id"]]["ground_truth"], item["trajectory"], category))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # BFCL's classes print; the answer owns stdout
        verdicts = [_verdict(*entry, name=f"agreement{index}") for index, entry in enumerate(work)]
    seconds = time.perf_counter() - start
    json.dump({"verdicts": verdicts, "seconds": seconds}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
