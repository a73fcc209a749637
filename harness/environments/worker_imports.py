"""How the worker loads environment classes: afresh for every namespace, from their files, with no `bfcl_eval`
package `__init__` run, and each file's code read once.

A fresh module per namespace keeps module globals a tool mutates in that namespace; reading each file's code once
keeps that cheap.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import CodeType, ModuleType

from harness.environments.registry import BFCL_PACKAGE, BUILTIN_PACKAGE, package_directory

_FRESH_PREFIXES = ("bfcl_eval", f"{BUILTIN_PACKAGE}.")
"""Modules loaded afresh for every namespace: the environment files and whatever they import of each other."""
_CODE_CACHE: dict[tuple[str, int, int], CodeType] = {}
"""Code object of each class file read so far, by (path, mtime, size): a fresh module per namespace then costs one
run of the module body, not a re-read and unmarshal (long_context.py's constants take milliseconds each time)."""


class _CachedSourceLoader(importlib.machinery.SourceFileLoader):
    """The standard loader of a `.py` file (its `get_code` reads the `__pycache__` bytecode or the source, exactly
    as an import does), remembering the code object so every later load of the same unchanged file reuses it.
    Each load still executes the body in a new module object, so namespaces share no globals."""

    def get_code(self, fullname: str) -> CodeType:
        status = os.stat(self.path)
        key = (self.path, status.st_mtime_ns, status.st_size)
        code = _CODE_CACHE.get(key)
        if code is None:
            code = super().get_code(fullname)
            if code is None:
                raise ImportError(f"no code for {fullname}")
            _CODE_CACHE[key] = code
        return code


def _file_spec(fullname: str, file: Path) -> importlib.machinery.ModuleSpec | None:
    return importlib.util.spec_from_file_location(fullname, file, loader=_CachedSourceLoader(fullname, str(file)))


class _FreshFinder(importlib.abc.MetaPathFinder):
    """Finds the environment modules loaded afresh per namespace, with the caching loader.

    `bfcl`: when given, `bfcl_eval.eval_checker.multi_turn_eval.func_source_code.X` resolves to the file X.py of
    the wheel, and its parent packages to empty modules, so BFCL's class files import each other without any
    `bfcl_eval` package `__init__` running. Other `bfcl_eval` modules stay unresolvable (their parents have no
    search path). The harness's own classes (`harness.environments.builtin.X`) resolve to their files, as the
    standard path finder would resolve them."""

    def __init__(self, bfcl: Path | None) -> None:
        self.bfcl = bfcl
        parts = BFCL_PACKAGE.split(".")
        self.parents = {".".join(parts[: i + 1]) for i in range(len(parts))}
        self.builtin = package_directory(BUILTIN_PACKAGE)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, leaf = fullname.rpartition(".")
        if package == BUILTIN_PACKAGE:
            file = self.builtin / f"{leaf}.py"
            return _file_spec(fullname, file) if file.is_file() else None
        if self.bfcl is None:
            return None
        if fullname in self.parents:
            return importlib.machinery.ModuleSpec(fullname, _EmptyPackage(), is_package=True)
        file = self.bfcl / f"{leaf}.py"
        if package == BFCL_PACKAGE and file.is_file():
            return _file_spec(fullname, file)
        return None


class _EmptyPackage(importlib.abc.Loader):
    """Loader of a parent package that exists only so its children can be imported by their dotted names."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__path__ = []


@contextlib.contextmanager
def fresh_imports(bfcl: Path | None) -> Iterator[dict[str, ModuleType]]:
    """Within the block, environment modules are loaded anew (never taken from `sys.modules`); the modules loaded
    are collected in the dict yielded and taken out of `sys.modules` again afterwards, so the next namespace gets its
    own copies and module globals a tool mutates (VehicleControlAPI's `LONG_WEATHER_EXTENSION`) stay in one.
    `bfcl` is the folder of BFCL's class files, when a BFCL environment is loaded. Modules of those names that
    were imported before (the real `bfcl_eval` in a test process) are put back as they were."""
    saved = {name: sys.modules.pop(name) for name in [name for name in sys.modules if name.startswith(_FRESH_PREFIXES)]}
    finder = _FreshFinder(bfcl)
    sys.meta_path.insert(0, finder)
    loaded: dict[str, ModuleType] = {}
    try:
        yield loaded
    finally:
        sys.meta_path.remove(finder)
        for name in [name for name in sys.modules if name.startswith(_FRESH_PREFIXES)]:
            loaded[name] = sys.modules.pop(name)
        sys.modules.update(saved)
