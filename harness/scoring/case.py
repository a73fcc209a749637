"""Scoring one case: pure functions of (case, parsed output), no model, no I/O."""

from __future__ import annotations

from harness.parsing import parse_lenient, parse_openai_tool_calls, parse_strict
from harness.scoring.calls import ToolValidators, match_calls
from harness.types import Answer, Case, CaseKind, CaseScore, ErrorKind, Generation, Outcome, ParseResult, ToolCall

_FULL_MATCH = Outcome(call_correct=True, args_correct=True, error_kind=None)


def score_parsed(case: Case, parsed: ParseResult, validators: ToolValidators) -> Outcome:
    """The verdict on one case given the calls read from an output.

    A block that could not be parsed fails the case as `parse_error`, also on an irrelevance case: the model tried
    to call a tool, which is not staying silent (BFCL would count that as a pass; we do not). Any call on a
    missing_info case fails as `invented_value`, whatever its arguments: without the user's value, a call can only
    carry a made-up one, or leave out what the tool requires.
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
            kind = ErrorKind.INVENTED_VALUE if case.kind == CaseKind.MISSING_INFO else ErrorKind.SPURIOUS_CALL
            return Outcome(call_correct=False, args_correct=False, error_kind=kind, detail=names)
        return _FULL_MATCH
    if not calls:
        return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.MISSED_CALL, detail="no call")
    if len(calls) != len(case.expected):
        detail = f"{len(calls)} calls, expected {len(case.expected)}"
        return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.WRONG_COUNT, detail=detail)
    errors = match_calls(calls, validators.expected(case))
    if not errors:
        return _FULL_MATCH
    wrong_function = next((e for e in errors if e.kind is ErrorKind.WRONG_FUNCTION), None)
    first = wrong_function or errors[0]
    return Outcome(
        call_correct=wrong_function is None,
        args_correct=False,
        error_kind=first.kind,
        detail="; ".join(e.detail for e in errors),
    )


def ideal_calls(case: Case) -> list[ToolCall]:
    """What a perfect model would call: every expected call with the first accepted value of each required
    argument, in reverse order (so that matching may not rely on order). Arguments that accept any value are left
    out, so use it on cases whose required arguments list accepted values (ground truths do)."""
    return [
        ToolCall(
            name=call.function,
            arguments={
                name: spec.accepted[0] for name, spec in call.arguments.items() if not spec.optional and spec.accepted
            },
        )
        for call in reversed(case.expected)
    ]


def _request_failed(reason: str) -> Outcome:
    return Outcome(call_correct=False, args_correct=False, error_kind=ErrorKind.REQUEST_ERROR, detail=reason)


def readings(generation: Answer) -> tuple[ParseResult, ParseResult]:
    """The strict and the lenient reading of one answer (a logged generation, or a step of an episode).

    Strict: the server's own parsed calls when it returned any, else what vLLM's hermes parser makes of the text.
    Lenient: the harness's lenient reading of the text, or the server's calls when the text holds none (a server
    running a tool parser may strip the calls from the text it returns). When the text parses strictly without
    error and holds no think tag, the lenient reading is the same by construction and is not computed again.
    """
    text = generation.text
    strict_text = parse_strict(text)
    clean = not strict_text.errors and "think>" not in text
    lenient_text = strict_text if clean else parse_lenient(text)
    if not generation.server_tool_calls:
        return strict_text, lenient_text
    server = parse_openai_tool_calls(generation.server_tool_calls)
    return server, (lenient_text if lenient_text.calls or lenient_text.errors else server)


def score_generation(case: Case, generation: Generation, validators: ToolValidators) -> CaseScore:
    """Both verdicts on one logged generation."""
    if generation.error is not None:
        strict = lenient = _request_failed(generation.error)
    else:
        strict_calls, lenient_calls = readings(generation)
        strict = score_parsed(case, strict_calls, validators)
        # Most outputs read the same both ways; scoring is pure, so the verdict can be reused.
        lenient = strict if lenient_calls is strict_calls else score_parsed(case, lenient_calls, validators)
    return CaseScore(
        suite=generation.suite,
        case_id=case.id,
        kind=CaseKind(case.kind),
        variant=generation.variant,
        strict=strict,
        lenient=lenient,
    )
