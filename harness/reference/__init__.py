"""The generated references in `docs/`: the configuration reference from the pydantic models and the CLI reference
from the argument parser, so that neither can say what the code does not. `make docs` writes them; a test fails
when the committed files differ from what the code would write."""

from __future__ import annotations

from harness.reference.documents import DOCUMENTS, ROOT, write_documents

__all__ = ["DOCUMENTS", "ROOT", "write_documents"]
