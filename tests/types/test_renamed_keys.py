"""Config keys that were renamed (`[gate] variants` is `judge` now: `variants` names the kinds a run serves): the
old key is still read, with a warning that says where and what to write; a run's manifest, which nobody edits,
is read without one; and no committed config writes an old key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.run_config import RunConfig, load_run_config

ROOT = Path(__file__).resolve().parents[2]
DEPRECATED = "is deprecated"


@pytest.mark.parametrize(
    ("gate", "judged", "warning"),
    [
        ('judge = ["merged:*"]\n', ["merged:*"], None),
        ('variants = ["merged:*"]\n', ["merged:*"], ":4: gate.variants is deprecated; write gate.judge"),
        ("mode = 'lenient'\n", ["lora:*"], None),
    ],
)
def test_the_old_gate_key_is_read_with_a_warning_naming_file_line_and_new_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, gate: str, judged: list[str], warning: str | None
) -> None:
    path = tmp_path / "run.toml"
    path.write_text(f"name = 'x'\nvariants = ['base']\n[gate]\n{gate}must_beat = []\n")
    with caplog.at_level(logging.WARNING):
        assert load_run_config(path, files=False).gate.judge == judged
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == ([f"{path}{warning} (read as it for now)"] if warning else [])


def test_old_and_new_gate_key_together_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text("name = 'x'\n[gate]\njudge = ['lora:*']\nvariants = ['merged:*']\n")
    with pytest.raises(ConfigError, match=rf"^{path}:4: gate.variants: the old name of judge; write judge only$"):
        load_run_config(path, files=False)


def test_a_manifest_written_before_the_rename_is_read_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config = RunConfig.model_validate({"name": "x", "variants": ["base"], "gate": {"variants": ["merged:*"]}})
    assert config.gate.judge == ["merged:*"] and not caplog.records
    assert "variants" not in config.model_dump()["gate"] and config.model_dump()["gate"]["judge"] == ["merged:*"]


@pytest.mark.parametrize("path", sorted((ROOT / "configs").glob("*.toml")), ids=lambda path: path.name)
def test_no_committed_config_writes_an_old_key(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        load_run_config(path, files=False)
    assert not [record for record in caplog.records if DEPRECATED in record.getMessage()]
