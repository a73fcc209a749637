"""BFCL's own AST checker behind a JSON pipe. Runs in the throwaway bfcl-eval venv only (its modules pin old
numpy and more, so they stay out of the project's venv); imports nothing of the harness.

Reads one request on stdin, writes one answer on stdout:
    {"mode": "check", "items": [{"category": C, "id": ID, "output": [{NAME: ARGS}, ...]}, ...]}
        -> [{"valid": bool, "error_type": str}, ...]   (a checker exception is a verdict too: "crash: ...")
    {"mode": "time", "rounds": N, "items": [...]}
        -> {"seconds": best of N rounds checking every item once, on one core}
Function docs and ground truths come from this venv's own bfcl_eval data, never from the harness's conversion.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import bfcl_eval
from bfcl_eval.constants.enums import Language
from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

MODEL = "gorilla-openfunctions-v2"
"""A model whose config keeps dots in function names, as the harness's models see them."""
DATA = Path(bfcl_eval.__file__).parent / "data"


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, filter(str.strip, handle))}


def load_category(category: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A category's entries and possible answers from this venv's own bfcl_eval data, by id (the multi-turn
    checker script reads its data here too)."""
    name = f"BFCL_v4_{category}.json"
    return _rows(DATA / name), _rows(DATA / "possible_answer" / name)


def _verdict(functions: list[Any], output: list[Any], answer: list[Any], category: str) -> dict[str, Any]:
    try:
        result = ast_checker(functions, output, answer, Language.PYTHON, category, MODEL)
    except Exception as error:  # the checker's own bugs are verdicts to report, not reasons to stop
        return {"valid": False, "error_type": f"crash: {type(error).__name__}: {error}"}
    return {"valid": bool(result["valid"]), "error_type": result.get("error_type", "")}


def main() -> int:
    request = json.load(sys.stdin)
    data: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    work = []
    for item in request["items"]:
        category = item["category"]
        if category not in data:
            data[category] = load_category(category)
        prompts, answers = data[category]
        work.append((prompts[item["id"]]["function"], item["output"], answers[item["id"]]["ground_truth"], category))
    if request["mode"] == "check":
        json.dump([_verdict(*entry) for entry in work], sys.stdout)
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    best = float("inf")
    for _ in range(request["rounds"]):
        start = time.perf_counter()
        for entry in work:
            _verdict(*entry)
        best = min(best, time.perf_counter() - start)
    json.dump({"seconds": best}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
