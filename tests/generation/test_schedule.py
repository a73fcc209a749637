"""The accuracy stage's scheduler: batches of one seeded order for every variant, a look at the rules after each,
a variant stopped once nothing it is read for is open (recorded with where and why), a time budget that leaves
the rest for a rerun, and a rerun that goes on in the same order. The servers are replaced by a recorder here;
`tests/bench/test_bench_vllm.py` runs the same stage against vLLM."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from run_parts import adapter_files, builtin_suites

from harness.generation import schedule
from harness.generation.answer import Item, RunProgress
from harness.generation.manifest import open_run_folder
from harness.generation.prepare import Prepared
from harness.generation.schedule import Needed, Stopping, answer_pending
from harness.run_config import RunConfig
from harness.runs.folder import RunFolder
from harness.serving.plan import ServerPlan, plan_run
from harness.types import Generation

BATCH = 8


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Prepared, RunFolder, list[list[str]]]:
    """A run of the base and one merged adapter on two built-in suites, whose servers answer by writing a
    generation per item; returns it with the list of batches as they were asked (the variants of each item)."""
    config = RunConfig(
        name="x",
        variants=["base", "merged"],
        adapters=[{"name": "good", "recipe": "g.toml"}],
        suites={"batch": BATCH, "order_seed": 5},
    )
    suites = [s for s in builtin_suites() if s.name in ("simple", "irrelevance")]
    variants, plans = plan_run(config, Path("/base"), [adapter_files("good")], None, {}, None)
    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    prepared = Prepared(config, [(s, "suites") for s in suites], base, [], variants, plans)
    asked: list[list[str]] = []

    def answer(plan: ServerPlan, _: Prepared, items: list[Item], progress: RunProgress, pool: object) -> None:
        asked.append([f"{item.variant} {item.suite.name}/{item.case.id}" for item in items])  # type: ignore[union-attr]
        for item in items:
            progress.record(Generation(suite=item.suite.name, case_id=item.case.id, variant=item.variant, text="hi"))  # type: ignore[union-attr]

    monkeypatch.setattr(schedule, "serve_and_answer", answer)
    return prepared, open_run_folder(prepared, tmp_path / "run"), asked


def answered(folder: RunFolder) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for variant, suite, case in folder.read_generations():
        found.setdefault(variant, set()).add((suite, case))
    return found


def looks_after(*kept: Needed) -> Callable[[], Needed]:
    """The rules' answer at each look in turn, then the last one for ever."""
    said = list(kept)
    return lambda: said.pop(0) if len(said) > 1 else said[0]


def test_every_variant_is_asked_the_same_order_in_batches_and_stops_once_decided(run) -> None:  # type: ignore[no-untyped-def]
    prepared, folder, asked = run
    order = folder.read_manifest().asking
    assert order is not None and order.batch == BATCH
    assert {suite for suite, _ in order.cases[:BATCH]} == {"simple", "irrelevance"}  # interleaved
    answer_pending(
        prepared,
        folder,
        Console(quiet=True),
        stopping=Stopping(looks_after({"base": None, "merged:good": None}, {"base": None})),
    )
    got = answered(folder)
    assert got["merged:good"] == set(order.cases[: 2 * BATCH])  # stopped at the second look
    assert got["base"] == set(order.cases)
    assert [(s.variant, s.position, s.answers, s.reason) for s in folder.read_stops()] == [
        ("merged:good", 2 * BATCH, 2 * BATCH, "decided")
    ]
    first = {entry.split(" ", 1)[1] for batch in asked[:2] for entry in batch}  # both servers, first batch
    assert first == {f"{suite}/{case}" for suite, case in order.cases[:BATCH]}


def test_a_spent_budget_stops_every_open_variant_and_a_rerun_goes_on_in_the_same_order(run) -> None:  # type: ignore[no-untyped-def]
    prepared, folder, _ = run
    order = folder.read_manifest().asking
    everyone: Needed = {"base": None, "merged:good": None}
    answer_pending(prepared, folder, Console(quiet=True), stopping=Stopping(lambda: everyone, budget_s=1e-9))
    assert all(cases == set(order.cases[:BATCH]) for cases in answered(folder).values())
    assert {(s.variant, s.position, s.reason) for s in folder.read_stops()} == {
        ("base", BATCH, "budget"),
        ("merged:good", BATCH, "budget"),
    }
    assert answer_pending(prepared, folder, Console(quiet=True), stopping=Stopping(lambda: everyone))
    assert all(cases == set(order.cases) for cases in answered(folder).values())
    assert len(folder.read_generations()) == 2 * len(order.cases)  # nothing asked twice


def test_a_rerun_asks_nothing_of_a_variant_its_rules_already_decided(run) -> None:  # type: ignore[no-untyped-def]
    prepared, folder, asked = run
    answer_pending(prepared, folder, Console(quiet=True), stopping=Stopping(lambda: {}, budget_s=None))
    assert len(folder.read_generations()) == 2 * BATCH  # one batch, then nothing was open
    asked.clear()
    assert answer_pending(prepared, folder, Console(quiet=True), stopping=Stopping(lambda: {})) == 0
    assert not asked


def test_a_variant_is_asked_only_the_cases_an_open_rule_still_reads(run) -> None:  # type: ignore[no-untyped-def]
    """The base, read only by `must_beat` on some suites, answers those cases and skips the rest of the order."""
    prepared, folder, _ = run
    order = folder.read_manifest().asking
    simple = {key for key in order.cases if key[0] == "simple"}
    answer_pending(
        prepared, folder, Console(quiet=True), stopping=Stopping(lambda: {"base": simple, "merged:good": None})
    )
    got = answered(folder)
    assert got["merged:good"] == set(order.cases)
    assert got["base"] == set(order.cases[:BATCH]) | simple  # the first batch went out before the first look
