"""Executable environments for multi-turn episodes: the registry of environment classes, and the sandbox that runs
the model's tool calls on them in a worker process (`replay` scores turns with it)."""

from harness.environments.calls import CallOutcome, Limits, StateComparison
from harness.environments.registry import ENVIRONMENTS, EnvironmentSetupError
from harness.environments.sandbox import Sandbox, check_environment

__all__ = [
    "ENVIRONMENTS",
    "CallOutcome",
    "EnvironmentSetupError",
    "Limits",
    "Sandbox",
    "StateComparison",
    "check_environment",
]
