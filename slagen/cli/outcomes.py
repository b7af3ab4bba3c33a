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
    ESCALATION = 4  # evaluate --fail-on escalation: an escalation level is reached
    DELIVERY = 5  # a notification could not be delivered (the evaluation was still written), or a fetch failed (archive untouched)
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
        Outcome.MISSED: "evaluate: a KPI was missed or has insufficient data (unless --fail-on never);\n"
                        "       claims --due-within: a claim is due",
        Outcome.ESCALATION: "evaluate --fail-on escalation: an escalation level is reached",
        Outcome.DELIVERY: "evaluate --notify: a notification could not be delivered (the output is still\n"
                          "       written); fetch: the status page could not be fetched (archive untouched)",
        Outcome.INTERNAL: "a bug in slagen (one line; SLAGEN_DEBUG=1 shows the traceback)",
    }
    return "\n".join(f"  {o.value:>3}  {text}" for o, text in rows.items())


def evaluation_outcome(all_met: bool, escalated: bool, fail_on: str) -> Outcome:
    """--fail-on missed (default): MISSED when a KPI is missed; escalation: ESCALATION when any
    escalation level is reached, else MISSED when a KPI is missed; never: OK (only errors fail)."""
    if fail_on == "never":
        return Outcome.OK
    if fail_on == "escalation" and escalated:
        return Outcome.ESCALATION
    return Outcome.OK if all_met else Outcome.MISSED
