"""`make bfcl-agreement`: does `bfcl` semantics judge like BFCL's own checker? Shown on mutated ground truths.

Every case of every AST category is answered with its ground truth (each argument's first accepted value, optional
ones included), then with mutations of it, one kind at a time. Each output is judged by BFCL's checker (bfcl-eval
2026.3.23 in a throwaway venv, reading its own data; see `bfcl_reference.py`) and by the harness under `bfcl` and
under `schema` semantics. Prints agreement per mutation kind and every disagreement in `bfcl` mode, apart from
those a documented decision explains (docs/suite-format.md, "Where we depart from BFCL's checker"), which are
counted with the cases they touch. Exit 1 when any disagreement is unexplained.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bfcl_reference import Output, ast_suites, ensure_venv, verdicts

from harness.scoring import ToolValidators, pairs_greedily, score_parsed
from harness.suites.rules import Rule, check_suite
from harness.types import ArgumentSpec, Case, ExpectedCall, Outcome, ParseResult, Semantics, Suite, Tool, ToolCall

Calls = list[ToolCall]
Variants = Iterator[tuple[str, Calls]]
"""Mutated outputs of one case, each with a label saying what was changed."""
_MAX_PERMUTED_CALLS = 4
"""Every order of up to this many calls is tried; longer outputs are reversed and rotated only."""


@dataclass(frozen=True)
class Answered:
    """One case with the tools it offers and its ground-truth output."""

    case: Case
    tools: Mapping[str, Tool]
    truth: Calls


def ground_truth(case: Case) -> Calls:
    """Every expected call with the first accepted value of each argument, optional ones included (an argument
    that accepts no value is left out)."""
    return [
        ToolCall(
            name=call.function,
            arguments={name: spec.accepted[0] for name, spec in call.arguments.items() if spec.accepted},
        )
        for call in case.expected
    ]


def _with_arguments(calls: Calls, index: int, arguments: dict[str, Any]) -> Calls:
    return [*calls[:index], calls[index].model_copy(update={"arguments": arguments}), *calls[index + 1 :]]


def _each_argument(answered: Answered) -> Iterator[tuple[int, ExpectedCall, str, Any]]:
    for index, (call, expected) in enumerate(zip(answered.truth, answered.case.expected, strict=True)):
        for name, value in call.arguments.items():
            yield index, expected, name, value


def _replaced(answered: Answered, index: int, name: str, value: Any) -> Calls:
    return _with_arguments(answered.truth, index, {**answered.truth[index].arguments, name: value})


def _removed(answered: Answered, index: int, name: str) -> Calls:
    arguments = {k: v for k, v in answered.truth[index].arguments.items() if k != name}
    return _with_arguments(answered.truth, index, arguments)


def _schema(answered: Answered, function: str) -> dict[str, Any]:
    return answered.tools[function].parameters


def unchanged(answered: Answered) -> Variants:
    yield "as given", answered.truth


def drop_required(answered: Answered) -> Variants:
    for index, expected, name, _ in _each_argument(answered):
        if name in _schema(answered, expected.function).get("required", []):
            yield f"call {index}: without {name}", _removed(answered, index, name)


def _other_types(value: Any) -> list[Any]:
    """Values of other JSON types: 1 for a string, "5" and a bool for an int, 1 for a bool, text for the rest."""
    if isinstance(value, bool):
        return [int(value), str(value).lower()]
    if isinstance(value, int):
        return [str(value), value != 0]
    if isinstance(value, str):
        return [1]
    return [json.dumps(value)]


def wrong_type(answered: Answered) -> Variants:
    for index, _, name, value in _each_argument(answered):
        for other in _other_types(value):
            yield f"call {index}: {name}={other!r}", _replaced(answered, index, name, other)


def _map_leaves(value: Any, change: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return [_map_leaves(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _map_leaves(v, change) for k, v in value.items()}
    return change(value)


def _swap_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def int_float(answered: Answered) -> Variants:
    """Every int of an argument (at any depth) made a float, every whole float an int."""
    for index, _, name, value in _each_argument(answered):
        swapped = _map_leaves(value, _swap_number)
        if json.dumps(swapped) != json.dumps(value):
            yield f"call {index}: {name}={swapped!r}", _replaced(answered, index, name, swapped)


_STRING_CHANGES: dict[str, Callable[[str], str]] = {
    "upper-cased, spaces to _, a full stop": lambda s: s.upper().replace(" ", "_") + ".",
    "a ! added": lambda s: s + "!",
}
"""The first keeps a string's BFCL standard form (its characters are among those removed), the second does not."""


def case_punctuation(answered: Answered) -> Variants:
    """Every string of an argument (at any depth, enums included) changed one way at a time."""
    for index, expected, name, value in _each_argument(answered):
        schema = _schema(answered, expected.function).get("properties", {}).get(name, {})
        enum = " (enum)" if "enum" in schema else ""
        for label, change in _STRING_CHANGES.items():
            changed = _map_leaves(value, lambda v, c=change: c(v) if isinstance(v, str) and v else v)
            if changed != value:
                yield f"call {index}: {name}{enum} {label}", _replaced(answered, index, name, changed)


def extra_argument(answered: Answered) -> Variants:
    for index, expected in enumerate(answered.case.expected):
        unused = [p for p in _schema(answered, expected.function).get("properties", {}) if p not in expected.arguments]
        arguments = answered.truth[index].arguments
        if unused:
            yield (
                f"call {index}: + {unused[0]} (a parameter)",
                _with_arguments(answered.truth, index, {**arguments, unused[0]: "extra"}),
            )
        yield (
            f"call {index}: + not_a_parameter",
            _with_arguments(answered.truth, index, {**arguments, "not_a_parameter": "extra"}),
        )


def reordered_calls(answered: Answered) -> Variants:
    calls = answered.truth
    if len(calls) < 2:
        return
    if len(calls) <= _MAX_PERMUTED_CALLS:
        orders = list(itertools.permutations(range(len(calls))))[1:]
    else:
        n = len(calls)
        orders = [tuple(reversed(range(n)))] + [tuple((i + k) % n for i in range(n)) for k in range(1, n)]
    for order in orders:
        yield f"order {order}", [calls[i] for i in order]


def optional_left_out(answered: Answered) -> Variants:
    for index, expected, name, _ in _each_argument(answered):
        if expected.arguments[name].optional:
            yield f"call {index}: without {name}", _removed(answered, index, name)


def second_accepted(answered: Answered) -> Variants:
    for index, expected, name, _ in _each_argument(answered):
        accepted = expected.arguments[name].accepted or []
        if len(accepted) >= 2:
            yield f"call {index}: {name}={accepted[1]!r}", _replaced(answered, index, name, accepted[1])


def wrong_function(answered: Answered) -> Variants:
    offered = [tool.name for tool in answered.tools.values()]
    for index, call in enumerate(answered.truth):
        other = next((name for name in offered if name != call.name), f"{call.name}_v2")
        renamed = call.model_copy(update={"name": other})
        yield f"call {index}: {other}", [*answered.truth[:index], renamed, *answered.truth[index + 1 :]]


def duplicated_or_dropped_call(answered: Answered) -> Variants:
    calls = answered.truth
    for index, call in enumerate(calls):
        yield f"call {index} twice", [*calls[: index + 1], call, *calls[index + 1 :]]
        yield f"call {index} dropped", [*calls[:index], *calls[index + 1 :]]


MUTATIONS: dict[str, Callable[[Answered], Variants]] = {
    "ground truth": unchanged,
    "required argument dropped": drop_required,
    "wrong type": wrong_type,
    "int <-> float": int_float,
    "case and punctuation": case_punctuation,
    "extra argument": extra_argument,
    "parallel calls reordered": reordered_calls,
    "optional argument left out": optional_left_out,
    "second accepted value": second_accepted,
    "wrong function name": wrong_function,
    "call duplicated or dropped": duplicated_or_dropped_call,
}


@dataclass(frozen=True)
class Judged:
    """One mutated output and the three verdicts on it."""

    kind: str
    label: str
    output: Output
    bfcl: dict[str, Any]
    ours: Outcome
    schema: Outcome


Explanation = Callable[[Judged, ToolValidators], bool]


def greedy_pairing(judged: Judged, validators: ToolValidators) -> bool:
    """BFCL pairs parallel calls greedily; we keep the optimal pairing (a correct answer is never failed for the
    order of its calls). Explains a disagreement when BFCL's greedy pairing, run with our rules, fails too."""
    case = judged.output.case
    return (
        judged.ours.full_match
        and not judged.bfcl["valid"]
        and not pairs_greedily(judged.output.calls, validators.expected(case))
    )


OPTIMAL_PAIRING = "optimal pairing of parallel calls"
DECISIONS: dict[str, Explanation] = {OPTIMAL_PAIRING: greedy_pairing}
"""Documented departures from BFCL's checker (docs/suite-format.md), each with how to recognise its cases."""


def _arguments(answered: Answered) -> Iterator[tuple[str, ArgumentSpec, dict[str, Any]]]:
    for call in answered.case.expected:
        for name, spec in call.arguments.items():
            yield name, spec, _schema(answered, call.function)


GROUND_TRUTH_FLAWS: dict[str, tuple[str, Callable[[Answered], bool]]] = {
    "an argument optional in the answer is required by the tool": (
        "required, as the checker says",
        lambda a: any(spec.optional and name in schema.get("required", []) for name, spec, schema in _arguments(a)),
    ),
    "the answer lists an argument the tool does not declare": (
        "unexpected when passed, as the checker says",
        lambda a: any(name not in schema.get("properties", {}) for name, _, schema in _arguments(a)),
    ),
    "a required argument accepts no value (BFCL's `[]`)": (
        "no answer passes, as in the checker",
        lambda a: any(not spec.optional and spec.accepted == [] for name, spec, _ in _arguments(a)),
    ),
}
"""Where BFCL's ground truth and its checker disagree on what is right, and what `bfcl` semantics does (the
checker's side: scores mean what the leaderboard's do). Counted on the data; the agreement above shows that we
do side with the checker."""


def answered_cases(suites: list[tuple[str, Suite]]) -> Iterator[tuple[str, Suite, Answered]]:
    for category, suite in suites:
        tools = {tool.key: tool for tool in suite.tools}
        for case in suite.cases:
            offered = {tools[key].name: tools[key] for key in case.tools}
            yield category, suite, Answered(case, offered, ground_truth(case))


def print_ground_truth_flaws(suites: list[tuple[str, Suite]], greedy_cases: int) -> None:
    answered = list(answered_cases(suites))
    print("\nwhere BFCL's checker contradicts its own ground truth (cases touched; docs/suite-format.md):")
    print(f"  {greedy_cases:>5}  a correct answer's calls in another order fail (greedy pairing): we pair optimally")
    for flaw, (decision, touches) in GROUND_TRUTH_FLAWS.items():
        print(f"  {sum(touches(a) for _, _, a in answered):>5}  {flaw}: {decision}")
    breaking = {
        (suite.name, suite.cases[int(finding.path[1])].id)
        for _, suite in suites
        for finding in check_suite(suite)
        if finding.rule is Rule.INVALID_ACCEPTED_VALUE
    }
    print(
        f"  {len(breaking):>5}  an accepted value breaks the tool's schema (null or a bool for a string, a value"
        " outside the enum): accepted by the type of the first accepted value, no enum check, as the checker does"
    )


def mutated(suites: list[tuple[str, Suite]]) -> list[tuple[str, str, Output]]:
    return [
        (kind, label, Output(category, answered.case, calls))
        for category, _, answered in answered_cases(suites)
        for kind, mutate in MUTATIONS.items()
        for label, calls in mutate(answered)
    ]


def main() -> int:
    python = ensure_venv()
    suites = list(ast_suites())
    outputs = mutated(suites)
    validators = {suite.name: {s: ToolValidators.for_suite(suite, s) for s in Semantics} for _, suite in suites}
    suite_of = {category: suite.name for category, suite in suites}
    print(f"{len(outputs):,} outputs over {len(suites)} AST categories; asking BFCL's checker ...", flush=True)
    reference = verdicts(python, [output for _, _, output in outputs])
    judged = []
    for (kind, label, output), bfcl in zip(outputs, reference, strict=True):
        scorers = validators[suite_of[output.category]]
        parsed = ParseResult(calls=list(output.calls), errors=[])
        ours, schema = (score_parsed(output.case, parsed, scorers[s]) for s in (Semantics.BFCL, Semantics.SCHEMA))
        judged.append(Judged(kind, label, output, bfcl, ours, schema))
    unexplained, explained = report(judged, validators, suite_of)
    greedy = {(i.output.category, i.output.case.id) for i in explained.get(OPTIMAL_PAIRING, [])}
    print_ground_truth_flaws(suites, len(greedy))
    return 1 if unexplained else 0


def report(
    judged: list[Judged], validators: dict[str, dict[Semantics, ToolValidators]], suite_of: dict[str, str]
) -> tuple[list[Judged], dict[str, list[Judged]]]:
    """Prints the agreement table, the decided disagreements (counted) and every other one; returns both."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    unexplained: list[Judged] = []
    explained: dict[str, list[Judged]] = defaultdict(list)
    for item in judged:
        row = rows[item.kind]
        row["outputs"] += 1
        row["bfcl passes"] += item.bfcl["valid"]
        row["enum"] += "(enum)" in item.label
        row["schema agrees"] += item.schema.full_match == item.bfcl["valid"]
        if item.ours.full_match == item.bfcl["valid"]:
            row["bfcl agrees"] += 1
            continue
        scorer = validators[suite_of[item.output.category]][Semantics.BFCL]
        decision = next((name for name, explains in DECISIONS.items() if explains(item, scorer)), None)
        if decision is None:
            unexplained.append(item)
        else:
            row["decided"] += 1
            explained[decision].append(item)
    print(
        f"\n{'mutation kind':28} {'outputs':>8} {'BFCL pass':>9} {'bfcl mode':>18} {'decided':>8} {'schema mode':>12}"
    )
    for kind, row in rows.items():
        covered = row["outputs"] - row["decided"]
        agree = f"{row['bfcl agrees']}/{covered} {100 * row['bfcl agrees'] / covered:.1f}%" if covered else "–"
        schema = f"{100 * row['schema agrees'] / row['outputs']:.1f}%"
        print(f"{kind:28} {row['outputs']:>8} {row['bfcl passes']:>9} {agree:>18} {row['decided']:>8} {schema:>12}")
    total = sum(row["outputs"] - row["decided"] for row in rows.values())
    agreed = sum(row["bfcl agrees"] for row in rows.values())
    print(f"{'all':28} {len(judged):>8} {'':>9} {f'{agreed}/{total} {100 * agreed / total:.1f}%':>18}")
    print(
        "\nbfcl mode: agreement with BFCL's checker outside the documented decisions (schema mode, for contrast:"
        f" agreement over all outputs); {sum(row['enum'] for row in rows.values())} case and punctuation outputs"
        " change a value of an enum"
    )
    for decision, items in explained.items():
        cases = {(i.output.category, i.output.case.id) for i in items}
        print(
            f"\ndecision '{decision}': {len(items)} outputs, {len(cases)} cases ({dict(Counter(i.kind for i in items))})"
        )
        for item in items[:3]:
            print(f"  e.g. {_line(item)}")
    print(f"\ndisagreements outside the decisions: {len(unexplained)}")
    for item in unexplained:
        print(f"  {_line(item)}")
    return unexplained, explained


def _line(item: Judged) -> str:
    ours = "pass" if item.ours.full_match else f"fail ({item.ours.error_kind}: {item.ours.detail})"
    theirs = "pass" if item.bfcl["valid"] else f"fail ({item.bfcl['error_type']})"
    return f"[{item.kind}] {item.output.category} {item.output.case.id} {item.label}: BFCL {theirs}, ours {ours}"


if __name__ == "__main__":
    sys.exit(main())
