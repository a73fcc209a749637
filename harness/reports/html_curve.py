"""Learning curves on a page (the run report and `harness rank --html`): per adapter served at several steps, full
match against training step with 95% intervals, a heavy line per distribution pooled and a thin one per suite,
in-distribution lines solid and out-of-distribution lines dashed, so that "learned its data but does not
generalise" reads as a solid line rising away from dashed ones; then the same figures as a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from harness.reports.curve import CurveLine, LearningCurve
from harness.reports.html_accuracy import pct
from harness.reports.svg import variant_colours
from harness.reports.svg_points import LinePoint, Series, line_chart
from harness.types import ParseMode

POOLED_COLOURS = {"in": "#222", "out": "#666"}


def _series(line: CurveLine, steps: Sequence[int], colours: dict[str, str]) -> Series:
    points = [
        LinePoint(step, p.value, p.low, p.high)
        for step, p in zip(steps, line.points, strict=True)
        if p.value is not None
    ]
    name = line.label if line.pooled else f"{line.label} ({line.distribution})"
    colour = POOLED_COLOURS[line.distribution] if line.pooled else colours[line.label]
    return Series(name, colour, points, dashed=line.distribution == "out", heavy=line.pooled)


def _table(curve: LearningCurve) -> str:
    head = "".join(
        f'<th>step {step}<br><span class="muted">{escape(variant)}</span></th>'
        for step, variant in zip(curve.steps, curve.variants, strict=True)
    )
    rows = "".join(
        f"<tr><th>{escape(line.label)}{'' if line.pooled else f' ({line.distribution})'}</th>"
        + "".join(
            f'<td class="num" title="{p.successes} of {p.trials}">{pct(p.value, p.low, p.high)}</td>'
            for p in line.points
        )
        + "</tr>"
        for line in curve.lines
    )
    return f'<div class="scroll"><table><tr><th>suite</th>{head}</tr>{rows}</table></div>'


def curves_html(curves: Sequence[LearningCurve], mode: ParseMode) -> str:
    """A section with each adapter's curve; empty for a run without checkpoints."""
    if not curves:
        return ""
    parts = []
    for curve in curves:
        colours = variant_colours([line.label for line in curve.lines if not line.pooled])
        title = (
            f"Learning curve of {curve.adapter}: full match ({mode.value}) against training step, with 95% intervals"
        )
        series = [_series(line, curve.steps, colours) for line in curve.lines]
        parts.append(line_chart(series, title, x_label="training step", y_label=f"full match ({mode.value})"))
        parts.append(_table(curve))
    return f"""<section id="curves"><h2>Learning curves ({mode.value})</h2>
<p class="muted">Full match at each kept checkpoint and at the final adapter (the last step), each on every case of
the run. Heavy lines pool every suite of a distribution; solid lines are in distribution (held-out splits of the
training data), dashed ones out of it. Whiskers are 95% Wilson intervals.</p>
{"".join(parts)}</section>"""
