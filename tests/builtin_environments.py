"""The built-in environment classes loaded in-process, in place of the sandbox's `check_environment` for the suite
rules until the sandbox is merged: same question (does the class take this state?), answered by the class."""

from __future__ import annotations

from harness.suites.gold import BUILTIN_CLASSES
from harness.types import EnvironmentState


def load_directly(environment: EnvironmentState, long_context: bool = False) -> str | None:
    """Why the built-in class rejects the state, or the name is not a built-in environment; None when it loads."""
    cls = BUILTIN_CLASSES.get(environment.name)
    if cls is None:
        return f"unknown environment {environment.name!r}; known: {', '.join(sorted(BUILTIN_CLASSES))}"
    try:
        cls()._load_scenario(dict(environment.state), long_context=long_context)
    except ValueError as error:
        return f"{environment.name} rejects the state: {error}"
    return None
