"""evaluate(policy, incidents, window, as_of) -> Evaluation. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from slagen.engine.availability import downtime
from slagen.engine.credits import PriorWindow, compute_credits
from slagen.engine.intervals import merge, ms
from slagen.engine.money import round_money
from slagen.engine.reasons import Reason, seconds
from slagen.engine.kpis import KpiContext
from slagen.kinds.kpi_kinds import KPI_KINDS
from slagen.engine.result import EscalationReached, EscalationResult, Evaluation, ImpactResult, KpiResult
from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.incidents.model import Incident, SkippedRecord
from slagen.policy.model import Kpi, Policy

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Coverage:
    """A stretch of time the input data is known to cover (for the minimum-data rule)."""

    start: datetime
    end: datetime


def evaluate(
    policy: Policy,
    incidents: tuple[Incident, ...] | list[Incident],
    window: MeasurementWindow,
    as_of: datetime,
    *,
    skipped: tuple[SkippedRecord, ...] = (),
    coverage: tuple[Coverage, ...] | None = None,
    prior: tuple[PriorWindow, ...] = (),
    inputs: tuple[dict, ...] = (),
    with_trace: bool = True,
) -> Evaluation:
    """Evaluate every KPI of `policy` over `window` as known at `as_of`.

    `with_trace=False` (trend windows) leaves the trace empty; every figure is the same."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    incidents = tuple(i for i in incidents if _may_touch(i, window, as_of))
    index = ScopeIndex(policy)
    results: dict[str, KpiResult] = {}
    trace = []
    insufficient = _insufficient(policy, window, as_of, coverage)
    context = KpiContext(policy, incidents, window, as_of, index, insufficient, with_trace)
    for kpi in policy.kpis:
        result, lines = KPI_KINDS[kpi.kind].evaluate(context, kpi)  # one module per KPI kind (slagen/kinds/kpi_kinds)
        trace.extend(lines)
        if as_of < window.end and result.status == "met":
            result = replace(result, status="pending", notes=result.notes + (Reason.of("window.incomplete_met_so_far"),))
        results[kpi.id] = result
    credits = compute_credits(policy, window, results, prior)
    escalation = _escalation(policy, results)
    impact = _impact(policy, _impact_minutes(policy, incidents, window, as_of, index, results), credits)
    open_ids = tuple(sorted(i.id for i in incidents if i.is_open and i.started_at < window.end and i.started_at <= as_of))
    return Evaluation(
        policy_id=policy.agreement.id,
        policy_title=policy.agreement.title,
        policy_file=policy.source,
        provider=policy.agreement.provider.name,
        customer=policy.agreement.customer.name,
        window_label=window.label,
        window_start=window.start,
        window_end=window.end,
        timezone=window.timezone,
        window_minutes=window.minutes,
        as_of=as_of,
        complete=as_of >= window.end,
        kpis=tuple(results.values()),
        credits=credits,
        escalation=escalation,
        impact=impact,
        trace=tuple(trace),
        skipped=tuple({"file": s.file, "record": s.record, "reason": s.reason} for s in skipped),
        open_incidents=open_ids,
        inputs=inputs,
    )


def _may_touch(incident: Incident, window: MeasurementWindow, as_of: datetime) -> bool:
    """Cheap pre-filter: an incident entirely before or after the window cannot count in it."""
    if incident.started_at >= window.end:
        return False
    latest = max(t for t in (incident.resolved_at or as_of, incident.acknowledged_at, incident.detected_at) if t is not None)
    return latest >= window.start


def _insufficient(policy: Policy, window: MeasurementWindow, as_of: datetime, coverage: tuple[Coverage, ...] | None) -> Reason | None:
    need = policy.counting.min_coverage
    if need is None:
        return None
    if coverage is None:
        return Reason.of("insufficient_data.no_coverage_stated", need_pct=need)
    end = min(window.end, as_of)
    pieces = merge([(ms(max(c.start, window.start)), ms(min(c.end, end))) for c in coverage if c.end > window.start and c.start < end])
    covered = sum(e - s for s, e in pieces)
    total = ms(end) - ms(window.start)
    share = Decimal(covered) / Decimal(total) * HUNDRED if total > 0 else Decimal(0)
    if share < need:
        return Reason.of("insufficient_data.coverage", share_pct=share, need_pct=need)
    return None


def _escalation(policy: Policy, results: dict[str, KpiResult]) -> EscalationResult:
    reached = []
    for level in policy.escalation:
        result = results.get(level.kpi)
        if result is None or result.status == "insufficient_data":
            continue
        why = None
        used = None
        if result.budget is not None and result.budget.used_percent is not None:
            used = result.budget.used_percent
        elif result.budget is None and result.allowed_minutes:
            used = result.downtime_minutes / result.allowed_minutes * HUNDRED
        if level.below is not None and result.actual is not None and result.kind == "availability" and result.actual < level.below:
            why = Reason.of("escalation.below", kpi=level.kpi, actual_pct=result.actual, threshold_pct=level.below)
        elif level.above is not None and result.actual is not None and result.actual * 60 > Decimal(int(level.above.total_seconds())):
            why = Reason.of("escalation.above", kpi=level.kpi, worst_min=result.actual, threshold_s=seconds(level.above))
        elif level.breaches_at_least is not None and len(result.breaches) >= level.breaches_at_least:
            why = Reason.of("escalation.breaches", kpi=level.kpi, breaches=len(result.breaches), threshold=level.breaches_at_least)
        elif level.budget_used_at_least is not None and used is not None and used >= level.budget_used_at_least:
            why = Reason.of("escalation.budget", kpi=level.kpi, used_pct=used, threshold_pct=level.budget_used_at_least)
        if why:
            reached.append(EscalationReached(level.level, level.kpi, level.action, why, level.id, level.action_zh, tuple(level.notify),
                                             level.severity, level.audience))
    top: dict[str, EscalationReached] = {}
    for r in reached:  # levels are compared within their KPI only
        if r.kpi not in top or r.level > top[r.kpi].level:
            top[r.kpi] = r
    return EscalationResult(max((r.level for r in reached), default=None), tuple(reached), tuple(top.values()))


def _impact_minutes(policy: Policy, incidents, window: MeasurementWindow, as_of: datetime, index: ScopeIndex, results: dict[str, KpiResult]) -> Decimal:
    """Counted downtime over the union of every availability KPI's scope, counted once.

    With one availability KPI that union is its own scope: its downtime is reused rather
    than computed a second time."""
    kpis = [k for k in policy.kpis if k.kind == "availability"]
    scopes = [k.scope for k in kpis]
    if not scopes or policy.business_impact is None:
        return Decimal(0)
    if len(kpis) == 1 and results[kpis[0].id].status != "insufficient_data":
        return results[kpis[0].id].downtime_minutes
    scope = () if any(not s for s in scopes) else tuple(sorted({ref for s in scopes for ref in s}))
    union_kpi = Kpi(id="business-impact", kind="availability", name="business impact", scope=scope)
    return downtime(policy, union_kpi, incidents, window, as_of, index, every_kpi=True, with_trace=False).counted_minutes


def _impact(policy: Policy, minutes: Decimal, credits) -> ImpactResult | None:
    bi = policy.business_impact
    if bi is None:
        return None
    currency = policy.agreement.currency
    cost = round_money(bi.loss_per_minute * minutes, currency)
    credit = credits.amount if credits else Decimal(0)
    return ImpactResult(currency, round_money(bi.loss_per_minute, currency), minutes, cost, credit, max(cost - credit, Decimal(0)))


__all__ = ["evaluate", "Coverage", "PriorWindow"]
