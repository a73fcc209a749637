"""Which class runs an environment: one explicit table from an environment's name to the module and class that
implement it, and where each module's file is.

BFCL's files are found in the installed `bfcl_eval` wheel without importing it: its package `__init__`s pull heavy
pinned dependencies, while the class files need only the standard library, `mpmath` and each other. A file is loaded
under its dotted name (`bfcl_eval.eval_checker....long_context`) because the class files import their siblings by
those names; the worker resolves them from disk (`harness.environments.worker`).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.errors import HarnessError

BUILTIN_PACKAGE = "harness.environments.builtin"
"""Package of the harness's own environment classes."""
BFCL_PACKAGE = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"
"""Package, inside the `bfcl_eval` wheel, of BFCL's multi-turn classes."""

ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "calendar": (f"{BUILTIN_PACKAGE}.calendar", "Calendar"),
    "shop": (f"{BUILTIN_PACKAGE}.shop", "Shop"),
    "bank": (f"{BUILTIN_PACKAGE}.bank", "Bank"),
    "parking": (f"{BUILTIN_PACKAGE}.parking", "ParkingPermits"),
    "storage": (f"{BUILTIN_PACKAGE}.storage", "StorageUnits"),
    "bike_share": (f"{BUILTIN_PACKAGE}.bike_share", "BikeShare"),
    "bfcl:GorillaFileSystem": (f"{BFCL_PACKAGE}.gorilla_file_system", "GorillaFileSystem"),
    "bfcl:MathAPI": (f"{BFCL_PACKAGE}.math_api", "MathAPI"),
    "bfcl:MessageAPI": (f"{BFCL_PACKAGE}.message_api", "MessageAPI"),
    "bfcl:TwitterAPI": (f"{BFCL_PACKAGE}.posting_api", "TwitterAPI"),
    "bfcl:TicketAPI": (f"{BFCL_PACKAGE}.ticket_api", "TicketAPI"),
    "bfcl:TradingBot": (f"{BFCL_PACKAGE}.trading_bot", "TradingBot"),
    "bfcl:TravelAPI": (f"{BFCL_PACKAGE}.travel_booking", "TravelAPI"),
    "bfcl:VehicleControlAPI": (f"{BFCL_PACKAGE}.vehicle_control", "VehicleControlAPI"),
}
"""Environment name -> (dotted module name, class name). The only classes an episode can name."""


class EnvironmentSetupError(HarnessError):
    """An environment that cannot be set up: an unknown name, a missing class file, or a state its class rejects;
    the message says which and why."""


@dataclass(frozen=True)
class EnvironmentSource:
    """Where one environment's class comes from."""

    name: str
    """The environment's name in `ENVIRONMENTS`."""
    module: str
    """Dotted name its file is loaded under."""
    file: Path
    """The class file."""
    class_name: str
    """The class in that file."""


@cache
def bfcl_directory() -> Path:
    """The folder of BFCL's class files in the installed wheel, found without running any `bfcl_eval` code
    (`find_spec` of a top-level package reads the path, it does not import)."""
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentSetupError("BFCL's environments need the bfcl-eval package, which is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *BFCL_PACKAGE.split(".")[1:])


def package_directory(package: str) -> Path:
    """Folder of the class files of a package in this registry."""
    if package == BFCL_PACKAGE:
        return bfcl_directory()
    if package == BUILTIN_PACKAGE:
        return Path(__file__).resolve().parent / "builtin"
    raise EnvironmentSetupError(f"no environment package named {package!r}")


def environment_source(name: str) -> EnvironmentSource:
    """The module, file and class of a named environment; an unknown name or a missing file is an
    `EnvironmentSetupError`."""
    if name not in ENVIRONMENTS:
        known = ", ".join(ENVIRONMENTS)
        raise EnvironmentSetupError(f"unknown environment {name!r} (known: {known})")
    module, class_name = ENVIRONMENTS[name]
    package, _, leaf = module.rpartition(".")
    file = package_directory(package) / f"{leaf}.py"
    if not file.is_file():
        raise EnvironmentSetupError(f"environment {name!r}: its class file {file} does not exist")
    return EnvironmentSource(name=name, module=module, file=file, class_name=class_name)
