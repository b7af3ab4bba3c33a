"""What a command's run came to, and the exit code each outcome gives: the one mapping.

Commands return an `Outcome` (or raise a `SlagenError`); `slagen.cli.main` turns it into the
process's exit status. Schedulers read these codes, so they never change meaning.
"""

from __future__ import annotations

from enum import Enum


class Outcome(Enum):
    """Exit status | meaning."""

    OK = 0  # success; every KPI met (or pending mid-window)
    INVALID = 1  # invalid input (policy, incident data, a pack that does not verify)
    USAGE = 2  # usage error: missing or unreadable file, bad option
    MISSED = 3  # evaluate: a KPI was missed or has insufficient data
    DUE = 3  # claims --due-within: a claim's deadline is near (the same status as MISSED: "look at this")
    INTERNAL = 70  # a bug in slagen (one line, no traceback; SLAGEN_DEBUG=1 shows it)


def exit_code(value: object) -> int:
    """A command's return value as an exit status (None, as click returns for `--help`: 0)."""
    return value.value if isinstance(value, Outcome) else 0


def table() -> str:
    """The exit codes as help text shows them."""
    rows = {
        Outcome.OK: "success (evaluate: every KPI met, or pending mid-window)",
        Outcome.INVALID: "invalid input: policy, incident data, or a pack that does not verify",
        Outcome.USAGE: "usage error: missing or unreadable file, bad option",
        Outcome.MISSED: "evaluate: a KPI was missed or has insufficient data; claims --due-within: a claim is due",
        Outcome.INTERNAL: "a bug in slagen (one line; SLAGEN_DEBUG=1 shows the traceback)",
    }
    return "\n".join(f"  {o.value:>3}  {text}" for o, text in rows.items())
