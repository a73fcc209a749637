"""A user's adapter as they have it: a PEFT folder or a hub id (read from a local hub cache, in the hub's own
layout), merged by the harness in the precisions the config asks for and cached by content, its declared base
compared with the run's, and what the adapter check found kept in the manifest. On the tiny base, no server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from harness.errors import ConfigError
from harness.generation.manifest import open_run_folder
from harness.generation.prepare import Prepared, prepare
from harness.run_config import load_run_config

torch = pytest.importorskip("torch")
peft = pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[2]
COURSE_TOKENS = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>"]


def _save_adapter(base: Path, folder: Path, *, course: bool = False) -> Path:
    """A real PEFT adapter on `base`: projections only, or the course's shape (added tokens, embed_tokens and
    lm_head targeted, the tokenizer saved beside it as the harness's training saves it)."""
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_pretrained(base)
    targets = ["q_proj", "v_proj", *(["embed_tokens", "lm_head"] if course else [])]
    if course:
        tokenizer = transformers.AutoTokenizer.from_pretrained(base)
        tokenizer.add_tokens(COURSE_TOKENS)
        model.resize_token_embeddings(len(tokenizer))
        tokenizer.save_pretrained(folder)
    config = peft.LoraConfig(task_type="CAUSAL_LM", r=4, lora_alpha=8, target_modules=targets, init_lora_weights=False)
    peft.get_peft_model(model, config).save_pretrained(folder, save_embedding_layers=course)
    return folder


@pytest.fixture(scope="module")
def own(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_adapter(tiny_model, tmp_path_factory.mktemp("own") / "adapter")


@pytest.fixture(scope="module")
def course(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save_adapter(tiny_model, tmp_path_factory.mktemp("course") / "adapter", course=True)


def _config(folder: Path, adapter: str, variants: list[str], extra: str = "") -> Path:
    path = folder / "run.toml"
    path.write_text(
        f'name = "own"\nbase = "tiny"\nvariants = {json.dumps(variants)}\n[suites]\nsources = ["{ROOT}/suites/simple.json"]\n'
        f'sample = 2\n[[adapters]]\nname = "own"\npath = "{adapter}"\n{extra}'
    )
    return path


def _prepare(path: Path, console: Console | None = None) -> Prepared:
    return prepare(load_run_config(path), path, console)


def test_a_folder_is_merged_by_the_harness_in_each_precision_and_the_merge_is_cached(
    own: Path, tmp_path: Path, model_cache: Path
) -> None:
    shutil.copytree(own, tmp_path / "mine")
    path = _config(tmp_path, "mine", ["base", "lora", "merged"], 'merges = ["fp32", "bf16"]\n')
    prepared = _prepare(path)
    [adapter] = prepared.adapters
    assert adapter.merge == "fp32" and [m for m, _ in adapter.extra_merges] == ["bf16"]
    merged = [adapter.merged, *(folder for _, folder in adapter.extra_merges)]
    assert all(folder is not None and folder.parent == model_cache / "merged" for folder in merged)
    assert [v.name for v in prepared.variants] == ["base", "lora:own", "merged:own", "merged-bf16:own"]
    served = {v.name: v for v in prepared.variants}
    assert served["merged:own"].model == str(adapter.merged) and served["merged:own"].merge == "fp32"
    stamps = [(folder / ".complete").stat().st_mtime_ns for folder in merged if folder is not None]
    again = _prepare(path).adapters[0]  # the same content, merged once
    assert [again.merged, *(f for _, f in again.extra_merges)] == merged
    assert [(folder / ".complete").stat().st_mtime_ns for folder in merged if folder is not None] == stamps
    record = open_run_folder(prepared, tmp_path / "run").read_manifest().adapters[0]
    assert record.name == "own" and record.base_unchecked is None and record.merged_only_because == []


def test_a_merged_folder_overrides_the_harness_merge(own: Path, tmp_path: Path, model_cache: Path) -> None:
    path = _config(tmp_path, str(own), ["merged"], f'merged = "{tmp_path}"\n')
    adapter = _prepare(path).adapters[0]
    assert adapter.merged == tmp_path and adapter.merge is None


def test_added_tokens_merge_into_a_resized_base_and_the_reason_is_recorded(
    course: Path, tiny_model: Path, tmp_path: Path, model_cache: Path
) -> None:
    path = _config(tmp_path, str(course), ["base", "merged"], "serve_unmerged = false\n")
    prepared = _prepare(path)
    merged = prepared.adapters[0].merged
    assert merged is not None
    vocabulary = transformers.AutoConfig.from_pretrained(tiny_model).vocab_size
    assert transformers.AutoConfig.from_pretrained(merged).vocab_size == vocabulary + len(COURSE_TOKENS)
    assert transformers.AutoTokenizer.from_pretrained(merged).convert_tokens_to_ids("<think>") == vocabulary + 2
    record = open_run_folder(prepared, tmp_path / "run").read_manifest().adapters[0]
    assert any("adds tokens" in reason for reason in record.merged_only_because)
    assert any("embed_tokens" in reason for reason in record.merged_only_because)


def test_an_adapter_vllm_cannot_serve_unmerged_stops_at_its_config_line(course: Path, tmp_path: Path) -> None:
    path = _config(tmp_path, str(course), ["lora"])
    with pytest.raises(ConfigError, match=rf"^{path}:7: adapters.0.serve_unmerged: adapter 'own' .* cannot be served unmerged: .*serve_unmerged = false"):  # fmt: skip
        _prepare(path)


@pytest.mark.parametrize(
    ("declared", "outcome"),
    [
        ("google/gemma-3-270m", "error"),
        ("/home/someone/models/smollm2", "note"),
        (None, "note"),
    ],
)
def test_the_declared_base_is_compared_with_the_runs(
    own: Path, tmp_path: Path, declared: str | None, outcome: str, model_cache: Path
) -> None:
    folder = shutil.copytree(own, tmp_path / "mine")
    settings = json.loads((folder / "adapter_config.json").read_text())
    (folder / "adapter_config.json").write_text(json.dumps({**settings, "base_model_name_or_path": declared}))
    path = _config(tmp_path, "mine", ["lora"])
    if outcome == "error":
        with pytest.raises(ConfigError, match=rf"^{path}:9: adapters.0.path: adapter 'own' belongs to another model"):
            _prepare(path)
        return
    shown = StringIO()
    prepared = _prepare(path, Console(file=shown, width=200))
    assert "adapter own: base not compared" in shown.getvalue()
    record = open_run_folder(prepared, tmp_path / "run").read_manifest().adapters[0]
    assert record.declared_base == declared and record.base_unchecked


def _hub_cache(adapter: Path, root: Path, repo: str = "someone/own-adapter") -> dict[str, str]:
    """The hub client's cache layout (`models--OWNER--NAME/refs/main`, `snapshots/COMMIT/`) holding `adapter`,
    and the environment that makes the client read it without a network."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    storage = root / f"models--{repo.replace('/', '--')}"
    shutil.copytree(adapter, storage / "snapshots" / commit)
    (storage / "refs").mkdir()
    (storage / "refs" / "main").write_text(commit)
    return {**os.environ, "HF_HUB_CACHE": str(root), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


RESOLVE = """
import sys
from pathlib import Path
from harness.errors import ConfigError
from harness.generation.prepare import prepare
from harness.run_config import load_run_config
for config in sys.argv[1:]:
    try:
        print(prepare(load_run_config(Path(config)), Path(config)).adapters[0].adapter)
    except ConfigError as error:
        print(error)
"""


def test_a_hub_id_is_fetched_through_the_hub_cache(own: Path, tmp_path: Path, model_cache: Path) -> None:
    """The hub client reads its settings when imported, so the run is a process of its own with them set."""
    env = _hub_cache(own, tmp_path / "hub")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    found = _config(tmp_path / "a", "someone/own-adapter", ["base", "lora"])
    missing = _config(tmp_path / "b", "someone/not-there", ["base", "lora"])
    assert load_run_config(missing).adapters[0].path == "someone/not-there"  # not a file that must exist
    lines = subprocess.run(
        [sys.executable, "-c", RESOLVE, str(found), str(missing)], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert Path(lines[0]).parent.name == "snapshots" and (Path(lines[0]) / "adapter_config.json").is_file()
    assert lines[1].startswith(f"{missing}:9: adapters.0.path: cannot fetch the adapter 'someone/not-there'")


def test_adapters_check_takes_a_hub_id(own: Path, tmp_path: Path) -> None:
    env = _hub_cache(own, tmp_path / "hub")
    check = [sys.executable, "-m", "harness", "adapters", "check"]
    shown = subprocess.run([*check, "someone/own-adapter"], env=env, capture_output=True, text=True)
    assert shown.returncode == 0 and "rank 4" in shown.stdout
    absent = subprocess.run([*check, "someone/not-there"], env=env, capture_output=True, text=True)
    assert absent.returncode == 2 and "cannot fetch the adapter 'someone/not-there'" in absent.stderr
