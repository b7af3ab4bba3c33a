"""A comparison: the terms table, every scenario evaluated for every vendor, credit curves.

Scenarios run through the same engine as real evaluations; nothing here computes a credit.
Facts only: no score, no ranking. Renderers mark the best and worst value of a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from slagen.compare.scenarios import Scenario, scenario_incidents, scenario_window
from slagen.compare.terms import NOT_STATED, Row, terms_rows
from slagen.engine.evaluate import evaluate
from slagen.render.numbers import fmt_money, shown_percent
from slagen.engine.windows import window_containing
from slagen.incidents.model import Incident, Outage
from slagen.policy.model import Policy

HUNDRED = Decimal(100)
CURVE = tuple((Decimal(90) + Decimal(i) / 10).quantize(Decimal("0.1")) for i in range(101))  # 90.0 .. 100.0


@dataclass(frozen=True)
class Vendor:
    label: str  # the agreement id: short, and unique where provider names repeat
    provider: str
    file: str
    currency: str
    fee: Decimal | None  # monthly


@dataclass(frozen=True)
class Outcome:
    """One vendor under one scenario, as that vendor's policy counts it."""

    window: str
    availability: Decimal | None  # strictest availability KPI, as counted
    counted_minutes: Decimal
    excluded_minutes: Decimal
    credit: Decimal | None
    credit_days: int
    credit_percent: Decimal | None
    currency: str
    real_minutes: Decimal
    downtime_cost: Decimal | None
    uncovered: Decimal | None
    reason: str


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class Comparison:
    vendors: tuple[Vendor, ...]
    terms: tuple[Row, ...]
    scenarios: tuple[ScenarioResult, ...]
    curves: tuple[tuple[tuple[Decimal, Decimal | None], ...], ...]  # per vendor: (availability, credit %)
    fee_note: str

    def scenario_rows(self) -> list[Row]:
        rows = []
        for result in self.scenarios:
            title = result.scenario.title
            o = result.outcomes
            rows.append(Row(title, "Availability as counted", tuple(f"{shown_percent(x.availability)}% ({x.window})" if x.availability is not None else NOT_STATED for x in o)))
            rows.append(Row(title, "Why", tuple(x.reason for x in o)))
            rows.append(Row(title, "Credit % of fee", tuple((f"{shown_percent(x.credit_percent, 2)}%" + (f" and {x.credit_days} days" if x.credit_days else "")) if x.credit_percent is not None else NOT_STATED for x in o), tuple(x.credit_percent if not x.credit_days else None for x in o), "higher"))
            rows.append(Row(title, "Credit", tuple(_credit_text(x) for x in o), tuple(x.credit if not x.credit_days else None for x in o), "higher"))
            rows.append(Row(title, "Downtime cost", tuple(fmt_money(x.downtime_cost, x.currency) if x.downtime_cost is not None else NOT_STATED for x in o)))
            rows.append(Row(title, "Uncovered exposure", tuple(fmt_money(x.uncovered, x.currency) if x.uncovered is not None else NOT_STATED for x in o), tuple(x.uncovered for x in o), "lower"))
        return rows


def _credit_text(x: Outcome) -> str:
    if x.credit is None:
        return NOT_STATED
    text = fmt_money(x.credit, x.currency)
    return f"{text} and {x.credit_days} days of service" if x.credit_days else text


def with_fee(policy: Policy, fee: Decimal | None, currency: str | None) -> Policy:
    """The policy priced at a common monthly fee (and currency), so credits compare like for like."""
    if fee is None and currency is None:
        return policy
    agreement = replace(policy.agreement, monthly_fee=fee if fee is not None else policy.agreement.monthly_fee,
                        currency=currency or policy.agreement.currency, service_fees=() if fee is not None else policy.agreement.service_fees)
    credits = replace(policy.credits, fee_basis="monthly_fee") if policy.credits and fee is not None else policy.credits
    return replace(policy, agreement=agreement, credits=credits)


def outcome(policy: Policy, scenario: Scenario, loss_per_minute: Decimal | None, incidents: tuple[Incident, ...] | None = None, real: Decimal | None = None) -> Outcome:
    window = scenario_window(policy, scenario)
    if incidents is None:
        incidents, real = scenario_incidents(policy, scenario, window)
    ev = evaluate(policy, incidents, window, window.end)
    availability = [k for k in ev.kpis if k.kind == "availability" and k.actual is not None]
    strictest = max(availability, key=lambda k: k.objective or 0) if availability else None
    counted = strictest.downtime_minutes if strictest else Decimal(0)
    excluded = strictest.excluded_minutes if strictest else Decimal(0)
    credit = ev.credits.amount if ev.credits else None
    percent = ev.credits.percent if ev.credits else None
    loss = loss_per_minute if loss_per_minute is not None else (policy.business_impact.loss_per_minute if policy.business_impact else None)
    cost = (real or Decimal(0)) * loss if loss is not None else None
    uncovered = max(cost - (credit or Decimal(0)), Decimal(0)) if cost is not None else None
    return Outcome(ev.window_label, strictest.actual if strictest else None, counted, excluded, credit, ev.credits.days if ev.credits else 0, percent, ev.credits.currency if ev.credits else policy.agreement.currency,
                   real or Decimal(0), cost, uncovered, _reason(ev, strictest, incidents))


def _reason(ev, kpi, incidents) -> str:
    if not incidents:
        return "not covered: the policy has no component this scenario hits"
    if kpi is None:
        return "no availability objective"
    from slagen.render.messages import Messages

    words = Messages("en")
    lines = [t for t in ev.trace if t.kpi == kpi.id]
    excluded = sorted({words.text(t.reason) for t in lines if t.status == "excluded"})
    counted = sorted({words.text(t.reason) for t in lines if t.status == "counted" and t.incident})
    ignored = sorted({words.text(t.reason) for t in lines if t.status == "ignored"})
    parts = []
    if counted:
        parts.append(f"{kpi.downtime_minutes.normalize():f} min counted ({counted[0]})")
    if excluded:
        parts.append(f"{kpi.excluded_minutes.normalize():f} min {excluded[0]}")
    if ignored and not counted:
        parts.append(ignored[0])
    if not parts:
        parts.append("outside this KPI's scope: not counted")
    return "; ".join(parts)


def credit_curve(policy: Policy) -> tuple[tuple[Decimal, Decimal | None], ...]:
    """Credit % of fee at each availability 90..100 in the vendor's own window, via the engine."""
    anchor = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    window = window_containing(policy, anchor)
    refs = [f"{s.id}/{c.id}" for s in policy.services for c in s.components] or [s.id for s in policy.services]
    points = []
    for availability in CURVE:
        minutes = Decimal(window.minutes) * (HUNDRED - availability) / HUNDRED
        start = window.start + timedelta(days=1)
        end = start + timedelta(minutes=float(minutes))
        incidents = (Incident("curve", start, end, tuple(Outage(r, start, end, "major_outage") for r in refs), "credit curve"),) if minutes > 0 else ()
        ev = evaluate(policy, incidents, window, window.end)
        points.append((availability, ev.credits.percent if ev.credits else None))
    return tuple(points)


def compare(policies: list[Policy], scenarios: list[Scenario], fee: Decimal | None = None, currency: str | None = None,
            loss_per_minute: Decimal | None = None, curves: bool = True, real_incidents: dict[str, tuple[tuple[Incident, ...], Decimal]] | None = None) -> Comparison:
    priced = [with_fee(p, fee, currency) for p in policies]
    vendors = tuple(Vendor(p.agreement.id, p.agreement.provider.name, p.source, p.agreement.currency, p.agreement.monthly_fee) for p in priced)
    results = []
    for scenario in scenarios:
        loss = scenario.loss_per_minute if scenario.loss_per_minute is not None else loss_per_minute
        if real_incidents and scenario.id in real_incidents:
            incidents, real = real_incidents[scenario.id]
            results.append(ScenarioResult(scenario, tuple(outcome(p, scenario, loss, incidents, real) for p in priced)))
        else:
            results.append(ScenarioResult(scenario, tuple(outcome(p, scenario, loss) for p in priced)))
    note = f"credits on a common monthly fee of {fee}{' ' + currency if currency else ''}" if fee is not None else "credits on each policy's own fee"
    return Comparison(vendors, tuple(terms_rows(priced)), tuple(results), tuple(credit_curve(p) for p in priced) if curves else (), note)


def real_data_incidents(scenario: Scenario) -> tuple[tuple[Incident, ...], Decimal]:
    """A scenario that points at incident data: read it once; real minutes = union of its outages."""
    from slagen.compare.scenarios import _union_minutes
    from slagen.incidents.readers import read_incidents

    result = read_incidents(Path(scenario.incidents_file), scenario.incidents_format, None, scenario.on_bad_record)
    spans = [(o.start, o.end) for i in result.incidents for o in i.outages if o.end is not None]
    first = datetime.fromisoformat(scenario.month + "-01T00:00+00:00")
    last = datetime(first.year + first.month // 12, first.month % 12 + 1, 1, tzinfo=timezone.utc)
    clipped = [(max(a, first), min(b, last)) for a, b in spans if b > first and a < last]
    return result.incidents, _union_minutes(clipped)
