"""The one base of the harness's own errors: the CLI prints their message (which names the file, line or field)
and exits 2, instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Self


class HarnessError(Exception):
    """An input or environment problem the user can fix; the message says what and where."""


class FileReadError(HarnessError):
    """A file that cannot be read as what it should be; the message names it (and the line, where known)."""

    def __init__(self, message: str, *, reason: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        """What is wrong, without the file's name: for callers that locate it their own way (suite problems)."""
        self.line = line

    @classmethod
    def at(cls, path: Path, reason: str, line: int | None = None) -> Self:
        where = f"{path}:{line}" if line else str(path)
        return cls(f"{where}: {reason}", reason=reason, line=line)


class ConfigError(FileReadError):
    """A run config that cannot be used; the message names the file and the field. Here rather than beside the
    run config so that a stage reading its own settings raises it without importing the config that composes
    them."""
