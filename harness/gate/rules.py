"""The regression gate: rules from the run's config, evaluated on its saved scores (and latency summary), with
an exit code CI can act on. Adapters are candidates, which must pass every rule, or controls (`expect = "fail"`),
known-bad adapters which must fail at least one: a gate that lets a control through is not trusted with a real
adapter. 0: every candidate passed and every control was caught; 1: a candidate failed or a control was MISSED;
2: the gate could not be evaluated. Missing data is never a pass: a rule that lacks what it needs is an error, not
a silent success.

Rules, per gated variant and suite. The gate judges every unmerged adapter by default; `judge = ["merged:*"]`
judges adapters on their merged form, which a quick bench serves for every case while the unmerged form answers
only an unmerged sample of them (`[suites] unmerged_sample`). Controls are caught whichever form is judged. A
checkpoint (`lora:NAME@STEP`) is never judged, whatever the patterns: it is a point of a learning curve, not what
a release ships, and choosing among checkpoints is `harness rank`'s job.
- `min_full_match`: the suite's full-match rate is at least the minimum.
- `no_regression`: against a baseline, no drop that chance does not explain: an exact McNemar test on the cases
  both share, or, when the case sets differ, the current interval lying wholly below the baseline's.
- `must_beat` (per variant): on the cases that expect a call, more right than each reference variant (the base),
  by more than chance: an exact McNemar test on the same cases.
- `min_relevance` (per variant): over every irrelevance case of the run, the rate of answering without a call.
- `min_ask` (per variant, off by default): over every missing_info case of the run, the rate of answering without
  a call (asking for the value the user left out). Neither counts the other's cases, and `must_beat` counts
  neither: both expect no call.
- `merged_gap` (per variant): unmerged and merged serving of the judged adapter (whichever of the two is judged,
  the other is its counterpart, which must have answered every case it was asked) do not differ on full match
  beyond chance: an exact McNemar test over every case both answered (the unmerged sample, when unmerged answers
  one), failing only when it is significant and the difference is larger than the allowed gap. In bf16 merging rounds the LoRA delta, so a few answers flip either way; a raw per-suite
  difference on a handful of cases would fail on that noise.
- `strict_parse_errors`: outputs that vLLM's parser cannot read stay under the allowed rate beyond chance: the
  suite fails when the 95% interval of its rate lies wholly above it. On a sample of six cases one output is
  17%, so a raw rate would fail a suite on one case.
- `latency_overhead` (per variant): the judged adapter's unmerged TPOT over its merged model's at the lowest
  concurrency is not above the allowed overhead with 95% confidence, whichever form is judged.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import ValidationError

from harness.files import validation_message
from harness.gate.baseline import Baseline
from harness.gate.episode_rules import episode_rules
from harness.gate.settings import GateRules, SuiteScope
from harness.patterns import matches_any, most_specific
from harness.runs.folder import MANIFEST, RunLogError
from harness.runs.view import RunView
from harness.scoring import paired, paired_test, shared_cases
from harness.stats import wilson
from harness.types import (
    CaseKind,
    CaseScore,
    GateResult,
    GroupSummary,
    LatencySummary,
    ParseMode,
    RuleResult,
    RunSummary,
    Status,
    Variant,
)


def _rate(group: GroupSummary, mode: ParseMode) -> float | None:
    return group.metrics(mode).full_match.value


def _groups(summary: RunSummary) -> dict[tuple[str, str], GroupSummary]:
    return {(g.variant, g.suite): g for g in summary.groups if g.kind is None}


def _baseline_variant(baseline: Baseline, variant: str, patterns: list[str]) -> str | None:
    """The same variant in the baseline; else its only gated variant (a new adapter against the released one)."""
    if variant in baseline.outcomes:
        return variant
    gated = [name for name in baseline.outcomes if matches_any(name, patterns)]
    return gated[0] if len(gated) == 1 else None


def _regression(variant: str, suite: str, scores: list[CaseScore], baseline: Baseline, rules: GateRules) -> RuleResult:
    rule, mode = "no_regression", rules.mode
    name = _baseline_variant(baseline, variant, rules.judge)
    reference = baseline.outcomes.get(name) if name else None
    cases = (reference or {}).get(suite)
    if not cases:
        return _error(rule, variant, suite, f"baseline {baseline.name} has no {suite}")
    now = {s.case_id: s.outcome(mode).full_match for s in scores}
    before = {case: verdicts[mode.value] for case, verdicts in cases.items()}
    if now.keys() == before.keys():
        test = paired((x, y) for _, x, y in shared_cases(now, before))
        dropped = test.only_b > test.only_a and test.p_value < rules.alpha
        detail = (
            f"{test.only_b} cases lost, {test.only_a} gained vs {baseline.name} ({name});"
            f" McNemar p = {test.p_value:.3g}"
        )
    else:
        current = wilson(sum(now.values()), len(now))
        previous = wilson(sum(before.values()), len(before))
        dropped = current.high < previous.low
        detail = (
            f"case sets differ: {current.value or 0:.1%} [{current.low:.1%}, {current.high:.1%}] vs baseline"
            f" {previous.value or 0:.1%} [{previous.low:.1%}, {previous.high:.1%}]"
        )
    return _judged(rule, variant, suite, not dropped, detail)


def _latency_rule(
    variant: str, pair: tuple[Variant, Variant] | None, summary: LatencySummary | None, limit: float
) -> RuleResult:
    """The judged adapter's price of serving unmerged: its `lora` variant's TPOT over its `merged` one's."""
    rule = "latency_overhead"
    if pair is None:
        return _error(rule, variant, None, "the run serves the adapter one way only: no overhead to measure")
    unmerged, merged = (v.name for v in pair)
    found = [
        c
        for c in (summary.comparisons if summary else [])
        if c.metric == "tpot_s" and c.numerator == unmerged and c.denominator == merged
    ]
    if not found:
        missing = f"no TPOT comparison of {unmerged} with {merged}"
        return _error(rule, variant, None, "no latency study in the run folder" if summary is None else missing)
    comparison = min(found, key=lambda c: c.concurrency)
    estimate = comparison.estimate
    over = estimate.low - 1 > limit
    detail = (
        f"{unmerged} TPOT {estimate.ratio - 1:+.1%} (95% CI [{estimate.low - 1:+.1%}, {estimate.high - 1:+.1%}])"
        f" over {merged} at concurrency {comparison.concurrency}; limit +{limit:.0%}"
    )
    return _judged(rule, variant, None, not over, detail)


def _merged_gap(
    variant: str,
    pair: tuple[Variant, Variant],
    groups: dict[tuple[str, str], GroupSummary],
    scores: list[CaseScore],
    rules: GateRules,
) -> RuleResult:
    """Unmerged against merged over the cases both answered, whichever of the two is judged; the other must have
    answered every case it was asked (its unmerged sample, or every case)."""
    rule, gap = "merged_gap", rules.max_merged_gap or 0.0
    unmerged, merged = (v.name for v in pair)
    counterpart = merged if variant == unmerged else unmerged
    suites = {suite for _, suite in groups}
    if any(not _complete(groups.get((counterpart, suite))) for suite in suites):
        return _error(rule, variant, None, f"{counterpart} has not answered every case it was asked")
    test = paired_test(
        [s for s in scores if s.variant == unmerged], [s for s in scores if s.variant == merged], rules.mode
    )
    difference = (test.only_a - test.only_b) / test.cases if test.cases else 0.0
    differs = test.p_value < rules.alpha and abs(difference) > gap
    detail = (
        f"full match differs on {test.only_a + test.only_b} of {test.cases} cases ({test.only_a} right only"
        f" unmerged, {test.only_b} only merged), {difference:+.1%}; McNemar p = {test.p_value:.3g}; fails when"
        f" p < {rules.alpha:g} and the difference exceeds {gap:.0%}"
    )
    return _judged(rule, variant, None, not differs, detail)


def _must_beat(
    variant: str, reference: str, groups: dict[tuple[str, str], GroupSummary], scores: list[CaseScore], rules: GateRules
) -> RuleResult:
    rule = "must_beat"
    suites = {suite for _, suite in groups}
    if any(not _complete(groups.get((reference, suite))) for suite in suites):
        return _error(rule, variant, None, f"the run has no complete {reference} variant to compare with")
    calls = [s for s in scores if s.kind.expects_call]
    test = paired_test(
        [s for s in calls if s.variant == reference], [s for s in calls if s.variant == variant], rules.mode
    )
    scope = _SCOPE_WORDS[rules.must_beat_on]
    if not test.cases:
        return _error(rule, variant, None, _nothing_to_judge(variant, calls, scope, "a call"))
    better = test.only_b > test.only_a and test.p_value < rules.alpha
    detail = (
        f"on {test.cases} cases {scope}that expect a call: {test.only_b} right only here, {test.only_a} only for"
        f" {reference}; McNemar p = {test.p_value:.3g} (must be below {rules.alpha:g})"
    )
    return _judged(rule, variant, None, better, detail)


class _NoCallRule(NamedTuple):
    """A rule on the rate of answering without a call over the cases of one kind."""

    name: str
    kind: CaseKind
    expecting: str
    """What those cases expect, as the rule's detail says it."""
    answered: str
    """What a right answer did, as the rule's detail says it."""
    hint: str


_RELEVANCE = _NoCallRule(
    "min_relevance", CaseKind.IRRELEVANCE, "no call", "no call where none fits", " (add an irrelevance suite)"
)
_ASK = _NoCallRule(
    "min_ask",
    CaseKind.MISSING_INFO,
    "a question back",
    "asked for the missing value instead of calling",
    " (add suites/missing_info.json)",
)


def _no_call(
    variant: str, rule: _NoCallRule, minimum: float, scope: SuiteScope, scores: list[CaseScore], mode: ParseMode
) -> RuleResult:
    """`scores` are every variant's, in the rule's scope: those of the others tell a variant without answers from
    a run without cases of the rule's kind."""
    cases = [s for s in scores if s.kind is rule.kind]
    right = [s.outcome(mode).full_match for s in cases if s.variant == variant]
    words = _SCOPE_WORDS[scope]
    if not right:
        return _error(rule.name, variant, None, _nothing_to_judge(variant, cases, words, rule.expecting, rule.hint))
    rate = wilson(sum(right), len(right))
    detail = (
        f"{rule.answered} in {rate.successes} of {rate.trials} cases {words}".rstrip()
        + f", {rate.value or 0:.1%} [{rate.low:.1%}, {rate.high:.1%}]; minimum {minimum:.0%}"
    )
    return _judged(rule.name, variant, None, (rate.value or 0) >= minimum, detail)


_SCOPE_WORDS = {"all": "", "in": "in distribution ", "out": "out of distribution "}


def _nothing_to_judge(variant: str, scores: list[CaseScore], scope: str, expecting: str, hint: str = "") -> str:
    """Why a rule has no case to judge: the run has none of its kind, or this variant answered none of them."""
    cases = {s.key for s in scores}
    if not cases:
        return f"no case {scope}of the run expects {expecting}{hint}"
    return f"{variant} has no answer to any of the {len(cases)} cases {scope}that expect {expecting}"


def _in_scope(scores: list[CaseScore], scope: SuiteScope, distributions: dict[str, str]) -> list[CaseScore]:
    """The scores of the suites a rule looks at, by the distribution each suite file declares."""
    return scores if scope == "all" else [s for s in scores if distributions.get(s.suite) == scope]


def _judged(rule: str, variant: str, suite: str | None, passed: bool, detail: str) -> RuleResult:
    status = Status.PASSED if passed else Status.FAILED
    return RuleResult(rule=rule, variant=variant, suite=suite, status=status, detail=detail)


def _error(rule: str, variant: str, suite: str | None, detail: str) -> RuleResult:
    return RuleResult(rule=rule, variant=variant, suite=suite, status=Status.ERROR, detail=detail)


def _complete(group: GroupSummary | None) -> bool:
    return group is not None and not group.missing and group.cases > 0


def _suite_rules(
    variant: str,
    suite: str,
    groups: dict[tuple[str, str], GroupSummary],
    scores: list[CaseScore],
    baseline: Baseline | None,
    rules: GateRules,
) -> list[RuleResult]:
    """Every per-suite rule for one variant; a suite without an answer for every case fails to evaluate."""
    group = groups.get((variant, suite))
    if group is None or not _complete(group):
        return [_error("scores", variant, suite, f"{group.missing if group else 'all'} cases have no answer")]
    results = []
    rate = _rate(group, rules.mode) or 0.0
    minimum = most_specific(rules.min_full_match, suite)
    if minimum is not None:
        detail = f"full match {rate:.1%} ({rules.mode.value}), minimum {minimum:.0%}"
        results.append(_judged("min_full_match", variant, suite, rate >= minimum, detail))
    if baseline is not None:
        results.append(_regression(variant, suite, scores, baseline, rules))
    if rules.max_strict_parse_error_rate is not None:
        errors, limit = group.strict.parse_error_rate, rules.max_strict_parse_error_rate
        detail = (
            f"strict parse errors {errors.value or 0:.1%} of {group.cases} (95% interval {errors.low:.0%}-"
            f"{errors.high:.0%}), maximum {limit:.0%}: fails when the whole interval lies above it"
        )
        results.append(_judged("strict_parse_errors", variant, suite, errors.low <= limit, detail))
    return results


def manifest_rules(view: RunView) -> GateRules:
    """The gate rules the run was configured with, as its manifest records them. Rules that do not validate are an
    error naming the file: judging by default rules instead would pass or fail a run on rules nobody wrote."""
    try:
        return GateRules.model_validate(view.manifest.config.get("gate", {}))
    except ValidationError as error:
        raise RunLogError(f"{view.path / MANIFEST}: config.gate: {validation_message(error)}") from None


def evaluate_gate(view: RunView, baseline: Baseline | None = None, rules: GateRules | None = None) -> GateResult:
    """Every rule on every gated variant of a scored run, as loaded by the caller (nothing is read again);
    `rules` default to the ones the run's manifest records."""
    manifest, scores, latency, suites = view.manifest, view.scores, view.latency, view.suites
    rules = manifest_rules(view) if rules is None else rules
    groups = _groups(view.summary)
    distributions = {name: suite.distribution for name, suite in suites.items()}
    has_cases = any(suite.cases for suite in suites.values())
    episode_summary, episode_scores = view.episode_summary, view.episode_scores
    episode_groups = {(g.variant, g.suite): g for g in episode_summary.groups} if episode_summary else {}
    episodes_in_scope = {n for n, s in suites.items() if s.episodes and rules.must_beat_on in ("all", s.distribution)}
    judged = [v for v in manifest.variants if matches_any(v.name, rules.judge) and not v.checkpoint]
    results: list[RuleResult] = []
    for variant in judged:
        name, pair = variant.name, variant.serving_pair(manifest.variants)
        mine = [s for s in scores if s.variant == name]
        for ref in manifest.suites:
            if suites[ref.name].cases:
                mine_here = [s for s in mine if s.suite == ref.name]
                results += _suite_rules(name, ref.name, groups, mine_here, baseline, rules)
        if episode_summary is not None:
            results += episode_rules(name, episode_groups, episode_scores, episodes_in_scope, rules)
        if has_cases:
            beaten = _in_scope(scores, rules.must_beat_on, distributions)
            results += [_must_beat(name, reference, groups, beaten, rules) for reference in rules.must_beat]
            for rule, minimum, scope in (
                (_RELEVANCE, rules.min_relevance, rules.relevance_on),
                (_ASK, rules.min_ask, rules.ask_on),
            ):
                if minimum:
                    results.append(
                        _no_call(name, rule, minimum, scope, _in_scope(scores, scope, distributions), rules.mode)
                    )
        if rules.max_merged_gap is not None and pair is not None and has_cases:  # an adapter served both ways
            results.append(_merged_gap(name, pair, groups, scores, rules))
        if rules.max_latency_overhead is not None and (variant.role == "lora" or pair is not None):
            results.append(_latency_rule(name, pair, latency, rules.max_latency_overhead))
    if not judged:
        results.append(_error("judge", "", None, f"no variant of the run matches judge = {rules.judge}"))
    controls = [v.name for v in judged if v.expect == "fail"]
    return GateResult(run_id=manifest.run_id, mode=rules.mode, results=results, controls=controls)
