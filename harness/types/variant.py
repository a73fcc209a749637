"""A variant: one way of serving a model that a run measures, with the rules its fields obey checked when it is
made (or read from a manifest), and the questions every reader asks of it answered here and nowhere else: whether
it is served merged, whether it answers every case, and which variants serve the same adapter weights the other
way."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from harness.types.base import Frozen

MergePrecision = Literal["fp32", "bf16"]
"""The precision a LoRA delta is merged into the base weights in: `fp32` (merged in float32, then stored in the
base's dtype: one rounding of the merged weight) or `bf16` (merged directly in bfloat16: the delta is rounded into
weights that are already bf16)."""
PromptStyle = Literal["hermes", "course"]
"""Which template prompts are rendered with: `hermes` (the harness's) or `course` (the Agents course's Gemma turns)."""

Role = Literal["base", "base-plain", "lora", "merged", "external", "reference"]
"""What a variant is: base on a LoRA-enabled server, base on a plain server, unmerged adapter, merged model, an
external endpoint, or the in-process transformers reference."""

_ADAPTER_ROLES: tuple[Role, ...] = ("lora", "merged", "reference")
"""The roles that serve an adapter (in some form)."""

_ONLY_ON: dict[str, tuple[Role, ...]] = {
    "adapter": ("lora", "reference"),
    "adapter_name": _ADAPTER_ROLES,
    "expect": _ADAPTER_ROLES,
    "merge": ("merged",),
    "extra_merge": ("merged",),
    "step": _ADAPTER_ROLES,
    "checkpoint": ("lora",),
    "asked": ("lora", "merged"),
}
"""Field → the roles it may be set on (away from its default) at all."""


class Variant(Frozen):
    """One way of serving a model that a run measures. Which fields a role may set is checked when a variant is
    made or read, so that a reader can trust `role` (a base has no adapter, only a merged form has a merge)."""

    name: str
    """Name used in the run log (unique within a run)."""
    role: Role
    """What it is: base on a LoRA-enabled server, base on a plain server, unmerged adapter, merged model, an
    external endpoint, or the in-process transformers reference."""
    model: str
    """Model name or path that serves it."""
    adapter: str | None = None
    """Adapter folder a `lora` variant (or the unmerged `reference`) applies to the base."""
    adapter_name: str | None = None
    """Name of the adapter a `lora`, `merged` or `reference` variant serves: how readers pair an unmerged adapter
    with its merged model without parsing variant names."""
    expect: Literal["pass", "fail"] = "pass"
    """What the gate expects of this variant's adapter: `fail` marks a control (a known-bad adapter) that the
    gate must catch."""
    dtype: str | None = None
    """Weight dtype the server ran the model in (vLLM's `--dtype`, resolved to the model's own for `auto`); merged
    and unmerged answers can differ in bf16, where merging rounds the LoRA delta into the weights."""
    merge: MergePrecision | None = None
    """For a `merged` variant, the precision its adapter was merged in; None where nothing was merged or the merge
    is not known (a merged folder given by path). Answers of merged forms of one adapter that differ only here
    tell what the merge precision costs (`[[adapters]] merges`)."""
    extra_merge: bool = False
    """A further merged form of the adapter (`[[adapters]] merges` after the first), served on the cases its
    unmerged form answers only to show how much the merge precision changes the answers. The adapter's merged form
    (the one the gate judges, pairs with the unmerged form, times and recommends) is the one without it."""
    step: int | None = None
    """Training step of the adapter weights it serves, for an adapter trained from a recipe: a kept checkpoint's
    step, or the last step for the final adapter in any form (unmerged, merged, reference). None for the base, an
    adapter from a folder, an external endpoint, and runs recorded before steps were. Learning curves read it;
    nothing reads a step out of a variant's name."""
    checkpoint: bool = False
    """A checkpoint kept during training (`checkpoints` on the run config's adapter), not the final adapter: served
    unmerged only (no merged model of it exists), a point of its adapter's learning curve, and a choice for
    `harness rank`; the gate judges final adapters only."""
    asked: dict[str, list[str]] | None = None
    """Suite name → ids of the cases this variant was asked, when it answers only the unmerged sample of the run's
    cases (`[suites] unmerged_sample`: the unmerged form of an adapter also served merged, and its further merged
    forms); None: every case of the run. Recorded so that every reader knows a variant's cases from the run folder
    alone."""

    @model_validator(mode="after")
    def _role_rules(self) -> Variant:
        misplaced = [
            f"{field} is only for {', '.join(roles)} variants"
            for field, roles in _ONLY_ON.items()
            if self.role not in roles and getattr(self, field) != type(self).model_fields[field].default
        ]
        if misplaced:
            raise ValueError(f"variant {self.name!r} (role {self.role}): {'; '.join(misplaced)}")
        if self.checkpoint and (self.adapter_name is None or self.step is None):
            raise ValueError(f"variant {self.name!r}: a checkpoint needs its adapter_name and step")
        if self.checkpoint and self.asked is not None:
            raise ValueError(f"variant {self.name!r}: a checkpoint answers every case (it has no merged form)")
        if self.extra_merge and (self.adapter_name is None or self.merge is None):
            raise ValueError(f"variant {self.name!r}: a further merged form needs its adapter_name and merge")
        if self.role == "merged" and self.asked is not None and not self.extra_merge:
            raise ValueError(
                f"variant {self.name!r}: an adapter's merged form answers every case; only its unmerged form and"
                " further merged forms answer the unmerged sample"
            )
        return self

    def asks(self, suite: str, case_id: str) -> bool:
        """Whether the run asked this variant the case: an unasked case is neither missing nor failed."""
        return self.asked is None or case_id in self.asked.get(suite, ())

    @property
    def asks_every_case(self) -> bool:
        """False for a variant that answers only the unmerged sample."""
        return self.asked is None

    @property
    def served_merged(self) -> bool:
        """Whether it answers from weights with its adapter merged in: a merged model, or the merged reference."""
        return self.role == "merged" or (self.role == "reference" and self.adapter is None)

    def _same_weights(self, other: Variant) -> bool:
        """Whether `other` serves the adapter weights this one serves (the same adapter at the same step), found
        by typed fields rather than by name; a checkpoint has no other form."""
        return other.adapter_name == self.adapter_name and other.step == self.step and not other.checkpoint

    def merged_forms(self, variants: list[Variant]) -> list[Variant]:
        """For an adapter's final unmerged form, its merged forms in the run: the merged form first (the one judged,
        timed and recommended), then any further merges served to compare precisions. Empty otherwise."""
        if self.role != "lora" or self.adapter_name is None or self.checkpoint:
            return []
        forms = [v for v in variants if v.role == "merged" and self._same_weights(v)]
        return sorted(forms, key=lambda v: v.extra_merge)

    def final_form(self, variants: list[Variant]) -> Variant:
        """For a checkpoint, its adapter's final unmerged form (served by the same LoRA server, so it prices the
        checkpoint's latency); the variant itself otherwise, or when the run does not serve that form."""
        if not self.checkpoint:
            return self
        final = (v for v in variants if v.role == "lora" and v.adapter_name == self.adapter_name and not v.checkpoint)
        return next(final, self)

    def serving_pair(self, variants: list[Variant]) -> tuple[Variant, Variant] | None:
        """The unmerged and merged variants, in that order, of the adapter weights a `lora` or `merged` variant
        serves: whichever form is judged, the other is its counterpart. The merged one is the adapter's merged form,
        never a further merge (nor is such a form paired). None when the run serves those weights only one way, as
        it serves every checkpoint (or this variant serves no adapter)."""
        if self.role not in ("lora", "merged") or self.adapter_name is None or self.extra_merge or self.checkpoint:
            return None
        unmerged = next((v for v in variants if v.role == "lora" and self._same_weights(v)), None)
        merged = next(iter(unmerged.merged_forms(variants)), None) if unmerged is not None else None
        return (unmerged, merged) if unmerged is not None and merged is not None and not merged.extra_merge else None


def lora_variant(adapter: str) -> str:
    """Name of an adapter's unmerged variant, as the run plan gives it."""
    return f"lora:{adapter}"


def checkpoint_name(adapter: str, step: int) -> str:
    """The name a checkpoint is served by on the LoRA server (`fc-good@48`); its variant is `lora:fc-good@48`."""
    return f"{adapter}@{step}"


def merged_variant(adapter: str) -> str:
    """Name of an adapter's merged variant."""
    return f"merged:{adapter}"


def extra_merged_variant(adapter: str, merge: MergePrecision) -> str:
    """Name of a further merged form of an adapter (`Variant.extra_merge`): `merged-bf16:NAME`."""
    return f"merged-{merge}:{adapter}"


def reference_variants(adapter: str) -> tuple[str, str]:
    """The reference (transformers) variants of an adapter: unmerged through peft, and merged."""
    return f"ref-lora:{adapter}", f"ref-merged:{adapter}"
