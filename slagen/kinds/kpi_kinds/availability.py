"""`availability`: the share of the window the in-scope components were up, against an objective.

Downtime is the union of in-scope outages after exclusions, weights, caps, the minimum
outage and rounding (docs/policy-language.md states the order); the trace accounts for
every minute.

    kpis:
      - id: availability
        kind: availability
        name: Monthly availability
        scope: [dingtalk/app, dingtalk/api, dingtalk/messaging]
        objective: 99.9
"""

from __future__ import annotations

ID = "availability"
UNIT = "percent"


def evaluate(context, kpi):
    from slagen.engine.availability import availability_kpi  # the engine loads when evaluating, not when a schema is read

    return availability_kpi(context, kpi)
