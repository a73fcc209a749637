"""Settings keyed by suite-name patterns (`"*"`, `"bfcl:*"`, `"heldout"`), as configs write them."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")


def most_specific(settings: Mapping[str, T], name: str) -> T | None:
    """The value of the most specific pattern that matches `name`: an exact name over a wildcard, and a longer
    wildcard over a shorter one, so that `{"*" = 6, "heldout" = 40}` means what it reads as."""
    matches = [(pattern, value) for pattern, value in settings.items() if fnmatch.fnmatchcase(name, pattern)]
    matches.sort(key=lambda item: ("*" in item[0] or "?" in item[0], -len(item[0])))
    return matches[0][1] if matches else None


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Whether a variant or suite name matches any of a config's glob patterns (`merged:*`)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
