"""Seeded function-calling training examples, drawn from the generator's own tool pool.

The adapter must learn the Hermes format and to read argument values out of a request for tools it has never seen
(the evaluation suites use other tools), so the generator favours variety over volume: about fifty tools in many
domains, every JSON Schema type, several phrasings per tool, optional arguments stated only when passed, confusable
distractors, and requests that no offered tool fits. Every value in a target call is stated in the user's text in
a form that maps to exactly that value. Everything is drawn from one `random.Random(seed)`: same arguments, same
examples.

Training draws from `TRAINING_POOL`; `HELDOUT_POOL` (tools, small talk and knowledge questions that training never
sees) feeds the held-out in-distribution suite, so that suite shares the training data's shape but none of its
requests or calls.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from harness.parsing import format_tool_calls, parse_strict
from harness.training_data.no_call_replies import (
    HELDOUT_KNOWLEDGE,
    HELDOUT_SMALL_TALK,
    KNOWLEDGE,
    NEAR_MISS_REPLIES,
    SMALL_TALK,
)
from harness.training_data.phrasings import PHRASINGS
from harness.training_data.renaming import rename_tools
from harness.training_data.tool_pool import HELDOUT_TOOLS, SPECS
from harness.training_data.tool_specs import ToolSpec
from harness.training_data.wording import NUMBER_WORDS, draw_arguments, end_sentence, fanned_request, request
from harness.types import Frozen, Message, Tool, ToolCall

Kind = Literal["single", "multiple", "parallel", "no_call"]
KINDS: tuple[Kind, ...] = ("single", "multiple", "parallel", "no_call")
DEFAULT_MIX: Mapping[str, float] = {"single": 0.45, "multiple": 0.25, "parallel": 0.15, "no_call": 0.15}

_BY_NAME = {spec.tool.name: spec for spec in SPECS}
_OPTIONAL_RATE = 0.4
"""Chance that a call passes a given optional parameter (lower in parallel requests, which get long)."""
_GREETINGS = ("Hi! ", "Hello! ", "Good morning. ", "Hey there. ")
_THANKS = (" Thanks!", " Thank you.", " Thanks in advance.", " Cheers!")
_CONNECTORS = ("Also, ", "Then ", "And ", "After that, ")


@dataclass(frozen=True)
class Pool:
    """Everything one generation draws its requests from."""

    specs: tuple[ToolSpec, ...]
    """Tools offered, as targets and as distractors."""
    small_talk: tuple[tuple[str, str], ...]
    """(request, reply) pairs of chat that needs no tool."""
    knowledge: tuple[tuple[str, str], ...]
    """(question, answer) pairs the assistant answers without a tool."""


TRAINING_POOL = Pool(tuple(s for s in SPECS if s.tool.name not in HELDOUT_TOOLS), SMALL_TALK, KNOWLEDGE)
HELDOUT_POOL = Pool(tuple(s for s in SPECS if s.tool.name in HELDOUT_TOOLS), HELDOUT_SMALL_TALK, HELDOUT_KNOWLEDGE)


class TrainingExample(Frozen):
    """One supervised example: a prompt (tools and conversation) and the assistant text to learn."""

    kind: Kind
    """What the answer does: one call of the only tool, one call among distractors, several calls, or none."""
    tools: list[Tool]
    """Tools offered in the system prompt."""
    messages: list[Message]
    """The conversation before the answer, usually a single user turn."""
    answer: str
    """Target assistant text: `<tool_call>` lines as `format_tool_calls` writes them, or a plain-text reply."""


class Corruption(StrEnum):
    """Deliberately bad but well-formed targets, to train known-bad fixture adapters that scoring must catch."""

    NONE = "none"
    WRONG_TYPES = "wrong_types"
    """Numbers as strings, booleans as "yes"/"no", integers as floats, arrays as comma-separated strings."""
    SWAPPED_FUNCTIONS = "swapped_functions"
    """Call another offered tool (with its own arguments) than the one asked for; a lone tool gets a distractor."""


def tool_pool() -> list[Tool]:
    """The tools training offers; none shares a name or a purpose with the evaluation suites' tools."""
    return [spec.tool for spec in TRAINING_POOL.specs]


def user_messages(examples: Iterable[TrainingExample]) -> set[str]:
    """Every user turn's text, to check that training prompts do not leak into evaluation suites."""
    return {m.content for e in examples for m in e.messages if m.role == "user"}


def generate(
    count: int,
    seed: int,
    mix: Mapping[str, float] | None = None,
    corruption: Corruption = Corruption.NONE,
    rename_rate: float = 0.0,
    turns: int = 1,
    pool: Pool = TRAINING_POOL,
) -> list[TrainingExample]:
    """`count` conversations from `pool` whose first requests follow `mix` (weights; kinds left out get none), in
    shuffled order, each with `turns - 1` follow-up requests on the same tools (kinds drawn by the same weights),
    and each offered tool renamed at `rename_rate` (see `renaming`).

    Follow-ups are the cheap way to more supervision: the tools prompt is about nine tenths of an example's tokens
    and carries no loss, so several answered requests per prompt teach several times as much per training token.
    Follow-ups, corruption and renaming draw from their own random streams (per example), so a corrupted set
    has the same prompts as the clean set of the same seed and differs only in its answers.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    if not 0 <= rename_rate <= 1:
        raise ValueError(f"rename_rate must be between 0 and 1, got {rename_rate}")
    if turns < 1:
        raise ValueError(f"turns must be at least 1, got {turns}")
    mix = DEFAULT_MIX if mix is None else mix
    rng = random.Random(seed)
    kinds = [kind for kind, n in kind_counts(count, mix).items() for _ in range(n)]
    rng.shuffle(kinds)
    examples = [_BUILDERS[kind](pool, rng) for kind in kinds]
    if turns > 1:
        examples = [
            _with_follow_ups(e, turns - 1, mix, pool, random.Random(f"{seed}/turns/{i}"))
            for i, e in enumerate(examples)
        ]
    if corruption is not Corruption.NONE:
        corrupt = _wrong_types if corruption is Corruption.WRONG_TYPES else _swap_functions
        corruption_rng = random.Random(f"{seed}/{corruption.value}")
        examples = [_corrupted(e, corrupt, pool, corruption_rng) for e in examples]
    if not rename_rate:
        return examples
    return [_renamed(e, rename_rate, random.Random(f"{seed}/names/{i}")) for i, e in enumerate(examples)]


def _with_answers(example: TrainingExample, answers: list[str], tools: list[Tool] | None = None) -> TrainingExample:
    """The example with its assistant turns (earlier ones, then the answer) replaced in order."""
    replies = iter(answers)
    messages = [
        m.model_copy(update={"content": next(replies)}) if m.role == "assistant" else m for m in example.messages
    ]
    return example.model_copy(
        update={"messages": messages, "answer": next(replies), "tools": example.tools if tools is None else tools}
    )


def _answers(example: TrainingExample) -> list[str]:
    """Every assistant turn's text, the answer last: all of them carry loss in training."""
    return [m.content for m in example.messages if m.role == "assistant"] + [example.answer]


def _renamed(example: TrainingExample, rate: float, rng: random.Random) -> TrainingExample:
    domains = {tool.name: _BY_NAME[tool.name].domain for tool in example.tools}
    tools, answers = rename_tools(list(example.tools), domains, _answers(example), rate, rng)
    return _with_answers(example, answers, tools)


def kind_counts(count: int, mix: Mapping[str, float]) -> dict[Kind, int]:
    """How many of `count` examples each kind gets, apportioned exactly (largest remainder): small sets keep the
    proportions too."""
    unknown = set(mix) - set(KINDS)
    if unknown or any(w < 0 for w in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError(f"mix needs non-negative weights of {', '.join(KINDS)} with a positive sum, got {dict(mix)}")
    total = sum(mix.values())
    exact = {kind: count * mix.get(kind, 0.0) / total for kind in KINDS}
    counts = {kind: int(share) for kind, share in exact.items()}
    by_remainder = sorted(KINDS, key=lambda kind: counts[kind] - exact[kind])
    for kind in by_remainder[: count - sum(counts.values())]:
        counts[kind] += 1
    return counts


def _dressed(text: str, rng: random.Random) -> str:
    """The request, sometimes with a greeting or thanks."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(_GREETINGS) + text
    if roll < 0.2:
        return end_sentence(text) + rng.choice(_THANKS)
    return text


def _conversation(text: str, pool: Pool, rng: random.Random) -> list[Message]:
    """The user turn, sometimes dressed, sometimes after an unrelated exchange."""
    messages = [Message(role="user", content=_dressed(text, rng))]
    if rng.random() < 0.08:
        said, reply = rng.choice(pool.small_talk)
        messages[:0] = [Message(role="user", content=said), Message(role="assistant", content=reply)]
    return messages


def _combine(parts: list[str], rng: random.Random, style: int) -> str:
    if style == 0:
        return " ".join(end_sentence(p) for p in parts)
    if style == 1:
        return " ".join(
            end_sentence(p) if i == 0 else end_sentence(rng.choice(_CONNECTORS) + p) for i, p in enumerate(parts)
        )
    if style == 2:
        return f"{NUMBER_WORDS[len(parts)].capitalize()} things: " + " ".join(
            f"({i}) {end_sentence(p)}" for i, p in enumerate(parts, 1)
        )
    return rng.choice(("Can you do these for me?", "Please handle the following:")) + "".join(f"\n- {p}" for p in parts)


# Requests: what the user asks of the offered tools, and the answer to learn

Request = tuple[str, str]
"""(user text, target answer)."""


def _call_request(offered: list[ToolSpec], rng: random.Random) -> Request:
    text, call = request(rng.choice(offered), _OPTIONAL_RATE, rng)
    return text, format_tool_calls([call])


def _parallel_functions(offered: list[ToolSpec], size: int, rng: random.Random) -> list[ToolSpec]:
    """One function called with different values, or several functions."""
    if len(offered) == 1 or rng.random() < 0.5:
        return [rng.choice(offered)]
    return rng.sample(offered, rng.randint(2, min(size, len(offered))))


def _parallel_request(functions: list[ToolSpec], size: int, rng: random.Random) -> Request:
    """`size` calls of `functions` (each at least once) asked for in one message: one function's calls are often
    said as one request over a list of values, otherwise each call is its own sentence."""
    if len(functions) == 1 and rng.random() < 0.5:
        fanned = fanned_request(functions[0], size, _OPTIONAL_RATE / 2, rng)
        if fanned is not None:
            return fanned[0], format_tool_calls(fanned[1])
    specs = functions + [rng.choice(functions) for _ in range(size - len(functions))]
    rng.shuffle(specs)
    style = rng.randrange(4)
    parts: list[str] = []
    calls: list[ToolCall] = []
    for index, spec in enumerate(specs):
        text, call = request(spec, _OPTIONAL_RATE / 2, rng, lower=style == 1 and index > 0)
        while call in calls:  # a repeated call would be one request said twice
            text, call = request(spec, _OPTIONAL_RATE / 2, rng, lower=style == 1 and index > 0)
        parts.append(text)
        calls.append(call)
    return _combine(parts, rng, style), format_tool_calls(calls)


def _capability(tool: Tool) -> str:
    """A tool's description as something the assistant can do: "record a workout in your training log"."""
    words = tool.description.rstrip(".").replace("the user's", "your").replace("the user", "you")
    return words[0].lower() + words[1:]


def _no_call_request(offered: list[ToolSpec], pool: Pool, rng: random.Random) -> Request:
    """Small talk, general knowledge or a near miss of an offered tool; the answer is plain text."""
    category = rng.randrange(3)
    if category == 0:
        return rng.choice(pool.small_talk)
    if category == 1:
        return rng.choice(pool.knowledge)
    text = rng.choice(PHRASINGS[rng.choice(offered).tool.name].near_misses)
    abilities = [_capability(s.tool) for s in offered]
    listed = ", ".join(abilities[:-1]) + " or " + abilities[-1] if len(abilities) > 1 else abilities[0]
    return text, rng.choice(NEAR_MISS_REPLIES).format(capabilities=listed)


def _follow_up(offered: list[ToolSpec], mix: Mapping[str, float], pool: Pool, rng: random.Random) -> Request:
    """A further request on the conversation's tools, of a kind drawn by `mix` (single and multiple both mean
    one call of one offered tool)."""
    kind = rng.choices(KINDS, weights=[mix.get(kind, 0.0) for kind in KINDS])[0]
    if kind == "no_call":
        return _no_call_request(offered, pool, rng)
    if kind == "parallel":
        size = rng.choice((2, 2, 3))
        return _parallel_request(_parallel_functions(offered, size, rng), size, rng)
    return _call_request(offered, rng)


def _with_follow_ups(
    example: TrainingExample, count: int, mix: Mapping[str, float], pool: Pool, rng: random.Random
) -> TrainingExample:
    offered = [_BY_NAME[tool.name] for tool in example.tools]
    messages = [*example.messages, Message(role="assistant", content=example.answer)]
    for _ in range(count):
        text, answer = _follow_up(offered, mix, pool, rng)
        messages += [Message(role="user", content=_dressed(text, rng)), Message(role="assistant", content=answer)]
    return example.model_copy(update={"messages": messages[:-1], "answer": messages[-1].content})


# Kinds: the first request of a conversation, and the tools it offers


def _example(kind: Kind, offered: list[ToolSpec], asked: Request, pool: Pool, rng: random.Random) -> TrainingExample:
    text, answer = asked
    messages = _conversation(text, pool, rng)
    return TrainingExample(kind=kind, tools=[s.tool for s in offered], messages=messages, answer=answer)


def _single(pool: Pool, rng: random.Random) -> TrainingExample:
    offered = [rng.choice(pool.specs)]
    return _example("single", offered, _call_request(offered, rng), pool, rng)


def _distractors(
    target: ToolSpec, offered: list[ToolSpec], count: int, pool: Pool, rng: random.Random
) -> list[ToolSpec]:
    """`count` tools not yet offered, often of the target's domain: confusable neighbours make the model read
    the request rather than pick the only plausible tool."""
    chosen: list[ToolSpec] = []
    for _ in range(count):
        taken = {s.tool.name for s in (*offered, *chosen)}
        others = [s for s in pool.specs if s.tool.name not in taken]
        same = [s for s in others if s.domain == target.domain]
        chosen.append(rng.choice(same if same and rng.random() < 0.5 else others))
    return chosen


def _multiple(pool: Pool, rng: random.Random) -> TrainingExample:
    spec = rng.choice(pool.specs)
    offered = [spec, *_distractors(spec, [spec], rng.randint(1, 3), pool, rng)]
    rng.shuffle(offered)
    return _example("multiple", offered, _call_request([spec], rng), pool, rng)


def _parallel(pool: Pool, rng: random.Random) -> TrainingExample:
    """Two or three calls asked for in one message, sometimes with a distractor offered beside them."""
    size = rng.choice((2, 2, 3))
    functions = _parallel_functions(list(pool.specs), size, rng)
    asked = _parallel_request(functions, size, rng)
    offered = list(functions)
    if len(offered) < 3 and rng.random() < 0.3:
        offered += _distractors(functions[0], functions, 1, pool, rng)
    rng.shuffle(offered)
    return _example("parallel", offered, asked, pool, rng)


def _no_call(pool: Pool, rng: random.Random) -> TrainingExample:
    offered = rng.sample(pool.specs, rng.randint(1, 3))
    return _example("no_call", offered, _no_call_request(offered, pool, rng), pool, rng)


_BUILDERS: dict[Kind, Callable[[Pool, random.Random], TrainingExample]] = {
    "single": _single,
    "multiple": _multiple,
    "parallel": _parallel,
    "no_call": _no_call,
}


# Corruptions


def _wrong_type(value: Any, rng: random.Random) -> Any:
    """The value with a plausible type mistake, or the value itself where there is none to make."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return float(value) if rng.random() < 0.5 else str(value)
    if isinstance(value, float):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return ", ".join(str(item) for item in value)
    return value


Corrupt = Callable[[list[Tool], str, Pool, random.Random], tuple[list[Tool], str]]
"""(offered tools, answer with calls, pool, rng) → (offered tools, corrupted answer)."""


def _wrong_types(tools: list[Tool], answer: str, pool: Pool, rng: random.Random) -> tuple[list[Tool], str]:
    calls = []
    for call in parse_strict(answer).calls:
        arguments = {name: _wrong_type(value, rng) for name, value in call.arguments.items()}
        if arguments == call.arguments:  # only integers written as floats, which still validate
            name = next(iter(arguments))  # every pool tool requires a parameter
            old = call.arguments[name]
            arguments[name] = str(old) if isinstance(old, int) else [old]
        calls.append(ToolCall(name=call.name, arguments=arguments))
    return tools, format_tool_calls(calls)


def _swap_functions(tools: list[Tool], answer: str, pool: Pool, rng: random.Random) -> tuple[list[Tool], str]:
    tools = list(tools)
    calls = []
    for call in parse_strict(answer).calls:
        others = [tool for tool in tools if tool.name != call.name]
        if not others:
            extra = rng.choice([s.tool for s in pool.specs if s.tool.name != call.name])
            tools.insert(rng.randint(0, len(tools)), extra)
            others = [extra]
        spec = _BY_NAME[rng.choice(others).name]
        calls.append(ToolCall(name=spec.tool.name, arguments=draw_arguments(spec, _OPTIONAL_RATE, rng)))
    return tools, format_tool_calls(calls)


def _corrupted(example: TrainingExample, corrupt: Corrupt, pool: Pool, rng: random.Random) -> TrainingExample:
    """Every answer that calls tools corrupted; plain-text answers kept."""
    tools, answers = list(example.tools), []
    for answer in _answers(example):
        if parse_strict(answer).calls:
            tools, answer = corrupt(tools, answer, pool, rng)
        answers.append(answer)
    return _with_answers(example, answers, tools)
