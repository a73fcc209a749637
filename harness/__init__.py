"""Evaluation-first benchmark harness for function-calling LoRA adapters."""

__version__ = "0.1.0"
