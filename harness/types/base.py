"""The base of every on-disk shape: strict, immutable, documented, versioned."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

SUITE_VERSION = 1
RUN_LOG_VERSION = 1

JsonValue = Any
"""Any JSON value: suites and model outputs are JSON, and their values are compared, not interpreted."""


class Frozen(BaseModel):
    """Base for every type: strict about unknown fields, immutable, field docstrings become schema descriptions."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
