"""Merge precision as a finding: for each adapter served both unmerged and merged, how many answers each merged
form changes against the unmerged one, which cases, and which merge to prefer.

The unmerged form is the reference: it applies the adapter as trained, its delta computed apart from the base's
weights, where a merge rounds the delta into them (in float32 or directly in bf16, `[[adapters]] merges`). Two
answers differ when their raw text differs (or, were the text the same, their scored verdicts): text, not the
verdict alone, because an answer that changes from one wrong call to another, or rewords the question it asks
back, is another answer that pass/fail would hide. Of those, the answers whose calls differ (lenient reading, in
any order) and those whose full match flips (strict reading) are counted apart: the first is a change of
behaviour, the second what moves accuracy. Every form is compared on the cases that the unmerged form and every
merged form answered, so that the forms' counts are comparable. A merge other than the one served is preferred
only when it changes fewer answers beyond chance (exact McNemar over the cases where only one of the two differs):
a merge flips a few answers either way, and one case more or less is no reason to rebuild what is served.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harness.scoring.parity import answers_of, calls_key
from harness.stats import mcnemar_exact
from harness.types import CaseKey, CaseScore, Frozen, Generation, GenerationKey, MergePrecision, Variant

ALPHA = 0.05
"""Significance level at which a merge other than the served one is preferred."""


class MergeForm(Frozen):
    """One merged form of an adapter against its unmerged answers."""

    variant: str
    """The merged variant."""
    merge: MergePrecision | None
    """The precision it was merged in; None when the run did not record it."""
    served: bool
    """The adapter's merged form (the one judged, timed and recommended), not a further merge served to compare."""
    differing: list[str]
    """`suite/case` of every answer that differs from the unmerged one, in case order."""
    calls_differ: int
    """Of those, answers whose calls differ (lenient reading, in any order)."""
    verdicts_differ: int
    """Of those, answers whose full match (strict reading) differs: what changes the accuracy figures."""

    @property
    def label(self) -> str:
        """`the bf16 merge`, as sentences name the form."""
        return f"the {self.merge} merge" if self.merge else "the merge of unrecorded precision"


class MergePrecisionFinding(Frozen):
    """One adapter's merged forms against its unmerged form, and the merge to prefer."""

    adapter: str
    """The adapter."""
    unmerged: str
    """Its unmerged variant, the reference."""
    dtype: str | None
    """Weight dtype the merged forms were served in (bf16 rounds where float32 does not)."""
    cases: int
    """Cases the unmerged form and every merged form answered: the ones compared."""
    forms: list[MergeForm]
    """The merged forms, the served one first."""

    def p_value(self, form: MergeForm) -> float:
        """Exact McNemar p of a form against the served one, over the cases where only one of the two differs from
        unmerged: whether their counts differ by more than chance."""
        served, other = set(self.forms[0].differing), set(form.differing)
        return mcnemar_exact(len(served - other), len(other - served))

    @property
    def preferred(self) -> MergeForm:
        """The form whose answers differ least from unmerged, if it differs less than the served one beyond chance
        (a few answers flip either way); else the served one, already built, judged and timed."""
        served = self.forms[0]
        best = min(self.forms, key=lambda form: (len(form.differing), not form.served))
        return best if best is served or self.p_value(best) < ALPHA else served

    def advice(self) -> str | None:
        """Which merge to prefer, in one sentence with the counts behind it; None for an adapter merged one way
        only, where there is nothing to choose."""
        best, served = self.preferred, self.forms[0]
        others = [form for form in self.forms if form is not best]
        if not others:
            return None
        if not any(form.differing for form in self.forms):
            return (
                f"{self.adapter}: no merge changed an answer against unmerged on the {self.cases} cases; keep"
                f" {served.label}, served"
            )
        against = ", ".join(f"{len(form.differing)} for {form.label}" for form in others)
        counts = f"{len(best.differing)} of {self.cases} answers differ from unmerged, against {against}"
        if best is not served:
            return (
                f"{self.adapter}: prefer {best.label} ({best.variant}): {counts} (exact McNemar p ="
                f" {self.p_value(best):.2g}); list it first in `merges` to serve it and judge it"
            )
        rival = min(others, key=lambda form: len(form.differing))
        if len(rival.differing) <= len(best.differing):
            return (
                f"{self.adapter}: keep {best.label}, served: {counts}, a difference within chance (exact McNemar p ="
                f" {self.p_value(rival):.2g})"
            )
        return f"{self.adapter}: prefer {best.label}, served: {counts}"


def merge_precision(
    variants: list[Variant], generations: Mapping[GenerationKey, Generation], scores: Iterable[CaseScore]
) -> list[MergePrecisionFinding]:
    """A finding per adapter that the run served unmerged and merged (forms found by typed fields, never by
    name), in the run's variant order; none for an adapter whose forms share no answered case."""
    strict = {(s.variant, s.suite, s.case_id): s.strict.full_match for s in scores}
    findings = []
    for unmerged in variants:
        adapter, merged = unmerged.adapter_name, unmerged.merged_forms(variants)  # the served form first
        if adapter is None or not merged:
            continue
        answers = {v.name: answers_of(generations, v.name) for v in (unmerged, *merged)}
        shared = sorted(set.intersection(*(set(found) for found in answers.values())))
        if not shared:
            continue
        reference = answers[unmerged.name]
        forms = [
            _form(v, [(key, reference[key], answers[v.name][key]) for key in shared], unmerged.name, strict)
            for v in merged
        ]
        findings.append(
            MergePrecisionFinding(
                adapter=adapter,
                unmerged=unmerged.name,
                dtype=merged[0].dtype,
                cases=len(shared),
                forms=forms,
            )
        )
    return findings


def _form(
    variant: Variant,
    pairs: list[tuple[CaseKey, Generation, Generation]],
    unmerged: str,
    strict: Mapping[tuple[str, str, str], bool],
) -> MergeForm:
    def flipped(key: CaseKey) -> bool:
        return strict.get((unmerged, *key)) != strict.get((variant.name, *key))

    differing = [(key, a, b) for key, a, b in pairs if a.text != b.text or flipped(key)]
    return MergeForm(
        variant=variant.name,
        merge=variant.merge,
        served=not variant.extra_merge,
        differing=[f"{suite}/{case}" for (suite, case), _, _ in differing],
        calls_differ=sum(calls_key(a.text) != calls_key(b.text) for _, a, b in differing),
        verdicts_differ=sum(flipped(key) for key, _, _ in differing),
    )
