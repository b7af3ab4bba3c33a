"""Service credits: every rule form, then caps, rolling cap, minimum payout; rounded once.

Each step is recorded as text so reports can show the calculation: downtime ->
availability -> tier or rate -> cap -> amount.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from slagen.engine.money import fmt_money, round_money, shown_percent
from slagen.engine.result import CreditResult, CreditStep, KpiResult
from slagen.engine.windows import MeasurementWindow
from slagen.policy.model import ClaimDeadline, CreditRule, Policy
from slagen.policy.units import format_duration

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriorWindow:
    """A previous window's fee and the credit paid for it (for the rolling cap)."""

    label: str
    fee: Decimal
    credit: Decimal


def window_fee(policy: Policy, window: MeasurementWindow, scope: tuple[str, ...] = ()) -> Decimal | None:
    """The fee for this window: monthly fee x months (quarter = 3, other spans pro rata by 30 days)."""
    agreement = policy.agreement
    if policy.credits and policy.credits.fee_basis == "service_fee" and agreement.service_fees:
        services = {s.split("/", 1)[0] for s in scope} or {sid for sid, _ in agreement.service_fees}
        monthly = sum((fee for sid, fee in agreement.service_fees if sid in services), Decimal(0))
    else:
        monthly = agreement.monthly_fee
    if monthly is None:
        return None
    months = Decimal(window.months) if window.months else Decimal(window.minutes) / Decimal(30 * 1440)
    return monthly * months


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


def compute_credits(policy: Policy, window: MeasurementWindow, kpis: dict[str, KpiResult], prior: tuple[PriorWindow, ...] = ()) -> CreditResult | None:
    credits = policy.credits
    if credits is None:
        return None
    currency = policy.agreement.currency
    steps: list[CreditStep] = []
    total = Decimal(0)
    days = 0
    tier_text: str | None = None
    no_tier = False
    fee_all = window_fee(policy, window)
    for rule in credits.rules:
        kpi = kpis.get(rule.kpi)
        fee = window_fee(policy, window, policy.kpi(rule.kpi).scope) if rule.kpi else fee_all
        if kpi is None or kpi.status == "insufficient_data":
            steps.append(CreditStep(rule.id, f"{rule.id}: KPI '{rule.kpi}' has insufficient data; no credit can be computed"))
            continue
        amount, add_days, text, t_text, gap = _apply_rule(rule, kpi, fee, currency)
        steps.append(CreditStep(rule.id, text, amount, add_days))
        total += amount or Decimal(0)
        days += add_days or 0
        tier_text = tier_text or t_text
        no_tier = no_tier or gap
    cap = credits.cap
    if cap is not None:
        limits = []
        if cap.percent_of_fee is not None and fee_all is not None:
            limits.append((fee_all * cap.percent_of_fee / HUNDRED, f"{cap.percent_of_fee}% of the fee {fmt_money(fee_all, currency)}"))
        if cap.amount is not None:
            limits.append((cap.amount, fmt_money(cap.amount, currency)))
        for limit, what in limits:
            if total > limit:
                steps.append(CreditStep("cap", f"cap: {fmt_money(total, currency)} exceeds the cap of {what}; reduced to {fmt_money(limit, currency)}", limit))
                total = limit
        if cap.days is not None and days > cap.days:
            steps.append(CreditStep("cap", f"cap: {days} days exceeds the cap of {cap.days} days; reduced to {cap.days}", days=cap.days))
            days = cap.days
    rolling = credits.rolling_cap
    if rolling is not None and total > 0:
        earlier = prior[: rolling.windows - 1]
        if rolling.amount is not None:
            limit = rolling.amount
            what = fmt_money(rolling.amount, currency)
        else:
            base = fee_all or Decimal(0)
            limit = base * (rolling.percent_of_fee or HUNDRED) / HUNDRED
            what = f"{rolling.percent_of_fee}% of one window's fee {fmt_money(base, currency)}"
        used = sum((p.credit for p in earlier), Decimal(0))
        room = max(limit - used, Decimal(0))
        if total > room:
            steps.append(CreditStep("rolling_cap", f"rolling cap over {rolling.windows} windows: {what}; {fmt_money(used, currency)} already credited in the previous {len(earlier)} window(s), {fmt_money(room, currency)} left; reduced from {fmt_money(total, currency)}", room))
            total = room
        else:
            steps.append(CreditStep("rolling_cap", f"rolling cap over {rolling.windows} windows: {what}; {fmt_money(used, currency)} already credited, {fmt_money(room, currency)} left; not reached"))
    if credits.minimum_payout is not None and 0 < total < credits.minimum_payout:
        steps.append(CreditStep("minimum_payout", f"minimum payout: {fmt_money(total, currency)} is below the minimum of {fmt_money(credits.minimum_payout, currency)}; nothing is paid", Decimal(0)))
        total = Decimal(0)
    amount = round_money(total, currency)
    steps.append(CreditStep("total", f"credit owed: {fmt_money(amount, currency)}" + (f" and {days} day(s) of service" if days else ""), amount, days or None))
    percent = (amount / fee_all * HUNDRED) if fee_all else None
    return CreditResult(currency, fee_all, percent, amount, days, tier_text, no_tier, claim_deadline(credits.claim_deadline, policy, window), credits.sole_remedy, tuple(steps))


def _pct(value: Decimal) -> str:
    """Shown cut to 4 places; comparisons use the exact value."""
    return shown_percent(value)


def _apply_rule(rule: CreditRule, kpi: KpiResult, fee: Decimal | None, currency: str):
    """-> (amount, days, step text, tier text, no-tier-applies)."""
    if rule.kind in ("tiers", "service_days"):
        actual = kpi.actual
        if actual is None:
            return None, None, f"{rule.id}: no availability figure", None, False
        tier = next((t for t in rule.tiers if t.contains(actual)), None)
        top = max(t.upper for t in rule.tiers)
        if tier is None:
            above = actual > top or (actual == top and not any(t.upper_inclusive and t.upper == top for t in rule.tiers))
            if above:
                return Decimal(0), 0, f"{rule.id}: availability {_pct(actual)}% is not in any credit tier (no tier below it applies); no credit", None, False
            return Decimal(0), 0, f"{rule.id}: availability {_pct(actual)}% falls in a gap between tiers: no tier applies (the policy allows this gap); no credit computed", "no tier applies", True
        if rule.kind == "service_days":
            return None, tier.days, f"{rule.id}: availability {_pct(actual)}% is {tier.describe()}: {tier.days} day(s) of service", tier.describe(), False
        amount = (fee or Decimal(0)) * (tier.credit or Decimal(0)) / HUNDRED
        return amount, None, f"{rule.id}: availability {_pct(actual)}% is {tier.describe()}: {tier.credit}% of the fee {fmt_money(fee or Decimal(0), currency)} = {fmt_money(amount, currency)}", tier.describe(), False
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
        basis = f"{base} min beyond the allowance of {allowance} min" if rule.beyond_allowance else f"{base} min of downtime"
        return amount, None, f"{rule.id}: {basis} = {periods} period(s) of {format_duration(rule.period)} ({rule.partial_periods}) × {fmt_money(rate, currency)} = {fmt_money(amount, currency)}", None, False
    if rule.kind == "fee_multiple":
        den = kpi.denominator_minutes or Decimal(1)
        amount = (rule.multiple or Decimal(0)) * (fee or Decimal(0)) * kpi.downtime_minutes / den
        return amount, None, f"{rule.id}: {rule.multiple} × fee {fmt_money(fee or Decimal(0), currency)} × {kpi.downtime_minutes} / {den} min of downtime = {fmt_money(amount, currency)}", None, False
    # per_breach
    count = len(kpi.breaches)
    rate = rule.amount if rule.amount is not None else (fee or Decimal(0)) * (rule.percent_of_fee or Decimal(0)) / HUNDRED
    amount = rate * count
    return amount, None, f"{rule.id}: {count} breach(es) of '{rule.kpi}' × {fmt_money(rate, currency)} = {fmt_money(amount, currency)}", None, False
