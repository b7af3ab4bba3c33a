"""Exit codes, in one place: the table `--help` and the README show, and the constants the
commands use. A scheduler (cron, systemd, CI) reads these."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1  # invalid input: a policy, incident, notify or archive file (named with its line)
EXIT_USAGE = 2  # usage: a missing file, a bad option value
EXIT_MISSED = 3  # evaluate: a KPI was missed or has insufficient data (--fail-on missed, the default)
EXIT_ESCALATION = 4  # evaluate --fail-on escalation: an escalation level is reached
EXIT_DELIVERY = 5  # a notification could not be delivered (the evaluation was still written), or a fetch failed (archive untouched)
EXIT_INTERNAL = 70  # a bug in slagen (one line; SLAGEN_DEBUG=1 shows the traceback)

# click's help keeps lines that follow a "\b" line as they are
EXIT_TABLE = """\b
Exit status:
  0   success; every KPI met (or pending mid-window)
  1   invalid input (policy, incidents, notify file, archive), named with file:line
  2   usage error (missing file, bad option)
  3   a KPI missed or has insufficient data (evaluate, unless --fail-on never)
  4   an escalation level is reached (evaluate --fail-on escalation)
  5   a notification could not be delivered (evaluate --notify; output still
      written), or a fetch failed (slagen fetch; archive untouched)
  70  a bug in slagen (one line; SLAGEN_DEBUG=1 shows the traceback)"""


def evaluation_exit(all_met: bool, escalated: bool, fail_on: str) -> int:
    """--fail-on missed (default): 3 when a KPI is missed; escalation: 4 when any escalation
    level is reached, else 3 when a KPI is missed; never: 0 (only errors fail)."""
    if fail_on == "never":
        return EXIT_OK
    if fail_on == "escalation" and escalated:
        return EXIT_ESCALATION
    return EXIT_OK if all_met else EXIT_MISSED
