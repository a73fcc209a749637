"""What preparing a run found out about its adapters, as one line per adapter, for the console and the HTML page
alike: why an adapter is served merged only (the adapter check's reasons, which a reader would otherwise look for
in vain among the variants) and a declared base that could not be compared with the run's."""

from __future__ import annotations

from harness.types import RunManifest


def adapter_notes(manifest: RunManifest) -> list[str]:
    """`NAME: served merged only: REASONS (adapter check)` and `NAME: base not compared: WHY`, in config order;
    none for a run folder made before runs recorded them."""
    lines = []
    for record in manifest.adapters:
        if record.merged_only_because:
            lines.append(f"{record.name}: served merged only: {'; '.join(record.merged_only_because)} (adapter check)")
        if record.base_unchecked:
            lines.append(f"{record.name}: base not compared: {record.base_unchecked}")
    return lines
