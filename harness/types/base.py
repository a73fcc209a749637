"""The base of every on-disk shape: strict, immutable, documented, versioned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

SUITE_VERSION = 1
RUN_LOG_VERSION = 1

JsonValue = Any
"""Any JSON value: suites and model outputs are JSON, and their values are compared, not interpreted."""


class Frozen(BaseModel):
    """Base for every type: strict about unknown fields, immutable, field docstrings become schema descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class RenamedKeys(BaseModel):
    """A model some of whose keys were renamed: it still reads the old names, so that files written before (a
    config, the config a run's manifest recorded) load as they did. The TOML reader warns where a file the user
    edits still writes one (`toml_files`); a manifest, which nobody edits, is read without a word."""

    renamed_keys: ClassVar[Mapping[str, str]] = {}
    """Old key → its name now."""

    @model_validator(mode="before")
    @classmethod
    def _read_old_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not cls.renamed_keys.keys() & data.keys():
            return data
        for old, new in cls.renamed_keys.items():
            if old in data and new in data:
                raise ValueError(f"{old}: the old name of {new}; write {new} only")
        return {cls.renamed_keys.get(key, key): value for key, value in data.items()}
