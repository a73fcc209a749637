"""BFCL's multi-turn categories as suites of episodes (`bfcl:multi_turn_base` and its three variants).

As for the single-turn categories (`harness.suites.bfcl`), only files of the installed `bfcl-eval` wheel are read
and none of its modules is imported: the class → file mappings come from its config module read with `ast`, and
the ground truths, which BFCL writes as Python call strings (`sort('final_report.pdf')`) and runs with `eval`, are
parsed with `ast` and bound to parameter names by the signatures of the class's methods, also read with `ast`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from harness.suites.bfcl import BfclError, CaseOrigin, category_files, convert_schema, data_dir, read_jsonl
from harness.types import (
    EnvironmentState,
    Episode,
    GoldCall,
    JsonValue,
    Message,
    Semantics,
    Suite,
    Tool,
    Turn,
    TurnKind,
)

CATEGORIES = ("multi_turn_base", "multi_turn_miss_param", "multi_turn_miss_func", "multi_turn_long_context")
"""The multi-turn categories BFCL's multi-turn checker decides (its memory and web-search ones are agentic)."""
ADDED_FUNCTIONS_MESSAGE = "I have updated some more functions you can choose from. What about now?"
"""What BFCL's FC handlers send as the user turn at which a `miss_func` entry's held-back functions are offered
(`DEFAULT_USER_PROMPT_FOR_ADDITIONAL_FUNCTION_FC` in bfcl_eval/constants/default_prompts.py); the data leaves the
turn empty."""
ENVIRONMENT_PREFIX = "bfcl:"
"""BFCL's class `X` is the environment `bfcl:X` in `harness.environments`."""
_CONFIG = Path("constants") / "executable_backend_config.py"
_DOC_MAPPING = "MULTI_TURN_FUNC_DOC_FILE_MAPPING"
_SOURCE_MAPPING = "CLASS_FILE_PATH_MAPPING"
_STATELESS = "STATELESS_CLASSES"


def _module_constants(path: Path) -> dict[str, Any]:
    """The top-level assignments of BFCL's config module that are literals, f-strings of earlier string constants
    included (its source paths are written `f"{BACKEND_PATH_PREFIX}.math_api"`): read, never run."""
    constants: dict[str, Any] = {}

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.JoinedStr):
            return "".join(str(value(part)) for part in node.values)
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name):
            return constants[node.value.id]
        if isinstance(node, ast.Dict):
            return {value(k): value(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
        return ast.literal_eval(node)

    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                try:
                    constants[target.id] = value(statement.value)
                except (ValueError, KeyError):
                    continue
    return constants


@cache
def _config() -> dict[str, Any]:
    config = data_dir().parent / _CONFIG
    try:
        constants = _module_constants(config)
        for name in (_DOC_MAPPING, _SOURCE_MAPPING, _STATELESS):
            constants[name]
    except (OSError, SyntaxError, KeyError) as error:
        raise BfclError(f"{config}: cannot read {_DOC_MAPPING}, {_SOURCE_MAPPING} and {_STATELESS}: {error}") from None
    return constants


def stateless_classes() -> frozenset[str]:
    """BFCL's classes that take no initial state: BFCL never loads one for them, though some entries give one
    (`MathAPI` with a `precision`), so an episode starts them empty too."""
    return frozenset(_config()[_STATELESS])


@cache
def class_files() -> dict[str, tuple[Path, Path]]:
    """BFCL class name → (its function-doc file, its source file), from BFCL's own config."""
    package = data_dir().parent
    constants = _config()
    docs, sources = constants[_DOC_MAPPING], constants[_SOURCE_MAPPING]
    root = package.parent
    return {
        name: (package / "data" / "multi_turn_func_doc" / docs[name], root / (sources[name].replace(".", "/") + ".py"))
        for name in docs.keys() & sources.keys()
    }


def _files_of(class_name: str) -> tuple[Path, Path]:
    found = class_files().get(class_name)
    if found is None:
        raise BfclError(f"unknown BFCL class {class_name!r}; known: {', '.join(sorted(class_files()))}")
    return found


@cache
def method_parameters(class_name: str) -> dict[str, tuple[str, ...]]:
    """Public method → its parameter names in order (without `self`), read from the class's source with `ast`:
    what binds a ground truth's positional arguments to names."""
    source = _files_of(class_name)[1]
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError) as error:
        raise BfclError(f"{source}: cannot read the source of {class_name}: {error}") from None
    found = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
    if found is None:
        raise BfclError(f"{source}: no class {class_name}")
    return {
        node.name: tuple(arg.arg for arg in [*node.args.posonlyargs, *node.args.args][1:])
        for node in found.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def parameters_of(class_names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The methods of several classes, as an entry involving them offers them (no BFCL name is defined twice)."""
    return {name: params for class_name in class_names for name, params in method_parameters(class_name).items()}


def _json_value(value: object, text: str) -> JsonValue:
    """A literal as JSON: tuples become lists; anything JSON cannot hold is the ground truth's error."""
    if isinstance(value, tuple | list):
        return [_json_value(v, text) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_value(v, text) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BfclError(f"{text!r}: value {value!r} has no JSON form")


def parse_call(text: str, parameters: Mapping[str, Sequence[str]]) -> GoldCall:
    """One BFCL call string → GoldCall, positional arguments bound by the method's signature. Each argument must
    be a literal (`ast.literal_eval` of its node): nothing of the string is ever run."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        raise BfclError(f"{text!r} is not a call: {error.msg}") from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise BfclError(f"{text!r} is not a call of a function by its name")
    function = node.func.id
    names = parameters.get(function)
    if names is None:
        raise BfclError(f"{text!r}: no method {function!r} in the entry's classes")
    if len(node.args) > len(names):
        raise BfclError(f"{text!r}: {len(node.args)} positional arguments, {function} takes {len(names)}")
    bound = [*zip(names, node.args, strict=False), *((k.arg, k.value) for k in node.keywords)]
    arguments: dict[str, JsonValue] = {}
    for name, value in bound:
        if name is None or name not in names or name in arguments:
            shown = "**" if name is None else name
            raise BfclError(f"{text!r}: argument {shown} is not a parameter of {function} or is given twice")
        try:
            arguments[name] = _json_value(ast.literal_eval(value), text)
        except ValueError:
            raise BfclError(f"{text!r}: argument {name} is not a literal") from None
    return GoldCall(function=function, arguments=arguments)


@cache
def class_tools(class_name: str) -> tuple[Tool, ...]:
    """A class's tools in its doc file's order (BFCL's offering order). Every entry involving a class offers the
    same definitions, so a suite holds each once and a function's name is its key."""
    doc_file = _files_of(class_name)[0]
    tools = []
    for line, doc in read_jsonl(doc_file):
        try:
            parameters = convert_schema(doc.get("parameters", {"type": "dict", "properties": {}}))
            tools.append(
                Tool(
                    name=doc["name"],
                    description=doc.get("description", ""),
                    parameters=parameters,
                    environment=ENVIRONMENT_PREFIX + class_name,
                )
            )
        except (KeyError, TypeError, ValueError, BfclError) as error:
            raise BfclError(f"{doc_file}:{line}: cannot convert function doc: {error}") from None
    return tuple(tools)


def _offer(class_names: Sequence[str], tools: dict[str, Tool]) -> list[str]:
    """Keys of the classes' tools, each added to the suite's `tools` once."""
    keys = []
    for class_name in class_names:
        for tool in class_tools(class_name):
            if tools.setdefault(tool.key, tool) != tool:
                raise BfclError(f"{tool.name} is defined by two classes, differently")
            keys.append(tool.key)
    return keys


def _turn_kind(category: str, truth: list[str], earlier_asks: int) -> TurnKind:
    """`act` with a ground truth; without one, `ask` at the first such turn of a `miss_param` entry (each entry
    withholds one value, and its later empty turns are the base entry's replies: entries 167 and 180), `reply`
    elsewhere (a request no offered tool serves, as before a `miss_func` entry's functions are offered)."""
    if truth:
        return TurnKind.ACT
    if category == "multi_turn_miss_param" and earlier_asks == 0:
        return TurnKind.ASK
    return TurnKind.REPLY


def _episode(category: str, row: dict[str, Any], truth: list[list[str]], tools: dict[str, Tool]) -> Episode:
    classes: list[str] = row["involved_classes"]
    offered = _offer(classes, tools)
    excluded = set(row.get("excluded_function", []))
    missed = {int(turn): names for turn, names in row.get("missed_function", {}).items()}
    held_back = {name for names in missed.values() for name in names}
    if unknown := (excluded | held_back) - set(offered):
        raise BfclError(f"excluded or missed functions {sorted(unknown)} are not among the entry's functions")
    questions: list[list[dict[str, Any]]] = row["question"]
    if len(truth) != len(questions):
        raise BfclError(f"{len(questions)} turns but a ground truth of {len(truth)} turns")
    parameters = parameters_of(classes)
    turns = []
    for index, (question, calls) in enumerate(zip(questions, truth, strict=True)):
        added = missed.get(index, [])
        if bool(added) == bool(question):
            raise BfclError(f"turn {index}: a turn is empty exactly where functions are added ({missed})")
        messages = [Message(role=m["role"], content=m["content"]) for m in question]
        asks = sum(turn.kind is TurnKind.ASK for turn in turns)
        turns.append(
            Turn(
                kind=_turn_kind(category, calls, asks),
                messages=messages or [Message(role="user", content=ADDED_FUNCTIONS_MESSAGE)],
                tools_added=[key for key in offered if tools[key].name in added],
                expected=[parse_call(call, parameters) for call in calls],
            )
        )
    return Episode(
        id=row["id"],
        environment=[
            EnvironmentState(
                name=ENVIRONMENT_PREFIX + name,
                state={} if name in stateless_classes() else row["initial_config"].get(name, {}),
            )
            for name in classes
        ],
        tools=[key for key in offered if tools[key].name not in excluded | held_back],
        turns=turns,
        long_context=category == "multi_turn_long_context",
    )


def load_category(category: str) -> tuple[Suite, dict[str, CaseOrigin]]:
    """A multi-turn category as a Suite of episodes, with each episode's origin (file and line)."""
    if category not in CATEGORIES:
        raise BfclError(f"unsupported BFCL multi-turn category {category!r}; supported: {', '.join(CATEGORIES)}")
    questions, answers_path = category_files(category)
    answers = {row["id"]: row["ground_truth"] for _, row in read_jsonl(answers_path)}
    tools: dict[str, Tool] = {}
    episodes, origins = [], {}
    for line, row in read_jsonl(questions):
        if row.get("id") not in answers:
            raise BfclError(f"{questions}:{line}: entry {row.get('id')!r} has no answer in {answers_path}")
        try:
            episodes.append(_episode(category, row, answers[row["id"]], tools))
        except (KeyError, TypeError, ValueError, BfclError) as error:
            raise BfclError(f"{questions}:{line}: cannot convert entry {row['id']!r}: {error}") from None
        origins[row["id"]] = CaseOrigin(questions, line)
    suite = Suite(
        name=f"bfcl:{category}",
        description=f"Berkeley Function Calling Leaderboard, multi-turn category {category.removeprefix('multi_turn_')}",
        source=f"bfcl-eval data file {questions.name}",
        semantics=Semantics.BFCL,
        distribution="out",
        tools=list(tools.values()),
        episodes=episodes,
    )
    return suite, origins
