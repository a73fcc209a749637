"""Console output of the two checks that say whether an adapter can be trusted to be served: `harness parity`
(did vLLM apply it, and do its serving paths agree) and `harness adapters check` (can vLLM serve it at all)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.fixtures.adapter_check import AdapterReport
from harness.scoring.parity import AdapterParity, PairAgreement


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
            f"[red]FAIL[/red] lora:{escape(report.adapter)} answered exactly like the base on every case: "
            "vLLM did not apply the adapter (check its name, rank and target modules with `harness adapters check`)"
        )


def print_base_agreement(base: PairAgreement, console: Console) -> None:
    console.print(
        f"base on the LoRA server vs a plain server: same text on {base.same_text}/{base.cases} cases, same calls"
        f" on {base.same_calls}/{base.cases} (enabling LoRA must not change what the base calls)"
    )


def print_adapter_check(report: AdapterReport, console: Console) -> None:
    """What the adapter is, each problem, and the rank flag vLLM needs when it can serve it."""
    rank = "–" if report.r is None else str(report.r)
    alpha = "–" if report.lora_alpha is None else f"{report.lora_alpha:g}"
    targets = (
        report.target_modules if isinstance(report.target_modules, str) else ", ".join(report.target_modules or ())
    )
    console.print(f"adapter {escape(report.path)}", soft_wrap=True)
    console.print(f"  rank {rank}, alpha {alpha}, base {escape(report.base_model_name_or_path or '–')}", soft_wrap=True)
    console.print(f"  targets {escape(targets or '–')}", soft_wrap=True)
    for problem in report.problems:
        tag = "[yellow]merge[/yellow]" if problem.serve_merged_only else "[red]error[/red]"
        console.print(f"{tag} {problem.code}: {escape(problem.message)}", soft_wrap=True)
    if report.ok:
        console.print(
            f"[green]ok[/green] vLLM can serve it unmerged with --max-lora-rank {report.smallest_max_lora_rank}"
        )
