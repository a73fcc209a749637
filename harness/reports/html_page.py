"""`harness report RUN_DIR --html PATH`: one self-contained HTML file that opens offline.

Model output is hostile data. Everything from the run folder is escaped with `html.escape`, the per-case data
travels as JSON inside a `<script type="application/json">` element (with `<` escaped, so no text can close it)
and is only ever put on the page through `textContent`, and a Content-Security-Policy allows nothing but this
page's own inline style and the one inline script (pinned by its hash): no request can leave the page, and no
script that found its way into the markup could run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from pathlib import Path

from harness.gate.decided import answered, needed_words, settling_rule
from harness.gate.recommend import gate_words, recommend, run_verdict
from harness.reports.adapter_notes import adapter_notes
from harness.reports.curve import learning_curves
from harness.reports.episodes import episodes_section
from harness.reports.html_accuracy import chart_section, details_section, matrix_section
from harness.reports.html_cases import MARKUP, SCRIPT, case_rows
from harness.reports.html_curve import curves_html
from harness.reports.html_latency import latency_section
from harness.reports.html_looks import looks_section
from harness.reports.merge_precision import merge_section
from harness.reports.svg import variant_colours
from harness.runs.view import RunView
from harness.types import UNDECIDED_EXIT, Decision, GateResult, Status, VariantVerdict

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;white-space:nowrap}
.pass{color:#176b2c}.fail{color:#a4161a}.verdict{border:2px solid #bbb;border-radius:6px;padding:8px 16px;margin:16px 0}
.undecided{color:#8a5300}
.verdict.ok{border-color:#176b2c}.verdict.bad{border-color:#a4161a}.verdict.open{border-color:#b7791f}.verdict ul{margin:4px 0;padding-left:20px}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:12px}.muted{color:#777}
.scroll{overflow-x:auto;max-width:100%}
.matrix td.cell{text-align:center;white-space:nowrap;min-width:64px}.matrix .ci{font-size:11px;color:#444}
.matrix th.variant{white-space:nowrap;position:sticky;left:0;z-index:1}.matrix th.pooled{background:#e9eef4}
.matrix th.dist-in{background:#e3f0e6}.matrix th.dist-out{background:#f3ece0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
figure.chart{margin:16px 0;overflow-x:auto}figure.chart figcaption{font-weight:600;margin-bottom:4px}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:8px 24px;align-items:start}
details.more{margin:12px 0}details.more>summary{cursor:pointer;color:#345}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:8px 0}
table.cases{width:100%;table-layout:fixed}table.cases td{overflow-wrap:anywhere}
table.cases th:nth-child(1){width:10%}table.cases th:nth-child(2){width:13%}
table.cases th:nth-child(3){width:6%}table.cases th:nth-child(4){width:9%}table.cases details summary{cursor:pointer}
table.cases details[open] .preview,table.cases details:not([open]) .less{display:none}
table.cases .less{color:#777}
@media (max-width:700px){body{margin:8px auto;padding:0 8px}
table.cases,table.cases tbody,table.cases tr,table.cases td{display:block;width:auto}table.cases thead{display:none}
table.cases tr{border:1px solid #ccc;border-radius:4px;margin:8px 0;padding:4px}table.cases td{border:0;padding:2px 4px}
table.cases td::before{content:attr(data-label) ": ";color:#777}table.cases td:empty{display:none}}
"""


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def _json_for_script(value: object) -> str:
    """JSON that cannot end its `<script>` element early: every `<` becomes `\\u003c`."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace("\u2028", "\\u2028")


def page(title: str, body: str, script: str | None = None) -> str:
    """A whole page: the shared style, and a Content-Security-Policy that lets only `script` (pinned by its hash)
    run and nothing load."""
    scripts = f"'{_script_hash(script)}'" if script else "'none'"
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}; img-src data:"
    tail = f"<script>{script}</script>\n" if script else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body>
{body}
{tail}</body></html>
"""


_DECISION_CLASS = {
    Decision.PASSED: "pass",
    Decision.CAUGHT: "pass",
    Decision.FAILED: "fail",
    Decision.MISSED: "fail",
    Decision.ERROR: "fail",
    Decision.UNDECIDED: "undecided",
}
_SECTION_CLASS = {0: "ok", UNDECIDED_EXIT: "open"}
"""The verdict box's border: green only when the gate passed, amber while a verdict is open, red otherwise."""


def _answers_note(result: GateResult, verdict: VariantVerdict) -> str:
    """` · decided on 40 of 134 answers` (or, while open, what it answered and what it still needs); empty for a
    variant that answered every case, whose verdict is today's."""
    counted = answered(result, verdict.variant)
    if counted is None:
        return ""
    rule = settling_rule(result, verdict)
    if rule is not None and rule.status is Status.UNDECIDED:
        note = f" · open after {counted}; {needed_words(rule)} to decide"
    else:
        note = f" · decided on {counted}"
    return f'<span class="muted">{escape(note)}</span>'


def _verdict_section(view: RunView, result: GateResult) -> str:
    """The decision first: the gate's verdict per judged adapter and what to ship, before any figure."""
    advice = recommend(view, result)
    lines = []
    for verdict in result.verdicts:
        rules = verdict.failed or verdict.errors or verdict.undecided
        role = " (control)" if verdict.control else ""
        why = f": {', '.join(rules)}" if rules else ": passed every rule" if verdict.decision is Decision.MISSED else ""
        lines.append(
            f'<li><b class="{_DECISION_CLASS[verdict.decision]}">{escape(verdict.decision.value)}</b>'
            f" {escape(verdict.variant)}{role}{escape(why)}{_answers_note(result, verdict)}</li>"
        )
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in advice.reasons)
    state = _SECTION_CLASS.get(result.exit_code, "bad")
    return f"""<section class="verdict {state}" id="verdict"><h2 style="border:0;margin-top:4px">{escape(gate_words(result))}
<span class="muted">({escape(result.mode.value)} reading)</span></h2><ul>{"".join(lines)}</ul>
<p><b>{escape(advice.headline)}</b></p><ul>{reasons}</ul></section>"""


def _notes(lines: list[str]) -> str:
    """The adapters' notes (why one is served merged only), under the verdict they qualify."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<ul class="muted" id="adapter-notes">{items}</ul>' if lines else ""


def render_html(view: RunView) -> str:
    """The verdict, then the variants × suites matrix, the charts, the learning curves of a run with checkpoints,
    the merge-precision finding, the latency study, the cases and the manifest; one colour mapping for every chart,
    and the gate's parse mode for every accuracy figure."""
    m = view.manifest
    result = run_verdict(view)
    colours = variant_colours(view.variants)
    manifest = escape(m.model_dump_json(indent=2))
    body = f"""<h1>Run {escape(m.run_id)}</h1>
<p class="muted">{escape(m.created_at)} · git {escape(m.git_revision or "–")} ·
{escape(str(m.machine.get("cpu", "–")))}, {escape(str(m.machine.get("cores", "–")))} cores</p>
{_verdict_section(view, result)}
{_notes(adapter_notes(m))}
{matrix_section(view, result.mode, colours)}
{chart_section(view, result.mode, colours)}
{looks_section(result, colours)}
{episodes_section(view)}
{curves_html(learning_curves(view, result.mode), result.mode)}
{details_section(view)}
{merge_section(view.merge_precision())}
{latency_section(view.latency, view.latency_samples(), colours)}
{MARKUP}
<h2>Manifest</h2><details class="more"><summary>Config, suite and model hashes, package versions, machine</summary>
<pre>{manifest}</pre></details>
<script type="application/json" id="cases">{_json_for_script(case_rows(view))}</script>"""
    return page(f"fc-harness report: {m.run_id}", body, SCRIPT)


def write_html(view: RunView, path: Path) -> Path:
    from harness.runs.folder import write_atomic

    write_atomic(path, render_html(view))
    return path
