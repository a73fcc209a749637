"""Parity from a run log: did vLLM really apply the adapter, and do unmerged and merged, vLLM and transformers,
give the same answers?

An engine that silently ignores an adapter (a wrong name, a rank it pads away, an unsupported module) serves the
base under the adapter's name; every accuracy number is then the base's. The only proof that the adapter was
applied is that its outputs differ from the base's on the same prompts, so a LoRA that equals the base everywhere
fails loudly. Agreement is measured on exact text and on the calls read from it (lenient parse, order-free).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import Field

from harness.parsing import parse_lenient
from harness.scoring.paired import shared_cases
from harness.types import CaseKey, Frozen, Generation, GenerationKey, Variant

_EXAMPLES = 3


class PairAgreement(Frozen):
    """How often two variants gave the same answer to the cases both answered."""

    a: str
    """First variant."""
    b: str
    """Second variant."""
    cases: int
    """Cases both answered without a request error."""
    same_text: int
    """Cases with identical text."""
    same_calls: int
    """Cases with the same calls (names and arguments, in any order)."""
    differing: list[str] = Field(default_factory=list)
    """`suite/case` ids whose text differs (the first few, unless asked for more), to look at."""


class AdapterParity(Frozen):
    """Parity of one adapter."""

    adapter: str
    """Adapter name."""
    served: str | None
    """The variant whose answers were compared with the base's: vLLM's unmerged adapter, else its merged model
    (an adapter vLLM serves merged only); None when the run has neither."""
    applied: bool
    """vLLM's LoRA output (its merged model's, for an adapter served merged only) differs from the base's on at
    least one case."""
    pairs: list[PairAgreement]
    """lora vs base, lora vs merged, and each vLLM variant against its transformers reference."""


def calls_key(text: str) -> list[str]:
    """The calls read from an output (lenient), in a form that compares equal whatever their order."""
    calls = parse_lenient(text).calls
    return sorted(json.dumps([c.name, c.arguments], sort_keys=True) for c in calls)


def answers_of(generations: Mapping[GenerationKey, Generation], variant: str) -> dict[CaseKey, Generation]:
    """A variant's answers by case, leaving out failed requests: a request error is no answer to compare."""
    return {
        (suite, case): generation
        for (name, suite, case), generation in generations.items()
        if name == variant and generation.error is None
    }


def agreement(
    generations: dict[GenerationKey, Generation], a: str, b: str, examples: int = _EXAMPLES
) -> PairAgreement | None:
    """Agreement between two variants of one run, with up to `examples` differing cases; None when either has no
    answers."""
    shared = shared_cases(answers_of(generations, a), answers_of(generations, b))
    if not shared:
        return None
    differing = [key for key, x, y in shared if x.text != y.text]
    same_calls = sum(calls_key(x.text) == calls_key(y.text) for _, x, y in shared)
    return PairAgreement(
        a=a,
        b=b,
        cases=len(shared),
        same_text=len(shared) - len(differing),
        same_calls=same_calls,
        differing=[f"{suite}/{case}" for suite, case in differing[:examples]],
    )


def adapter_parity(
    generations: dict[GenerationKey, Generation], variants: list[Variant], adapter: str
) -> AdapterParity:
    """How one adapter's forms agree, each found among the run's variants by its typed fields (never by name): its
    final unmerged and merged forms, its references, and the base on the LoRA server."""
    forms = [v for v in variants if v.adapter_name == adapter and not (v.checkpoint or v.extra_merge)]

    def form(role: str, merged: bool) -> str | None:
        return next((v.name for v in forms if v.role == role and v.served_merged is merged), None)

    lora, merged = form("lora", False), form("merged", True)
    ref_lora, ref_merged = form("reference", False), form("reference", True)
    base = next((v.name for v in variants if v.role == "base"), None)
    served = lora or merged  # an adapter vLLM serves merged only is applied when its merge answers otherwise
    wanted = [(served, base), (lora, merged), (ref_lora, ref_merged), (lora, ref_lora), (merged, ref_merged)]
    pairs = [pair for a, b in wanted if a and b and (pair := agreement(generations, a, b)) is not None]
    against_base = pairs[0] if pairs and (pairs[0].a, pairs[0].b) == (served, base) else None
    applied = against_base is not None and against_base.same_text < against_base.cases
    return AdapterParity(adapter=adapter, served=served, applied=applied, pairs=pairs)
