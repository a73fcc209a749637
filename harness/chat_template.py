"""The one tool-aware chat template, shared by training, vLLM (`--chat-template`) and the reference backend.

Rendering always goes through the tokenizer's own `apply_chat_template` with this template, which is what vLLM's
OpenAI server does too, so the prompt a model is trained on is byte for byte the prompt it is served.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from harness.types import Message, Tool

TEMPLATE_NAME = "hermes_tools.jinja"
TEMPLATE_ID = "harness-hermes-v1"
"""Recorded in manifests: which template a model was trained and served with."""


class ChatTokenizer(Protocol):
    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> Any: ...


def template_path() -> Path:
    """The template file, for vLLM's `--chat-template`."""
    return Path(str(resources.files("harness") / "templates" / TEMPLATE_NAME))


@cache
def template_text() -> str:
    return template_path().read_text(encoding="utf-8")


def openai_tools(tools: Sequence[Tool]) -> list[dict[str, Any]]:
    """Tools in the OpenAI request shape, which both vLLM and `apply_chat_template` take."""
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tools
    ]


def render_prompt(tokenizer: ChatTokenizer, messages: Sequence[Message], tools: Sequence[Tool]) -> str:
    """The prompt text up to the assistant's turn, exactly as the server renders it."""
    return str(
        tokenizer.apply_chat_template(
            [m.model_dump() for m in messages],
            tools=openai_tools(tools) or None,
            chat_template=template_text(),
            add_generation_prompt=True,
            tokenize=False,
        )
    )


END_OF_TURN = "<|im_end|>"
"""What closes an assistant turn in the template; the training target ends with it so the model learns to stop."""
