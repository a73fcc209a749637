"""Training examples for function-calling adapters: generated from the built-in tool pool, or loaded from data."""

from harness.training_data.corruptions import Corruption
from harness.training_data.examples import TrainingExample, tool_pool, user_messages
from harness.training_data.generator import generate
from harness.training_data.sources import TrainingDataError, load_examples

__all__ = [
    "Corruption",
    "TrainingDataError",
    "TrainingExample",
    "generate",
    "load_examples",
    "tool_pool",
    "user_messages",
]
