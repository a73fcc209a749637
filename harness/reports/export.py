"""`harness export RUN --format csv|jsonl`: one row per case and variant, for pandas and spreadsheets.

A row holds what a reader needs to study failures without the harness: the case (suite, its distribution and
scoring semantics, kind, the expected calls), what the model produced (raw text and the calls each reading found), both readings'
verdicts with their error kind, and the request's timings. Pure: rows from a loaded run, then bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Literal

from harness.parsing import parse_text
from harness.reports.console import expected_text
from harness.runs.view import RunView
from harness.types import CaseScore, ErrorKind, Frozen, ParseMode

ExportFormat = Literal["csv", "jsonl"]


class CaseRow(Frozen):
    """One case answered by one variant."""

    variant: str
    role: str
    """base, base-plain, lora, merged, external or reference."""
    adapter: str | None
    step: int | None = None
    """Training step of the adapter weights (a checkpoint's, or the final adapter's), for learning curves."""
    suite: str
    distribution: str
    """`in`: a held-out split of what the adapters were trained for; `out`: a suite nobody trained on."""
    semantics: str
    """How the verdicts judged the calls: `schema` (JSON Schema) or `bfcl` (BFCL's checker rules)."""
    case_id: str
    kind: str
    expected: str
    """The expected calls, first accepted value of each required argument; `no call` where none is right (with
    what to ask for on a missing_info case)."""
    produced: str
    """The model's raw output."""
    calls_strict: str
    """Calls vLLM's parser reads in the output (JSON), what users get."""
    calls_lenient: str
    """Calls the lenient reading finds (JSON): what the model meant."""
    strict_full_match: bool
    strict_call_correct: bool
    strict_args_correct: bool
    strict_error_kind: ErrorKind | None
    lenient_full_match: bool
    lenient_call_correct: bool
    lenient_args_correct: bool
    lenient_error_kind: ErrorKind | None
    detail: str
    """The strict reading's explanation of its verdict."""
    request_error: str | None
    """Why the request itself failed, when it did."""
    ttft_s: float | None
    e2e_s: float | None
    prompt_tokens: int | None
    completion_tokens: int | None


def _calls(text: str, mode: ParseMode) -> str:
    return json.dumps([call.model_dump() for call in parse_text(text, mode).calls], ensure_ascii=False)


def case_rows(view: RunView) -> list[CaseRow]:
    """Every scored answer, in the order of the run's variants, suites and cases."""
    variants = {v.name: v for v in view.manifest.variants}
    order = {name: index for index, name in enumerate(variants)}

    def row(score: CaseScore) -> CaseRow:
        variant = variants[score.variant]
        generation = view.generations[(score.variant, score.suite, score.case_id)]
        strict, lenient = score.strict, score.lenient
        return CaseRow(
            variant=score.variant,
            role=variant.role,
            adapter=variant.adapter_name,
            step=variant.step,
            suite=score.suite,
            distribution=view.distribution(score.suite),
            semantics=view.semantics(score.suite).value,
            case_id=score.case_id,
            kind=score.kind.value,
            expected=expected_text(view.case(score.suite, score.case_id)),
            produced=generation.text,
            calls_strict=_calls(generation.text, ParseMode.STRICT),
            calls_lenient=_calls(generation.text, ParseMode.LENIENT),
            strict_full_match=strict.full_match,
            strict_call_correct=strict.call_correct,
            strict_args_correct=strict.args_correct,
            strict_error_kind=strict.error_kind,
            lenient_full_match=lenient.full_match,
            lenient_call_correct=lenient.call_correct,
            lenient_args_correct=lenient.args_correct,
            lenient_error_kind=lenient.error_kind,
            detail=strict.detail,
            request_error=generation.error,
            ttft_s=generation.timings.ttft_s,
            e2e_s=generation.timings.e2e_s,
            prompt_tokens=generation.prompt_tokens,
            completion_tokens=generation.completion_tokens,
        )

    return [row(s) for s in sorted(view.scores, key=lambda s: (order[s.variant], s.suite, s.case_id))]


def export_text(rows: Sequence[Frozen], form: ExportFormat, row_type: type[Frozen] = CaseRow) -> str:
    """CSV with a header row (empty cells for missing values), or one JSON object per line; `row_type` names the
    columns (case rows, or the turn rows of `harness.reports.episodes`)."""
    if form == "jsonl":
        return "".join(row.model_dump_json() + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row_type.model_fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.model_dump(mode="json") for row in rows)
    return buffer.getvalue()
