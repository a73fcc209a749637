"""Gate results as files CI reads: JUnit XML (one test case per rule) and a Markdown step summary (the verdict,
then the run's merge-precision finding). Pure serializers: result in, bytes out."""

from __future__ import annotations

from xml.etree import ElementTree

from harness.scoring.merge_precision import MergePrecisionFinding
from harness.scoring.merge_table import CASES_HEADER, EXPLAINED, HEADERS, rows, title
from harness.types import Decision, GateResult, RuleResult, Status

_EXIT_WORDS = {0: "passed", 1: "FAILED", 2: "could not be evaluated"}
_ICONS = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "⚠️"}
_DECISION_ICONS = {
    Decision.PASSED: "✅",
    Decision.CAUGHT: "✅",
    Decision.FAILED: "❌",
    Decision.MISSED: "❌",
    Decision.ERROR: "⚠️",
}


def _case_name(rule: str, suite: str | None) -> str:
    return f"{rule}[{suite}]" if suite else rule


def junit_xml(result: GateResult) -> str:
    """One test case per rule; a control's failed rule is its expected outcome, so it is not a JUnit failure,
    and each control gets a case of its own that fails when the gate MISSED it."""
    cases: list[tuple[str, str, Status, str]] = []
    for rule in result.results:
        status, detail = rule.status, rule.detail
        if rule.variant in result.controls and status is Status.FAILED:
            status, detail = Status.PASSED, f"failed as a control must: {detail}"
        cases.append((rule.variant or "gate", _case_name(rule.rule, rule.suite), status, detail))
    for verdict in result.verdicts:
        if verdict.control and verdict.decision is not Decision.ERROR:
            caught = verdict.decision is Decision.CAUGHT
            detail = f"caught by {', '.join(verdict.failed)}" if caught else "MISSED: the control passed every rule"
            cases.append((verdict.variant, "control_caught", Status.PASSED if caught else Status.FAILED, detail))
    suite = ElementTree.Element(
        "testsuite",
        name=f"fc-harness gate {result.run_id}",
        tests=str(len(cases)),
        failures=str(sum(status is Status.FAILED for *_, status, _ in cases)),
        errors=str(sum(status is Status.ERROR for *_, status, _ in cases)),
    )
    for classname, name, status, detail in cases:
        case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name)
        if status is Status.FAILED:
            ElementTree.SubElement(case, "failure", message=detail).text = detail
        elif status is Status.ERROR:
            ElementTree.SubElement(case, "error", message=detail).text = detail
        else:
            ElementTree.SubElement(case, "system-out").text = detail
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"


def markdown_cell(text: str) -> str:
    """Markdown table cells must not break the table or render model-controlled markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def markdown_summary(result: GateResult) -> str:
    """The verdict per judged variant first, then every rule, problems first."""
    lines = [
        f"### Gate {_EXIT_WORDS[result.exit_code]}: run `{result.run_id}` ({result.mode.value} reading)",
        "",
        "| | variant | verdict | decided by |",
        "| --- | --- | --- | --- |",
    ]
    for verdict in result.verdicts:
        role = " (control)" if verdict.control else ""
        rules = ", ".join(verdict.errors if verdict.decision is Decision.ERROR else verdict.failed)
        lines.append(
            f"| {_DECISION_ICONS[verdict.decision]} | {markdown_cell(verdict.variant)}{role} | {verdict.decision.value} |"
            f" {markdown_cell(rules)} |"
        )
    problems = [r for r in result.results if r.status is not Status.PASSED]
    passed = [r for r in result.results if r.status is Status.PASSED]
    order = {Status.ERROR: 0, Status.FAILED: 1}
    lines += _rule_table(sorted(problems, key=lambda r: order[r.status]))
    if passed:  # folded, so that the comment a PR gets is the verdict and what decided it
        lines += ["", f"<details><summary>{len(passed)} rules passed</summary>", *_rule_table(passed), "", "</details>"]
    return "\n".join(lines) + "\n"


def _rule_table(rules: list[RuleResult]) -> list[str]:
    if not rules:
        return []
    header = ["", "| | rule | variant | suite | detail |", "| --- | --- | --- | --- | --- |"]
    return header + [
        f"| {_ICONS[r.status]} | {r.rule} | {markdown_cell(r.variant)} | {markdown_cell(r.suite or '')} | {markdown_cell(r.detail)} |"
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
