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
from typing import Any

from harness.gate.recommend import gate_words, recommend, run_verdict
from harness.parsing import parse_lenient
from harness.reports.console import expected_text, produced_text
from harness.reports.svg import Bar, Ratio, bar_chart, cdf_chart, ratio_chart
from harness.runs.view import RunView
from harness.scoring import metrics
from harness.types import Decision, ParseMode

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;white-space:nowrap}
.pass{color:#176b2c}.fail{color:#a4161a}.verdict{border:2px solid #bbb;border-radius:6px;padding:8px 16px;margin:16px 0}
.verdict.ok{border-color:#176b2c}.verdict.bad{border-color:#a4161a}.verdict ul{margin:4px 0;padding-left:20px}pre{white-space:pre-wrap;word-break:break-word;margin:0;max-width:420px;
max-height:160px;overflow:auto;font-size:12px}.filters select{margin-right:12px}.muted{color:#777}
"""

_SCRIPT = """
const rows = JSON.parse(document.getElementById('cases').textContent);
const body = document.getElementById('case-rows');
const filters = ['variant', 'suite', 'error'].map(name => document.getElementById('filter-' + name));
function cell(tag, text, cls) { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; return e; }
function pre(text) { const td = document.createElement('td'); const p = document.createElement('pre'); p.textContent = text; td.appendChild(p); return td; }
function render() {
  const [variant, suite, error] = filters.map(f => f.value);
  body.replaceChildren();
  let shown = 0;
  for (const r of rows) {
    if ((variant && r.variant !== variant) || (suite && r.suite !== suite) || (error && r.error !== error)) continue;
    const tr = document.createElement('tr');
    tr.append(cell('td', r.variant), cell('td', r.suite + '/' + r.case), cell('td', r.verdict, r.verdict === 'pass' ? 'pass' : 'fail'),
              cell('td', r.error), pre(r.prompt), pre(r.expected), pre(r.output), pre(r.parsed));
    body.appendChild(tr);
    shown += 1;
  }
  document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' answers';
}
for (const f of filters) {
  const values = [...new Set(rows.map(r => f.id === 'filter-variant' ? r.variant : f.id === 'filter-suite' ? r.suite : r.error))].sort();
  for (const v of values) { const o = document.createElement('option'); o.value = v; o.textContent = v || '(passed)'; f.appendChild(o); }
  f.addEventListener('change', render);
}
render();
"""


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def _accuracy_section(view: RunView) -> str:
    bars = []
    rows = []
    for group in view.summary.groups:
        if group.kind is not None:
            continue
        full = group.lenient.full_match
        if full.value is not None:
            bars.append(Bar(group=group.suite, series=group.variant, value=full.value, low=full.low, high=full.high))
        strict = group.strict.full_match
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{escape(text)}</td>" if i < 3 else f'<td class="num">{escape(text)}</td>'
                for i, text in enumerate(
                    [
                        group.variant,
                        group.suite,
                        view.distribution(group.suite),
                        str(group.cases),
                        _pct(full.value, full.low, full.high),
                        _pct(strict.value, strict.low, strict.high),
                        _pct(group.lenient.call_accuracy.value),
                        _pct(group.lenient.argument_accuracy.value),
                        _pct(group.strict.parse_error_rate.value),
                        str(group.missing),
                    ]
                )
            )
            + "</tr>"
        )
    header = "".join(
        f"<th>{h}</th>"
        for h in (
            "variant",
            "suite",
            "distribution",
            "cases",
            "full match",
            "full strict",
            "call",
            "args",
            "parse err",
            "missing",
        )
    )
    chart = bar_chart(bars, "Full match (lenient) per suite and variant, with 95% intervals")
    return f"<h2>Accuracy</h2>{chart}<table><tr>{header}</tr>{''.join(rows)}</table>"


def _pct(value: float | None, low: float | None = None, high: float | None = None) -> str:
    if value is None:
        return "–"
    interval = f" [{100 * low:.0f}–{100 * high:.0f}]" if low is not None and high is not None else ""
    return f"{100 * value:.0f}%{interval}"


def _latency_section(view: RunView) -> str:
    if view.latency is None:
        return '<h2>Latency</h2><p class="muted">No latency study in this run folder.</p>'
    summary = view.latency
    parts = ["<h2>Latency</h2>", f"<p>{escape(summary.prefix_cache_note)}</p>"]
    samples = view.latency_samples()
    for level in sorted({a.concurrency for a in summary.arms}):
        curves: dict[str, list[float]] = {}
        for s in samples:
            if s.concurrency == level and s.error is None and s.tpot_s is not None:
                curves.setdefault(s.arm, []).append(s.tpot_s)
        parts.append(f"<h3>Concurrency {level}</h3>")
        parts.append(cdf_chart(curves, f"TPOT distribution per arm at concurrency {level}"))
        ratios = [
            Ratio(f"{c.numerator} / {c.denominator} {summary.label(c.metric)}", *_r(c.estimate))
            for c in summary.comparisons
            if c.concurrency == level
        ]
        floor = summary.noise_floor.get(str(level), {}).get("tpot_s")
        band = (1 - floor, 1 + floor) if floor else None
        parts.append(ratio_chart(ratios, band, f"Ratios at concurrency {level}; grey: A/A noise band (TPOT)"))
        parts.append("<ul>")
        for c in (c for c in summary.comparisons if c.concurrency == level):
            parts.append(f"<li>{'A/A control: ' if c.control else ''}{escape(c.verdict.text)}</li>")
        parts.append("</ul>")
    for adapter, floor in summary.read_floor.items():
        parts.append(
            f"<p>Physical floor for {escape(adapter)} unmerged: +{floor:.2%} weight reads per decode step.</p>"
        )
    return "".join(parts)


def _r(estimate: Any) -> tuple[float, float, float]:
    return estimate.ratio, estimate.low, estimate.high


def _case_rows(view: RunView) -> list[dict[str, str]]:
    rows = []
    for score in view.scores:
        case = view.case(score.suite, score.case_id)
        generation = view.generations.get((score.variant, score.suite, score.case_id))
        rows.append(
            {
                "variant": score.variant,
                "suite": score.suite,
                "case": score.case_id,
                "verdict": "pass" if score.lenient.full_match else "fail",
                "error": score.lenient.error_kind.value if score.lenient.error_kind else "",
                "prompt": case.messages[-1].content,
                "expected": expected_text(case.expected),
                "output": (generation.error or generation.text) if generation else "",
                "parsed": _parsed(generation.text) if generation and not generation.error else "",
            }
        )
    return rows


def _parsed(text: str) -> str:
    """The calls read from an output; the raw output already sits in its own column."""
    return produced_text(text) if parse_lenient(text).calls else "no call"


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


def _in_and_out(view: RunView, variant: str) -> str:
    """Full match in and out of distribution side by side, when the run holds an in-distribution suite."""
    pooled = view.scores_by_distribution(variant)
    if not pooled["in"]:
        return ""
    full = {d: metrics(scores, ParseMode.LENIENT).full_match for d, scores in pooled.items() if scores}
    return "; " + ", ".join(
        f"{label} {_pct(full[d].value, full[d].low, full[d].high)}"
        for d, label in (("in", "in distribution"), ("out", "out of distribution"))
        if d in full
    )


_DECISION_CLASS = {
    Decision.PASSED: "pass",
    Decision.CAUGHT: "pass",
    Decision.FAILED: "fail",
    Decision.MISSED: "fail",
    Decision.ERROR: "fail",
}


def _verdict_section(view: RunView) -> str:
    """The decision first: the gate's verdict per judged adapter and what to ship, before any figure."""
    result = run_verdict(view)
    advice = recommend(view, result)
    lines = []
    for verdict in result.verdicts:
        rules = verdict.failed or verdict.errors
        role = " (control)" if verdict.control else ""
        why = f": {', '.join(rules)}" if rules else ": passed every rule" if verdict.decision is Decision.MISSED else ""
        lines.append(
            f'<li><b class="{_DECISION_CLASS[verdict.decision]}">{escape(verdict.decision.value)}</b>'
            f" {escape(verdict.variant)}{role}{escape(why)}</li>"
        )
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in advice.reasons)
    state = "ok" if result.exit_code == 0 else "bad"
    return f"""<section class="verdict {state}" id="verdict"><h2 style="border:0;margin-top:4px">{escape(gate_words(result))}
<span class="muted">({escape(result.mode.value)} reading)</span></h2><ul>{"".join(lines)}</ul>
<p><b>{escape(advice.headline)}</b></p><ul>{reasons}</ul></section>"""


def render_html(view: RunView) -> str:
    m = view.manifest
    overall = "".join(
        f"<li>{escape(v)}: {_pct(metrics(view.scores_of(v), ParseMode.LENIENT).full_match.value)} full match"
        f" (strict {_pct(metrics(view.scores_of(v), ParseMode.STRICT).full_match.value)}){_in_and_out(view, v)}</li>"
        for v in view.variants
        if view.scores_of(v)
    )
    manifest = escape(m.model_dump_json(indent=2))
    body = f"""<h1>Run {escape(m.run_id)}</h1>
<p class="muted">{escape(m.created_at)} · git {escape(m.git_revision or "–")} ·
{escape(str(m.machine.get("cpu", "–")))}, {escape(str(m.machine.get("cores", "–")))} cores</p>
{_verdict_section(view)}
<ul>{overall}</ul>
{_accuracy_section(view)}
{_latency_section(view)}
<h2>Cases</h2>
<div class="filters">variant <select id="filter-variant"><option value="">all</option></select>
suite <select id="filter-suite"><option value="">all</option></select>
error kind <select id="filter-error"><option value="">all</option></select> <span id="shown"></span></div>
<table><thead><tr><th>variant</th><th>case</th><th>verdict</th><th>error kind</th><th>prompt</th><th>expected</th>
<th>raw output</th><th>parsed calls</th></tr></thead><tbody id="case-rows"></tbody></table>
<h2>Manifest</h2><pre style="max-width:none;max-height:none">{manifest}</pre>
<script type="application/json" id="cases">{_json_for_script(_case_rows(view))}</script>"""
    return page(f"fc-harness report: {m.run_id}", body, _SCRIPT)


def write_html(view: RunView, path: Path) -> Path:
    from harness.runs.folder import write_atomic

    write_atomic(path, render_html(view))
    return path
