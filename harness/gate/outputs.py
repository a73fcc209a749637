"""Gate results as files CI reads: JUnit XML (one test case per rule) and a Markdown step summary (the verdict,
then the run's merge-precision finding). Pure serializers: result in, bytes out. A rule the time budget left open
is never a pass: JUnit skips it, Markdown marks it ⏳ with the answers it would still need."""

from __future__ import annotations

from xml.etree import ElementTree

from harness.gate.decided import answered, needed_words, rule_label
from harness.scoring.merge_precision import MergePrecisionFinding
from harness.scoring.merge_table import CASES_HEADER, EXPLAINED, HEADERS, rows, title
from harness.types import UNDECIDED_EXIT, Decision, GateResult, RuleResult, Status, VariantVerdict

_EXIT_WORDS = {0: "passed", 1: "FAILED", 2: "could not be evaluated", UNDECIDED_EXIT: "undecided"}
_ICONS = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "⚠️", Status.UNDECIDED: "⏳"}
_DECISION_ICONS = {
    Decision.PASSED: "✅",
    Decision.CAUGHT: "✅",
    Decision.FAILED: "❌",
    Decision.MISSED: "❌",
    Decision.ERROR: "⚠️",
    Decision.UNDECIDED: "⏳",
}


def _rule_detail(rule: RuleResult) -> str:
    """The rule's own detail, and for one left open the answers it would still need."""
    return f"{rule.detail} (undecided: {needed_words(rule)})" if rule.status is Status.UNDECIDED else rule.detail


def _control_case(verdict: VariantVerdict) -> tuple[Status, str]:
    """A control's own case: caught passes, MISSED fails, and one still open is skipped (not caught yet)."""
    if verdict.decision is Decision.CAUGHT:
        return Status.PASSED, f"caught by {', '.join(verdict.failed)}"
    if verdict.decision is Decision.UNDECIDED:
        return Status.UNDECIDED, f"not caught yet: {', '.join(verdict.undecided)} undecided"
    return Status.FAILED, "MISSED: the control passed every rule"


def junit_xml(result: GateResult) -> str:
    """One test case per rule; a control's failed rule is its expected outcome, so it is not a JUnit failure,
    and each control gets a case of its own that fails when the gate MISSED it. A rule (or a control) the time
    budget left undecided is a skipped case: neither a pass nor a failure."""
    cases: list[tuple[str, str, Status, str]] = []
    for rule in result.results:
        status, detail = rule.status, _rule_detail(rule)
        if rule.variant in result.controls and status is Status.FAILED:
            status, detail = Status.PASSED, f"failed as a control must: {detail}"
        cases.append((rule.variant or "gate", rule_label(rule), status, detail))
    for verdict in result.verdicts:
        if verdict.control and verdict.decision is not Decision.ERROR:
            cases.append((verdict.variant, "control_caught", *_control_case(verdict)))
    suite = ElementTree.Element(
        "testsuite",
        name=f"fc-harness gate {result.run_id}",
        tests=str(len(cases)),
        failures=str(sum(status is Status.FAILED for *_, status, _ in cases)),
        errors=str(sum(status is Status.ERROR for *_, status, _ in cases)),
        skipped=str(sum(status is Status.UNDECIDED for *_, status, _ in cases)),
    )
    for classname, name, status, detail in cases:
        case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name)
        if status is Status.FAILED:
            ElementTree.SubElement(case, "failure", message=detail).text = detail
        elif status is Status.ERROR:
            ElementTree.SubElement(case, "error", message=detail).text = detail
        elif status is Status.UNDECIDED:
            ElementTree.SubElement(case, "skipped", message=detail)
        else:
            ElementTree.SubElement(case, "system-out").text = detail
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"


def markdown_cell(text: str) -> str:
    """Markdown table cells must not break the table or render model-controlled markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _decided_by(result: GateResult, verdict: VariantVerdict) -> str:
    """The rules behind a verdict: what could not be evaluated, what is still open (with the answers it would
    need), else what failed."""
    if verdict.decision is Decision.ERROR:
        return ", ".join(verdict.errors)
    if verdict.decision is Decision.UNDECIDED:
        open_rules = [r for r in result.results if r.variant == verdict.variant and r.status is Status.UNDECIDED]
        return ", ".join(f"{rule_label(r)} ({needed_words(r)})" for r in open_rules)
    return ", ".join(verdict.failed)


def markdown_summary(result: GateResult) -> str:
    """The verdict per judged variant first (with the answers it took, where it stopped before the end), then
    every rule, problems first."""
    lines = [
        f"### Gate {_EXIT_WORDS[result.exit_code]}: run `{result.run_id}` ({result.mode.value} reading)",
        "",
        "| | variant | verdict | decided by |",
        "| --- | --- | --- | --- |",
    ]
    for verdict in result.verdicts:
        role = " (control)" if verdict.control else ""
        counted = answered(result, verdict.variant)
        decision = verdict.decision.value + ("" if counted is None else f" after {counted}")
        lines.append(
            f"| {_DECISION_ICONS[verdict.decision]} | {markdown_cell(verdict.variant)}{role} | {decision} |"
            f" {markdown_cell(_decided_by(result, verdict))} |"
        )
    problems = [r for r in result.results if r.status is not Status.PASSED]
    passed = [r for r in result.results if r.status is Status.PASSED]
    order = {Status.ERROR: 0, Status.FAILED: 1, Status.UNDECIDED: 2}
    lines += _rule_table(sorted(problems, key=lambda r: order[r.status]))
    if passed:  # folded, so that the comment a PR gets is the verdict and what decided it
        lines += ["", f"<details><summary>{len(passed)} rules passed</summary>", *_rule_table(passed), "", "</details>"]
    return "\n".join(lines) + "\n"


def _rule_table(rules: list[RuleResult]) -> list[str]:
    if not rules:
        return []
    header = ["", "| | rule | variant | suite | detail |", "| --- | --- | --- | --- | --- |"]
    return header + [
        f"| {_ICONS[r.status]} | {r.rule} | {markdown_cell(r.variant)} | {markdown_cell(r.suite or '')} | {markdown_cell(_rule_detail(r))} |"
        for r in rules
    ]


def merge_markdown(findings: list[MergePrecisionFinding]) -> str:
    """The Markdown table and the advice, for the bench's step summary; empty without a finding."""
    if not findings:
        return ""
    lines = [
        "",
        f"#### {title(findings)}",
        "",
        f"| {' | '.join((*HEADERS, CASES_HEADER))} |",
        f"| {' | '.join(['---'] * (len(HEADERS) + 1))} |",
    ]
    lines += [
        f"| {' | '.join(markdown_cell(cell) for cell in cells)} |" for finding in findings for cells in rows(finding)
    ]
    lines += ["", EXPLAINED]
    lines += [f"- {markdown_cell(advice)}" for f in findings if (advice := f.advice()) is not None]
    return "\n".join(lines) + "\n"
