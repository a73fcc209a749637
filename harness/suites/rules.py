"""The rules a loaded suite must follow beyond its JSON shape: tools, ids, expected calls and kinds agree.

Findings carry a path into the suite document (as JSON pointer parts) rather than a location, because a suite
may come from a JSON file (located with a source map) or from external data (located by its own line numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from harness.scoring.calls import Validator, compile_validator
from harness.suites.withheld import first_spelling, looks_for
from harness.types import Case, CaseKind, ExpectedCall, Suite, Tool

Path = tuple[str | int, ...]


class Rule(StrEnum):
    """Which rule a finding breaks; external importers may tolerate some of them and count them instead."""

    TOOL_SCHEMA = "tool-schema"
    DUPLICATE = "duplicate"
    UNKNOWN_TOOL = "unknown-tool"
    ARGUMENTS = "arguments"
    INVALID_ACCEPTED_VALUE = "invalid-accepted-value"
    KIND = "kind"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Finding:
    """One broken rule, where it is in the suite document, and why."""

    rule: Rule
    path: Path
    message: str


def check_suite(suite: Suite) -> list[Finding]:
    """All rule violations of a suite, in document order."""
    findings = list(_check_tools(suite.tools))
    # A tool whose schema is broken would make every expected call of it look wrong too: report it once.
    broken = {suite.tools[int(f.path[1])].key for f in findings if f.rule is Rule.TOOL_SCHEMA}
    tools = {tool.key: tool for tool in suite.tools}
    counts = Counter(case.id for case in suite.cases)
    for index, case in enumerate(suite.cases):
        if counts[case.id] > 1:
            findings.append(Finding(Rule.DUPLICATE, ("cases", index, "id"), f"duplicate case id {case.id!r}"))
        findings += _check_case(case, ("cases", index), tools, broken)
    return findings


def _check_tools(tools: list[Tool]) -> Iterator[Finding]:
    counts = Counter(tool.key for tool in tools)
    for index, tool in enumerate(tools):
        if counts[tool.key] > 1:
            field = "id" if tool.id else "name"
            yield Finding(Rule.DUPLICATE, ("tools", index, field), f"duplicate tool {field} {tool.key!r}")
        where: Path = ("tools", index, "parameters")
        if tool.parameters.get("type") != "object":
            yield Finding(Rule.TOOL_SCHEMA, (*where, "type"), 'parameters must be a JSON Schema with "type": "object"')
        metaschema_check = validator_for(tool.parameters, default=Draft202012Validator)
        errors = list(metaschema_check(metaschema_check.META_SCHEMA).iter_errors(tool.parameters))
        for error in errors:
            yield Finding(Rule.TOOL_SCHEMA, (*where, *error.absolute_path), f"not a valid JSON Schema: {error.message}")
        if not errors:
            try:
                compile_validator(tool.parameters)
            except ValueError as error:
                yield Finding(Rule.TOOL_SCHEMA, where, f"cannot compile the schema: {str(error).splitlines()[0]}")


def _check_case(case: Case, where: Path, tools: dict[str, Tool], broken: set[str]) -> Iterator[Finding]:
    offered: dict[str, Tool] = {}
    for i, key in enumerate(case.tools):
        tool = tools.get(key)
        if tool is None:
            yield Finding(Rule.UNKNOWN_TOOL, (*where, "tools", i), f"tool {key!r} is not defined in the suite")
        elif tool.name in offered:
            yield Finding(Rule.DUPLICATE, (*where, "tools", i), f"two offered tools are named {tool.name!r}")
        else:
            offered[tool.name] = tool
    yield from _check_kind(case, where)
    if len(offered) < len(case.tools) or broken & set(case.tools):
        return  # expected calls cannot be checked against unknown or broken tools; those are reported already
    yield from _check_withheld(case, where, tools)
    for i, call in enumerate(case.expected):
        call_where = (*where, "expected", i)
        if call.function in offered:
            yield from _check_expected_call(call, call_where, offered[call.function])
        else:
            message = f"expected function {call.function!r} is not among the case's tools {sorted(offered)}"
            yield Finding(Rule.UNKNOWN_TOOL, (*call_where, "function"), message)


def _check_expected_call(call: ExpectedCall, where: Path, tool: Tool) -> Iterator[Finding]:
    properties = tool.parameters.get("properties", {})
    for name in tool.parameters.get("required", []):
        spec = call.arguments.get(name)
        if spec is None or spec.optional:
            state = "missing" if spec is None else "marked optional"
            message = f"argument {name!r} is required by {tool.name} but {state}"
            yield Finding(Rule.ARGUMENTS, (*where, "arguments"), message)
    validator = compile_validator(tool.parameters)
    for name, spec in call.arguments.items():
        arg_where = (*where, "arguments", name)
        if name not in properties:
            yield Finding(Rule.ARGUMENTS, arg_where, f"{tool.name} has no parameter {name!r}")
            continue
        if spec.accepted is not None and not spec.accepted and not spec.optional:
            yield Finding(Rule.ARGUMENTS, (*arg_where, "accepted"), "no value is accepted")
        for k, value in enumerate(spec.accepted or []):
            for error in _value_errors(validator, name, value):
                message = f"accepted value {value!r} is invalid for {tool.name}: {error}"
                yield Finding(Rule.INVALID_ACCEPTED_VALUE, (*arg_where, "accepted", k), message)


def _value_errors(validator: Validator, name: str, value: object) -> Iterator[str]:
    """Why one argument's value breaks the tool's schema. Validated inside the whole parameters object, with the
    scorer's own validator, so that $ref and dependent keywords resolve as for a real call; errors about other
    (absent) arguments are not this value's."""
    for error in validator.iter_errors({name: value}):
        if error.instance_path and error.instance_path[0] == name:
            yield error.message


def _check_withheld(case: Case, where: Path, tools: dict[str, Tool]) -> Iterator[Finding]:
    """Each withheld value is one the offered tool requires and that no message spells: the case then really
    leaves out what a call would need."""
    texts = [message.content for message in case.messages]
    for i, withheld in enumerate(case.withheld):
        item: Path = (*where, "withheld", i)
        tool = tools[withheld.tool] if withheld.tool in case.tools else None
        if tool is None:
            message = f"withheld tool {withheld.tool!r} is not among the case's tools {case.tools}"
            yield Finding(Rule.UNKNOWN_TOOL, (*item, "tool"), message)
            continue
        name, value = withheld.argument, withheld.value
        if name not in tool.parameters.get("required", []):
            message = f"{tool.name} does not require {name!r}: a call without it is complete, so nothing is missing"
            yield Finding(Rule.WITHHELD, (*item, "argument"), message)
            continue
        for error in _value_errors(compile_validator(tool.parameters), name, value):
            message = f"withheld value {value!r} is invalid for {tool.name}: {error}"
            yield Finding(Rule.WITHHELD, (*item, "value"), message)
        schema = tool.parameters.get("properties", {}).get(name)
        patterns = looks_for(value, schema if isinstance(schema, dict) else {})
        if not patterns:
            message = f"{value!r} has no spelling to look for in the messages: withhold another argument"
            yield Finding(Rule.WITHHELD, (*item, "value"), message)
            continue
        spelt = first_spelling(patterns, texts)
        if spelt is not None:
            index, words = spelt
            message = f"gives the withheld {tool.name} {name} ({value!r}) as {words!r}"
            yield Finding(Rule.WITHHELD, (*where, "messages", index, "content"), message)


def _check_kind(case: Case, where: Path) -> Iterator[Finding]:
    functions = {call.function for call in case.expected}
    calls = len(case.expected)
    problem = {
        CaseKind.SIMPLE: None if len(case.tools) == 1 and calls == 1 else "needs one tool offered and one call",
        CaseKind.MULTIPLE: None if len(case.tools) >= 2 and calls == 1 else "needs 2+ tools offered and one call",
        CaseKind.PARALLEL: None if calls >= 2 and len(functions) == 1 else "needs 2+ calls of one function",
        CaseKind.PARALLEL_MULTIPLE: None
        if calls >= 2 and len(functions) >= 2
        else "needs 2+ calls of 2+ different functions",
        CaseKind.IRRELEVANCE: None if calls == 0 else "needs no expected call",
        CaseKind.MISSING_INFO: None if calls == 0 and case.withheld else "needs no expected call and a withheld value",
    }[CaseKind(case.kind)]
    if problem:
        yield Finding(Rule.KIND, (*where, "kind"), f"kind '{CaseKind(case.kind).value}' {problem}")
    if case.withheld and case.kind != CaseKind.MISSING_INFO:
        message = f"only a missing_info case withholds a value; this one is '{CaseKind(case.kind).value}'"
        yield Finding(Rule.KIND, (*where, "withheld"), message)
