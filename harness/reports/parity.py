"""Console output of `harness parity`: did vLLM apply each adapter, and do its serving paths (unmerged, merged,
transformers) agree. `harness adapters check` (can vLLM serve it at all) prints from `harness.fixtures.console`."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.scoring.parity import AdapterParity, PairAgreement
from harness.types import lora_variant


def print_parity(report: AdapterParity, console: Console) -> None:
    """One adapter's agreement table and whether vLLM applied it."""
    table = Table(title=f"Parity of adapter {report.adapter}")
    for header in ("a", "b", "cases", "same text", "same calls", "differing (first few)"):
        table.add_column(header, no_wrap=header in ("a", "b"))  # variant names whole; the case list wraps
    for pair in report.pairs:
        table.add_row(
            pair.a,
            pair.b,
            str(pair.cases),
            f"{pair.same_text / pair.cases:.0%}",
            f"{pair.same_calls / pair.cases:.0%}",
            escape(", ".join(pair.differing)),
        )
    console.print(table)
    if report.applied:
        console.print(f"[green]ok[/green] vLLM applied {escape(report.adapter)}: its answers differ from the base's")
    else:
        console.print(
            f"[red]FAIL[/red] {escape(report.served or lora_variant(report.adapter))} answered exactly like the base"
            " on every case: vLLM did not apply the adapter (check its name, rank and target modules with"
            " `harness adapters check`)"
        )


def print_base_agreement(base: PairAgreement, console: Console) -> None:
    console.print(
        f"base on the LoRA server vs a plain server: same text on {base.same_text}/{base.cases} cases, same calls"
        f" on {base.same_calls}/{base.cases} (enabling LoRA must not change what the base calls)"
    )
