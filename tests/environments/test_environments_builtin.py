"""The built-in environments: states they refuse (naming the field), tool errors that change nothing, schemas that
match the methods, determinism (no module state, standard library only)."""

from __future__ import annotations
import __future__

import ast
import copy
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.suites import heldout_multi_turn, multi_turn_tools
from harness.suites.gold import BUILTIN_CLASSES, LocalEnvironments
from harness.training_data.chain_tools import HELDOUT_CHAINS
from harness.types import EnvironmentState, GoldCall

TOOLS = (*multi_turn_tools.TOOLS, *heldout_multi_turn.TOOLS)

BANK = {
    "accounts": {
        "A-1": {"owner": "Ann Lee", "type": "checking", "balance": 100},
        "A-2": {"owner": "Bo Chen", "type": "savings", "balance": 50},
    },
    "transactions": [],
    "next_transaction": 1,
}
SHOP = {
    "products": {"P-1": {"name": "Yoga Mat", "category": "fitness", "price": 20, "stock": 2}},
    "cart": {},
    "orders": {"O-1": {"items": {"P-1": 1}, "total": 20, "shipping_address": "1 Main St", "status": "cancelled"}},
    "next_order": 2,
}
CALENDAR = {
    "events": {
        "E-1": {"title": "Standup", "date": "2025-03-14", "start": "09:00", "duration_minutes": 30, "attendees": []},
        "E-2": {"title": "Review", "date": "2025-03-14", "start": "10:00", "duration_minutes": 60, "attendees": ["Al"]},
    },
    "next_event": 3,
}
PARKING = {
    "permits": {
        "PP-10001": {"resident": "Nadia Petrov", "zone": "north", "plate": "RT-552-KW"},
        "PP-10002": {"resident": "Chen Wei", "zone": "north", "plate": "3MXD871"},
        "PP-10003": {"resident": "Nadia Petrov", "zone": "harbour", "plate": "L 2290 FA"},
    },
    "next_change": 4,
}
STORAGE = {
    "units": {"SU-101": {"size": "small", "guests": {"Zara Ahmed": 3}}, "SU-007": {"size": "large", "guests": {}}},
    "next_pass": 2,
}
BIKE_SHARE = {
    "passes": {
        "BP-0001": {"rider": "Leila Karimi", "network": "campus", "rides_left": 0},
        "BP-0002": {"rider": "Jonas Novak", "network": "campus", "rides_left": 5},
    },
    "next_top_up": 1,
}
STATES = {
    "bank": BANK, "shop": SHOP, "calendar": CALENDAR, "parking": PARKING, "storage": STORAGE, "bike_share": BIKE_SHARE,
}  # fmt: skip


def _changed(name: str, path: tuple[str, ...], value: object) -> dict[str, Any]:
    state = copy.deepcopy(STATES[name])
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return state


# (environment, state, message fragment)
REFUSED: list[tuple[str, Any, str]] = [
    ("bank", [], "state: expected an object"),
    ("bank", {**BANK, "overdraft": 5}, "state.overdraft: unknown field"),
    ("bank", {k: v for k, v in BANK.items() if k != "transactions"}, "state.transactions: missing"),
    ("bank", _changed("bank", ("accounts", "A-1", "balance"), "100"), "accounts.A-1.balance: expected int, got str"),
    ("bank", _changed("bank", ("accounts", "A-1", "balance"), True), "accounts.A-1.balance: expected int, got bool"),
    ("bank", _changed("bank", ("accounts", "A-1", "type"), "gold"), "accounts.A-1.type: 'gold' is not one of"),
    ("bank", _changed("bank", ("transactions",), [{"id": "T-1"}]), "transactions[0].from_account: missing"),
    ("shop", _changed("shop", ("products", "P-1", "stock"), 2.5), "products.P-1.stock: expected int, got float"),
    ("shop", _changed("shop", ("cart",), {"P-9": 1}), "cart.P-9: not a product"),
    ("shop", _changed("shop", ("cart",), {"P-1": 0}), "cart.P-1: expected a positive integer"),
    ("shop", _changed("shop", ("orders", "O-1", "status"), "lost"), "orders.O-1.status: 'lost' is not one of"),
    ("calendar", _changed("calendar", ("events", "E-1", "date"), "14/03/2025"), "events.E-1.date: date '14/03/2025'"),
    ("calendar", _changed("calendar", ("events", "E-1", "start"), "9am"), "events.E-1.start: time '9am'"),
    ("calendar", _changed("calendar", ("events", "E-1", "attendees"), [1]), "events.E-1.attendees: expected a list"),
    ("calendar", _changed("calendar", ("next_event",), "3"), "state.next_event: expected int, got str"),
    ("parking", _changed("parking", ("permits", "PP-10001", "plate"), None), "permits.PP-10001.plate: expected str"),
    ("parking", {k: v for k, v in PARKING.items() if k != "next_change"}, "state.next_change: missing"),
    ("storage", _changed("storage", ("units", "SU-007", "owner"), "Ann"), "units.SU-007.owner: unknown field"),
    ("storage", _changed("storage", ("units", "SU-101", "guests"), {"Zara Ahmed": 31}),
     "units.SU-101.guests.Zara Ahmed: expected days from 1 to 30, got 31"),
    ("bike_share", _changed("bike_share", ("passes", "BP-0002", "rides_left"), -1),
     "passes.BP-0002.rides_left: must not be negative"),
    ("bike_share", _changed("bike_share", ("passes", "BP-0002", "rides_left"), True),
     "passes.BP-0002.rides_left: expected int, got bool"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "state", "message"), REFUSED, ids=[f"{r[0]}: {r[2]}" for r in REFUSED])
def test_a_bad_state_is_refused_naming_the_field(name: str, state: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        BUILTIN_CLASSES[name]()._load_scenario(state)


@pytest.mark.parametrize("name", sorted(STATES))
def test_a_state_loads_as_given_and_a_new_instance_is_empty(name: str) -> None:
    instance = BUILTIN_CLASSES[name]()
    empty = dict(vars(instance))
    instance._load_scenario(copy.deepcopy(STATES[name]))
    assert vars(instance) == STATES[name]
    assert vars(BUILTIN_CLASSES[name]()) == empty


# (environment, calls before, the failing call, error fragment)
FAILING: list[tuple[str, list[GoldCall], GoldCall, str]] = [
    ("bank", [], GoldCall(function="transfer", arguments={"from_account": "A-2", "to_account": "A-1", "amount": 51}),
     "insufficient funds: A-2 has 50, the transfer needs 51"),
    ("bank", [], GoldCall(function="transfer", arguments={"from_account": "A-1", "to_account": "A-9", "amount": 5}),
     "unknown account 'A-9'"),
    ("bank", [], GoldCall(function="transfer", arguments={"from_account": "A-1", "to_account": "A-2", "amount": 0}),
     "amount must be positive"),
    ("bank", [], GoldCall(function="find_account", arguments={"owner": " "}), "owner is empty"),
    ("shop", [GoldCall(function="add_to_cart", arguments={"product_id": "P-1", "quantity": 1})],
     GoldCall(function="add_to_cart", arguments={"product_id": "P-1", "quantity": 2}),
     "out of stock: 2 Yoga Mat left, 1 already in the cart"),
    ("shop", [], GoldCall(function="place_order", arguments={"shipping_address": "1 Main St"}), "the cart is empty"),
    ("shop", [], GoldCall(function="cancel_order", arguments={"order_id": "O-1"}), "O-1 is already cancelled"),
    ("calendar", [], GoldCall(function="move_event", arguments={"event_id": "E-1", "new_start": "10:30"}),
     "overlaps E-2 'Review' (10:00-11:00)"),
    ("calendar", [], GoldCall(function="create_event", arguments={"title": "Gym", "date": "2025-03-14",
                                                                    "start": "23:45", "duration_minutes": 30}),
     "does not fit in one day"),
    ("calendar", [], GoldCall(function="find_events", arguments={"date": "tomorrow"}), "is not a date like"),
    ("calendar", [], GoldCall(function="add_attendee", arguments={"event_id": "E-2", "attendee": "Al"}),
     "Al is already invited to E-2"),
    ("parking", [], GoldCall(function="change_permit_vehicle", arguments={"permit_id": "PP-9", "plate": "5KTW219"}),
     "unknown permit 'PP-9'"),
    ("parking", [], GoldCall(function="change_permit_vehicle", arguments={"permit_id": "PP-10001",
                                                                          "plate": "RT-552-KW"}),
     "PP-10001 is already on RT-552-KW"),
    ("parking", [], GoldCall(function="find_parking_permits", arguments={"resident": ""}), "resident is empty"),
    ("storage", [], GoldCall(function="grant_unit_access", arguments={"unit_id": "SU-101", "person": "Zara Ahmed"}),
     "Zara Ahmed can already get into SU-101"),
    ("storage", [], GoldCall(function="grant_unit_access", arguments={"unit_id": "SU-007", "person": "Chen Wei",
                                                                      "days": 0}),
     "days must be from 1 to 30, got 0"),
    ("storage", [], GoldCall(function="grant_unit_access", arguments={"unit_id": "SU-9", "person": "Chen Wei"}),
     "unknown unit 'SU-9'"),
    ("bike_share", [], GoldCall(function="top_up_bike_pass", arguments={"pass_id": "BP-0001", "rides": 21}),
     "rides must be from 1 to 20, got 21"),
    ("bike_share", [], GoldCall(function="top_up_bike_pass", arguments={"pass_id": "BP-9", "rides": 2}),
     "unknown pass 'BP-9'"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "before", "failing", "message"), FAILING, ids=[r[3] for r in FAILING])
def test_a_tool_error_is_a_result_and_changes_nothing(
    name: str, before: list[GoldCall], failing: GoldCall, message: str
) -> None:
    live = LocalEnvironments([EnvironmentState(name=name, state=STATES[name])], TOOLS, long_context=False)
    for call in before:
        assert not live.call(call).startswith("Error")
    state = copy.deepcopy(live.state())
    assert (
        live.call(failing) == f"Error during execution: {live.call(failing).removeprefix('Error during execution: ')}"
    )
    assert message in live.call(failing)
    assert live.state() == state


# (environment, calls, the last call's result)
CHAINS: list[tuple[str, list[GoldCall], str]] = [
    ("bank", [GoldCall(function="find_account", arguments={"owner": "ann"})],
     '{"accounts": [{"account_id": "A-1", "owner": "Ann Lee", "type": "checking"}]}'),
    ("bank", [GoldCall(function="transfer", arguments={"from_account": "A-1", "to_account": "A-2", "amount": 30}),
              GoldCall(function="list_transactions", arguments={"account_id": "A-2"})],
     '{"account_id": "A-2", "transactions": [{"id": "T-1", "from_account": "A-1", "to_account": "A-2", "amount": 30, '
     '"memo": ""}]}'),
    ("shop", [GoldCall(function="search_products", arguments={"query": "yoga mats"})],
     '{"products": [{"product_id": "P-1", "name": "Yoga Mat", "price": 20, "stock": 2}]}'),
    ("shop", [GoldCall(function="add_to_cart", arguments={"product_id": "P-1", "quantity": 2}),
              GoldCall(function="place_order", arguments={"shipping_address": "1 Main St"}),
              GoldCall(function="cancel_order", arguments={"order_id": "O-2"})],
     '{"order_id": "O-2", "status": "cancelled", "refunded": 40}'),
    ("calendar", [GoldCall(function="move_event", arguments={"event_id": "E-1", "new_start": "11:00"}),
                  GoldCall(function="find_events", arguments={"date": "2025-03-14"})],
     '{"date": "2025-03-14", "events": [{"event_id": "E-2", "title": "Review", "start": "10:00", "end": "11:00"}, '
     '{"event_id": "E-1", "title": "Standup", "start": "11:00", "end": "11:30"}]}'),
    ("calendar", [GoldCall(function="create_event", arguments={"title": "Gym", "date": "2025-03-14", "start": "07:00"}),
                  GoldCall(function="cancel_event", arguments={"event_id": "E-3"})],
     '{"event_id": "E-3", "cancelled": "Gym"}'),
    ("parking", [GoldCall(function="find_parking_permits", arguments={"resident": "petrov"})],
     '{"permits": [{"permit_id": "PP-10001", "zone": "north", "resident": "Nadia Petrov"}, '
     '{"permit_id": "PP-10003", "zone": "harbour", "resident": "Nadia Petrov"}]}'),
    ("parking", [GoldCall(function="change_permit_vehicle", arguments={"permit_id": "PP-10003", "plate": "5KTW219"})],
     '{"permit_id": "PP-10003", "plate": "5KTW219", "status": "updated", "reference": "PC-4"}'),
    ("storage", [GoldCall(function="list_storage_units")],
     '{"units": [{"unit_id": "SU-007", "size": "large"}, {"unit_id": "SU-101", "size": "small"}]}'),
    ("storage", [GoldCall(function="grant_unit_access", arguments={"unit_id": "SU-007", "person": "Chen Wei"}),
                 GoldCall(function="grant_unit_access", arguments={"unit_id": "SU-101", "person": "Chen Wei",
                                                                   "days": 2})],
     '{"unit_id": "SU-101", "person": "Chen Wei", "days": 2, "status": "granted", "reference": "AP-3"}'),
    ("bike_share", [GoldCall(function="find_bike_passes", arguments={"rider": "Leila"})],
     '{"passes": [{"pass_id": "BP-0001", "network": "campus", "rider": "Leila Karimi"}]}'),
    ("bike_share", [GoldCall(function="top_up_bike_pass", arguments={"pass_id": "BP-0001", "rides": 20})],
     '{"pass_id": "BP-0001", "rides_left": 20, "status": "topped up", "reference": "TU-1"}'),
]  # fmt: skip


@pytest.mark.parametrize(("name", "calls", "last"), CHAINS, ids=[f"{r[0]}: {r[1][-1].function}" for r in CHAINS])
def test_results_carry_what_the_next_call_needs(name: str, calls: list[GoldCall], last: str) -> None:
    live = LocalEnvironments([EnvironmentState(name=name, state=STATES[name])], TOOLS, long_context=False)
    results = [live.call(call) for call in calls]
    assert results[-1] == last


ACTION_VALUES: dict[str, dict[str, Any]] = {
    "permit_vehicle_change": {"plate": "5KTW219"},
    "storage_access": {"person": "Chen Wei"},
    "bike_top_up": {"rides": 3},
}
"""A value for every other required parameter of each held-out chain's action."""


@pytest.mark.parametrize("chain", HELDOUT_CHAINS, ids=lambda chain: chain.name)
def test_a_heldout_lookup_lists_records_as_training_chains_draw_them(chain: Any) -> None:
    """The lookup's result has the shape `chain_exchange` gives training's lookups: the records under the chain's
    `records` key, each with its id, its sort and its owner (if the lookup takes one), in that order; the action on
    one of them changes the state, so a state check tells a right action from a wrong one."""
    environment = heldout_multi_turn.SETTINGS[chain.name].environment
    state, key = STATES[environment], chain.key_parameter
    live = LocalEnvironments([EnvironmentState(name=environment, state=state)], TOOLS, long_context=False)
    owner = {key: next(iter(state[chain.records].values()))[key]} if key else {}
    lookup = chain.lookup_call(owner)
    listed = json.loads(live.call(GoldCall(function=lookup.name, arguments=lookup.arguments)))
    assert list(listed) == [chain.records] and listed[chain.records]
    fields = [chain.id_parameter, chain.sort, *owner]
    assert all(list(record) == fields for record in listed[chain.records])
    before = copy.deepcopy(live.state())
    action = chain.action_call(listed[chain.records][0][chain.id_parameter], ACTION_VALUES[chain.name])
    assert not live.call(GoldCall(function=action.name, arguments=action.arguments)).startswith("Error")
    assert live.state() != before


_TYPES = {str: "string", int: "integer"}


@pytest.mark.parametrize("tool", TOOLS, ids=[tool.name for tool in TOOLS])
def test_each_schema_matches_its_method(tool: Any) -> None:
    assert tool.environment in BUILTIN_CLASSES
    method = vars(BUILTIN_CLASSES[tool.environment])[tool.name]
    parameters = list(inspect.signature(method).parameters.values())[1:]
    assert list(tool.parameters["properties"]) == [p.name for p in parameters]
    assert tool.parameters["required"] == [p.name for p in parameters if p.default is inspect.Parameter.empty]
    hints = inspect.get_annotations(method, eval_str=True)
    assert all(tool.parameters["properties"][p.name]["type"] == _TYPES[hints[p.name]] for p in parameters)
    assert all(prop["description"] for prop in tool.parameters["properties"].values())
    assert method.__doc__


def test_every_public_method_is_a_tool() -> None:
    declared = {(tool.environment, tool.name) for tool in TOOLS}
    methods = {
        (name, method)
        for name, cls in BUILTIN_CLASSES.items()
        for method, member in vars(cls).items()
        if callable(member) and not method.startswith("_")
    }
    assert methods == declared


SHARED = {"harness.environments.builtin.state_fields", "harness.environments.builtin.owners"}
"""Helpers the built-in environments share."""


@pytest.mark.parametrize("name", sorted(BUILTIN_CLASSES))
def test_standard_library_only_and_no_module_state(name: str) -> None:
    module = sys.modules[BUILTIN_CLASSES[name].__module__]
    tree = ast.parse(Path(module.__file__ or "").read_text())
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module if node.module in SHARED else node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= sys.stdlib_module_names | {"__future__", *SHARED}
    for shared in SHARED & imported:  # themselves standard library only
        shared_tree = ast.parse(Path(sys.modules[shared].__file__ or "").read_text())
        assert all(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in ast.walk(shared_tree)
                   if isinstance(node, ast.Import | ast.ImportFrom))  # fmt: skip
    immutable = (str, int, tuple, frozenset, type(None), type(__future__.annotations))
    state = {key: value for key, value in vars(module).items() if not key.startswith("__")}
    assert all(inspect.isfunction(v) or inspect.isclass(v) or inspect.ismodule(v) or isinstance(v, immutable)
               for v in state.values())  # fmt: skip
