"""The case table of the HTML report: every answer of every variant, found by filters (variant, suite, verdict,
error kind) and a text search, its long cells folded into `<details>` that open in place instead of scrolling
inside themselves. On a phone each row becomes a card of labelled fields.

Model output is hostile data: the rows travel as JSON in a `<script type="application/json">` element and the
script puts them on the page through `textContent` only.
"""

from __future__ import annotations

from harness.parsing import parse_lenient
from harness.reports.console import expected_text, produced_text
from harness.runs.view import RunView
from harness.types import CaseScore

SCRIPT = """
const rows = JSON.parse(document.getElementById('cases').textContent);
const body = document.getElementById('case-rows');
const fields = ['variant', 'suite', 'verdict', 'error'];
const filters = fields.map(name => document.getElementById('filter-' + name));
const search = document.getElementById('search');
const SHORT = 80;
function cell(label, text, cls) {
  const td = document.createElement('td');
  td.dataset.label = label;
  if (cls) td.className = cls;
  if (text.length <= SHORT && !text.includes('\\n')) { td.textContent = text; return td; }
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  const preview = document.createElement('span');
  preview.className = 'preview';
  preview.textContent = text.split('\\n')[0].slice(0, SHORT) + ' …';
  const less = document.createElement('span');
  less.className = 'less';
  less.textContent = 'less';
  summary.append(preview, less);
  const pre = document.createElement('pre');
  pre.textContent = text;
  details.append(summary, pre);
  td.appendChild(details);
  return td;
}
function matches(r, chosen, needle) {
  if (fields.some((f, i) => chosen[i] && r[f] !== chosen[i])) return false;
  if (!needle) return true;
  return [r.case, r.prompt, r.expected, r.output, r.parsed].some(t => t.toLowerCase().includes(needle));
}
function render() {
  const chosen = filters.map(f => f.value);
  const needle = search.value.trim().toLowerCase();
  body.replaceChildren();
  let shown = 0;
  for (const r of rows) {
    if (!matches(r, chosen, needle)) continue;
    const tr = document.createElement('tr');
    tr.append(cell('variant', r.variant), cell('case', r.suite + '/' + r.case),
              cell('verdict', r.verdict, r.verdict === 'pass' ? 'pass' : 'fail'), cell('error kind', r.error),
              cell('prompt', r.prompt), cell('expected', r.expected), cell('raw output', r.output),
              cell('parsed calls', r.parsed));
    body.appendChild(tr);
    shown += 1;
  }
  document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' answers';
}
fields.forEach((field, i) => {
  const values = [...new Set(rows.map(r => r[field]))].sort();
  for (const v of values) {
    const o = document.createElement('option'); o.value = v; o.textContent = v || '(none)'; filters[i].appendChild(o);
  }
  filters[i].addEventListener('change', render);
});
search.addEventListener('input', render);
render();
"""

MARKUP = """<h2>Cases</h2>
<div class="filters"><label>variant <select id="filter-variant"><option value="">all</option></select></label>
<label>suite <select id="filter-suite"><option value="">all</option></select></label>
<label>verdict <select id="filter-verdict"><option value="">all</option></select></label>
<label>error kind <select id="filter-error"><option value="">all</option></select></label>
<label>search <input id="search" type="search" placeholder="case id, prompt, output…"></label>
<span id="shown"></span></div>
<table class="cases"><thead><tr><th>variant</th><th>case</th><th>verdict</th><th>error kind</th><th>prompt</th>
<th>expected</th><th>raw output</th><th>parsed calls</th></tr></thead><tbody id="case-rows"></tbody></table>"""


def _verdict(score: CaseScore) -> tuple[str, str]:
    """`pass` (strict and lenient), `lenient only` (right calls the hermes parser would reject) or `fail`, with
    the error kind behind the failure it names."""
    if score.strict.full_match:
        return "pass", ""
    if score.lenient.full_match:
        return "lenient only", score.strict.error_kind.value if score.strict.error_kind else ""
    return "fail", score.lenient.error_kind.value if score.lenient.error_kind else ""


def case_rows(view: RunView) -> list[dict[str, str]]:
    """One row per scored answer, as the page's script reads them."""
    rows = []
    for score in view.scores:
        case = view.case(score.suite, score.case_id)
        generation = view.generations.get((score.variant, score.suite, score.case_id))
        verdict, error = _verdict(score)
        rows.append(
            {
                "variant": score.variant,
                "suite": score.suite,
                "case": score.case_id,
                "verdict": verdict,
                "error": error,
                "prompt": case.messages[-1].content,
                "expected": expected_text(case),
                "output": (generation.error or generation.text) if generation else "",
                "parsed": _parsed(generation.text) if generation and not generation.error else "",
            }
        )
    return rows


def _parsed(text: str) -> str:
    """The calls read from an output; the raw output already sits in its own column."""
    return produced_text(text) if parse_lenient(text).calls else "no call"
