"""The gate's rules: the `[gate]` table of a run config. A new rule is a field here (documented: it is the config
reference) and its function in `gate/rules.py`; nothing outside `gate/` changes."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from harness.types import Frozen, ParseMode, RenamedKeys

SuiteScope = Literal["all", "in", "out"]
"""Suites a rule looks at, by the distribution their files declare (`in`: held out from the training data)."""


class GateRules(RenamedKeys, Frozen):
    """Rules of `harness gate`; every limit can be switched off with an explicit value (0 or an empty table)."""

    renamed_keys: ClassVar[dict[str, str]] = {"variants": "judge"}
    """`variants` also names the kinds of variant a run serves (`RunConfig.variants`); the gate's patterns are
    `judge` now, and the old key is read with a warning."""

    mode: ParseMode = ParseMode.STRICT
    """Which reading the accuracy rules judge: strict (what vLLM's parser gives users) or lenient."""
    judge: list[str] = Field(default_factory=lambda: ["lora:*"])
    """Variants the gate judges (shell patterns over their names; `variants` before); by default every unmerged
    adapter, and never a checkpoint (see `AdapterSpec.checkpoints`). `["merged:*"]` judges each adapter on its merged form, for a run whose unmerged
    forms answer only the unmerged sample (`unmerged_sample`): `merged_gap` then pairs each with its unmerged form over
    the sample."""
    must_beat: list[str] = Field(default_factory=lambda: ["base"])
    """Variants every gated one must beat on the cases that expect a call: more of them right, by more than chance
    (exact McNemar at `alpha`). An adapter that does not beat its own base model is not worth serving, whatever
    the model's size. A judged variant is never compared with itself. Empty: rule off."""
    must_beat_on: SuiteScope = "all"
    """Which suites' call cases `must_beat` counts: `all`, `out` (suites nobody trained on: does the adapter
    generalise beyond its training data?) or `in` (held-out splits of it)."""
    min_relevance: float = Field(default=0.5, ge=0, le=1)
    """Smallest allowed rate of answering without a call where no tool fits, over every irrelevance case of the
    run: the base rarely calls, so beating it on calls says nothing about calling too eagerly. 0: rule off."""
    relevance_on: SuiteScope = "all"
    """Which suites' irrelevance cases `min_relevance` counts: `all`, `in` (a held-out split of the training
    data, where the adapter was taught when to stay silent) or `out`."""
    min_ask: float = Field(default=0, ge=0, le=1)
    """Smallest allowed rate of asking back instead of calling where the user left out a value a fitting tool
    requires, over every missing_info case of the run (`suites/missing_info.json`): a call there carries an
    invented value. Apart from `min_relevance`, which counts irrelevance cases only: staying silent where no tool
    fits is not knowing what to ask for. 0 (the default): rule off, as for a model never taught to ask."""
    ask_on: SuiteScope = "all"
    """Which suites' missing_info cases `min_ask` counts: `all`, `in` or `out`, as for `relevance_on`."""
    min_full_match: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → minimum full-match rate; the most specific pattern applies. None by default:
    what a model should reach depends on the model (see docs/concepts.md, Gate)."""
    must_beat_episodes: list[str] = Field(default_factory=list)
    """Variants every gated one must beat on multi-turn episodes (in the suites `must_beat_on` names): further, in
    turns passed before the first failure, on more episodes than the other way round, by more than chance (an exact
    sign test at `alpha` over the episodes both finished). Paired on progress, not on whole episodes, which small
    models rarely pass. A judged variant is never compared with itself. Empty (the default): rule off."""
    min_episodes: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    """Suite name (shell pattern) → minimum rate of multi-turn episodes passed whole (every turn right, BFCL's
    all-or-nothing), for suites with episodes; the most specific pattern applies. None by default."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    """Significance level of the paired tests (against the base, a baseline, merged serving)."""
    max_merged_gap: float | None = Field(default=0.1, ge=0, le=1)
    """Largest allowed full-match difference between an adapter served unmerged and merged, over every case both
    answered; the rule fails only when the difference is also beyond chance (exact McNemar at `alpha`), so a few
    answers that flip when bf16 merging rounds the LoRA delta do not fail an adapter. None: rule off."""
    max_strict_parse_error_rate: float | None = Field(default=0.2, ge=0, le=1)
    """Largest allowed rate of outputs vLLM's parser cannot read, per suite: a suite fails when the 95% interval of
    its rate lies wholly above it. None: rule off."""
    max_latency_overhead: float | None = Field(default=None, ge=0)
    """Largest allowed TPOT overhead of unmerged over merged (0.5 = +50%), judged on the interval's lower bound;
    needs `harness latency` in the run folder. None: rule off."""


def references_of(variant: str, references: list[str]) -> list[str]:
    """The references a paired rule (`must_beat`, `must_beat_episodes`) compares `variant` with: never itself,
    which ties by construction. A control named as every adapter's reference is judged too when `judge` takes it,
    and a rule it could never pass would catch it for nothing; its other rules judge it."""
    return [reference for reference in references if reference != variant]
