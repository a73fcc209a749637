"""The merge-precision finding as a table: the headers, rows and explanation every output of it shares (the
console and HTML reports, the gate's Markdown summary). Kept beside the finding, below the reports and the gate
alike, so that neither imports the other for a column's name."""

from __future__ import annotations

from harness.scoring.merge_precision import MergePrecisionFinding

HEADERS = ("merged form", "merge", "cases", "differ", "calls", "full match")
"""The figures of one merged form: the console shows these, HTML and Markdown add the differing cases."""
CASES_HEADER = "cases that differ"
EXPLAINED = (
    "differ: answers whose text (or verdict) differs from the unmerged answer, on the cases the unmerged form and"
    " every merged form answered; calls: of those, answers that call differently; full match: of those, answers"
    " whose strict full match flips"
)


def title(findings: list[MergePrecisionFinding]) -> str:
    """What the table shows, and the dtype the merged forms were served in where the run recorded it: bf16 rounds
    where float32 does not."""
    dtypes = ", ".join(sorted({finding.dtype for finding in findings if finding.dtype}))
    return "Merge precision: answers that differ from unmerged" + (f" (served in {dtypes})" if dtypes else "")


def rows(finding: MergePrecisionFinding) -> list[list[str]]:
    """One row per merged form, unescaped: the cells of HEADERS, then the differing cases."""
    return [
        [
            form.variant,
            form.merge or "–",
            str(finding.cases),
            str(len(form.differing)),
            str(form.calls_differ),
            str(form.verdicts_differ),
            ", ".join(form.differing),
        ]
        for form in finding.forms
    ]
