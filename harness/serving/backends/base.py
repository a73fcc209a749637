"""The one protocol every backend speaks: a conversation and tools in, an `Answer` out.

Backends raise `BackendUnavailable` only when the endpoint cannot be reached at all (a dead server), so that the
runner can restart it and retry; every other failure of a request is an `Answer` with `error` set, which is
recorded in the run log and never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from harness.errors import HarnessError
from harness.generation.settings import GenerationSettings
from harness.types import Answer, Message, Tool


class BackendUnavailable(HarnessError):
    """The endpoint could not be reached; the request was not answered and may be retried."""


class Backend(Protocol):
    """Anything that answers chat requests with tools."""

    async def generate(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> Answer:
        """One answer; greedy and seeded as the settings say."""
        ...

    async def aclose(self) -> None:
        """Release connections or models."""
        ...
