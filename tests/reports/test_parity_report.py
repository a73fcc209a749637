"""`harness parity`'s verdict line names the variant whose answers were compared with the base's."""

from __future__ import annotations

import pytest
from rich.console import Console

from harness.reports.parity import print_parity
from harness.scoring.parity import AdapterParity


@pytest.mark.parametrize(
    ("served", "named"),
    [("merged:course", "merged:course"), ("lora:good", "lora:good"), (None, "lora:course")],
)
def test_the_failure_names_the_variant_that_answered_like_the_base(served: str | None, named: str) -> None:
    console = Console(record=True, width=300)
    print_parity(AdapterParity(adapter="course", served=served, applied=False, pairs=[]), console)
    assert f"FAIL {named} answered exactly like the base on every case" in console.export_text()
