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
from harness.types import Case, CaseKind, EnvironmentState, Episode, ExpectedCall, Suite, Tool, TurnKind

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
    ENVIRONMENT = "environment"


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
    counts = Counter(episode.id for episode in suite.episodes)
    for index, episode in enumerate(suite.episodes):
        if counts[episode.id] > 1:
            message = f"duplicate episode id {episode.id!r}"
            findings.append(Finding(Rule.DUPLICATE, ("episodes", index, "id"), message))
        findings += _check_episode(episode, ("episodes", index), tools, broken)
    return findings


def state_problem(environment: EnvironmentState, long_context: bool = False) -> str | None:
    """Why an episode's environment cannot start: its name is unknown or its class rejects the state. The
    sandbox's loader decides, so that the suite rules accept exactly what a run can load; it is imported here,
    when a suite has episodes, so that single-turn suites never load it."""
    from harness.environments import check_environment

    return check_environment(environment, long_context=long_context)


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


def _check_episode(episode: Episode, where: Path, tools: dict[str, Tool], broken: set[str]) -> Iterator[Finding]:
    """An episode's environments start, each tool it offers runs on one of them, and each turn's kind and gold
    calls agree with the tools offered by that turn (the episode's own, then those added turn by turn)."""
    names = Counter(environment.name for environment in episode.environment)
    for k, environment in enumerate(episode.environment):
        if names[environment.name] > 1:
            message = f"environment {environment.name!r} is listed twice: a tool names one instance to run on"
            yield Finding(Rule.DUPLICATE, (*where, "environment", k, "name"), message)
            continue
        problem = state_problem(environment, episode.long_context)
        if problem:
            yield Finding(Rule.ENVIRONMENT, (*where, "environment", k), problem)
    offered: dict[str, Tool] = {}
    complete = True
    for t, turn in enumerate(episode.turns):
        turn_where: Path = (*where, "turns", t)
        newly = [((*where, "tools", i), key) for i, key in enumerate(episode.tools)] if t == 0 else []
        newly += [((*turn_where, "tools_added", i), key) for i, key in enumerate(turn.tools_added)]
        for offer_where, key in newly:
            tool = tools.get(key)
            problem = _offer_problem(key, tool, offered, set(names))
            if problem:
                rule, message = problem
                yield Finding(rule, offer_where, message)
            if tool is None:
                complete = False
            elif tool.name not in offered:
                offered[tool.name] = tool
        expects = bool(turn.expected)
        if expects != (TurnKind(turn.kind) is TurnKind.ACT):
            wants = "needs expected calls" if not expects else "needs no expected call"
            yield Finding(Rule.KIND, (*turn_where, "kind"), f"kind '{TurnKind(turn.kind).value}' {wants}")
        if not complete:
            continue  # calls cannot be checked against unknown tools; those are reported already
        for c, call in enumerate(turn.expected):
            call_where: Path = (*turn_where, "expected", c)
            tool = offered.get(call.function)
            if tool is None:
                message = f"expected function {call.function!r} is not offered by turn {t} ({sorted(offered)})"
                yield Finding(Rule.UNKNOWN_TOOL, (*call_where, "function"), message)
            elif tool.key not in broken:
                for error in compile_validator(tool.parameters).iter_errors(call.arguments):
                    message = f"{tool.name}: {error.message}"
                    yield Finding(Rule.ARGUMENTS, (*call_where, "arguments", *error.instance_path), message)


def _offer_problem(
    key: str, tool: Tool | None, offered: dict[str, Tool], environments: set[str]
) -> tuple[Rule, str] | None:
    """Why an episode cannot offer this tool: undefined, run by no environment or by one the episode lacks, or
    named like a tool it already offers."""
    if tool is None:
        return Rule.UNKNOWN_TOOL, f"tool {key!r} is not defined in the suite"
    if tool.environment is None:
        return Rule.ENVIRONMENT, f"tool {key!r} has no environment: nothing would run a call of it"
    if tool.environment not in environments:
        return Rule.ENVIRONMENT, (
            f"tool {key!r} runs on {tool.environment!r}, which is not among the episode's environments "
            f"{sorted(environments)}"
        )
    if tool.name in offered:
        return Rule.DUPLICATE, f"two offered tools are named {tool.name!r}"
    return None
