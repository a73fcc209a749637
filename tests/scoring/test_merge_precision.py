"""The merge-precision finding on synthetic run folders: per adapter, which answers each merged form changes
against the unmerged ones (text, calls and verdict counted apart), on the cases every form answered, and which
merge to prefer (another than the served one only beyond chance); then the same finding in the console, HTML and
Markdown outputs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from run_factory import call, synthetic_run

from harness.cli import main
from harness.gate.outputs import merge_markdown
from harness.reports.html_page import render_html
from harness.reports.merge_precision import print_merge_precision
from harness.runs.folder import RunFolder
from harness.runs.score import score_run
from harness.runs.view import load_run
from harness.scoring.merge_precision import MergePrecisionFinding

ALL = set(range(30))
"""Every `calls` case right (case i is answered right with f(x=i), wrong with f(x=-1))."""

FORMS = ("merged:good", "merged-bf16:good")
FIRST_FIVE = [f"calls/c{i:02d}" for i in range(5)]

# (name, cases each variant answers right, answers written over the factory's (variant, case id, text),
#  expected per form: (differing case ids, calls differ, full match flips), the preferred form, the advice)
Overrides = list[tuple[str, str, str | None]]
CASES: list[tuple[str, dict[str, set[int]], Overrides, dict[str, tuple[list[str], int, int]], str, str]] = [
    (
        "every form answers as unmerged",
        dict.fromkeys(("lora:good", *FORMS), ALL),
        [],
        {"merged:good": ([], 0, 0), "merged-bf16:good": ([], 0, 0)},
        "merged:good",
        "good: no merge changed an answer against unmerged on the 30 cases; keep the fp32 merge, served",
    ),
    (
        "the bf16 merge flips two verdicts",
        {"lora:good": ALL, "merged:good": ALL, "merged-bf16:good": ALL - {3, 7}},
        [],
        {"merged:good": ([], 0, 0), "merged-bf16:good": (["calls/c03", "calls/c07"], 2, 2)},
        "merged:good",
        "good: prefer the fp32 merge, served: 0 of 30 answers differ from unmerged, against 2 for the bf16 merge",
    ),
    (
        # unmerged gets c00-c04 wrong as f(x=-1); the fp32 merge as f(x=-2): other answers, the same verdict
        "answers that differ while their verdict does not",
        {"lora:good": ALL - set(range(5)), "merged:good": ALL - set(range(5)), "merged-bf16:good": ALL - {0}},
        [("merged:good", f"c{i:02d}", call(-2)) for i in range(5)],
        {"merged:good": (FIRST_FIVE, 5, 0), "merged-bf16:good": (FIRST_FIVE[1:], 4, 4)},
        "merged:good",
        "good: keep the fp32 merge, served: 5 of 30 answers differ from unmerged, against 4 for the bf16 merge, a"
        " difference within chance (exact McNemar p = 1)",
    ),
    (
        # the fp32 merge answers c00-c07 f(x=-2) where unmerged and the bf16 merge answer f(x=-1)
        "the bf16 merge keeps answers the fp32 merge changes, beyond chance",
        dict.fromkeys(("lora:good", *FORMS), ALL - set(range(8))),
        [("merged:good", f"c{i:02d}", call(-2)) for i in range(8)],
        {"merged:good": ([f"calls/c{i:02d}" for i in range(8)], 8, 0), "merged-bf16:good": ([], 0, 0)},
        "merged-bf16:good",
        "good: prefer the bf16 merge (merged-bf16:good): 0 of 30 answers differ from unmerged, against 8 for the"
        " fp32 merge (exact McNemar p = 0.0078); list it first in `merges` to serve it and judge it",
    ),
    (
        "a tie keeps the merge served",
        {"lora:good": ALL, "merged:good": ALL - {1}, "merged-bf16:good": ALL - {2}},
        [],
        {"merged:good": (["calls/c01"], 1, 1), "merged-bf16:good": (["calls/c02"], 1, 1)},
        "merged:good",
        "good: keep the fp32 merge, served: 1 of 30 answers differ from unmerged, against 1 for the bf16 merge, a"
        " difference within chance (exact McNemar p = 1)",
    ),
    (
        # a reworded question back and calls written in another order: the text differs, the calls do not
        "a reworded answer differs in text only",
        dict.fromkeys(("lora:good", *FORMS), ALL),
        [
            ("merged-bf16:good", "c05", '<tool_call>{"arguments": {"x": 5}, "name": "f"}</tool_call>'),
            ("merged-bf16:good", "c06", f"  {call(6)}"),
        ],
        {"merged:good": ([], 0, 0), "merged-bf16:good": (["calls/c05", "calls/c06"], 0, 0)},
        "merged:good",
        "good: prefer the fp32 merge, served: 0 of 30 answers differ from unmerged, against 2 for the bf16 merge",
    ),
    (
        # a failed request is no answer: c09 leaves the comparison of every form, so the counts stay comparable
        "a failed request leaves its case out for every form",
        {"lora:good": ALL, "merged:good": ALL - {9}, "merged-bf16:good": ALL},
        [("merged-bf16:good", "c09", None)],
        {"merged:good": ([], 0, 0), "merged-bf16:good": ([], 0, 0)},
        "merged:good",
        "good: no merge changed an answer against unmerged on the 29 cases; keep the fp32 merge, served",
    ),
]


def finding_of(tmp_path: Path, right: dict[str, set[int]], overrides: Overrides) -> MergePrecisionFinding:
    run = synthetic_run(tmp_path / "run", {"base": set(), **right})
    folder = RunFolder(run)
    for variant, case, text in overrides:
        generation = folder.read_generations()[(variant, "calls", case)][1]
        changed = {"text": text} if text is not None else {"error": "HTTP 500"}
        folder.append_generation(generation.model_copy(update=changed))  # the last line of a case is its answer
    score_run(run)
    (finding,) = load_run(run).merge_precision()
    return finding


@pytest.mark.parametrize(
    ("right", "overrides", "expected", "preferred", "advice"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_merge_precision_counts_the_answers_each_merge_changes(
    tmp_path: Path,
    right: dict[str, set[int]],
    overrides: Overrides,
    expected: dict[str, tuple[list[str], int, int]],
    preferred: str,
    advice: str,
) -> None:
    finding = finding_of(tmp_path, right, overrides)
    assert (finding.adapter, finding.unmerged) == ("good", "lora:good")
    assert [(f.variant, f.merge, f.served) for f in finding.forms] == [
        ("merged:good", "fp32", True),
        ("merged-bf16:good", "bf16", False),
    ]
    assert {f.variant: (f.differing, f.calls_differ, f.verdicts_differ) for f in finding.forms} == expected
    assert finding.preferred.variant == preferred
    assert finding.advice() == advice


def test_forms_are_found_by_their_typed_fields_and_compared_on_the_unmerged_sample(tmp_path: Path) -> None:
    """Unmerged and the further merge answer the unmerged sample (the first 4 cases), the merged form every case:
    the comparison covers the 4 cases all three answered. An adapter merged one way has its row and no advice;
    one served unmerged only has no finding."""
    right: dict[str, int | set[int]] = {
        "lora:good": 30,
        "merged:good": 30,
        "merged-bf16:good": {1, 2},
        "lora:plain": 30,
        "merged:plain": 29,
        "lora:alone": 30,
    }
    view = load_run(synthetic_run(tmp_path / "run", right, unmerged_sample=4))
    good, plain = view.merge_precision()
    assert (good.cases, [f.differing for f in good.forms]) == (4, [[], ["calls/c00", "calls/c03"]])
    assert (plain.adapter, plain.cases, [f.variant for f in plain.forms]) == ("plain", 4, ["merged:plain"])
    assert plain.advice() is None


def test_a_checkpoint_is_not_an_unmerged_form_of_its_adapter(tmp_path: Path) -> None:
    """Checkpoints are served unmerged and have no merged model: the finding compares the merged form with the
    final adapter only (the same step), never with a checkpoint's answers."""
    right: dict[str, int | set[int]] = {"lora:good@8": 10, "lora:good": 30, "merged:good": {0, 1, 2}}
    steps = {"lora:good@8": 8, "lora:good": 16, "merged:good": 16}
    (good,) = load_run(synthetic_run(tmp_path / "run", right, steps=steps)).merge_precision()
    assert (good.unmerged, good.cases, [f.variant for f in good.forms]) == ("lora:good", 30, ["merged:good"])


def render(findings: list[MergePrecisionFinding]) -> str:
    buffer = io.StringIO()
    print_merge_precision(findings, Console(file=buffer, width=80, color_system=None, highlight=False))
    return buffer.getvalue()


def test_the_finding_is_in_the_console_html_and_markdown(tmp_path: Path) -> None:
    _, right, overrides, *_ = CASES[1]
    finding = finding_of(tmp_path, right, overrides)
    text = render([finding])
    rows = [line.split() for line in text.splitlines()]
    assert ["merged:good", "fp32", "30", "0", "0", "0"] in rows
    assert ["merged-bf16:good", "bf16", "30", "2", "2", "2"] in rows
    flat = " ".join(text.split())
    assert "merged-bf16:good differs on calls/c03, calls/c07" in flat and finding.advice() in flat
    assert max(len(line) for line in text.splitlines()) <= 80
    html = render_html(load_run(tmp_path / "run"))
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html[html.index('id="merge-precision"') :])
    assert cells[:14] == [
        *("merged:good", "fp32", "30", "0", "0", "0", ""),
        *("merged-bf16:good", "bf16", "30", "2", "2", "2", "calls/c03, calls/c07"),
    ]
    assert f"<li>{finding.advice()}</li>" in html
    markdown = merge_markdown([finding])
    assert "| merged-bf16:good | bf16 | 30 | 2 | 2 | 2 | calls/c03, calls/c07 |" in markdown
    assert f"- {finding.advice()}" in markdown
    assert merge_markdown([]) == "" and render([]) == ""


def test_the_bench_markdown_summary_leads_with_the_verdict_then_the_finding(tmp_path: Path) -> None:
    _, right, overrides, *_ = CASES[1]
    finding_of(tmp_path, right, overrides)
    run = tmp_path / "run"
    main(["gate", str(run)])  # its verdict does not matter here (the run has no irrelevance case to judge)
    summary = (run / "gate-summary.md").read_text()
    assert summary.startswith("### Gate ") and summary.index("#### Merge precision") > summary.index("| variant |")
    assert "| merged-bf16:good | bf16 | 30 | 2 | 2 | 2 | calls/c03, calls/c07 |" in summary
