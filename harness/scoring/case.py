"""Scoring one case: pure functions of (case, parsed output), no model, no I/O."""

from __future__ import annotations

from harness.parsing import parse_lenient, parse_openai_tool_calls, parse_strict
from harness.scoring.calls import ToolValidators, match_calls
from harness.types import Case, CaseKind, CaseScore, ErrorKind, Generation, Outcome, ParseResult


def score_parsed(case: Case, parsed: ParseResult, validators: ToolValidators) -> Outcome:
    """The verdict on one case given the calls read from an output.

    A block that could not be parsed fails the case as `parse_error`, also on an irrelevance case: the model tried
    to call a tool, which is not staying silent (BFCL would count that as a pass; we do not).
    """
    calls = parsed.calls
    if parsed.errors:
        return Outcome(
            call_correct=False,
            args_correct=False,
            error_kind=ErrorKind.PARSE_ERROR,
            detail="; ".join(parsed.errors),
            parse_error=True,
        )
    if not case.expected:
        if calls:
            names = ", ".join(call.name for call in calls)
            return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.SPURIOUS_CALL, detail=names)
        return Outcome(call_correct=True, args_correct=True, error_kind=None)
    if not calls:
        return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.MISSED_CALL, detail="no call")
    if len(calls) != len(case.expected):
        detail = f"{len(calls)} calls, expected {len(case.expected)}"
        return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.WRONG_COUNT, detail=detail)
    errors = match_calls(calls, case.expected, validators.for_case(case))
    if not errors:
        return Outcome(call_correct=True, args_correct=True, error_kind=None)
    wrong_function = next((e for e in errors if e.kind is ErrorKind.WRONG_FUNCTION), None)
    first = wrong_function or errors[0]
    return Outcome(
        call_correct=wrong_function is None,
        args_correct=False,
        error_kind=first.kind,
        detail="; ".join(e.detail for e in errors),
    )


def _request_failed(reason: str) -> Outcome:
    return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.REQUEST_ERROR, detail=reason)


def strict_reading(generation: Generation) -> ParseResult:
    """The server's own parsed calls when it returned any, else what vLLM's hermes parser makes of the text."""
    if generation.server_tool_calls:
        return parse_openai_tool_calls(generation.server_tool_calls)
    return parse_strict(generation.text)


def lenient_reading(generation: Generation) -> ParseResult:
    """The harness's lenient reading of the text; the server's calls when the text holds none (a server running
    a tool parser may strip the calls from the text it returns)."""
    parsed = parse_lenient(generation.text)
    if not parsed.calls and not parsed.errors and generation.server_tool_calls:
        return parse_openai_tool_calls(generation.server_tool_calls)
    return parsed


def score_generation(case: Case, generation: Generation, validators: ToolValidators) -> CaseScore:
    """Both verdicts on one logged generation."""
    if generation.error is not None:
        strict = lenient = _request_failed(generation.error)
    else:
        strict = score_parsed(case, strict_reading(generation), validators)
        lenient = score_parsed(case, lenient_reading(generation), validators)
    return CaseScore(
        suite=generation.suite,
        case_id=case.id,
        kind=CaseKind(case.kind),
        variant=generation.variant,
        strict=strict,
        lenient=lenient,
    )
