"""One entry of a report's trend: a window's figure for one KPI, the same whether the window
was evaluated in this run or read from the ledger.

The run's windows (`from_evaluation`) and the ledger's records (`from_record`, used by
`slagen.ledger.trend`) both become `TrendPoint`s; the report reads nothing else. A point
has no figure (`availability` None) when the window is not in force (it ended on or before
the agreement's effective date, local midnight in the window's zone), when no data covers
it (a run's window that ended on or before the first incident record: `no_data`, downtime
None) or when the ledger holds no record of it (`no_data`, as recorded: downtime 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from slagen.engine.result import Evaluation, KpiResult

SOURCES = ("run", "ledger")
GAPS = ("not_in_force", "no_data")  # statuses of a window without a figure


@dataclass(frozen=True)
class TrendPoint:
    """One KPI in one window of a trend."""

    kpi: str
    window_label: str
    start: datetime
    end: datetime
    availability: Decimal | None  # None: no figure to show
    downtime_minutes: Decimal | None  # None: no figure (not in force, not covered by data)
    status: str  # the KPI's (met | missed | insufficient_data | pending) or not_in_force | no_data
    final: bool  # False: the window is not over, met and missed are so far
    source: str  # run | ledger


def in_force(end: datetime, zone: str, effective: date) -> bool:
    """Whether a window ending at `end` falls (partly) after the agreement took effect."""
    return end > datetime.combine(effective, datetime.min.time(), tzinfo=ZoneInfo(zone))


def data_from(incidents: Iterable, sampled: bool, default: datetime) -> datetime | None:
    """From when the run's data speaks: the first incident record (`default` without any);
    None for monitoring samples, which state their own coverage."""
    return None if sampled else min((i.started_at for i in incidents), default=default)


def _point(k: KpiResult, label: str, start: datetime, end: datetime, final: bool, source: str, gap: str | None) -> TrendPoint:
    if gap is not None:
        return TrendPoint(k.id, label, start, end, None, None, gap, final, source)
    return TrendPoint(k.id, label, start, end, k.actual, k.downtime_minutes, k.status, final, source)


def from_evaluation(ev: Evaluation, effective: date, covered_from: datetime | None) -> tuple[TrendPoint, ...]:
    """A window evaluated in this run, one point per KPI; `covered_from` as `data_from` gives it."""
    if not in_force(ev.window_end, ev.timezone, effective):
        gap: str | None = "not_in_force"
    elif covered_from is not None and ev.window_end <= covered_from:
        gap = "no_data"
    else:
        gap = None
    return tuple(_point(k, ev.window_label, ev.window_start, ev.window_end, ev.complete, "run", gap) for k in ev.kpis)


def from_record(policy, label: str, start: datetime, end: datetime, zone: str, kpis: Mapping[str, Mapping] | None) -> tuple[TrendPoint, ...]:
    """A complete window as the ledger recorded it (`kpis`: the recorded KPI figures by id, None
    when the ledger has no record of the window), one point per KPI of `policy`; a KPI added to
    the policy since, or a window not recorded, is `no_data`."""
    gap = None if in_force(end, zone, policy.agreement.effective_date) else "not_in_force"
    points = []
    for k in policy.kpis:
        r = None if kpis is None else kpis.get(k.id)
        if gap is not None:
            points.append(TrendPoint(k.id, label, start, end, None, None, gap, True, "ledger"))
        elif r is None:
            points.append(TrendPoint(k.id, label, start, end, None, Decimal(0), "no_data", True, "ledger"))
        else:
            actual = r.get("actual")
            points.append(TrendPoint(k.id, label, start, end, None if actual is None else Decimal(actual), Decimal(r.get("downtime_minutes") or 0),
                                     r["status"], True, "ledger"))
    return tuple(points)
