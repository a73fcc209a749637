"""`harness rank`: N variants of one run on the cases all of them answered, or on the multi-turn episodes all of
them finished, to choose among checkpoints, recipes and serving forms rather than between two.

On cases, pairwise exact McNemar tests on full match; on episodes, the share passed whole, and pairwise exact sign
tests on progress (turns passed before the first failure), as `harness compare` pairs two variants: few episodes
pass whole, and how far each variant gets tells more of them apart. Either way Holm-corrected across the family:
with six variants there are fifteen tests, and uncorrected some pair would look different by chance alone.
Variants the corrected tests cannot tell apart form tie groups (homogeneous subsets of the accuracy order: every
pair within a group is within chance). The cost axis is the latency study's time per output token of a form over
its adapter's merged model (merged: 1 by definition), which is what choosing an unmerged form costs on every token
served. A checkpoint is served unmerged only (no merged model of it exists) by the server of its adapter's unmerged
form, with that form's shape, so it costs what that form costs; chosen, it is shipped unmerged or merged first.
The recommendation never names an adapter the run's gate failed: the gate's verdict is the run's decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from statistics import fmean
from string import ascii_lowercase
from typing import NamedTuple

from pydantic import Field

from harness.errors import HarnessError
from harness.latency.analyse import block_samples
from harness.latency.stats import ratio_of_medians
from harness.patterns import matches_any
from harness.runs.view import RunView
from harness.scoring import PairedTest, full_matches, paired
from harness.scoring.episode import progress_test
from harness.stats import holm, wilson
from harness.types import CaseKey, Decision, Frozen, GateResult, ParseMode, Proportion, RatioEstimate, Variant

ALPHA = 0.05
COST_METRIC = "tpot_s"


class RankError(HarnessError):
    """The variants cannot be ranked."""


class UnitTerms(NamedTuple):
    """How the recommendation and the reports word a unit: one table, so that the two never name it differently."""

    measure: str
    """The accuracy figure variants are ranked by."""
    test: str
    """One pairwise test, in full."""
    tests: str
    """The pairwise tests, in full."""
    cited: str
    """The test as the recommendation cites it."""


class RankUnit(StrEnum):
    """What the variants are ranked on (`harness rank --on`)."""

    CASES = "cases"
    """Single-turn cases every ranked variant answered, on full match, paired by exact McNemar tests."""
    EPISODES = "episodes"
    """Multi-turn episodes every ranked variant finished, on the share passed whole, paired by exact sign tests on
    progress."""

    @property
    def terms(self) -> UnitTerms:
        """How the outputs word this unit."""
        return TERMS[self]


TERMS = {
    RankUnit.CASES: UnitTerms("full match", "exact McNemar test", "exact McNemar tests", "McNemar"),
    RankUnit.EPISODES: UnitTerms(
        "episodes passed", "exact sign test on progress", "exact sign tests on progress", "sign test"
    ),
}


class RankedVariant(Frozen):
    variant: str
    role: str
    adapter: str | None
    step: int | None = None
    """Training step of the weights (see `Variant.step`)."""
    checkpoint: bool = False
    """A checkpoint kept during training rather than the final adapter."""
    control: bool
    """An adapter the run expects to fail (`expect = "fail"`): ranked, never recommended."""
    gate_failed: list[str] = Field(default_factory=list)
    """The rules the run's gate failed this adapter on (judging one of its forms): ranked, never recommended, since
    the gate's verdict is the run's decision and a ranking must not contradict it. Empty for a checkpoint, which the
    gate does not judge."""
    accuracy: Proportion
    """On the items every ranked variant shares (`Ranking.unit`): full match on cases, the share of episodes passed
    whole on episodes."""
    progress: float | None = None
    """On episodes, the mean share of an episode's turns passed before its first failure: it orders variants that
    pass as many episodes whole (the pairwise tests compare progress episode by episode). None on cases."""
    cost: float | None
    """Time per output token over the adapter's merged model at the study's lowest concurrency: 1 for a merged
    model or a base on a plain server; a checkpoint's is its adapter's unmerged form's; None when the run's latency
    study did not measure the form."""
    cost_interval: tuple[float, float] | None = None
    groups: str = ""
    """Letters of the tie groups the variant belongs to (variants sharing a letter are not told apart)."""
    pareto: bool = False
    """No other variant is at least as accurate and at most as costly, and better on one of the two."""


class PairTest(Frozen):
    a: str
    b: str
    only_a: int
    """Cases only A got right, or episodes on which A got further."""
    only_b: int
    p_value: float
    """Two-sided exact McNemar on cases, exact sign test on progress on episodes (the same binomial test)."""
    p_holm: float
    """Holm-adjusted over every pair of the ranking."""

    @property
    def different(self) -> bool:
        return self.p_holm < ALPHA


class Ranking(Frozen):
    """Rendered as text, Markdown and HTML, never written to disk as JSON: no file of an older shape to read."""

    unit: RankUnit
    mode: ParseMode | None
    """The reading judged on cases; None on episodes, which are scored on their calls as they ran."""
    shared: int
    """Cases every ranked variant answered, or episodes every one finished: the only ones compared."""
    variants: list[RankedVariant]
    """Most accurate first; on episodes, equal shares passed by mean progress."""
    pairs: list[PairTest]
    groups: list[list[str]]
    """Tie groups in the accuracy order, lettered a, b, c... as in `RankedVariant.groups`."""
    ship: str | None
    """The adapter to ship, None when no candidate was ranked."""
    ship_step: int | None = None
    """The checkpoint of `ship` to ship, by its step; None for the final adapter."""
    serve: str | None
    """`merged` or `unmerged`."""
    recommendation: str


def select(view: RunView, patterns: list[str] | None) -> list[Variant]:
    """The variants to rank: those matching any pattern (globs on variant names), else every variant the run asked
    every case, since one asked only the unmerged sample would shrink the shared cases to that sample."""
    variants = view.manifest.variants
    if patterns:
        chosen = [v for v in variants if matches_any(v.name, patterns)]
        if len(chosen) < 2:
            matched = ", ".join(v.name for v in chosen) or "nothing"
            raise RankError(
                f"{view.path}: --variants {' '.join(patterns)} matched {matched}; ranking needs two or more of"
                f" {', '.join(view.variants)}"
            )
        return chosen
    chosen = [v for v in variants if v.asks_every_case]
    if len(chosen) < 2:
        raise RankError(f"{view.path}: fewer than two variants answered every case; name them with --variants")
    return chosen


def tie_groups(order: list[str], different: set[frozenset[str]]) -> list[list[str]]:
    """Maximal runs of the accuracy order in which no pair differs: a variant may sit in two groups when it cannot
    be told from either neighbour while they differ from each other (ties are not transitive)."""
    groups: list[list[str]] = []
    reach = -1
    for start in range(len(order)):
        end = start
        while end + 1 < len(order) and all(
            frozenset((order[i], order[end + 1])) not in different for i in range(start, end + 1)
        ):
            end += 1
        if end > reach:
            groups.append(order[start : end + 1])
            reach = end
    return groups


def pareto_front(points: dict[str, tuple[float, float | None]]) -> set[str]:
    """Names whose (accuracy, cost) no other point dominates; a point without a cost is never on the front."""
    known = {name: (acc, cost) for name, (acc, cost) in points.items() if cost is not None}
    return {
        name
        for name, (acc, cost) in known.items()
        if not any(a >= acc and c <= cost and (a > acc or c < cost) for other, (a, c) in known.items() if other != name)
    }


def _cost(view: RunView, variant: Variant) -> tuple[float | None, tuple[float, float] | None]:
    if variant.role in ("merged", "base-plain"):
        return 1.0, None
    priced = variant.final_form(view.manifest.variants)
    pair = priced.serving_pair(view.manifest.variants) if variant.role == "lora" else None
    if pair is None:
        return None, None
    samples = view.latency_samples()
    for level in sorted({s.concurrency for s in samples}):
        estimate: RatioEstimate | None = ratio_of_medians(
            block_samples(samples, level, priced.name, COST_METRIC),
            block_samples(samples, level, pair[1].name, COST_METRIC),
        )
        if estimate is not None:
            return estimate.ratio, (estimate.low, estimate.high)
    return None, None


@dataclass(frozen=True)
class _Outcomes:
    """What the unit decides, on the items every ranked variant shares: each variant's verdicts, what orders equal
    shares, and the paired test of two variants. The rest of the ranking is the same on cases and on episodes."""

    passed: dict[str, list[bool]]
    """Variant → whether it passed each shared item, the items in one order for every variant."""
    progress: dict[str, float]
    """Variant → mean progress on the shared episodes; empty on cases."""
    pair: Callable[[str, str], PairedTest]


def _on_cases(view: RunView, chosen: list[Variant], mode: ParseMode) -> _Outcomes:
    verdicts = {v.name: full_matches(view.scores_of(v.name), mode) for v in chosen}
    keys: list[CaseKey] = sorted(set.intersection(*(set(found) for found in verdicts.values())))
    if not keys:
        episodes = " (its variants finished episodes: rank them with --on episodes)"
        raise RankError(
            f"{view.path}: {', '.join(verdicts)} share no answered case" + (episodes if view.episode_scores else "")
        )
    passed = {name: [found[k] for k in keys] for name, found in verdicts.items()}
    return _Outcomes(passed, {}, lambda a, b: paired(zip(passed[a], passed[b], strict=True)))


def _on_episodes(view: RunView, chosen: list[Variant]) -> _Outcomes:
    if not view.episode_scores:
        raise RankError(f"{view.path}: the run has no scored episode; rank its cases without --on episodes")
    finished = {v.name: {s.key: s for s in view.episode_scores if s.variant == v.name} for v in chosen}
    keys = sorted(set.intersection(*(set(found) for found in finished.values())))
    if not keys:
        counts = ", ".join(f"{name} {len(found)}" for name, found in finished.items())
        raise RankError(
            f"{view.path}: {', '.join(finished)} share no finished episode (episodes finished: {counts}); ranking on"
            " episodes needs two or more variants that finished the same ones: name them with --variants"
        )
    scores = {name: [found[k] for k in keys] for name, found in finished.items()}
    return _Outcomes(
        passed={name: [s.passed for s in mine] for name, mine in scores.items()},
        progress={name: fmean(s.progress / len(s.turns) for s in mine) for name, mine in scores.items()},
        pair=lambda a, b: progress_test(scores[a], scores[b]),
    )


def _pair_tests(order: list[str], outcomes: _Outcomes) -> list[PairTest]:
    """Every pair in the accuracy order, Holm-adjusted over all of them."""
    raw = [(a, b, outcomes.pair(a, b)) for a, b in combinations(order, 2)]
    adjusted = holm([test.p_value for _, _, test in raw])
    return [
        PairTest(a=a, b=b, only_a=test.only_a, only_b=test.only_b, p_value=test.p_value, p_holm=p)
        for (a, b, test), p in zip(raw, adjusted, strict=True)
    ]


def _gate_failures(view: RunView, gate: GateResult | None) -> dict[str, list[str]]:
    """Per adapter, the rules the gate failed the form of it that it judged (every form of an adapter shares that
    verdict: the gate judges the adapter through one of them)."""
    adapters = {v.name: v.adapter_name for v in view.manifest.variants}
    failed = [v for v in gate.verdicts if v.decision is Decision.FAILED] if gate else []
    return {adapter: v.failed for v in failed if (adapter := adapters.get(v.variant))}


def _failures(failed: list[RankedVariant]) -> str:
    """`a (must_beat); b (min_relevance)`: each adapter once, whichever of its forms were ranked."""
    return "; ".join(dict.fromkeys(f"{r.adapter} ({', '.join(r.gate_failed)})" for r in failed))


def _recommend(
    ranked: list[RankedVariant], tests: dict[frozenset[str], PairTest], shared: int, unit: RankUnit
) -> tuple[RankedVariant | None, str | None, str]:
    """The variant to ship, how to serve it, and why in a sentence."""
    adapters = [r for r in ranked if r.role in ("lora", "merged") and not r.control]
    if not adapters:
        return None, None, "no candidate adapter among the ranked variants: nothing to recommend"
    candidates = [r for r in adapters if not r.gate_failed]
    if not candidates:
        return None, None, f"ship nothing: the gate failed every ranked adapter: {_failures(adapters)}"
    best = candidates[0]
    tied = [r for r in candidates if r is best or not tests[frozenset((best.variant, r.variant))].different]
    # Among those the data cannot tell apart, the cheapest to serve, then the most accurate point estimate.
    choice = min(tied, key=lambda r: (r.cost if r.cost is not None else float("inf"), -(r.accuracy.value or 0)))
    serve = "merged" if choice.role == "merged" else "unmerged"
    accuracy = choice.accuracy
    interval = f"{(accuracy.value or 0):.0%} [{accuracy.low:.0%}, {accuracy.high:.0%}]"
    figures = f"{unit.terms.measure} {interval} on {shared} shared {unit.value}"
    others = [r.variant for r in tied if r is not choice]
    why = ""
    if others:
        why = f"; tied with {', '.join(others)} (Holm-corrected {unit.terms.cited} p ≥ {ALPHA})"
        if serve == "merged" and any(r.role == "lora" for r in tied if r is not choice):
            unmerged = [r for r in tied if r.role == "lora" and r.cost is not None]
            cost = f" (unmerged {unmerged[0].cost - 1:+.0%} per token)" if unmerged else ""
            why += f", and served merged costs no latency{cost}"
        else:
            why += f": more {unit.value} would be needed to tell them apart"
    bases = [r for r in ranked if r.role in ("base", "base-plain")]
    caution = [
        f"; it is not told apart from {b.variant} either"
        for b in bases
        if not tests[frozenset((choice.variant, b.variant))].different
    ][:1]
    if above := adapters[: adapters.index(best)]:
        caution.append(f"; ranked above it, the gate failed {_failures(above)}")
    what = f"{choice.adapter} at step {choice.step} ({choice.variant})" if choice.checkpoint else choice.adapter
    merge = "; a checkpoint has no merged form in this run: merge it and measure that form before serving it merged"
    why += merge if choice.checkpoint else ""
    return choice, serve, f"ship {what}, served {serve}: {figures}{why}{''.join(caution)}"


def rank(
    view: RunView,
    patterns: list[str] | None = None,
    mode: ParseMode = ParseMode.STRICT,
    unit: RankUnit = RankUnit.CASES,
    gate: GateResult | None = None,
) -> Ranking:
    """Rank the selected variants on the cases all of them answered, or on the episodes all of them finished;
    `mode` is the reading judged on cases (episodes were scored on their calls as they ran). An adapter that `gate`
    (the run's verdict) failed is ranked and never recommended."""
    chosen = select(view, patterns)
    failed_rules = _gate_failures(view, gate)
    outcomes = _on_episodes(view, chosen) if unit is RankUnit.EPISODES else _on_cases(view, chosen, mode)
    accuracy = {name: wilson(sum(passed), len(passed)) for name, passed in outcomes.passed.items()}
    order = sorted(accuracy, key=lambda name: (-(accuracy[name].value or 0), -outcomes.progress.get(name, 0), name))
    pairs = _pair_tests(order, outcomes)
    tests = {frozenset((p.a, p.b)): p for p in pairs}
    groups = tie_groups(order, {key for key, test in tests.items() if test.different})
    by_name = {v.name: v for v in chosen}
    costs = {name: _cost(view, by_name[name]) for name in order}
    front = pareto_front({name: (accuracy[name].value or 0, costs[name][0]) for name in order})
    ranked = [
        RankedVariant(
            variant=name,
            role=by_name[name].role,
            adapter=by_name[name].adapter_name,
            step=by_name[name].step,
            checkpoint=by_name[name].checkpoint,
            control=by_name[name].expect == "fail",
            gate_failed=[] if by_name[name].checkpoint else failed_rules.get(by_name[name].adapter_name or "", []),
            accuracy=accuracy[name],
            progress=outcomes.progress.get(name),
            cost=costs[name][0],
            cost_interval=costs[name][1],
            groups="".join(ascii_lowercase[i % 26] for i, group in enumerate(groups) if name in group),
            pareto=name in front,
        )
        for name in order
    ]
    shared = accuracy[order[0]].trials
    choice, serve, recommendation = _recommend(ranked, tests, shared, unit)
    return Ranking(
        unit=unit,
        mode=mode if unit is RankUnit.CASES else None,
        shared=shared,
        variants=ranked,
        pairs=pairs,
        groups=groups,
        ship=choice.adapter if choice else None,
        ship_step=choice.step if choice and choice.checkpoint else None,
        serve=serve,
        recommendation=recommendation,
    )
