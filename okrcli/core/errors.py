"""Findings about files (Diagnostic) and the one exception tree the CLI turns into exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from okrcli.core.records import pickled_as_call

Severity = Literal["error", "warning"]


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in one file, positioned 1-based at the offending key or value."""

    path: str  # relative to the OKR root, with forward slashes
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}]: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (diagnostic.path, diagnostic.line, diagnostic.col, diagnostic.code)


class OkrError(Exception):
    """A domain error: bad input or a refused operation. The CLI prints it and exits 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(OkrError):
    """The command line itself is wrong (exit 2, like click's usage errors)."""

    exit_code = 2


class Interrupted(OkrError):
    """A signal ended the command; the message says what was done (exit 130, as a shell
    reports a command ended by SIGINT)."""

    exit_code = 130


class InvalidFilesError(OkrError):
    """The selected files have errors; the findings are printed, not just the sentence."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics
