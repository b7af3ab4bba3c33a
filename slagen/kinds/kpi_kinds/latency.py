"""`latency`: incidents whose recorded delay is over a threshold are breaches; the time they
were over it is the KPI's downtime (which `per_period` credits pay for), and with
`counts_as_downtime: true` that time also counts against availability.

    kpis:
      - id: message-latency
        kind: latency
        scope: [dingtalk/messaging]
        threshold: 5m
        counts_as_downtime: true
"""

from __future__ import annotations

ID = "latency"
UNIT = "minutes"


def evaluate(context, kpi):
    from slagen.engine.responses import latency_kpi  # the engine loads when evaluating, not when a schema is read

    return latency_kpi(context.policy, kpi, context.incidents, context.window, context.as_of, context.index), ()
