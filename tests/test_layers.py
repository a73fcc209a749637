"""The package's layering, as an import contract: the read side (run folder API, reports, compare, gate) never
imports the measuring side (serving, fixtures, the runner, the latency measurement), and scoring stays pure.

Read from the source with `ast`, every import counts: top-level, inside functions (the CLI's lazy imports) and
under TYPE_CHECKING, and importing `harness.a.b` counts as importing the package `harness.a` too, because Python
runs its `__init__`. A broken contract names the chain of imports that breaks it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "harness"

Graph = Mapping[str, set[str]]
"""Module → the harness modules it imports directly."""


@dataclass(frozen=True)
class Contract:
    """Modules in `sources` may not reach any module in `forbidden`; with `allowed`, they may reach only those."""

    name: str
    sources: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None


MEASURING_SIDE = (
    "harness.serving",
    "harness.fixtures",
    "harness.generation",
    "harness.latency.measure",
    "harness.latency.floor",
)
CONTRACTS = (
    Contract(
        "the read side never imports serving, fixtures, the runner or the latency measurement",
        sources=("harness.runs", "harness.reports", "harness.gate", "harness.scoring", "harness.latency.analyse"),
        forbidden=MEASURING_SIDE,
    ),
    Contract(
        "scoring imports nothing above the types (and the parsing and statistics it is built on)",
        sources=("harness.scoring",),
        allowed=("harness.scoring", "harness.types", "harness.parsing", "harness.stats", "harness.errors"),
    ),
    Contract("the types import nothing else of the harness", sources=("harness.types",), allowed=("harness.types",)),
    Contract(
        "the environments (and the sandbox's worker process) import nothing above the types",
        sources=("harness.environments",),
        allowed=("harness.environments", "harness.types", "harness.errors"),
    ),
)


def _within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


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
    files = {_module_name(path, package): path for path in package.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[module] = set().union(*(_imported(node, module, is_package, known) for node in ast.walk(tree)))
        graph[module].discard(module)
    return graph


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


def violations(graph: Graph, contract: Contract) -> list[str]:
    """Each import chain that breaks the contract, as `a -> b -> c`."""
    found = []
    for source in sorted(m for m in graph if _within(m, contract.sources)):
        for reached, chain in sorted(_chains(graph, source).items()):
            if reached == source or not reached.startswith("harness."):
                continue
            banned = _within(reached, contract.forbidden)
            outside = contract.allowed is not None and not _within(reached, contract.allowed)
            if banned or outside:
                found.append(" -> ".join(chain))
    return found


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.name)
def test_import_contract(contract: Contract) -> None:
    graph = import_graph()
    assert any(_within(module, contract.sources) for module in graph), "the contract names no module of the tree"
    broken = violations(graph, contract)
    assert not broken, f"{contract.name}:\n  " + "\n  ".join(broken[:20])


def test_a_report_that_imports_serving_breaks_the_contract(tmp_path: Path) -> None:
    """The checker itself: a deliberate bad import, two steps away through a package `__init__`, is caught."""
    tree = tmp_path / "harness"
    for name, text in {
        "__init__.py": "",
        "reports/__init__.py": "",
        "reports/console.py": "def draw() -> None:\n    from harness.serving.pool import ServerPool\n",
        "serving/__init__.py": "from harness.serving.vllm_server import VllmServer\n",
        "serving/pool.py": "",
        "serving/vllm_server.py": "",
    }.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    broken = violations(import_graph(tree), CONTRACTS[0])
    assert "harness.reports.console -> harness.serving" in broken
    assert "harness.reports.console -> harness.serving.pool" in broken
