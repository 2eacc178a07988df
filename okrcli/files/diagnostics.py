"""Findings turned into Diagnostics: positioned, safe to print, and silenced on request.

A rule says *where* as a path into a file's data (see core/findings.py); here the path
becomes line:col in the file, and a warning whose line says `# okr: ignore[CODE]` is dropped.
"""

from __future__ import annotations

import re

from okrcli.core.errors import Diagnostic, Severity
from okrcli.core.findings import Finding
from okrcli.core.text import printable
from okrcli.files.yamlsource import Positioned, YamlProblem

_IGNORE = re.compile(r"#\s*okr:\s*ignore\[([A-Za-z0-9,\s]+)\]")


def diagnostic(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    """A Diagnostic whose path and message are safe to print: they quote user text (file
    names, keys, values), which may hold control or bidi characters."""
    severity: Severity = "warning" if code.startswith("W") else "error"
    return Diagnostic(printable(path), line, col, severity, code, printable(message))


def from_problem(path: str, problem: YamlProblem) -> Diagnostic:
    return diagnostic(path, problem.line, problem.col, problem.code, problem.message)


def positioned_diagnostics(
    path: str, text: str, positioned: Positioned, findings: list[Finding]
) -> list[Diagnostic]:
    """Findings with line:col; warnings silenced by `# okr: ignore[CODE]` on their line."""
    lines = text.splitlines()
    diagnostics = []
    for finding in findings:
        if finding.at == "key":
            line, col = positioned.key_position(finding.path)
        else:
            line, col = positioned.value_position(finding.path)
        if finding.severity == "warning" and _ignored(lines, line, finding.code):
            continue
        diagnostics.append(diagnostic(path, line, col, finding.code, finding.message))
    return diagnostics


def _ignored(lines: list[str], line: int, code: str) -> bool:
    if not 0 < line <= len(lines):
        return False
    match = _IGNORE.search(lines[line - 1])
    return match is not None and code in {c.strip().upper() for c in match.group(1).split(",")}
