"""The package's layering, as an import contract read from the table "Allowed imports" in docs/architecture.md:
every import goes in a direction the table allows, no two units import each other (directly or around a longer
loop), and the contracts behind the table hold: the read side (run folder API, reports, compare, gate) never
reaches the measuring side (serving, fixtures, the runner, the latency measurement), scoring stays pure, the
types import nothing and the environments nothing above the types.

Read from the source with `ast`, every import counts: top-level, inside functions (the CLI's lazy imports) and
under TYPE_CHECKING, and importing `harness.a.b` counts as importing the package `harness.a` too, because Python
runs its `__init__`, unless that `__init__` imports nothing of the harness (then passing through it loads
nothing). A unit is a package or a module the table names; a module belongs to the most specific unit, so a
stage's `settings` module is a unit of its own. A broken contract names the chain of imports that breaks it.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "harness"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
TABLE_HEADING = "## Allowed imports"

Graph = Mapping[str, set[str]]
"""Module → the harness modules it imports directly."""
Table = Mapping[str, set[str]]
"""Unit (`gate`, `gate.settings`) → the units its modules may import."""


@dataclass(frozen=True)
class Contract:
    """Modules of the units `sources` may not reach any unit in `forbidden`; with `allowed`, they may reach only
    those."""

    name: str
    sources: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None


CONTRACTS = (
    Contract(
        "the read side never imports serving, fixtures, the runner or the latency measurement",
        sources=("runs", "reports", "gate", "scoring", "latency.analyse", "latency.stats"),
        forbidden=("serving", "fixtures", "generation", "latency"),
    ),
    Contract(
        "scoring imports nothing above the types (and the parsing and statistics it is built on)",
        sources=("scoring",),
        allowed=("scoring", "types", "parsing", "stats", "errors"),
    ),
    Contract("the types import nothing else of the harness", sources=("types",), allowed=("types",)),
    Contract(
        "the environments (and the sandbox's worker process) import nothing above the types",
        sources=("environments",),
        allowed=("environments", "types", "errors"),
    ),
)


def read_table(text: str) -> dict[str, set[str]]:
    """The first Markdown table under TABLE_HEADING: its first column names a unit, its last the units it may
    import (each in backticks; none for a unit that imports nothing)."""
    _, found, below = text.partition(f"\n{TABLE_HEADING}\n")
    assert found, f"no {TABLE_HEADING!r} heading"
    rows = [line for line in below.split("\n## ")[0].splitlines() if line.startswith("|")]
    table: dict[str, set[str]] = {}
    for row in rows[2:]:  # past the header and its rule
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        (unit,) = re.findall(r"`([\w.]+)`", cells[0])
        table[unit] = set(re.findall(r"`([\w.]+)`", cells[-1]))
    assert table, f"no table under {TABLE_HEADING!r}"
    return table


def _within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def unit_of(module: str, units: Iterable[str]) -> str | None:
    """The most specific unit a module belongs to (`harness.gate.settings` → `gate.settings`), None if none."""
    mine = [unit for unit in units if _within(module, [f"harness.{unit}"])]
    return max(mine, key=len, default=None)


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The harness modules one import statement loads, with the packages whose `__init__` runs on the way."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join([*anchor[: len(anchor) - node.level + 1], *([base] if base else [])])
        targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    else:
        return set()
    loaded = set()
    for target in targets:
        parts = target.split(".")
        loaded |= {".".join(parts[:end]) for end in range(1, len(parts) + 1)} & known
    return loaded


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Every module's direct harness imports, without the package `__init__`s that import nothing of the harness:
    passing through one loads nothing, so it makes no dependency."""
    files = {_module_name(path, package): path for path in package.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[module] = set().union(*(_imported(node, module, is_package, known) for node in ast.walk(tree)))
        graph[module].discard(module)
    inert = {module for module, path in files.items() if path.name == "__init__.py" and not graph[module]}
    return {module: imported - inert for module, imported in graph.items() if module not in inert}


def _chains(graph: Graph, start: str) -> dict[str, list[str]]:
    """Every module `start` reaches, with the shortest chain of imports that gets there."""
    chains = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for imported in sorted(graph.get(module, ())):
                if imported not in chains:
                    chains[imported] = [*chains[module], imported]
                    following.append(imported)
        frontier = following
    return chains


def violations(graph: Graph, contract: Contract, units: Iterable[str]) -> list[str]:
    """Each import chain that breaks the contract, as `a -> b -> c`."""
    units = list(units)
    found = []
    for source in sorted(m for m in graph if unit_of(m, units) in contract.sources):
        for reached, chain in sorted(_chains(graph, source).items()):
            unit = unit_of(reached, units)
            if reached == source or unit is None:
                continue
            banned = unit in contract.forbidden
            outside = contract.allowed is not None and unit not in contract.allowed
            if banned or outside:
                found.append(" -> ".join(chain))
    return found


def forbidden_imports(graph: Graph, table: Table) -> list[str]:
    """Each import from one unit into another that the table does not allow, or of a module in no unit."""
    found = []
    for module, imported in sorted(graph.items()):
        mine = unit_of(module, table)
        for other in sorted(imported):
            theirs = unit_of(other, table)
            if mine is None or theirs is None:
                found.append(f"{module} -> {other}: {module if mine is None else other} is in no unit of the table")
            elif mine != theirs and theirs not in table[mine]:
                found.append(f"{module} -> {other}: {mine} may not import {theirs}")
    return found


def unit_cycles(graph: Graph, units: Iterable[str]) -> list[str]:
    """Each loop of units that import each other, once, as `a -> b -> a` with the module imports that make it."""
    units = list(units)
    edges: dict[str, dict[str, str]] = {}  # unit -> unit it imports -> one module import that does it
    for module, imported in sorted(graph.items()):
        for other in sorted(imported):
            mine, theirs = unit_of(module, units), unit_of(other, units)
            if mine and theirs and mine != theirs:
                edges.setdefault(mine, {}).setdefault(theirs, f"{module} -> {other}")
    found, seen = [], set()
    for start in sorted(edges):
        loop = _shortest_loop(edges, start)
        if loop and frozenset(loop) not in seen:
            seen.add(frozenset(loop))
            hops = "; ".join(edges[a][b] for a, b in itertools.pairwise(loop))
            found.append(f"{' -> '.join(loop)} ({hops})")
    return found


def _shortest_loop(edges: Mapping[str, Mapping[str, str]], start: str) -> list[str] | None:
    """The shortest chain of units from `start` back to itself, None if it is on no loop."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for unit in frontier:
            for imported in sorted(edges.get(unit, {})):
                if imported == start:
                    return [*paths[unit], start]
                if imported not in paths:
                    paths[imported] = [*paths[unit], imported]
                    following.append(imported)
        frontier = following
    return None


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    return read_table(ARCHITECTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_every_import_goes_where_the_table_allows(graph: Graph, table: Table) -> None:
    broken = forbidden_imports(graph, table)
    assert not broken, f"imports against the table in {ARCHITECTURE.name}:\n  " + "\n  ".join(broken[:30])


def test_no_units_import_each_other(graph: Graph, table: Table) -> None:
    loops = unit_cycles(graph, table)
    assert not loops, "units that import each other:\n  " + "\n  ".join(loops)


def test_the_table_names_the_units_of_the_tree(graph: Graph, table: Table) -> None:
    """No row for a unit that is gone, and no unit allowed that has no row."""
    modules = set(graph)
    missing = sorted(unit for unit in table if not any(_within(m, [f"harness.{unit}"]) for m in modules))
    unknown = sorted(set().union(*table.values()) - set(table))
    assert not missing and not unknown, f"rows without modules: {missing}; allowed but without a row: {unknown}"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.name)
def test_import_contract(contract: Contract, graph: Graph, table: Table) -> None:
    assert any(unit_of(module, table) in contract.sources for module in graph), "the contract names no module"
    broken = violations(graph, contract, table)
    assert not broken, f"{contract.name}:\n  " + "\n  ".join(broken[:20])


def _plant(root: Path, files: Mapping[str, str]) -> Path:
    tree = root / "harness"
    for name, text in {"__init__.py": "", **files}.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    return tree


def test_a_report_that_imports_serving_breaks_the_contract(tmp_path: Path, table: Table) -> None:
    """The checker itself: a deliberate bad import, two steps away through a package `__init__`, is caught."""
    tree = _plant(
        tmp_path,
        {
            "reports/__init__.py": "",
            "reports/console.py": "def draw() -> None:\n    from harness.serving.pool import ServerPool\n",
            "serving/__init__.py": "from harness.serving.vllm_server import VllmServer\n",
            "serving/pool.py": "",
            "serving/vllm_server.py": "",
        },
    )
    broken = violations(import_graph(tree), CONTRACTS[0], table)
    assert "harness.reports.console -> harness.serving" in broken
    assert "harness.reports.console -> harness.serving.pool" in broken


def test_a_gate_that_imports_a_report_breaks_the_table(tmp_path: Path, table: Table) -> None:
    """The table read from the doc forbids the gate to import the reports (they render the gate's verdict)."""
    tree = _plant(
        tmp_path,
        {
            "gate/__init__.py": "",
            "gate/step.py": "from harness.reports.merge_precision import merge_markdown\n",
            "reports/__init__.py": "",
            "reports/merge_precision.py": "from harness.gate.outputs import markdown_cell\n",
            "gate/outputs.py": "",
        },
    )
    broken = forbidden_imports(import_graph(tree), table)
    assert broken == ["harness.gate.step -> harness.reports.merge_precision: gate may not import reports"]


def test_two_packages_that_import_each_other_are_a_cycle(tmp_path: Path) -> None:
    """A loop is caught even where the table allows each of its imports, and named with the imports that make it;
    an inert `__init__` on the way makes none."""
    table = read_table(
        f"\n{TABLE_HEADING}\n\n| unit | may import |\n| --- | --- |\n| `left` | `right` |\n| `right` | `left`, `base` |\n"
        "| `base` | |\n"
    )
    tree = _plant(
        tmp_path,
        {
            "left/__init__.py": '"""Inert."""\n',
            "left/a.py": "from harness.right.b import B\n",
            "right/__init__.py": "",
            "right/b.py": "import harness.base\n\ndef f() -> None:\n    from harness.left import a\n",
            "base.py": "",
        },
    )
    graph = import_graph(tree)
    assert forbidden_imports(graph, table) == []
    assert unit_cycles(graph, table) == [
        "left -> right -> left (harness.left.a -> harness.right.b; harness.right.b -> harness.left.a)"
    ]
