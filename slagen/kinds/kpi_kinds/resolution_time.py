"""`resolution_time`: time from detection (or start) to resolution, per incident of a severity,
on the KPI's calendar, with pauses (e.g. waiting on the customer) when the policy says so.

    kpis:
      - id: p1-resolution
        kind: resolution_time
        severity: P1
        target: 4h
        calendar: office
        pause: {on: [waiting_on_customer]}
"""

from __future__ import annotations

ID = "resolution_time"
UNIT = "minutes"


def evaluate(context, kpi):
    from slagen.engine.responses import timed_kpi  # the engine loads when evaluating, not when a schema is read

    return timed_kpi(context.policy, kpi, context.incidents, context.window, context.as_of, context.index), ()
