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

from slagen.engine.responses import timed_kpi

ID = "resolution_time"
UNIT = "minutes"


def evaluate(context, kpi):
    return timed_kpi(context.policy, kpi, context.incidents, context.window, context.as_of, context.index), ()
