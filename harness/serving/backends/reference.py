"""The in-process reference: transformers (+ peft for an unmerged adapter), greedy, one request at a time.

It is slow and has no serving timings worth reporting; it exists to check vLLM. If vLLM's LoRA output equals
the base's, or differs from what the same adapter gives in plain PyTorch, the adapter was not applied as
trained: `harness parity` compares the two from one run log.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.fixtures.adapter_merge import added_tokens
from harness.fixtures.chat_template import PromptFormat, openai_tools, render_prompt
from harness.fixtures.merging import load_with_tokens
from harness.generation.settings import GenerationSettings
from harness.types import Answer, Message, Timings, Tool


class ReferenceBackend:
    """A model folder, optionally with a PEFT adapter applied unmerged, loaded once in float32. Prompts are
    rendered with the shared template in `prompt`'s format, or with the model's own template when it is None."""

    def __init__(self, model_dir: Path, adapter: Path | None = None, *, prompt: PromptFormat | None) -> None:
        import torch

        self._torch = torch
        # An adapter that adds tokens (the Agents course's) was trained on the base resized with them, and its
        # prompts are tokenized with them: loaded as training and merging load it.
        tokens = added_tokens(adapter, model_dir) if adapter is not None else []
        model, self.tokenizer = load_with_tokens(model_dir, torch.float32, tokens)
        if adapter is not None:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, adapter)
        self.model = model.eval()
        self.prompt = prompt
        self._lock = threading.Lock()

    def _prompt(self, messages: Sequence[Message], tools: Sequence[Tool]) -> str:
        if self.prompt is not None:
            return render_prompt(self.tokenizer, messages, tools, self.prompt)
        return str(
            self.tokenizer.apply_chat_template(
                [m.chat() for m in messages],
                tools=openai_tools(tools) or None,
                add_generation_prompt=True,
                tokenize=False,
            )
        )

    def _generate(self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings) -> Answer:
        prompt = self._prompt(messages, tools)
        encoded = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        sampling: dict[str, Any] = (
            {"do_sample": True, "temperature": settings.temperature}
            if settings.temperature > 0
            else {"do_sample": False}
        )
        began = time.perf_counter()
        with self._lock, self._torch.inference_mode():
            self._torch.manual_seed(settings.seed)
            output = self.model.generate(
                **encoded,
                max_new_tokens=settings.max_tokens,
                stop_strings=settings.stop or None,
                tokenizer=self.tokenizer,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                **sampling,
            )
        ended = time.perf_counter()
        new = output[0, encoded["input_ids"].shape[1] :].tolist()
        text = str(self.tokenizer.decode(new, skip_special_tokens=True))
        finish = "length"
        for stop in settings.stop:
            if stop in text:  # like vLLM, the stop string itself is not part of the answer
                text, finish = text[: text.index(stop)], "stop"
        if new and new[-1] == self.tokenizer.eos_token_id:
            finish = "stop"
        return Answer(
            text=text,
            finish_reason=finish,
            prompt_tokens=int(encoded["input_ids"].shape[1]),
            completion_tokens=len(new),
            timings=Timings(e2e_s=ended - began),
        )

    async def generate(
        self, messages: Sequence[Message], tools: Sequence[Tool], settings: GenerationSettings
    ) -> Answer:
        return await asyncio.to_thread(self._generate, messages, tools, settings)

    async def aclose(self) -> None:
        return None
