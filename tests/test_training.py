"""Training fixtures end to end on the tiny model: recipe → adapter, loss curve, manifest and merged model in the
cache; an unchanged recipe reuses it, `--force` retrains; bad recipes and data fail with file and field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

import pytest

from harness.cli import main
from harness.fixtures import training
from harness.fixtures.adapter_check import check_adapter
from harness.fixtures.chat_template import END_OF_TURN, PLAIN, PromptFormat, render_prompt
from harness.fixtures.checkpoints import CHECKPOINTS, keep_checkpoints
from harness.fixtures.recipes import DataSpec, RecipeError, SftSpec, load_recipe
from harness.training_data import TrainingDataError, generate, load_examples
from harness.training_data.course_format import convert_turn
from harness.training_data.examples import KINDS
from harness.types import Message

ROOT = Path(__file__).resolve().parent.parent
COURSE_FILE = ROOT / "tests" / "data" / "course_format.jsonl"

TINY_RECIPE = """
name = "tiny-fc"
base = "tiny"
[data]
examples = 4
seed = 3
[lora]
r = 4
alpha = 8
target_modules = ["q_proj", "v_proj", "gate_proj"]
top_layers = 1
[sft]
learning_rate = 1e-3
max_steps = 2
batch_size = 2
max_length = 1024
checkpoint_every = 1
"""
UNCHECKPOINTED_SHA256 = "72418357ff6c6b5c3888e6c777b9fb792ad2662b43f77af842fb7693865cac0b"
"""The hash of TINY_RECIPE without `checkpoint_every`, as the code before that option computed it."""


@pytest.fixture(scope="module")
def trained(model_cache: Path, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> training.TrainedAdapter:
    recipe = tmp_path_factory.mktemp("recipes") / "tiny-fc.toml"
    recipe.write_text(TINY_RECIPE)
    return training.train(load_recipe(recipe))


@pytest.mark.slow
def test_training_writes_adapter_merged_model_and_manifest(trained: training.TrainedAdapter, tiny_model: Path) -> None:
    assert (trained.adapter / "adapter_model.safetensors").is_file()
    assert (trained.merged / "model.safetensors").is_file()
    assert (trained.merged / "tokenizer.json").is_file()
    manifest = trained.manifest
    assert (manifest.examples, manifest.recipe.name) == (4, "tiny-fc")
    assert manifest.train_tokens > 0 and manifest.seconds > 0
    losses = json.loads((trained.folder / training.LOSS).read_text())
    assert [entry["step"] for entry in losses] == [1, 2]
    config = json.loads((trained.adapter / "adapter_config.json").read_text())
    assert config["layers_to_transform"] == [1]  # top_layers = 1 of the tiny model's 2
    assert check_adapter(trained.adapter, base_model=str(tiny_model)).ok


@pytest.mark.slow
def test_training_keeps_the_checkpoints_asked_as_servable_adapters(
    trained: training.TrainedAdapter, tiny_model: Path
) -> None:
    """Step 1 of 2 is kept beside the final adapter (step 2): the weights only, an adapter vLLM can serve, and
    not the final one's."""
    assert (trained.manifest.steps, trained.manifest.checkpoints, trained.steps) == (2, [1], 2)
    kept = trained.checkpoint(1)
    assert sorted(p.name for p in (trained.folder / CHECKPOINTS).iterdir()) == ["step-1"]
    assert {"adapter_config.json", "adapter_model.safetensors"} <= {p.name for p in kept.iterdir()}
    assert not any("optimizer" in p.name or "scheduler" in p.name for p in kept.iterdir())
    assert check_adapter(kept, base_model=str(tiny_model)).ok
    weights = "adapter_model.safetensors"
    assert (kept / weights).read_bytes() != (trained.adapter / weights).read_bytes()


def test_a_recipe_keeps_every_kth_step_before_the_last() -> None:
    def kept(every: int | None, steps: int = 192) -> list[int]:
        return SftSpec(learning_rate=1e-3, max_steps=steps, checkpoint_every=every).kept_steps()

    assert kept(48) == [48, 96, 144]  # the final adapter is step 192
    assert kept(50) == [50, 100, 150]
    assert kept(None) == []


def test_checkpoints_count_in_the_cache_key_only_when_kept(tmp_path: Path) -> None:
    """Without `checkpoint_every` a recipe keeps the hash it had before the option existed, so its cached adapter is
    still used; keeping checkpoints makes another product, hence another key."""
    path = tmp_path / "tiny-fc.toml"
    path.write_text(TINY_RECIPE.replace("checkpoint_every = 1\n", ""))
    plain = load_recipe(path)
    assert training.recipe_sha256(plain) == UNCHECKPOINTED_SHA256
    path.write_text(TINY_RECIPE)
    assert training.recipe_sha256(load_recipe(path)) != UNCHECKPOINTED_SHA256


def test_the_checkpoint_callback_saves_the_adapter_at_the_steps_asked_only(tmp_path: Path) -> None:
    saved: list[Path] = []

    class Model:
        def save_pretrained(self, folder: Path) -> None:
            saved.append(folder)

    callback = keep_checkpoints([2, 4], tmp_path)
    for step in range(1, 7):
        callback.on_step_end(None, SimpleNamespace(global_step=step), None, model=Model())
    assert saved == [tmp_path / "checkpoints" / "step-2", tmp_path / "checkpoints" / "step-4"]
    assert callback.kept == [2, 4]


@pytest.mark.slow
def test_merged_model_computes_what_base_plus_adapter_computes(
    trained: training.TrainedAdapter, tiny_model: Path
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    inputs = torch.tensor([[1, 200, 3000, 45000, 17]])
    unmerged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), trained.adapter).eval()
    merged = AutoModelForCausalLM.from_pretrained(trained.merged).eval()
    base = AutoModelForCausalLM.from_pretrained(tiny_model).eval()
    with torch.no_grad():
        expected, got, plain = (m(inputs).logits for m in (unmerged, merged, base))
    assert torch.allclose(expected, got, atol=1e-4)
    assert not torch.allclose(plain, got, atol=1e-6), "the adapter changed nothing"


@pytest.mark.slow
def test_a_bf16_merge_is_made_from_the_cached_adapter_and_kept_beside_merged(
    trained: training.TrainedAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`merged/` is the fp32 merge; the bf16 one is merged again from `adapter/` and the base without training,
    kept in `merged-bf16/` and reused. Its weights are bf16 arithmetic's (base, adapter and sum rounded), not the
    fp32 merge rounded once, and stored in the base's own dtype (float32 for the tiny model)."""
    import torch
    from safetensors.torch import load_file

    def must_not_build(*_: object) -> None:
        raise AssertionError("merged again what the cache holds")

    stamp = (trained.folder / training.MANIFEST).stat().st_mtime_ns  # training rewrites it: nothing trains here
    assert trained.merge == "fp32" and trained.merged_in("fp32") == trained.merged
    bf16 = trained.merged_in("bf16")
    with monkeypatch.context() as patch:
        patch.setattr(training, "merge_adapter", must_not_build)
        assert trained.merged_in("bf16") == bf16 == trained.folder / "merged-bf16"
    assert (trained.folder / training.MANIFEST).stat().st_mtime_ns == stamp, "trained again what the cache holds"
    assert (bf16 / "tokenizer.json").is_file()
    fp32_weights, bf16_weights = (load_file(folder / "model.safetensors") for folder in (trained.merged, bf16))
    assert fp32_weights.keys() == bf16_weights.keys()
    assert {w.dtype for w in bf16_weights.values()} == {torch.float32}
    adapted = "model.layers.1.self_attn.q_proj.weight"  # top_layers = 1: the adapter is on the last layer only
    fp32, merged_in_bf16 = fp32_weights[adapted], bf16_weights[adapted]
    assert torch.equal(merged_in_bf16, merged_in_bf16.to(torch.bfloat16).float())  # bf16 values
    assert torch.allclose(fp32, merged_in_bf16, rtol=1e-2, atol=1e-3)
    assert not torch.equal(merged_in_bf16, fp32.to(torch.bfloat16).float()), "the fp32 merge, rounded once"


@pytest.mark.slow
def test_unchanged_recipe_reuses_the_cache_and_force_retrains(
    trained: training.TrainedAdapter, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = trained.manifest.recipe
    cached = training.train(recipe)
    assert cached.folder == trained.folder
    assert not cached.trained_now, "retrained an unchanged recipe"
    stamp = (trained.folder / training.MANIFEST).stat().st_mtime_ns
    again = training.train(recipe, force=True)
    assert again.folder == trained.folder and again.trained_now
    assert (again.folder / training.MANIFEST).stat().st_mtime_ns != stamp


def test_rows_carry_loss_on_every_answer_of_the_shared_template(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    for example in generate(6, seed=5, turns=3):
        row = training.token_row(tokenizer, example, PLAIN)
        assert len(row["input_ids"]) == len(row["completion_mask"])
        answers = [m.content for m in example.messages if m.role == "assistant"] + [example.answer]
        whole = render_prompt(tokenizer, example.messages, example.tools, PLAIN) + example.answer + END_OF_TURN
        assert tokenizer.decode(row["input_ids"]) == whole
        supervised = [token for token, loss in zip(row["input_ids"], row["completion_mask"], strict=True) if loss]
        assert tokenizer.decode(supervised) == "".join(answer + END_OF_TURN for answer in answers)


def test_a_template_that_rewrites_history_cannot_train_on_every_turn(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    example = generate(1, seed=5, turns=2)[0]

    def forgetful(tokenizer: Any, messages: list[Message], tools: list[Any], prompt: PromptFormat) -> str:
        """Leaves earlier answers out of the history, as reasoning templates do with their thinking."""
        return render_prompt(tokenizer, [m for m in messages if m.role != "assistant"], tools, prompt)

    monkeypatch.setattr(training, "render_prompt", forgetful)
    with pytest.raises(training.TemplateError, match="renders an earlier assistant turn differently"):
        training.token_row(tokenizer, example, PLAIN)


def test_rows_longer_than_max_length_are_left_out_and_counted(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    rows = [training.token_row(tokenizer, e, PLAIN) for e in generate(20, seed=5)]
    lengths = [len(r["input_ids"]) for r in rows]
    limit = sorted(lengths)[len(lengths) // 2]
    kept, too_long = training.fitting_rows(rows, limit)
    assert too_long == sum(n > limit for n in lengths) > 0
    assert kept == [r for r, n in zip(rows, lengths, strict=True) if n <= limit]


# (recipe text, fragment of the error)
BAD_RECIPES = [
    ("name = 'x'\nbase = 'tiny'\n[lora]\nr = 4\nalpha = 8\ntarget_modules = ['q_proj']\n", "sft: Field required"),
    (TINY_RECIPE.replace("max_steps = 2", "max_steps = 2\nepochs = 1"), "set exactly one of max_steps and epochs"),
    (TINY_RECIPE.replace("r = 4", "r = 0"), "lora.r: Input should be greater than or equal to 1"),
    (TINY_RECIPE.replace('name = "tiny-fc"', 'name = "Tiny FC"'), "name: String should match pattern"),
    (TINY_RECIPE.replace("seed = 3", "sead = 3"), "data.sead: unknown key; did you mean 'seed'?"),
    (TINY_RECIPE.replace("seed = 3", "seed = 3\nholdout = 2"), "data: holdout leaves rows"),
    (
        TINY_RECIPE.replace("max_steps = 2", "epochs = 1"),
        "sft.checkpoint_every: needs max_steps (the steps of an epochs recipe depend on its data)",
    ),
    (TINY_RECIPE.replace("checkpoint_every = 1", "checkpoint_every = 2"), "checkpoint_every: 2 keeps no step"),
    (TINY_RECIPE.replace("checkpoint_every = 1", "checkpoint_every = 0"), "sft.checkpoint_every: Input should be"),
    ("name = [", "not TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_RECIPES)
def test_bad_recipes_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RecipeError, match=None) as raised:
        load_recipe(path)
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", str(raised.value)) and message in str(raised.value)


def test_train_cli_reports_a_bad_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: cannot read" in capsys.readouterr().err.replace("\n", "")


def test_course_format_file_converts_to_our_template() -> None:
    examples = load_examples(DataSpec(source=str(COURSE_FILE), examples=100, seed=0))
    assert len(examples) == 4  # one per model turn: 2 + 1 + 1
    by_answer = {e.answer: e for e in examples}
    movie = by_answer[
        "<think>The user wants movie details, so I call get_movie_details with the title and year.</think>"
        '<tool_call>{"name": "get_movie_details", "arguments": {"title": "Inception", "year": 2010}}</tool_call>'
    ]
    assert [t.name for t in movie.tools] == ["get_movie_details", "calculate_tip"]
    assert [m.role for m in movie.messages] == ["user"]
    follow_up = by_answer["Inception (2010) was directed by Christopher Nolan."]
    assert [m.role for m in follow_up.messages] == ["user", "assistant", "tool"]
    assert follow_up.messages[2].content.startswith("{'title': 'Inception'")
    tips = next(e for e in examples if e.kind == "parallel")
    assert tips.answer.count('"name": "calculate_tip"') == 2


# (file content, fragment of the error)
BAD_COURSE_DATA = [
    ('{"messages": []}\n', "row 0: 'messages' is missing or empty"),
    ('{"messages": [{"role": "robot", "content": "x"}]}\n', "row 0: messages[0]: expected a role"),
    ('{"messages": [{"role": "system", "content": "<tools> [{oops </tools>"}]}\n', "row 0: the <tools> block"),
    ('{"messages": [{"role": "human", "content": "x"}, {"role": "model", "content": "<tool_call>{nope</tool_call>"}]}\n',
     "row 0: unreadable tool call"),
    ("{not json\n", ":1: not JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "message"), BAD_COURSE_DATA)
def test_bad_course_data_names_the_row(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(content)
    with pytest.raises(TrainingDataError) as raised:
        load_examples(DataSpec(source=str(path)))
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_hub_dataset_without_network_fails_clearly() -> None:
    with pytest.raises(TrainingDataError, match="cannot load dataset 'harness-tests/no-such-dataset'"):
        load_examples(DataSpec(source="hub:harness-tests/no-such-dataset"))


def test_single_quoted_calls_become_json() -> None:
    turn = "<think>x</think><tool_call>\n{'name': 'f', 'arguments': {'a': True}}\n</tool_call>"
    assert convert_turn(turn) == '<think>x</think><tool_call>{"name": "f", "arguments": {"a": true}}</tool_call>'


def test_a_recipe_mix_names_the_generator_kinds() -> None:
    """The recipe types spell the kinds out (importing the generator there would be circular): kept equal here."""
    (mix,) = (arg for arg in get_args(DataSpec.model_fields["mix"].annotation) if arg is not type(None))
    assert get_args(get_args(mix)[0]) == KINDS


@pytest.mark.parametrize("path", sorted((ROOT / "adapters").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_recipes_load(path: Path) -> None:
    recipe = load_recipe(path)
    assert recipe.name == path.stem


def test_fixture_recipes_share_data_and_shape_with_fc_good() -> None:
    """fc-undertrained is fc-good stopped early; fc-broken is fc-good's recipe on fewer, corrupted conversations,
    without asks: a control for calls (a corruption keeps a question back as it is), whose data and cached
    fixture stayed as they were when fc-good's data gained asks."""
    good, weak, broken = (
        load_recipe(ROOT / "adapters" / f"{n}.toml") for n in ("fc-good", "fc-undertrained", "fc-broken")
    )
    assert weak.lora == good.lora and broken.lora == good.lora
    assert weak.data == good.data
    assert good.data.mix and "ask" in good.data.mix
    without_asks = {kind: weight for kind, weight in good.data.mix.items() if kind != "ask"}
    assert broken.data == good.data.model_copy(
        update={"corruption": "swapped_functions", "examples": broken.data.examples, "mix": without_asks}
    )
    assert weak.sft.max_steps is not None and good.sft.max_steps is not None
    assert weak.sft.max_steps * 5 <= good.sft.max_steps
    for other in (weak, broken):
        same = {
            "max_steps": good.sft.max_steps,
            "warmup": good.sft.warmup,
            "checkpoint_every": good.sft.checkpoint_every,
        }
        assert other.sft.model_copy(update=same) == good.sft
