"""The report's trend read from the ledger: each earlier window's KPI figures as recorded,
and "no data" for a window the ledger does not hold (rather than a guess), as
`slagen.engine.trend.TrendPoint`s, the type the run's own windows become too."""

from __future__ import annotations

import json

from slagen.engine.trend import TrendPoint, from_record
from slagen.engine.windows import previous_windows
from slagen.ledger.store import Ledger


def ledger_history(ledger: Ledger, policy, window, count: int) -> tuple[TrendPoint, ...]:
    """The `count` windows before `window`, oldest first, from the ledger's current records:
    one point per window and KPI of the policy."""
    rows = {r["window_label"]: r for r in ledger.current(policy.agreement.id)}
    out: list[TrendPoint] = []
    for win in reversed(previous_windows(policy, window, count)):
        row = rows.get(win.label)
        kpis = None if row is None else {k["id"]: k for k in json.loads(row["evaluation_json"])["kpis"]}
        out.extend(from_record(policy, win.label, win.start, win.end, win.timezone, kpis))
    return tuple(out)
