"""Gate results as files CI reads: JUnit XML (one test case per rule) and a Markdown step summary. Pure
serializers: result in, bytes out."""

from __future__ import annotations

from xml.etree import ElementTree

from harness.gate import GateResult, Status

_EXIT_WORDS = {0: "passed", 1: "FAILED", 2: "could not be evaluated"}
_ICONS = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "⚠️"}


def _case_name(rule: str, suite: str | None) -> str:
    return f"{rule}[{suite}]" if suite else rule


def junit_xml(result: GateResult) -> str:
    failures = sum(r.status is Status.FAILED for r in result.results)
    errors = sum(r.status is Status.ERROR for r in result.results)
    suite = ElementTree.Element(
        "testsuite",
        name=f"fc-harness gate {result.run_id}",
        tests=str(len(result.results)),
        failures=str(failures),
        errors=str(errors),
    )
    for rule in result.results:
        case = ElementTree.SubElement(
            suite, "testcase", classname=rule.variant or "gate", name=_case_name(rule.rule, rule.suite)
        )
        if rule.status is Status.FAILED:
            ElementTree.SubElement(case, "failure", message=rule.detail).text = rule.detail
        elif rule.status is Status.ERROR:
            ElementTree.SubElement(case, "error", message=rule.detail).text = rule.detail
        else:
            ElementTree.SubElement(case, "system-out").text = rule.detail
    ElementTree.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"


def _cell(text: str) -> str:
    """Markdown table cells must not break the table or render model-controlled markup."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def markdown_summary(result: GateResult) -> str:
    lines = [
        f"### Gate {_EXIT_WORDS[result.exit_code]}: run `{result.run_id}` ({result.mode.value} reading)",
        "",
        "| | rule | variant | suite | detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    order = {Status.ERROR: 0, Status.FAILED: 1, Status.PASSED: 2}
    for rule in sorted(result.results, key=lambda r: order[r.status]):
        lines.append(
            f"| {_ICONS[rule.status]} | {rule.rule} | {_cell(rule.variant)} | {_cell(rule.suite or '')} |"
            f" {_cell(rule.detail)} |"
        )
    return "\n".join(lines) + "\n"
