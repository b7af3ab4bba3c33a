"""`response_time`: time from detection (or start) to the first acknowledgement, per incident of
a severity, on the KPI's calendar; a response exactly at the target meets it. An incident
resolved without an acknowledgement is measured to its resolution.

    kpis:
      - id: p1-response
        kind: response_time
        severity: P1
        target: 15m
        calendar: 24x7
"""

from __future__ import annotations

ID = "response_time"
UNIT = "minutes"


def evaluate(context, kpi):
    from slagen.engine.responses import timed_kpi  # the engine loads when evaluating, not when a schema is read

    return timed_kpi(context.policy, kpi, context.incidents, context.window, context.as_of, context.index), ()
