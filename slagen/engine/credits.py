"""Service credits: every rule form, then caps, rolling cap, minimum payout; rounded once.

Each step is recorded as a reason code with every figure it used, so reports can show the
calculation in the reader's language: downtime -> availability -> tier or rate -> cap -> amount.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal

from slagen.engine.money import round_money
from slagen.engine.reasons import Reason
from slagen.kinds.credit_forms import CREDIT_FORMS
from slagen.engine.result import CreditResult, CreditStep, KpiResult
from slagen.engine.windows import MeasurementWindow
from slagen.policy.model import ClaimDeadline, Policy

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


def claim_deadline(rule: ClaimDeadline | None, policy: Policy, window: MeasurementWindow, first_end: datetime | None = None) -> date | None:
    """The last day to claim. `first_end`: when the window's first incident on a credited
    KPI's scope ended (a claim clock counted from the incident; None: no such incident)."""
    if rule is None:
        return None
    if rule.kind == "days_after_incident":
        if first_end is None:
            return None
        return first_end.astimezone(ZoneInfo(policy.timezone)).date() + timedelta(days=rule.count)
    if rule.kind == "business_days_after_window_end":
        from slagen.engine.calendar import day_hours

        calendar = policy.calendar(rule.calendar)
        day, left = window.last_day, rule.count
        for _ in range(rule.count * 7 + 3660):  # a calendar open on no day at all cannot loop forever
            day += timedelta(days=1)
            if day_hours(calendar, day):
                left -= 1
                if left == 0:
                    return day
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


def compute_credits(policy: Policy, window: MeasurementWindow, kpis: dict[str, KpiResult], prior: tuple[PriorWindow, ...] = (),
                    first_end: datetime | None = None) -> CreditResult | None:
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
    paid: dict[str, tuple[Decimal, int]] = {}  # rule -> (amount, days), for alternatives
    for rule in credits.rules:
        kpi = kpis.get(rule.kpi)
        fee = window_fee(policy, window, policy.kpi(rule.kpi).scope) if rule.kpi else fee_all
        if kpi is None or kpi.status == "insufficient_data":
            steps.append(CreditStep(rule.id, Reason.of("credit.insufficient_data", rule=rule.id, kpi=rule.kpi)))
            continue
        applied = CREDIT_FORMS[rule.kind].apply(rule, kpi, fee, currency)
        steps.append(CreditStep(rule.id, applied.reason, applied.amount, applied.days))
        total += applied.amount or Decimal(0)
        days += applied.days or 0
        tier_band = tier_band or applied.band
        no_tier = no_tier or applied.no_tier
        paid[rule.id] = (applied.amount or Decimal(0), applied.days or 0)
    for group in credits.alternatives:
        # "claim under one SLA or the other, not both": every rule was evaluated; one is paid
        values = {r: paid.get(r, (Decimal(0), 0)) for r in group.rules}
        chosen = max(group.rules, key=lambda r: values[r]) if group.pay == "better" else group.pay  # max keeps the first of equals
        steps.append(CreditStep(chosen, Reason.of("alternative.chosen", rule=chosen, rules=list(group.rules), pay=group.pay,
                                                  amount=values[chosen][0], days=values[chosen][1] or None, currency=currency)))
        for r in group.rules:
            if r != chosen and values[r] != (Decimal(0), 0):
                steps.append(CreditStep(r, Reason.of("alternative.not_paid", rule=r, chosen=chosen, amount=values[r][0], days=values[r][1] or None,
                                                     currency=currency), Decimal(0), 0))
                total -= values[r][0]
                days -= values[r][1]
    cap = credits.cap
    if cap is not None:
        limits = []
        if cap.percent_of_fee is not None and fee_all is not None:
            limits.append((fee_all * cap.percent_of_fee / HUNDRED, {"cap_pct": cap.percent_of_fee, "fee": fee_all}))
        if cap.amount is not None:
            limits.append((cap.amount, {}))
        if cap.fee_for_days is not None and policy.agreement.monthly_fee is not None:
            monthly = policy.agreement.monthly_fee
            limits.append((monthly * cap.fee_for_days / 30, {"cap_days": cap.fee_for_days, "monthly_fee": monthly}))
        for limit, what in limits:
            if total > limit:
                code = "cap.fee_for_days" if "cap_days" in what else "cap.percent_of_fee" if what else "cap.amount"
                steps.append(CreditStep("cap", Reason.of(code, total=total, limit=limit, currency=currency, **what), limit))
                total = limit
        if cap.days is not None and days > cap.days:
            steps.append(CreditStep("cap", Reason.of("cap.days", days=days, limit_days=cap.days), days=cap.days))
            days = cap.days
    rolling = credits.rolling_cap
    if rolling is not None and total > 0:
        earlier = prior[: rolling.windows - 1]
        period_fees = None
        if rolling.amount is not None:
            limit = rolling.amount
            what = {"limit": rolling.amount}
        elif rolling.percent_of_period_fees is not None:
            period_fees = (fee_all or Decimal(0)) + sum((p.fee for p in earlier), Decimal(0))
            limit = period_fees * rolling.percent_of_period_fees / HUNDRED
            what = {"limit": limit, "cap_pct": rolling.percent_of_period_fees, "period_fees": period_fees}
        else:
            base = fee_all or Decimal(0)
            limit = base * (rolling.percent_of_fee or HUNDRED) / HUNDRED
            what = {"limit": limit, "cap_pct": rolling.percent_of_fee or HUNDRED, "fee": base}
        used = sum((p.credit for p in earlier), Decimal(0))
        room = max(limit - used, Decimal(0))
        params = dict(windows=rolling.windows, earlier=len(earlier), used=used, room=room, total=total, currency=currency, **what)
        prefix = "rolling_cap.period_fees_" if period_fees is not None else "rolling_cap."
        if total > room:
            steps.append(CreditStep("rolling_cap", Reason.of(prefix + "reduced", **params), room))
            total = room
        else:
            steps.append(CreditStep("rolling_cap", Reason.of(prefix + "not_reached", **params)))
    if credits.minimum_payout is not None and total > 0:
        # compared with the credit as it would be paid (rounded once, to the minor unit)
        paid = round_money(total, currency)
        if credits.minimum_payout_exclusive and paid <= credits.minimum_payout:
            steps.append(CreditStep("minimum_payout", Reason.of("minimum_payout.not_more_than", total=paid, minimum=credits.minimum_payout, currency=currency), Decimal(0)))
            total = Decimal(0)
        elif not credits.minimum_payout_exclusive and paid < credits.minimum_payout:
            steps.append(CreditStep("minimum_payout", Reason.of("minimum_payout.below", total=paid, minimum=credits.minimum_payout, currency=currency), Decimal(0)))
            total = Decimal(0)
    amount = round_money(total, currency)
    steps.append(CreditStep("total", Reason.of("credit.total", amount=amount, currency=currency, days=days or None), amount, days or None))
    percent = (amount / fee_all * HUNDRED) if fee_all else None
    return CreditResult(currency, fee_all, percent, amount, days, tier_band, no_tier, claim_deadline(credits.claim_deadline, policy, window, first_end), credits.sole_remedy, tuple(steps))
