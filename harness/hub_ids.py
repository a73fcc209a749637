"""Whether a name in a config or on a command line is a local folder or a Hugging Face hub repository.

One rule for every place that accepts either (an adapter's `path`, `harness adapters check`), the one
`fixtures.base_model.materialise_base` applies to bases: a path-looking string or an existing folder is a folder,
`OWNER/NAME` otherwise. Pure, so that the run config can tell a hub id from a missing file without the fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path

HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
"""`OWNER/NAME` as the hub spells repositories: one slash, no path syntax."""


def hub_id(value: str, relative_to: Path) -> str | None:
    """`value` when it names a hub repository, None when it names a folder: an absolute, `./`, `../` or `~` path,
    anything with more or fewer than one slash, or a name that exists relative to `relative_to` (a local folder
    that happens to be spelt `OWNER/NAME` wins over the hub)."""
    if value.startswith(("/", ".", "~")) or not HUB_ID.fullmatch(value):
        return None
    return None if (relative_to / value).exists() else value
