"""`python -m harness.reference` (`make docs`): rewrite the generated references in `docs/`."""

from __future__ import annotations

from harness.reference import write_documents

for path in write_documents():
    print(f"wrote {path}")
