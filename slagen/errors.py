"""The exception hierarchy: every error a user can cause is one of these.

The CLI prints them one per line and never shows a traceback; library callers can
catch `SlagenError` for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass


class SlagenError(Exception):
    """Base class for every error slagen raises on purpose; `str(error)` is the one line the
    CLI prints. Where known, the error is located: `file` (the path as given), `line` and
    `column` (1-based, in a policy or a text incident file) and `record` ("line 12",
    "incidents[3]", the id of a record); each is None when it does not apply."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    record: str | None = None


@dataclass(frozen=True, order=True)
class PolicyProblem:
    """One problem in a policy file, located by 1-based line and column."""

    file: str
    line: int
    column: int
    message: str
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.pointer,
            "message": self.message,
        }


class PolicyError(SlagenError):
    """A single located problem in a policy file."""

    def __init__(self, problem: PolicyProblem):
        super().__init__(str(problem))
        self.problem = problem
        self.file, self.line, self.column = problem.file, problem.line, problem.column


class PolicyErrors(SlagenError):
    """All problems found in one policy file (validation never stops at the first)."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
        if self.problems:  # located at the first problem; `problems` has them all
            first = self.problems[0]
            self.file, self.line, self.column = first.file, first.line, first.column


class UsageError(SlagenError):
    """The command was called wrongly: missing or unreadable file, bad option value."""


class IncidentDataError(SlagenError):
    """A bad record in incident or monitoring data, named by file and row/record."""

    def __init__(self, file: str, record: str, message: str):
        self.file = file
        self.record = record
        self.message = message
        head = str(record).split(":", 1)[0]
        if head.startswith("line ") and head[5:].isdigit():
            self.line = int(head[5:])
        elif head.isdigit():
            self.line = int(head)
        super().__init__(f"{file}:{record}: {message}")


class EvaluationError(SlagenError):
    """The policy cannot be evaluated for the requested window (e.g. window not started)."""


class RenderError(SlagenError):
    """A template or document could not be rendered: names the template and what is wrong."""


class OutputError(SlagenError):
    """An output could not be written (disk full, file too large, I/O error): names the path
    and the reason. Nothing half-written is left behind."""
