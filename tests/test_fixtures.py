"""Base-model fixtures: the tiny test model is built once and cached by content, local folders pass through, and
hub names and broken folders fail with a message instead of a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from harness.fixtures.base_model import TINY, fixture_info, materialise_base
from harness.fixtures.cache import CACHE_ENV, DONE, cache_root, cached_folder
from harness.fixtures.chat_template import (
    PLAIN,
    TEMPLATE_ID,
    openai_tools,
    render_prompt,
    template_path,
    template_text,
)
from harness.fixtures.embedded import FixtureError
from harness.types import Message, Tool


def test_tiny_model_is_a_plain_hf_folder(tiny_model: Path) -> None:
    from transformers import AutoConfig, AutoTokenizer

    assert {"config.json", "model.safetensors", "tokenizer.json", DONE} <= {p.name for p in tiny_model.iterdir()}
    config = AutoConfig.from_pretrained(tiny_model)
    assert (config.model_type, config.num_hidden_layers, config.vocab_size) == ("llama", 2, 49152)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    assert tokenizer.chat_template == template_text()
    info = fixture_info(tiny_model)
    assert info is not None and info.chat_template == TEMPLATE_ID


def test_materialising_again_reuses_the_cache(tiny_model: Path) -> None:
    stamp = (tiny_model / DONE).stat().st_mtime_ns
    assert materialise_base(TINY) == tiny_model
    assert (tiny_model / DONE).stat().st_mtime_ns == stamp


def test_cli_prints_the_folder(tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", "base", TINY]) == 0
    assert capsys.readouterr().out.strip().replace("\n", "") == str(tiny_model)


def test_local_folder_passes_through(tiny_model: Path, tmp_path: Path) -> None:
    assert materialise_base(str(tiny_model)) == tiny_model.resolve()
    with pytest.raises(FixtureError, match="not a Hugging Face model folder"):
        materialise_base(str(tmp_path))


# (name, message fragment): names that cannot become a model here, each with its own reason
BAD_NAMES = [
    ("smollm3", "unknown model 'smollm3'"),
    ("harness-tests/no-such-model-anywhere", "cannot fetch 'harness-tests/no-such-model-anywhere'"),
    ("/no/such/model", "/no/such/model: no such folder; give a model folder"),  # a path, never asked of the hub
    (__file__, f"{__file__}: not a folder; give a model folder"),
]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_bad_names_fail_clearly(name: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(FixtureError, match=message):
        materialise_base(name)
    assert main(["fixtures", "base", name]) == 2
    assert message in capsys.readouterr().err.replace("\n", "")


def test_cache_root_follows_conventions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "explicit"))
    assert cache_root() == tmp_path / "explicit"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "fc-harness"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "fc-harness"


def test_interrupted_build_keeps_the_previous_entry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = cached_folder("things", "k", lambda folder: (folder / "v").write_text("1"))

    def broken(folder: Path) -> None:
        (folder / "v").write_text("2")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_folder("things", "k", broken, force=True)
    assert (first / "v").read_text() == "1"
    assert [p.name for p in (tmp_path / "things").iterdir()] == ["k"]


def test_builds_killed_outright_leave_no_staging_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    gone = subprocess.Popen(["true"])  # a process that has ended: its id names an abandoned build
    gone.wait()
    dead = tmp_path / "things" / f".old.building-{gone.pid}"
    alive = tmp_path / "things" / f".other.building-{os.getpid()}"
    for staging in (dead, alive):
        (staging / "half").mkdir(parents=True)
    cached_folder("things", "k", lambda folder: (folder / "v").write_text("1"))
    assert not dead.exists() and alive.exists()


def test_template_renders_tools_in_the_system_turn(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    tool = Tool(name="get_time", description="Time now.", parameters={"type": "object", "properties": {}})
    prompt = render_prompt(tokenizer, [Message(role="user", content="What time is it?")], [tool], PLAIN)
    assert prompt.startswith("<|im_start|>system\n")
    assert json.dumps(openai_tools([tool])[0]["function"]) in prompt
    assert prompt.endswith("<|im_start|>user\nWhat time is it?<|im_end|>\n<|im_start|>assistant\n")
    plain = render_prompt(tokenizer, [Message(role="user", content="Hi")], [], PLAIN)
    assert plain == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    assert template_path().is_file()
