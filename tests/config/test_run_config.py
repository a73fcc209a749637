"""Run configs as files: every error names the file and field, the committed configs load, and the bench and the full study judge what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.run_config import load_run_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x'\nvariants = ['lora']\n", "variants lora, merged and reference need at least one adapter"),
        ("name = 'x'\n[[adapters]]\nname = 'a'\n", "set exactly one of recipe and path"),
        ("name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\npath = 'p'\n", "set exactly one of recipe and path"),
        ("name = 'x'\n[generation]\nmax_tokens = 0\n", "generation.max_tokens: Input should be greater than"),
        ("name = 'x'\n[server]\nport = 70000\n", "server.port: Input should be less than"),
        ("name = 'x'\nvariants = ['merged', 'merged']\n[[adapters]]\nname='a'\nrecipe='r'\n", "must not repeat"),
        (
            "name = 'x'\n[generation]\ntemprature = 0\n",
            "3: generation.temprature: unknown key; did you mean 'temperature'?",
        ),
        ("name = 'X Y'\n", "name: String should match pattern"),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['fp32', 'fp16']\n",
            ":5: adapters.0.merges.1: Input should be 'fp32' or 'bf16'",
        ),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['bf16', 'bf16']\n",
            ":5: adapters.0.merges: each precision once, got bf16, bf16",
        ),
        ("name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = []\n", ":5: adapters.0.merges: List should"),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\npath = 'p'\nmerged = 'm'\nmerges = ['bf16']\n",
            ":6: adapters.0.merges: not with merged, a folder merged elsewhere; leave one of them out",
        ),
        (
            "name = 'x'\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nserve_unmerged = false\nmerges = ['fp32', 'bf16']\n",
            ":6: adapters.0.merges: further merged forms are compared with the adapter's unmerged answers",
        ),
        (
            "name = 'x'\nvariants = ['merged']\n[[adapters]]\nname = 'a'\nrecipe = 'r'\nmerges = ['fp32', 'bf16']\n",
            ":6: adapters.0.merges: further merged forms are compared with the unmerged form, so variants needs both"
            " lora and merged (it has merged)",
        ),
        (
            "name = 'x'\nvariants = ['lora', 'merged']\n[[adapters]]\nname = 'a'\nrecipe = 'r'\n"
            "merges = ['fp32', 'bf16']\n[suites]\nunmerged_sample = 2\n[gate]\njudge = ['merged*']\n",
            ":10: gate.judge: merged-bf16:a would be judged on the unmerged sample only",
        ),
        ("name = \n", "not TOML"),
    ],
)
def test_bad_configs_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_run_config(path)
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", str(error.value)) and message in str(error.value)


def test_committed_configs_load() -> None:
    for path in sorted((ROOT / "configs").glob("*.toml")):
        load_run_config(path)


def test_the_bench_judges_adapters_merged_and_the_full_study_unmerged_on_every_case() -> None:
    """The bench's time goes to the LoRA server: every adapter is served and judged merged on every case, and
    answers unmerged the unmerged sample; the full study keeps judging unmerged on every case."""
    bench = load_run_config(ROOT / "configs" / "bench.toml")
    assert bench.suites.unmerged_sample == 3 and bench.gate.judge == ["merged:*"]
    assert "merged" in bench.variants and all(adapter.serve_merged for adapter in bench.adapters)
    # A control has nothing to prove unmerged: only candidates pay the LoRA server.
    assert [a.name for a in bench.adapters if a.serve_unmerged] == [
        a.name for a in bench.adapters if a.expect == "pass"
    ]
    study = load_run_config(ROOT / "configs" / "embedded.toml")
    assert study.suites.unmerged_sample is None and study.gate.judge == ["lora:*"]
    # The full study merges every adapter both ways and reports which merge to prefer; the bench, over its time
    # budget, serves the one merge training makes.
    assert all(a.merges == ["fp32", "bf16"] for a in study.adapters) and study.adapters
    assert all(a.merges is None for a in bench.adapters)
