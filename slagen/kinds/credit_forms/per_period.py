"""`per_period`: a fixed amount (or % of the fee) per period of downtime, optionally only
beyond the downtime the objective allows (DingTalk style: HKD 100 per started minute).

Paid on availability KPIs (downtime) and latency KPIs (the time, in the window, that the
measured delay was over the threshold: the union of the breaching incidents' time).

    credits:
      rules:
        - id: per-minute
          kind: per_period
          kpi: availability
          amount: "100.00"
          period: 1m
          partial_periods: started    # started | completed | pro_rata
          beyond_allowance: true
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from slagen.engine.reasons import Reason, seconds
from slagen.kinds.credit_forms import Applied, rate

ID = "per_period"
KPI_KINDS = frozenset({"availability", "latency"})
REQUIRED = frozenset({"kpi"})
OPTIONAL = frozenset({"amount", "percent_of_fee", "period", "partial_periods", "beyond_allowance"})
CODES = ("credit.per_period", "credit.per_period_beyond_allowance")
COMPARISON = "per minute of downtime"


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    down = kpi.downtime_minutes
    allowance = kpi.allowed_minutes or Decimal(0)
    base = max(down - allowance, Decimal(0)) if rule.beyond_allowance else down
    periods = base / (Decimal(int(rule.period.total_seconds())) / 60)
    if rule.partial_periods == "started":
        periods = periods.to_integral_value(ROUND_CEILING)
    elif rule.partial_periods == "completed":
        periods = periods.to_integral_value(ROUND_FLOOR)
    each = rate(rule, fee)
    amount = each * periods
    code = "credit.per_period_beyond_allowance" if rule.beyond_allowance else "credit.per_period"
    return Applied(amount, None, Reason.of(code, rule=rule.id, base_min=base, downtime_min=down, allowance_min=allowance, periods=periods,
                                           period_s=seconds(rule.period), partial=rule.partial_periods, rate=each, amount=amount, currency=currency))


PAYS = "money"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money (the comparison values credits with it)."""
    return amount or Decimal(0)


def schedule(rule, terms) -> str:
    rate = terms.money(rule.amount) if rule.amount is not None else terms.say("compare.schedule.pct_of_fee", pct=rule.percent_of_fee)
    key = "compare.schedule.per_started" if rule.partial_periods == "started" else "compare.schedule.per_period"
    text = terms.say(key, rate=rate, period=terms.words.duration(int(rule.period.total_seconds())))
    return text + (terms.say("compare.schedule.beyond_allowance") if rule.beyond_allowance else "")
