"""Storage units rented in the user's name, listed without a parameter, and the people let into each.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and references.
"""

from __future__ import annotations

import copy

from harness.environments.builtin.state_fields import checked_fields

_DAYS = (1, 30)
"""Shortest and longest access, in days."""


class StorageUnits:
    """The user's units by id (`SU-512`), each of a size, with the people let in and for how many days."""

    def __init__(self) -> None:
        self.units: dict[str, dict] = {}
        self.next_pass: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"units": dict, "next_pass": int})
        for unit_id, unit in state["units"].items():
            checked_fields(f"units.{unit_id}", unit, {"size": str, "guests": dict})
            for person, days in unit["guests"].items():
                if not isinstance(days, int) or isinstance(days, bool) or not _DAYS[0] <= days <= _DAYS[1]:
                    where = f"units.{unit_id}.guests.{person}"
                    raise ValueError(f"{where}: expected days from {_DAYS[0]} to {_DAYS[1]}, got {days!r}")
        self.units = copy.deepcopy(state["units"])
        self.next_pass = state["next_pass"]

    def list_storage_units(self) -> dict:
        """Every unit, by id: the user rents them all, so there is no one to name."""
        return {"units": [{"unit_id": unit_id, "size": unit["size"]} for unit_id, unit in sorted(self.units.items())]}

    def grant_unit_access(self, unit_id: str, person: str, days: int = 7) -> dict:
        """Let a person into a unit for some days. Refused, with nothing changed, for an unknown unit, an empty
        name, days out of range or a person already let in: the user must hear why."""
        if unit_id not in self.units:
            raise ValueError(f"unknown unit {unit_id!r}")
        guests = self.units[unit_id]["guests"]
        if not person.strip():
            raise ValueError("person is empty: give the full name of the person to let in")
        if not _DAYS[0] <= days <= _DAYS[1]:
            raise ValueError(f"days must be from {_DAYS[0]} to {_DAYS[1]}, got {days}")
        if person in guests:
            raise ValueError(f"{person} can already get into {unit_id}")
        guests[person] = days
        reference = f"AP-{self.next_pass}"
        self.next_pass += 1
        return {"unit_id": unit_id, "person": person, "days": days, "status": "granted", "reference": reference}
