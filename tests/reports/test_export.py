"""`harness export`: one row per case and variant, loadable by pandas, on the real bench run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.runs.view import load_run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(bench_run: Path) -> Path:
    return bench_run


def test_csv_loads_in_pandas_one_row_per_case_and_variant(run: Path) -> None:
    assert main(["export", str(run)]) == 0
    table = pd.read_csv(run / "cases.csv")
    view = load_run(run)
    assert len(table) == len(view.scores) == 288
    assert not table.duplicated(["variant", "suite", "case_id"]).any()
    assert table["strict_full_match"].dtype == bool
    by_variant = table.groupby("variant")["strict_full_match"].mean().round(3).to_dict()
    assert by_variant["lora:fc-good"] == 0.229 and by_variant["lora:fc-broken"] == 0.083
    row = table.set_index(["variant", "suite", "case_id"]).loc[("base-plain", "parallel", "parallel-032")]
    assert row["expected"].startswith('search_hotels(city="Tokyo", check_in="2025-11-10"')
    assert (row["kind"], row["strict_error_kind"], row["calls_strict"]) == ("parallel_multiple", "missed_call", "[]")
    assert row["ttft_s"] > 0 and row["distribution"] == "out"


def test_jsonl_matches_the_csv(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"
    assert main(["export", str(run), "--format", "jsonl", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert main(["export", str(run)]) == 0
    table = pd.read_csv(run / "cases.csv", keep_default_na=False)
    assert [r["case_id"] for r in records] == list(table["case_id"])
    assert [r["strict_full_match"] for r in records] == list(table["strict_full_match"])
    called = next(r for r in records if r["calls_lenient"] != "[]")
    assert json.loads(called["calls_lenient"])[0]["name"]
