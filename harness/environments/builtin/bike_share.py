"""Bike-share passes: found by the rider's name, each topped up with rides.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and references.
"""

from __future__ import annotations

import copy

from harness.environments.builtin.owners import owned_by
from harness.environments.builtin.state_fields import checked_fields

_RIDES = (1, 20)
"""Fewest and most rides one top-up adds."""


class BikeShare:
    """Passes by id (`BP-7731`), each of a rider, on one network, with the rides left on it."""

    def __init__(self) -> None:
        self.passes: dict[str, dict] = {}
        self.next_top_up: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"passes": dict, "next_top_up": int})
        for pass_id, bike_pass in state["passes"].items():
            checked_fields(f"passes.{pass_id}", bike_pass, {"rider": str, "network": str, "rides_left": int})
            if bike_pass["rides_left"] < 0:
                raise ValueError(f"passes.{pass_id}.rides_left: must not be negative, got {bike_pass['rides_left']}")
        self.passes = copy.deepcopy(state["passes"])
        self.next_top_up = state["next_top_up"]

    def find_bike_passes(self, rider: str) -> dict:
        """The passes of the riders whose name has every word of `rider`: users name themselves, and a top-up
        needs the pass's id."""
        found = owned_by(self.passes, "rider", rider)
        return {"passes": [{"pass_id": i, "network": p["network"], "rider": p["rider"]} for i, p in found]}

    def top_up_bike_pass(self, pass_id: str, rides: int) -> dict:
        """Add rides to a pass. Refused, with nothing changed, for an unknown pass or a number of rides out of
        range: the user must hear why."""
        if pass_id not in self.passes:
            raise ValueError(f"unknown pass {pass_id!r}")
        if not _RIDES[0] <= rides <= _RIDES[1]:
            raise ValueError(f"rides must be from {_RIDES[0]} to {_RIDES[1]}, got {rides}")
        bike_pass = self.passes[pass_id]
        bike_pass["rides_left"] += rides
        reference = f"TU-{self.next_top_up}"
        self.next_top_up += 1
        return {
            "pass_id": pass_id,
            "rides_left": bike_pass["rides_left"],
            "status": "topped up",
            "reference": reference,
        }
