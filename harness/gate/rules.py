"""The regression gate: rules from the run's config, evaluated on its saved scores (and latency summary), with
an exit code CI can act on. Adapters are candidates, which must pass every rule, or controls (`expect = "fail"`),
known-bad adapters which must fail at least one: a gate that lets a control through is not trusted with a real
adapter. 0: every candidate passed and every control was caught; 1: a candidate failed or a control was MISSED;
2: the gate could not be evaluated; 3: a verdict is still open (undecided). Missing data is never a pass: a rule that lacks what it needs is an error, not
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

Each rule that reads single-turn answers is read through the looks of the run's asking order (`gate.looks`): on a
run whose variants answered every case, today's verdict as above (McNemar at alpha / 2 beside an e-process for
`must_beat`, `merged_gap` and `no_regression`: `gate.case_rules`); on a run the scheduler stopped early, the
verdict of the first look its anytime-valid test decided, or undecided (exit 3) when its time budget ran out
first. `cases_to_ask` tells the scheduler which answers the open rules still need.
"""

from __future__ import annotations

from pydantic import ValidationError

from harness.files import validation_message
from harness.gate.baseline import Baseline
from harness.gate.case_rules import (
    floor_rule,
    judged,
    merged_gap_rule,
    must_beat_rule,
    parse_error_rule,
    regression_rule,
    result,
)
from harness.gate.episode_rules import episode_rules
from harness.gate.looks import CaseRule, Looks, decide
from harness.gate.settings import GateRules, SuiteScope, references_of
from harness.patterns import matches_any, most_specific
from harness.runs.folder import MANIFEST, RunLogError
from harness.runs.view import RunView
from harness.types import (
    CaseKey,
    CaseKind,
    GateResult,
    LatencySummary,
    RuleResult,
    Status,
    Suite,
    Variant,
)


def _baseline_variant(baseline: Baseline, variant: str, patterns: list[str]) -> str | None:
    """The same variant in the baseline; else its only gated variant (a new adapter against the released one)."""
    if variant in baseline.outcomes:
        return variant
    gated = [name for name in baseline.outcomes if matches_any(name, patterns)]
    return gated[0] if len(gated) == 1 else None


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
    return judged(rule, variant, None, not over, detail)


_SCOPE_WORDS = {"all": "", "in": "in distribution ", "out": "out of distribution "}

_NO_CALL_RULES = (
    ("min_relevance", CaseKind.IRRELEVANCE, "no call", "no call where none fits", " (add an irrelevance suite)"),
    (
        "min_ask",
        CaseKind.MISSING_INFO,
        "a question back",
        "asked for the missing value instead of calling",
        " (add suites/missing_info.json)",
    ),
)
"""Rules on the rate of answering without a call over the cases of one kind: name, kind, what those cases expect
and what a right answer did (as the rule's detail says them), and a hint when the run has none."""


def _error(rule: str, variant: str, suite: str | None, detail: str) -> RuleResult:
    return result(rule, variant, suite, Status.ERROR, detail)


def _keys(suites: dict[str, Suite], scope: SuiteScope, keep: object = None) -> frozenset[CaseKey]:
    """The cases of the suites in `scope` (by the distribution each suite file declares), of one kind when
    `keep` is a CaseKind, or those that expect a call when it is `"call"`."""
    return frozenset(
        (name, case.id)
        for name, suite in suites.items()
        if scope == "all" or suite.distribution == scope
        for case in suite.cases
        if keep is None or (keep == "call" and CaseKind(case.kind).expects_call) or CaseKind(case.kind) is keep
    )


def _checked(rule: CaseRule, looks: Looks, scope: str, expecting: str, hint: str = "") -> CaseRule | RuleResult:
    """The rule, or the error that says why it has no case to judge: the run has none of its kind, or the judged
    variant is asked none of them (or, in a run folder from before the order, answered none)."""
    if not rule.cases:
        return _error(rule.name, rule.variant, None, f"no case {scope}of the run expects {expecting}{hint}")
    population = looks.population(rule)
    if not population or (looks.positions is None and not looks.answered(rule, population)):
        why = f"{rule.variant} has no answer to any of the {len(rule.cases)} cases {scope}that expect {expecting}"
        return _error(rule.name, rule.variant, None, why)
    return rule


def _case_rules(
    variant: Variant, view: RunView, looks: Looks, baseline: Baseline | None, rules: GateRules
) -> list[CaseRule | RuleResult]:
    """The rules of one judged variant that read single-turn answers, in the order they are reported; a rule that
    cannot be evaluated whatever is asked comes as its error."""
    name, mode, alpha = variant.name, rules.mode, rules.alpha
    found: list[CaseRule | RuleResult] = []
    for ref in view.manifest.suites:
        suite = view.suites[ref.name]
        if not suite.cases:
            continue
        cases = frozenset((ref.name, case.id) for case in suite.cases)
        missing = looks.unanswered(name, cases)
        if looks.positions is None and (missing or not looks.asked.get(name, set()) & cases):
            # a run folder from before the order: a case without an answer is a failed run, not one still asking
            found.append(_error("scores", name, ref.name, f"{len(missing) or 'all'} cases have no answer"))
            continue
        minimum = most_specific(rules.min_full_match, ref.name)
        if minimum is not None:

            def words(right: int, answered: int) -> str:
                return f"full match {right} of {answered} ({mode.value})"

            judge = floor_rule("min_full_match", name, ref.name, minimum, alpha, mode, words)
            found.append(CaseRule("min_full_match", name, ref.name, (name,), cases, judge))
        if baseline is not None:
            found.append(_regression(variant, ref.name, cases, view, baseline, rules))
        if rules.max_strict_parse_error_rate is not None:
            judge = parse_error_rule(name, ref.name, rules.max_strict_parse_error_rate, alpha)
            found.append(CaseRule("strict_parse_errors", name, ref.name, (name,), cases, judge))
    if any(suite.cases for suite in view.suites.values()):
        calls = _keys(view.suites, rules.must_beat_on, "call")
        scope = _SCOPE_WORDS[rules.must_beat_on]
        for reference in references_of(name, rules.must_beat):
            if reference not in looks.asked:
                found.append(_error("must_beat", name, None, f"the run has no {reference} variant to compare with"))
                continue
            judge = must_beat_rule(name, reference, scope, alpha, mode)
            found.append(
                _checked(CaseRule("must_beat", name, None, (name, reference), calls, judge), looks, scope, "a call")
            )
        for (rule, kind, expecting, answered, hint), minimum, on in zip(
            _NO_CALL_RULES, (rules.min_relevance, rules.min_ask), (rules.relevance_on, rules.ask_on), strict=True
        ):
            if minimum:
                words_on = _SCOPE_WORDS[on]

                def said(right: int, total: int, answered: str = answered, words_on: str = words_on) -> str:
                    return f"{answered} in {right} of {total} cases {words_on}".rstrip()

                judge = floor_rule(rule, name, None, minimum, alpha, mode, said)
                floor = CaseRule(rule, name, None, (name,), _keys(view.suites, on, kind), judge)
                found.append(_checked(floor, looks, words_on, expecting, hint))
        pair = variant.serving_pair(view.manifest.variants)
        if rules.max_merged_gap is not None and pair is not None:
            unmerged, merged = (v.name for v in pair)
            counterpart = merged if name == unmerged else unmerged
            everything = _keys(view.suites, "all")
            judge = merged_gap_rule(name, unmerged, merged, rules.max_merged_gap, alpha, mode)
            found.append(CaseRule("merged_gap", name, None, (name, counterpart), everything, judge))
    return found


def _regression(
    variant: Variant, suite: str, cases: frozenset[CaseKey], view: RunView, baseline: Baseline, rules: GateRules
) -> CaseRule | RuleResult:
    reference = _baseline_variant(baseline, variant.name, rules.judge)
    outcomes = baseline.outcomes.get(reference) if reference else None
    before = (outcomes or {}).get(suite)
    if not before:
        return _error("no_regression", variant.name, suite, f"baseline {baseline.name} has no {suite}")
    population = {key for key in cases if variant.asks(*key)}
    previous = {(suite, case): verdicts[rules.mode.value] for case, verdicts in before.items()}
    judge = regression_rule(
        variant.name, suite, f"{baseline.name} ({reference})", previous, population, rules.alpha, rules.mode
    )
    return CaseRule("no_regression", variant.name, suite, (variant.name,), cases, judge)


def manifest_rules(view: RunView) -> GateRules:
    """The gate rules the run was configured with, as its manifest records them. Rules that do not validate are an
    error naming the file: judging by default rules instead would pass or fail a run on rules nobody wrote."""
    try:
        return GateRules.model_validate(view.manifest.config.get("gate", {}))
    except ValidationError as error:
        raise RunLogError(f"{view.path / MANIFEST}: config.gate: {validation_message(error)}") from None


def judged_rules(
    view: RunView, looks: Looks, baseline: Baseline | None, rules: GateRules
) -> list[tuple[CaseRule | None, RuleResult]]:
    """Every rule on every judged variant of a scored run, read through `looks` (the run's, built once by the
    caller), each with the case rule it was read from (None for the rules that read no single-turn answer:
    episodes, latency, or a rule that cannot be evaluated)."""
    manifest, latency, suites = view.manifest, view.latency, view.suites
    episode_summary, episode_scores = view.episode_summary, view.episode_scores
    episode_groups = {(g.variant, g.suite): g for g in episode_summary.groups} if episode_summary else {}
    episodes_in_scope = {n for n, s in suites.items() if s.episodes and rules.must_beat_on in ("all", s.distribution)}
    judged_variants = [v for v in manifest.variants if matches_any(v.name, rules.judge) and not v.checkpoint]
    found: list[tuple[CaseRule | None, RuleResult]] = []
    for variant in judged_variants:
        name, pair = variant.name, variant.serving_pair(manifest.variants)
        read = [
            (r, decide(r, looks)) if isinstance(r, CaseRule) else (None, r)
            for r in _case_rules(variant, view, looks, baseline, rules)
        ]
        own = [pair for pair in read if pair[1].suite is not None]  # the per-suite rules first, as reported
        if episode_summary is not None:
            own += [(None, r) for r in episode_rules(name, episode_groups, episode_scores, episodes_in_scope, rules)]
        own += [pair for pair in read if pair[1].suite is None]
        if rules.max_latency_overhead is not None and (variant.role == "lora" or pair is not None):
            own.append((None, _latency_rule(name, pair, latency, rules.max_latency_overhead)))
        # silence would pass a candidate, or miss a control, on no evidence
        why = "no rule of [gate] judges it (a paired rule never compares a variant with itself)"
        found += own or [(None, _error("rules", name, None, why))]
    if not judged_variants:
        found.append((None, _error("judge", "", None, f"no variant of the run matches judge = {rules.judge}")))
    return found


def evaluate_gate(view: RunView, baseline: Baseline | None = None, rules: GateRules | None = None) -> GateResult:
    """Every rule on every gated variant of a scored run, as loaded by the caller (nothing is read again);
    `rules` default to the ones the run's manifest records."""
    rules = manifest_rules(view) if rules is None else rules
    looks = Looks(view)
    found = judged_rules(view, looks, baseline, rules)
    controls = [r.variant for _, r in found if r.variant and _is_control(view, r.variant)]
    return GateResult(
        run_id=view.manifest.run_id,
        mode=rules.mode,
        results=[r for _, r in found],
        controls=list(dict.fromkeys(controls)),
        answers={name: looks.answers(name) for name in looks.asked},
        population={name: len(asked) for name, asked in looks.asked.items()},
    )


def _is_control(view: RunView, name: str) -> bool:
    return any(v.name == name and v.expect == "fail" for v in view.manifest.variants)


def cases_to_ask(
    view: RunView, baseline: Baseline | None = None, rules: GateRules | None = None
) -> dict[str, set[CaseKey] | None]:
    """What the scheduler still asks: per variant an open rule reads (undecided, of a judged variant that no case
    rule has failed yet: a failed rule decides a candidate and catches a control), the cases those rules read
    that it has not answered; per variant no case rule reads, None (every case: the run measures it for its
    reports). A variant left out needs nothing more."""
    looks = Looks(view)
    found = judged_rules(view, looks, baseline, manifest_rules(view) if rules is None else rules)
    settled = {r.variant for rule, r in found if rule and r.status in (Status.FAILED, Status.ERROR)}
    needed: dict[str, set[CaseKey] | None] = dict.fromkeys(
        set(view.variants) - {variant for rule, _ in found if rule for variant in rule.reads}
    )
    for rule, verdict in found:
        if rule is None or verdict.status is not Status.UNDECIDED or rule.variant in settled:
            continue
        population = looks.population(rule)
        for variant in rule.reads:
            wanted = needed.setdefault(variant, set())
            assert wanted is not None  # a variant some rule reads is never measured whole for the reports
            wanted |= looks.unanswered(variant, population)
    return needed
