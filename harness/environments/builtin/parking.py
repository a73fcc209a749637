"""Residential parking permits: found by the resident's name, each moved from one vehicle to another.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and references.
"""

from __future__ import annotations

import copy

from harness.environments.builtin.owners import owned_by
from harness.environments.builtin.state_fields import checked_fields


class ParkingPermits:
    """Permits by id (`PP-20417`), each of a resident, for a zone, on one vehicle's number plate."""

    def __init__(self) -> None:
        self.permits: dict[str, dict] = {}
        self.next_change: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"permits": dict, "next_change": int})
        for permit_id, permit in state["permits"].items():
            checked_fields(f"permits.{permit_id}", permit, {"resident": str, "zone": str, "plate": str})
        self.permits = copy.deepcopy(state["permits"])
        self.next_change = state["next_change"]

    def find_parking_permits(self, resident: str) -> dict:
        """The permits of the residents whose name has every word of `resident`: users name themselves, and a
        change needs the permit's id."""
        found = owned_by(self.permits, "resident", resident)
        return {"permits": [{"permit_id": i, "zone": p["zone"], "resident": p["resident"]} for i, p in found]}

    def change_permit_vehicle(self, permit_id: str, plate: str) -> dict:
        """Put a permit on another plate. Refused, with nothing changed, for an unknown permit, an empty plate or
        the plate it is on already: the user must hear why."""
        if permit_id not in self.permits:
            raise ValueError(f"unknown permit {permit_id!r}")
        permit = self.permits[permit_id]
        if not plate.strip():
            raise ValueError("plate is empty: give the new vehicle's number plate")
        if plate == permit["plate"]:
            raise ValueError(f"{permit_id} is already on {plate}")
        permit["plate"] = plate
        reference = f"PC-{self.next_change}"
        self.next_change += 1
        return {"permit_id": permit_id, "plate": plate, "status": "updated", "reference": reference}
