"""Service credits: every rule form, then caps, rolling cap, minimum payout; rounded once.

Each step is recorded as a reason code with every figure it used, so reports can show the
calculation in the reader's language: downtime -> availability -> tier or rate -> cap -> amount.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from slagen.engine.money import round_money
from slagen.engine.reasons import Reason, seconds
from slagen.engine.result import CreditResult, CreditStep, KpiResult
from slagen.engine.windows import MeasurementWindow
from slagen.policy.model import ClaimDeadline, CreditRule, Policy

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriorWindow:
    """A previous window's fee and the credit paid for it (for the rolling cap)."""

    label: str
    fee: Decimal
    credit: Decimal


def window_fee(policy: Policy, window: MeasurementWindow, scope: tuple[str, ...] = ()) -> Decimal | None:
    """The fee for this window: monthly fee × months (quarter = 3; rolling and explicit
    windows: local calendar days ÷ 30, so a DST change does not move the fee)."""
    agreement = policy.agreement
    if policy.credits and policy.credits.fee_basis == "service_fee" and agreement.service_fees:
        services = {s.split("/", 1)[0] for s in scope} or {sid for sid, _ in agreement.service_fees}
        monthly = sum((fee for sid, fee in agreement.service_fees if sid in services), Decimal(0))
    else:
        monthly = agreement.monthly_fee
    if monthly is None:
        return None
    return monthly * window.fee_months


def claim_deadline(rule: ClaimDeadline | None, policy: Policy, window: MeasurementWindow) -> date | None:
    if rule is None:
        return None
    if rule.kind == "days_after_window_end":
        return window.last_day + timedelta(days=rule.count)
    if rule.kind == "end_of_month_after_window":
        index = window.last_day.year * 12 + window.last_day.month - 1 + rule.count
        year, month = divmod(index, 12)
        return date(year, month + 1, _cal.monthrange(year, month + 1)[1])
    # billing cycles: the Nth cycle after this one ends the day before its successor starts
    index = window.first_day.year * 12 + window.first_day.month - 1 + rule.count + 1
    year, month = divmod(index, 12)
    return date(year, month + 1, window.first_day.day) - timedelta(days=1)


def _tier(tier) -> dict:
    return {"lower": tier.lower, "lower_inclusive": tier.lower_inclusive, "upper": tier.upper, "upper_inclusive": tier.upper_inclusive}


def compute_credits(policy: Policy, window: MeasurementWindow, kpis: dict[str, KpiResult], prior: tuple[PriorWindow, ...] = ()) -> CreditResult | None:
    credits = policy.credits
    if credits is None:
        return None
    currency = policy.agreement.currency
    steps: list[CreditStep] = []
    total = Decimal(0)
    days = 0
    tier_band: dict | None = None
    no_tier = False
    fee_all = window_fee(policy, window)
    for rule in credits.rules:
        kpi = kpis.get(rule.kpi)
        fee = window_fee(policy, window, policy.kpi(rule.kpi).scope) if rule.kpi else fee_all
        if kpi is None or kpi.status == "insufficient_data":
            steps.append(CreditStep(rule.id, Reason.of("credit.insufficient_data", rule=rule.id, kpi=rule.kpi)))
            continue
        amount, add_days, reason, band, gap = _apply_rule(rule, kpi, fee, currency)
        steps.append(CreditStep(rule.id, reason, amount, add_days))
        total += amount or Decimal(0)
        days += add_days or 0
        tier_band = tier_band or band
        no_tier = no_tier or gap
    cap = credits.cap
    if cap is not None:
        limits = []
        if cap.percent_of_fee is not None and fee_all is not None:
            limits.append((fee_all * cap.percent_of_fee / HUNDRED, {"cap_pct": cap.percent_of_fee, "fee": fee_all}))
        if cap.amount is not None:
            limits.append((cap.amount, {}))
        for limit, what in limits:
            if total > limit:
                code = "cap.percent_of_fee" if what else "cap.amount"
                steps.append(CreditStep("cap", Reason.of(code, total=total, limit=limit, currency=currency, **what), limit))
                total = limit
        if cap.days is not None and days > cap.days:
            steps.append(CreditStep("cap", Reason.of("cap.days", days=days, limit_days=cap.days), days=cap.days))
            days = cap.days
    rolling = credits.rolling_cap
    if rolling is not None and total > 0:
        earlier = prior[: rolling.windows - 1]
        if rolling.amount is not None:
            limit = rolling.amount
            what = {"limit": rolling.amount}
        else:
            base = fee_all or Decimal(0)
            limit = base * (rolling.percent_of_fee or HUNDRED) / HUNDRED
            what = {"limit": limit, "cap_pct": rolling.percent_of_fee or HUNDRED, "fee": base}
        used = sum((p.credit for p in earlier), Decimal(0))
        room = max(limit - used, Decimal(0))
        params = dict(windows=rolling.windows, earlier=len(earlier), used=used, room=room, total=total, currency=currency, **what)
        if total > room:
            steps.append(CreditStep("rolling_cap", Reason.of("rolling_cap.reduced", **params), room))
            total = room
        else:
            steps.append(CreditStep("rolling_cap", Reason.of("rolling_cap.not_reached", **params)))
    if credits.minimum_payout is not None and 0 < total < credits.minimum_payout:
        steps.append(CreditStep("minimum_payout", Reason.of("minimum_payout.below", total=total, minimum=credits.minimum_payout, currency=currency), Decimal(0)))
        total = Decimal(0)
    amount = round_money(total, currency)
    steps.append(CreditStep("total", Reason.of("credit.total", amount=amount, currency=currency, days=days or None), amount, days or None))
    percent = (amount / fee_all * HUNDRED) if fee_all else None
    return CreditResult(currency, fee_all, percent, amount, days, tier_band, no_tier, claim_deadline(credits.claim_deadline, policy, window), credits.sole_remedy, tuple(steps))


def _apply_rule(rule: CreditRule, kpi: KpiResult, fee: Decimal | None, currency: str):
    """-> (amount, days, reason, tier band, no-tier-applies). Amounts are exact; rounding is once, at the end."""
    if rule.kind in ("tiers", "service_days"):
        actual = kpi.actual
        if actual is None:
            return None, None, Reason.of("credit.no_figure", rule=rule.id, kpi=rule.kpi), None, False
        tier = next((t for t in rule.tiers if t.contains(actual)), None)
        top = max(t.upper for t in rule.tiers)
        if tier is None:
            above = actual > top or (actual == top and not any(t.upper_inclusive and t.upper == top for t in rule.tiers))
            if above:
                return Decimal(0), 0, Reason.of("credit.above_tiers", rule=rule.id, actual_pct=actual), None, False
            return Decimal(0), 0, Reason.of("credit.tier_gap", rule=rule.id, actual_pct=actual), None, True
        if rule.kind == "service_days":
            return None, tier.days, Reason.of("credit.service_days", rule=rule.id, actual_pct=actual, tier=_tier(tier), days=tier.days), _tier(tier), False
        amount = (fee or Decimal(0)) * (tier.credit or Decimal(0)) / HUNDRED
        return amount, None, Reason.of("credit.tier", rule=rule.id, actual_pct=actual, tier=_tier(tier), credit_pct=tier.credit, fee=fee or Decimal(0), amount=amount, currency=currency), _tier(tier), False
    if rule.kind == "per_period":
        down = kpi.downtime_minutes
        allowance = kpi.allowed_minutes or Decimal(0)
        base = max(down - allowance, Decimal(0)) if rule.beyond_allowance else down
        period = Decimal(int(rule.period.total_seconds())) / 60
        periods = base / period
        if rule.partial_periods == "started":
            periods = periods.to_integral_value(ROUND_CEILING)
        elif rule.partial_periods == "completed":
            periods = periods.to_integral_value(ROUND_FLOOR)
        rate = rule.amount if rule.amount is not None else (fee or Decimal(0)) * (rule.percent_of_fee or Decimal(0)) / HUNDRED
        amount = rate * periods
        code = "credit.per_period_beyond_allowance" if rule.beyond_allowance else "credit.per_period"
        return amount, None, Reason.of(code, rule=rule.id, base_min=base, downtime_min=down, allowance_min=allowance, periods=periods, period_s=seconds(rule.period),
                                       partial=rule.partial_periods, rate=rate, amount=amount, currency=currency), None, False
    if rule.kind == "fee_multiple":
        den = kpi.denominator_minutes or Decimal(1)
        amount = (rule.multiple or Decimal(0)) * (fee or Decimal(0)) * kpi.downtime_minutes / den
        return amount, None, Reason.of("credit.fee_multiple", rule=rule.id, multiple=rule.multiple, fee=fee or Decimal(0), downtime_min=kpi.downtime_minutes,
                                       denominator_min=den, amount=amount, currency=currency), None, False
    # per_breach
    count = len(kpi.breaches)
    rate = rule.amount if rule.amount is not None else (fee or Decimal(0)) * (rule.percent_of_fee or Decimal(0)) / HUNDRED
    amount = rate * count
    return amount, None, Reason.of("credit.per_breach", rule=rule.id, kpi=rule.kpi, breaches=count, rate=rate, amount=amount, currency=currency), None, False
