"""What the answering stage asks and keeps: only the unmerged sample of an adapter served both ways, sharding over endpoints, and a run folder that resumes only the same measurement."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from run_parts import adapter_files, builtin_suites, sse

from harness.gate.settings import GateRules
from harness.generation.settings import GenerationSettings
from harness.run_config import RunConfig
from harness.serving.backends.openai_chat import OpenAIChatBackend
from harness.serving.plan import AdapterFiles, plan_run
from harness.suites.files import load_sources
from harness.suites.selection import unmerged_sample
from harness.suites.settings import SuiteSelection
from harness.types import Generation

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_unmerged_form_of_an_adapter_served_merged_asks_the_unmerged_sample(tmp_path: Path) -> None:
    from harness.generation.answer import pending_work
    from harness.generation.prepare import Prepared
    from harness.runs.folder import RunFolder

    config = RunConfig(
        name="x",
        variants=["base", "lora", "merged"],
        adapters=[{"name": "good", "recipe": "g.toml"}, {"name": "bad", "recipe": "b.toml", "serve_merged": False}],
        suites={"unmerged_sample": 2},
        gate={"judge": ["merged:*"]},
    )
    bad = AdapterFiles(name="bad", adapter=Path("/a/bad"), merged=None, rank=4, sha256="0")
    suites = [s for s in builtin_suites() if s.name in ("multiple", "irrelevance")]
    asked = unmerged_sample(suites, SuiteSelection(unmerged_sample=2))
    variants, plans = plan_run(config, Path("/base"), [adapter_files("good"), bad], None, {}, asked)
    assert [(v.name, v.asked) for v in variants] == [
        ("base", None),
        ("lora:good", asked),
        ("lora:bad", None),  # served unmerged only: judged on every case
        ("merged:good", None),
    ]
    prepared = Prepared(config, [(s, "suites") for s in suites], Path("/base"), [], variants, plans)
    folder = RunFolder(tmp_path)
    work = pending_work(prepared, folder)
    every = sum(len(s.cases) for s in suites)
    assert {name: len(items) for name, items in work.items()} == {
        "base": every,
        "lora:good": 4,
        "lora:bad": every,
        "merged:good": every,
    }
    assert {(i.suite.name, i.case.id) for i in work["lora:good"]} == {
        (suite, case) for suite, ids in (asked or {}).items() for case in ids
    }
    for items in work.values():  # answer everything asked: a rerun asks nothing more
        for item in items:
            folder.append_generation(Generation(suite=item.suite.name, case_id=item.case.id, variant=item.variant))
    assert not any(pending_work(prepared, folder).values())


def test_answer_all_shards_over_endpoints_and_returns_what_it_could_not_reach() -> None:
    from harness.generation.answer import WorkItem, answer_all

    suite = next(
        item.suite for item in load_sources([str(ROOT / "suites")]) if item.suite and item.suite.name == "simple"
    )
    items = [WorkItem("v", suite, case, ()) for case in suite.cases[:12]]
    hits = {"a": 0, "b": 0}

    def endpoint(name: str, up: bool) -> dict[str, OpenAIChatBackend]:
        async def handle(request: httpx.Request) -> httpx.Response:
            if not up:
                raise httpx.ConnectError("refused")
            await asyncio.sleep(0.01)  # the network: other requests go out meanwhile
            hits[name] += 1
            return httpx.Response(200, content=sse([{"choices": [{"index": 0, "delta": {"content": "ok"}}]}]))

        return {"v": OpenAIChatBackend(f"http://{name}/v1", "m", transport=httpx.MockTransport(handle))}

    recorded: list[Generation] = []
    unreached = asyncio.run(
        answer_all(items, [endpoint("a", True), endpoint("b", True)], GenerationSettings(), recorded.append, 2)
    )
    assert not unreached and len(recorded) == 12 and hits["a"] > 0 and hits["b"] > 0
    assert {g.case_id for g in recorded} == {item.case.id for item in items}
    recorded.clear()
    unreached = asyncio.run(answer_all(items, [endpoint("c", False)], GenerationSettings(), recorded.append, 3))
    assert not recorded and len(unreached) == 12 and "refused" in unreached[0][1]


def test_a_run_folder_from_before_merges_existed_is_resumed(tmp_path: Path) -> None:
    """A manifest written before `[[adapters]] merges` existed lacks the key; it reads as unset, the same run."""

    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import Prepared

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")
    config = RunConfig(name="x", variants=["merged"], adapters=[{"name": "a", "recipe": "r.toml"}])
    prepared = Prepared(config, [], base, [], [], [])
    run_dir = tmp_path / "run"
    open_run_folder(prepared, run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    del manifest["config"]["adapters"][0]["merges"]
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    open_run_folder(prepared, run_dir)


def test_a_run_folder_takes_new_gate_and_bench_settings_but_not_new_measurements(tmp_path: Path) -> None:
    from harness.generation.manifest import open_run_folder
    from harness.generation.prepare import Prepared
    from harness.runs.folder import RunLogError

    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}")

    def prepared(**changes: object) -> Prepared:
        config = RunConfig(name="x", variants=["base"]).model_copy(update=changes)
        return Prepared(config, [], base, [], [], [])

    run_dir = tmp_path / "run"
    open_run_folder(prepared(), run_dir)
    stricter = GateRules(min_full_match={"*": 0.9})
    open_run_folder(prepared(gate=stricter), run_dir)  # judging differently is not measuring differently
    with pytest.raises(RunLogError, match="holds a run of a different config"):
        open_run_folder(prepared(generation=GenerationSettings(max_tokens=7)), run_dir)
