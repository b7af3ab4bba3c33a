"""`update_interval`: keeping the customer in the loop. Per incident of a severity, the
longest time without a customer-visible update while it is open, on the KPI's calendar: from
the clock start (detection, or the start) to the first update, between updates, and from the
last update to the resolution (or `--as-of` while still open). A gap exactly at the target
meets it. Updates come from the incident's `updates` field (times separated by `;` in a CSV,
a list in JSON/YAML) or a Statuspage incident's `incident_updates`; as helpdesk SLAs
(Zammad's "update time", RT) count it.

    kpis:
      - id: p1-updates
        kind: update_interval
        severity: P1
        target: 1h
        calendar: 24x7
"""

from __future__ import annotations

ID = "update_interval"
UNIT = "minutes"


def evaluate(context, kpi):
    from slagen.engine.responses import update_kpi  # the engine loads when evaluating, not when a schema is read

    return update_kpi(context.policy, kpi, context.incidents, context.window, context.as_of, context.index), ()
