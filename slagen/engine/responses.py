"""Response, resolution and latency KPIs, measured on the policy's calendar.

The clock runs from detection (or start) to acknowledgement (response) or resolution,
counting only open calendar time. Pauses whose reason the KPI names stop the clock when
the policy says they extend the deadline. A response exactly at the target meets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from slagen.engine.calendar import add_open_time, open_time_between
from slagen.engine.intervals import from_ms, merge, ms
from slagen.engine.reasons import Reason, seconds
from slagen.engine.result import Breach, KpiResult
from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.incidents.model import Incident
from slagen.policy.model import Kpi, Policy

SIXTY = Decimal(60)


def _minutes(delta: timedelta) -> Decimal:
    return Decimal(delta.days * 86400 + delta.seconds) / SIXTY + Decimal(delta.microseconds) / Decimal(60_000_000)


def _in_scope(kpi: Kpi, incident: Incident, index: ScopeIndex) -> bool:
    if not kpi.scope:
        return True
    refs = [r for o in incident.outages for r in (index.resolve(o.component) or (index.resolve(o.component_id) if o.component_id else ()))]
    if incident.service:
        refs += list(index.resolve(incident.service))
    return any(index.in_scope(r, kpi.scope) for r in refs)


def _measured(kpi: Kpi, incidents: tuple[Incident, ...], window: MeasurementWindow, as_of: datetime, index: ScopeIndex):
    """(incident, clock start) of each incident a timed KPI measures: of its severity, in its
    scope, with its clock starting in the window and by `as_of`."""
    for incident in incidents:
        if (incident.severity or "").upper() != (kpi.severity or "").upper() or not _in_scope(kpi, incident, index):
            continue
        clock_start = incident.detected_at if kpi.clock_starts == "detected" and incident.detected_at else incident.started_at
        if window.start <= clock_start < window.end and clock_start <= as_of:
            yield incident, clock_start


def timed_kpi(policy: Policy, kpi: Kpi, incidents: tuple[Incident, ...], window: MeasurementWindow, as_of: datetime, index: ScopeIndex) -> KpiResult:
    """Evaluate one response_time or resolution_time KPI."""
    cal = policy.calendar(kpi.calendar)
    target = kpi.target or timedelta(0)
    breaches: list[Breach] = []
    measured = 0
    worst: Decimal | None = None
    for incident, clock_start in _measured(kpi, incidents, window, as_of, index):
        stop, stopped_by = (incident.resolved_at, "resolved") if kpi.kind == "resolution_time" else (incident.acknowledged_at, "acknowledged")
        if stop is None and kpi.kind == "response_time" and incident.resolved_at is not None:
            # resolved without an acknowledgement: the resolution is the first response
            stop, stopped_by = incident.resolved_at, "resolved"
        if stop is None or stop > as_of:
            stop, stopped_by = None, "open"
        end = stop if stop is not None else as_of
        elapsed = open_time_between(cal, clock_start, end)
        paused = timedelta(0)
        if kpi.pause_on:
            spans = [(ms(max(p.start, clock_start)), ms(min(p.end or end, end))) for p in incident.pauses if p.reason in kpi.pause_on]
            for lo, hi in merge([s for s in spans if s[1] > s[0]]):
                paused += open_time_between(cal, from_ms(lo), from_ms(hi))
        counted = elapsed - paused if kpi.pause_on and kpi.pause_extends_deadline else elapsed
        minutes = _minutes(counted)
        if kpi.measure == "truncate_minutes":
            minutes = Decimal(int(minutes))
        measured += 1
        worst = minutes if worst is None or minutes > worst else worst
        deadline = add_open_time(cal, clock_start, target + (paused if kpi.pause_on and kpi.pause_extends_deadline else timedelta(0)))
        if minutes > _minutes(target):
            kind = "response" if kpi.kind == "response_time" else "resolution"
            reason = Reason.of(f"breach.{kind}" if stop is not None else f"breach.{kind}_open", measured_min=minutes, target_s=seconds(target), stopped_by=stopped_by,
                               paused_min=_minutes(paused) if paused else None, pause_extends=kpi.pause_extends_deadline if paused else None)
            breaches.append(Breach(incident.id, kpi.id, incident.severity, minutes, _minutes(target), clock_start, deadline, stop, _minutes(paused), reason))
    status = "missed" if breaches else "met"
    notes = () if measured else (Reason.of("measure.none", severity=kpi.severity),)
    return KpiResult(
        id=kpi.id, kind=kpi.kind, name=kpi.name, status=status, actual=worst, met=not breaches,
        target_minutes=_minutes(target), measured=measured, breaches=tuple(breaches), notes=notes,
    )


def latency_kpi(policy: Policy, kpi: Kpi, incidents: tuple[Incident, ...], window: MeasurementWindow, as_of: datetime, index: ScopeIndex) -> KpiResult:
    """Incidents in scope whose recorded latency is over the threshold are breaches; the
    union of their time in the window is the KPI's `downtime_minutes` (time over the
    threshold, which a `per_period` credit pays for)."""
    threshold = kpi.threshold or timedelta(0)
    breaches, measured, worst = [], 0, None
    over: list[tuple[int, int]] = []  # time over the threshold, clipped to the window and as_of: a union
    w_start, w_end = ms(window.start), ms(min(window.end, as_of))
    for incident in incidents:
        if incident.latency is None or not _in_scope(kpi, incident, index):
            continue
        if not (incident.started_at < window.end and (incident.resolved_at or as_of) > window.start) or incident.started_at > as_of:
            continue
        measured += 1
        value = _minutes(incident.latency)
        worst = value if worst is None or value > worst else worst
        if incident.latency > threshold:
            lo, hi = max(ms(incident.started_at), w_start), min(ms(incident.resolved_at or as_of), w_end)
            if hi > lo:
                over.append((lo, hi))
            breaches.append(Breach(incident.id, kpi.id, incident.severity, value, _minutes(threshold), incident.started_at, incident.started_at, incident.resolved_at,
                                   reason=Reason.of("breach.latency", latency_s=seconds(incident.latency), threshold_s=seconds(threshold))))
    return KpiResult(
        id=kpi.id, kind=kpi.kind, name=kpi.name, status="missed" if breaches else "met", actual=worst, met=not breaches,
        target_minutes=_minutes(threshold), measured=measured, breaches=tuple(breaches),
        downtime_minutes=Decimal(sum(hi - lo for lo, hi in merge(over))) / 60_000,
        notes=() if measured else (Reason.of("measure.no_latency"),),
    )


def update_kpi(policy: Policy, kpi: Kpi, incidents: tuple[Incident, ...], window: MeasurementWindow, as_of: datetime, index: ScopeIndex) -> KpiResult:
    """The longest gap between customer-visible updates of each incident of the KPI's
    severity whose clock starts in the window (see slagen/kinds/kpi_kinds/update_interval.py)."""
    cal = policy.calendar(kpi.calendar)
    target = kpi.target or timedelta(0)
    breaches: list[Breach] = []
    measured = 0
    worst: Decimal | None = None
    for incident, clock_start in _measured(kpi, incidents, window, as_of, index):
        resolved = incident.resolved_at if incident.resolved_at is not None and incident.resolved_at <= as_of else None
        end = resolved or as_of
        marks = [clock_start] + [u for u in incident.updates if clock_start < u < end] + [end]
        gaps = [(open_time_between(cal, a, b), a, b) for a, b in zip(marks, marks[1:])]
        longest, gap_from, gap_to = max(gaps, key=lambda g: g[0]) if gaps else (timedelta(0), clock_start, end)
        minutes = _minutes(longest)
        measured += 1
        worst = minutes if worst is None or minutes > worst else worst
        if minutes > _minutes(target):
            code = "breach.update_interval" if resolved is not None or gap_to < end else "breach.update_interval_open"
            reason = Reason.of(code, measured_min=minutes, target_s=seconds(target), updates=len(marks) - 2, gap_from=gap_from, gap_to=gap_to)
            breaches.append(Breach(incident.id, kpi.id, incident.severity, minutes, _minutes(target), gap_from, add_open_time(cal, gap_from, target), gap_to, reason=reason))
    return KpiResult(
        id=kpi.id, kind=kpi.kind, name=kpi.name, status="missed" if breaches else "met", actual=worst, met=not breaches,
        target_minutes=_minutes(target), measured=measured, breaches=tuple(breaches),
        notes=() if measured else (Reason.of("measure.none", severity=kpi.severity),),
    )
