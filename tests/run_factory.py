"""Synthetic scored run folders for gate and comparison tests: real run-log files, written through the same
RunFolder API the runner uses, with answers chosen case by case."""

from __future__ import annotations

from pathlib import Path

from harness.runlog import RunFolder
from harness.score_run import score_run
from harness.types import ArgumentSpec, Case, ExpectedCall, Generation, Message, RunManifest, Suite, Tool, Variant

CASES = 30


def call(value: int) -> str:
    return f'<tool_call>{{"name": "f", "arguments": {{"x": {value}}}}}</tool_call>'


def synthetic_run(
    folder: Path, right: dict[str, int | set[int]], *, missing: int = 0, config: dict[str, object] | None = None
) -> Path:
    """A scored run of CASES simple cases where variant v answers the first right[v] correctly (or, given a
    set, exactly those cases)."""
    suite = Suite(
        name="calls",
        tools=[
            Tool(name="f", description="f", parameters={"type": "object", "properties": {"x": {"type": "integer"}}})
        ],
        cases=[
            Case(
                id=f"c{i:02d}",
                kind="simple",
                messages=[Message(role="user", content=f"f of {i}")],
                tools=["f"],
                expected=[ExpectedCall(function="f", arguments={"x": ArgumentSpec(accepted=[i])})],
            )
            for i in range(CASES)
        ],
    )
    run = RunFolder(folder)
    ref = run.write_suite(suite, "synthetic")
    variants = [Variant(name=name, role="lora" if name.startswith("lora") else "merged", model="m") for name in right]
    run.write_manifest(
        RunManifest(
            run_id=folder.name,
            created_at="2026-11-25T00:00:00+00:00",
            suites=[ref],
            variants=variants,
            config=config or {},
        )
    )
    for name, correct in right.items():
        answered = CASES - (missing if name.startswith("lora") else 0)
        chosen = correct if isinstance(correct, set) else set(range(correct))
        for i in range(answered):
            run.append_generation(
                Generation(suite="calls", case_id=f"c{i:02d}", variant=name, text=call(i if i in chosen else -1))
            )
    score_run(folder)
    return folder
