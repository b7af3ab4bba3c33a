"""The report's trend read from the ledger: each earlier window's KPI figures as recorded,
and "no data" for a window the ledger does not hold (rather than a guess)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from slagen.engine.result import KpiResult
from slagen.engine.windows import previous_windows
from slagen.ledger.store import Ledger


@dataclass(frozen=True)
class RecordedWindow:
    """What a trend needs of an earlier window: its label and its KPI results."""

    window_label: str
    kpis: tuple[KpiResult, ...]
    recorded: bool  # False: the ledger has no record of this window ("no data")
    window_start: datetime | None = None
    window_end: datetime | None = None
    timezone: str = "UTC"
    complete: bool = True  # only complete windows come from the ledger's history


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def ledger_history(ledger: Ledger, policy, window, count: int) -> tuple[RecordedWindow, ...]:
    """The `count` windows before `window`, oldest first, from the ledger's current records."""
    windows = list(reversed(previous_windows(policy, window, count)))
    rows = {r["window_label"]: r for r in ledger.current(policy.agreement.id)}
    out = []
    for win in windows:
        row = rows.get(win.label)
        if row is None:
            kpis = tuple(KpiResult(k.id, k.kind, k.name, "no_data") for k in policy.kpis)
            out.append(RecordedWindow(win.label, kpis, False, win.start, win.end, win.timezone))
            continue
        data = json.loads(row["evaluation_json"])
        recorded = {k["id"]: k for k in data["kpis"]}
        kpis = []
        for k in policy.kpis:
            r = recorded.get(k.id)
            if r is None:  # a KPI added to the policy since
                kpis.append(KpiResult(k.id, k.kind, k.name, "no_data"))
                continue
            kpis.append(KpiResult(k.id, k.kind, k.name, r["status"], objective=_decimal(r.get("objective")), actual=_decimal(r.get("actual")),
                                  met=r.get("met"), downtime_minutes=Decimal(r.get("downtime_minutes") or 0)))
        out.append(RecordedWindow(win.label, tuple(kpis), True, win.start, win.end, win.timezone))
    return tuple(out)
