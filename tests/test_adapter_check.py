"""`harness adapters check`: real PEFT adapters, built on a tiny random Llama in a temporary folder, are checked
against vLLM's LoRA rules before any engine starts; broken folders give one line naming the file, never a traceback."""

from __future__ import annotations

import ast
import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.fixtures.adapter_check import VLLM_MAX_LORA_RANKS, AdapterReadError, check_adapter

torch = pytest.importorskip("torch")
peft = pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
COURSE_TOKENS = ["<tools>", "</tools>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]  # fmt: skip
VOCAB = 128


def _tiny_config(hidden: int = 32) -> Any:
    return transformers.LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )


def _tokenizer(extra: list[str]) -> Any:
    """A real fast tokenizer built offline: a word-level vocabulary of VOCAB entries plus `extra` added tokens."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel

    words = Tokenizer(WordLevel({f"w{i}": i for i in range(VOCAB)}, unk_token="w0"))
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=words, unk_token="w0")
    tokenizer.add_tokens(extra)
    return tokenizer


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("adapters")


@pytest.fixture(scope="module")
def base(work: Path) -> Path:
    """A saved tiny base: config, safetensors weights and a tokenizer of VOCAB tokens."""
    folder = work / "tiny-llama"
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(_tiny_config()).save_pretrained(folder)
    _tokenizer([]).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def make_adapter(work: Path, base: Path) -> Callable[..., Path]:
    """Build and save a real PEFT adapter; `added_tokens` resizes the embeddings first, as the course recipe does."""

    def make(name: str, *, added_tokens: list[str] | None = None, hidden: int = 32, safe: bool = True, trained_on: str = "", **lora: Any) -> Path:  # fmt: skip
        torch.manual_seed(0)
        model = transformers.LlamaForCausalLM(_tiny_config(hidden))
        model.name_or_path = trained_on or str(base)  # what from_pretrained would set; PEFT records it
        lora = {"r": 16, "lora_alpha": 32, "target_modules": PROJECTIONS, **lora}
        folder = work / name
        if added_tokens:
            tokenizer = _tokenizer(added_tokens)
            model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
            tokenizer.save_pretrained(folder)
        # what PEFT's "auto" picks when embeddings are targeted; saying it keeps PEFT from asking the hub otherwise
        embeddings = bool({"embed_tokens", "lm_head"} & set(lora["target_modules"]))
        adapter = peft.get_peft_model(model, peft.LoraConfig(task_type="CAUSAL_LM", **lora))
        adapter.save_pretrained(folder, safe_serialization=safe, save_embedding_layers=embeddings)
        return folder

    return make


@pytest.fixture(scope="module")
def good(make_adapter: Callable[..., Path]) -> Path:
    return make_adapter("good")


@pytest.fixture(scope="module")
def course(make_adapter: Callable[..., Path]) -> Path:
    """The Agents-course shape: r=16, alpha=64, the seven projections plus embed_tokens and lm_head, 8 new tokens."""
    targets = [*PROJECTIONS, "embed_tokens", "lm_head"]
    return make_adapter("course", r=16, lora_alpha=64, target_modules=targets, added_tokens=COURSE_TOKENS)


# name, how the adapter is made, check_adapter arguments ("BASE" = the tiny base folder), expected problem codes
CASES: list[tuple[str, dict[str, Any], dict[str, Any], set[str]]] = [
    ("good", {}, {}, set()),
    ("good-bin", {"safe": False}, {"base_model": "BASE"}, set()),
    ("modules-to-save", {"modules_to_save": ["lm_head"]}, {}, {"modules-to-save"}),
    ("dora", {"use_dora": True}, {}, {"dora"}),
    ("bias", {"bias": "all"}, {}, {"bias"}),
    ("rank-128", {"r": 128}, {"max_rank": 64}, {"rank-too-high"}),
    ("rank-128-fits", {"r": 128}, {"max_rank": 128}, set()),
    ("rank-pattern", {"rank_pattern": {"q_proj": 32}}, {"max_rank": 16}, {"rank-too-high"}),
    ("pissa", {"init_lora_weights": "pissa"}, {}, {"init"}),
    ("wrong-base", {}, {"base_model": "google/gemma-2-2b-it"}, {"base-mismatch"}),
    ("other-model", {"hidden": 64, "trained_on": "other/tiny-llama"}, {"base_model": "BASE"}, {"shape-mismatch"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "check", "expected"), CASES, ids=[case[0] for case in CASES])
def test_adapter_table(
    make_adapter: Callable[..., Path], base: Path, name: str, make: dict[str, Any], check: dict[str, Any], expected: set[str]
) -> None:  # fmt: skip
    folder = make_adapter(name, **make)
    if check.get("base_model") == "BASE":
        check = {**check, "base_model": str(base)}
    report = check_adapter(folder, **check)
    assert {problem.code for problem in report.problems} == expected, report.problems
    assert report.ok == (not expected)
    for problem in report.problems:
        assert "\n" not in problem.message
        assert problem.serve_merged_only == ("merged only" in problem.message)


def test_good_adapter_facts(good: Path, base: Path) -> None:
    report = check_adapter(good, base_model=str(base))
    assert report.ok and report.r == 16 and report.lora_alpha == 32
    assert report.lora_modules == tuple(sorted(PROJECTIONS))
    assert not (report.embedding_lora or report.lm_head_lora or report.full_embedding_weights)
    assert report.base_model_name_or_path == str(base) and report.smallest_max_lora_rank == 16


def test_rank_fix_names_the_server_flag(make_adapter: Callable[..., Path]) -> None:
    (problem,) = check_adapter(make_adapter("rank-300", r=300), max_rank=256).problems
    assert "--max-lora-rank 320" in problem.message and not problem.serve_merged_only
    (problem,) = check_adapter(make_adapter("rank-600", r=600), max_rank=512).problems
    assert problem.serve_merged_only


def test_course_adapter_is_served_merged_only(course: Path, base: Path) -> None:
    report = check_adapter(course, base_model=str(base))
    assert (report.r, report.lora_alpha) == (16, 64)
    assert report.embedding_lora and report.lm_head_lora and report.full_embedding_weights
    assert (report.vocab_size, report.base_vocab_size) == (VOCAB + 8, VOCAB)
    problems = {problem.code: problem for problem in report.problems}
    assert set(problems) == {"embedding-lora", "added-tokens"}
    assert all(problem.serve_merged_only for problem in report.problems)
    assert "embed_tokens and lm_head" in problems["embedding-lora"].message
    assert "is_base_embedding_weights" in problems["embedding-lora"].message
    added = problems["added-tokens"].message
    assert f"{VOCAB + 8} rows" in added and f"tokenizer has {VOCAB + 8} tokens" in added and "tokenizer" in added


def test_course_adapter_without_base_still_needs_merging(course: Path) -> None:
    report = check_adapter(course)
    assert [problem.code for problem in report.problems] == ["embedding-lora"]
    assert report.problems[0].serve_merged_only


def test_unknown_modules_and_tensors(good: Path, tmp_path: Path) -> None:
    """Names vLLM's parse_fine_tuned_lora_name rejects, and LoRA on a module that is no linear layer."""
    from safetensors.numpy import load_file, save_file

    folder = tmp_path / "odd"
    shutil.copytree(good, folder)
    tensors = load_file(folder / "adapter_model.safetensors")
    tensors["base_model.model.model.norm.lora_A.weight"] = tensors.pop(next(iter(tensors)))
    tensors["base_model.model.model.layers.0.mlp.up_proj.hada_w1_a"] = tensors[
        "base_model.model.model.norm.lora_A.weight"
    ]
    save_file(tensors, folder / "adapter_model.safetensors")
    problems = {problem.code: problem.message for problem in check_adapter(folder).problems}
    assert set(problems) == {"unsupported-modules", "unknown-tensors"}
    assert "LoRA on norm" in problems["unsupported-modules"] and "hada_w1_a" in problems["unknown-tensors"]


def _break_config(folder: Path) -> None:
    (folder / "adapter_config.json").write_text("{not json", encoding="utf-8")


def _corrupt_weights(folder: Path) -> None:
    (folder / "adapter_model.safetensors").write_bytes(b"\x00garbage")


ODD_CONFIG = '{"peft_type": "LORA", "r": "16", "target_modules": 5, "rank_pattern": [1], "base_model_name_or_path": 3}'
BROKEN: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("no-config", lambda f: (f / "adapter_config.json").unlink(), "config-unreadable", "adapter_config.json: missing"),
    ("not-json", _break_config, "config-unreadable", "adapter_config.json:1: not JSON"),
    ("not-lora", lambda f: (f / "adapter_config.json").write_text('{"peft_type": "IA3"}'), "not-lora", "'IA3'"),
    ("odd-types", lambda f: (f / "adapter_config.json").write_text(ODD_CONFIG), "rank-invalid", "positive integers"),
    ("list-config", lambda f: (f / "adapter_config.json").write_text("[1]"), "config-unreadable", "not a JSON object"),
    ("bad-tokenizer", lambda f: (f / "tokenizer.json").write_text("[1,"), "tokenizer-unreadable", "tokenizer.json"),
    ("no-weights", lambda f: (f / "adapter_model.safetensors").unlink(), "weights-missing", "adapter_model.safetensors"),
    ("bad-weights", _corrupt_weights, "weights-unreadable", "adapter_model.safetensors cannot be read"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "damage", "code", "text"), BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_folders(
    good: Path, tmp_path: Path, name: str, damage: Callable[[Path], None], code: str, text: str
) -> None:
    folder = tmp_path / name
    shutil.copytree(good, folder)
    damage(folder)
    report = check_adapter(folder)
    assert code in {problem.code for problem in report.problems}
    assert any(text in problem.message for problem in report.problems), report.problems


def test_unreadable_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(AdapterReadError, match="no such folder"):
        check_adapter(tmp_path / "absent")
    with pytest.raises(ValueError, match="max_lora_rank"):
        check_adapter(tmp_path, max_rank=48)


def test_cli_exit_codes_and_output(good: Path, course: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert main(["adapters", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "rank 16, alpha 32" in out and "q_proj" in out and "--max-lora-rank 16" in out
    assert main(["adapters", "check", str(course), "--max-rank", "16"]) == 1
    out = capsys.readouterr().out
    assert "alpha 64" in out and "embed_tokens" in out and "merged" in out
    assert main(["adapters", "check", str(tmp_path / "absent")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["adapters", "check", str(good), "--base-model", "other/model"]) == 1
    assert "other/model" in capsys.readouterr().out


def test_allowed_ranks_match_installed_vllm() -> None:
    """The rank table mirrors `MaxLoRARanks` in vllm/config/lora.py, read from source (importing vLLM takes seconds)."""
    spec = importlib.util.find_spec("vllm")
    if spec is None or spec.origin is None:
        pytest.skip("vLLM is not installed")
    source = (Path(spec.origin).parent / "config" / "lora.py").read_text(encoding="utf-8")
    assignment = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "MaxLoRARanks"
    )
    assert isinstance(assignment.value, ast.Subscript)
    assert ast.literal_eval(assignment.value.slice) == VLLM_MAX_LORA_RANKS
