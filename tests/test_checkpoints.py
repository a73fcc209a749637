"""Checkpoints as adapters, without an engine: the config names them, the plan serves each unmerged from the one
LoRA server as a variant with its step, serving pairs and the gate leave them alone, the unmerged sample does not
cut them, and the learning curve is read off a synthetic run by typed step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from run_factory import CASES, SILENT_CASES, gate_of, synthetic_run

from harness.errors import ConfigError
from harness.generation.prepare import read_recipes
from harness.reports.curve import learning_curves
from harness.run_config import RunConfig, load_run_config
from harness.runs.view import load_run
from harness.serving.plan import AdapterFiles, Checkpoint, plan_run
from harness.serving.vllm_server import server_arguments
from harness.types import ParseMode

ROOT = Path(__file__).resolve().parent.parent


def good(*steps: int) -> AdapterFiles:
    """fc-good-like: 8 steps, final at step 8, with checkpoints at `steps`."""
    kept = tuple(Checkpoint(s, Path(f"/c/good/step-{s}"), "0") for s in steps)
    return AdapterFiles(
        name="good", adapter=Path("/a/good"), merged=Path("/m/good"), rank=16, sha256="0", step=8,
        checkpoints=kept,
    )  # fmt: skip


def test_each_checkpoint_is_an_unmerged_variant_with_its_step_on_the_one_lora_server() -> None:
    config = RunConfig(
        name="x", variants=["base", "lora", "merged"], adapters=[{"name": "good", "recipe": "g", "checkpoints": "all"}]
    )
    variants, plans = plan_run(config, Path("/base"), [good(2, 4, 6)], None, {})
    assert [(v.name, v.role, v.adapter_name, v.step, v.checkpoint) for v in variants] == [
        ("base", "base", None, None, False),
        ("lora:good@2", "lora", "good", 2, True),
        ("lora:good@4", "lora", "good", 4, True),
        ("lora:good@6", "lora", "good", 6, True),
        ("lora:good", "lora", "good", 8, False),
        ("merged:good", "merged", "good", 8, False),
    ]
    assert [p.name for p in plans] == ["lora-server", "merged-good"]  # N checkpoints, one server
    lora = plans[0].spec
    assert lora is not None and lora.max_lora_rank == 16
    assert plans[0].models["lora:good@4"] == "good@4" and lora.loras["good@4"] == Path("/c/good/step-4")
    # Every checkpoint holds an adapter slot, plus the spare one that keeps `base` the base.
    assert "--max-loras 5 " in " ".join(server_arguments(lora, 8000))
    # The final forms pair up; a checkpoint has no merged counterpart (nothing pairs on names).
    assert variants[4].serving_pair(variants) == (variants[4], variants[5])
    assert variants[1].serving_pair(variants) is None
    # The unmerged sample cuts the final adapter's unmerged form only: checkpoints answer every case.
    sampling = RunConfig.model_validate(
        config.model_dump() | {"suites": {"unmerged_sample": 1}, "gate": {"variants": ["merged:*"]}}
    )
    sampled, _ = plan_run(sampling, Path("/base"), [good(2, 4, 6)], None, {}, {"s": ["c1"]})
    assert [v.name for v in sampled if v.asked is not None] == ["lora:good"]


def test_checkpoints_of_an_adapter_served_merged_only_still_get_the_lora_server() -> None:
    config = RunConfig(
        name="x",
        variants=["lora", "merged"],
        adapters=[{"name": "good", "recipe": "g", "checkpoints": [4], "serve_unmerged": False}],
    )
    variants, plans = plan_run(config, Path("/base"), [good(4)], None, {})
    assert [v.name for v in variants] == ["lora:good@4", "merged:good"]
    lora = plans[0].spec
    assert lora is not None and dict(lora.loras) == {"good@4": Path("/c/good/step-4")} and lora.max_lora_rank == 16


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[adapters]]\nname = 'a'\npath = 'p'\ncheckpoints = 'all'\n", "checkpoints: only a recipe adapter has them"),
        (
            "[[adapters]]\nname = 'a'\nrecipe = 'r'\ncheckpoints = [2, 2]\n",
            "5: adapters.0.checkpoints: a step is named",
        ),
        (
            "[[adapters]]\nname = 'a'\nrecipe = 'r'\ncheckpoints = [0]\n",
            '5: adapters.0.checkpoints: "all" or a list of',
        ),
        (
            "[[adapters]]\nname = 'a'\nrecipe = 'r'\ncheckpoints = 'some'\n",
            '5: adapters.0.checkpoints: "all" or a list',
        ),
        (
            "variants = ['merged']\n[[adapters]]\nname = 'a'\nrecipe = 'r'\ncheckpoints = [2]\n",
            '2: variants: checkpoints are served unmerged; add "lora"',
        ),
    ],
)
def test_bad_checkpoint_configs_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = 'x'\n" + text)
    with pytest.raises(ConfigError) as error:
        load_run_config(path, files=False)
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", str(error.value)) and message in str(error.value)


TINY_RECIPE = """
name = "tiny"
base = "tiny"
[lora]
r = 4
alpha = 8
target_modules = ["q_proj"]
[sft]
learning_rate = 1e-3
max_steps = 6
checkpoint_every = 2
"""


def test_steps_the_recipe_does_not_keep_stop_the_run_at_their_line(tmp_path: Path) -> None:
    """Checked against the recipe before anything is trained: `all` takes what it keeps, a list only kept steps."""
    (tmp_path / "tiny.toml").write_text(TINY_RECIPE)
    (tmp_path / "plain.toml").write_text(TINY_RECIPE.replace("checkpoint_every = 2\n", ""))
    config = tmp_path / "run.toml"
    config.write_text(
        "name = 'x'\nvariants = ['lora']\n"
        "[[adapters]]\nname = 'tiny'\nrecipe = 'tiny.toml'\ncheckpoints = 'all'\n"
        "[[adapters]]\nname = 'plain'\nrecipe = 'plain.toml'\n"
    )
    assert sorted(read_recipes(load_run_config(config, files=False), config)) == ["plain", "tiny"]
    config.write_text(config.read_text().replace("'all'", "[2, 3, 6]") + "checkpoints = [2]\n")
    with pytest.raises(ConfigError) as error:
        read_recipes(load_run_config(config, files=False), config)
    assert str(error.value) == (
        f"{config}:6: adapters.0.checkpoints: tiny.toml does not keep step 3, 6; it keeps 2, 4 (step 6 is the final"
        f" adapter, lora:tiny); {config}:10: adapters.1.checkpoints: plain.toml keeps none; set checkpoint_every in"
        " its [sft]"
    )


STEPS = {"lora:good@10": 10, "lora:good@20": 20, "lora:good": 30, "merged:good": 30}


def test_the_learning_curve_is_read_off_the_run_by_typed_step(tmp_path: Path) -> None:
    """`calls` is in distribution, `silence` out of it. The final step is answered by the form asked every case:
    unmerged here, merged when unmerged answered an unmerged sample only."""
    right = {"lora:good@10": 6, "lora:good@20": 15, "lora:good": 24, "merged:good": 23, "merged:weak": 3}
    silent = {"lora:good@10": 2, "lora:good@20": 5, "lora:good": 8, "merged:good": 8, "merged:weak": 0}
    view = load_run(synthetic_run(tmp_path / "run", right, silent=silent, held_out=frozenset({"calls"}), steps=STEPS))
    (curve,) = learning_curves(view, ParseMode.STRICT)  # merged:weak has one step: no curve
    assert (curve.adapter, curve.steps, curve.variants) == (
        "good",
        (10, 20, 30),
        ("lora:good@10", "lora:good@20", "lora:good"),
    )
    lines = {line.label: line for line in curve.lines}
    assert list(lines) == ["all in-dist.", "all out-dist.", "calls", "silence"]
    assert [(p.successes, p.trials) for p in lines["all in-dist."].points] == [(6, CASES), (15, CASES), (24, CASES)]
    assert lines["calls"].points == lines["all in-dist."].points and not lines["calls"].pooled
    assert [p.successes for p in lines["silence"].points] == [2, 5, 8] and lines["silence"].distribution == "out"
    assert all(p.trials == SILENT_CASES for p in lines["all out-dist."].points)

    sampled = load_run(
        synthetic_run(tmp_path / "sampled", right, held_out=frozenset({"calls"}), steps=STEPS, unmerged_sample=4)
    )
    (curve,) = learning_curves(sampled, ParseMode.STRICT)
    assert curve.variants[-1] == "merged:good" and curve.lines[0].points[-1].successes == 23


def test_the_gate_never_judges_a_checkpoint(tmp_path: Path) -> None:
    run = synthetic_run(
        tmp_path / "run",
        {"base": 5, "lora:good@10": 2, "lora:good": 25},
        silent={"base": 10, "lora:good@10": 0, "lora:good": 10},
        steps=STEPS,
        config={"name": "x", "gate": {"variants": ["lora:*"]}},
    )
    assert [v.variant for v in gate_of(run).verdicts] == ["lora:good"]


def test_committed_configs_name_only_checkpoints_their_recipes_keep() -> None:
    for path in sorted((ROOT / "configs").glob("*.toml")):
        read_recipes(load_run_config(path), path)


@pytest.mark.parametrize(("recorded", "steps"), [(None, 192), (190, 190)])
def test_a_trained_adapter_knows_its_final_step_and_merge(recorded: int | None, steps: int) -> None:
    """What `prepare` reads off a cached fixture to type its variants: the final step as a number (as training
    counted it, else as the recipe set it, for manifests written before steps were recorded) and the merge."""
    from harness.fixtures.recipes import load_recipe
    from harness.fixtures.training import TrainedAdapter, TrainingManifest

    manifest = TrainingManifest(
        recipe=load_recipe(ROOT / "adapters" / "fc-good.toml"),
        recipe_sha256="r",
        data_sha256="d",
        base_sha256="b",
        base_path="b",
        examples=1,
        train_tokens=1,
        seconds=1.0,
        final_loss=None,
        steps=recorded,
    )
    trained = TrainedAdapter(Path("entry"), manifest, trained_now=False, base=Path("b"))
    assert (trained.steps, trained.merge, trained.checkpoint(32)) == (steps, "fp32", Path("entry/checkpoints/step-32"))
