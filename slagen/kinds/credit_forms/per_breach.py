"""`per_breach`: a fixed amount (or % of the fee) for each incident whose response,
resolution or latency target was missed.

    credits:
      rules:
        - id: p1-response-breach
          kind: per_breach
          kpi: p1-response
          amount: "2000.00"
"""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.reasons import Reason
from slagen.kinds.credit_forms import Applied, rate

ID = "per_breach"
KPI_KINDS = frozenset({"response_time", "resolution_time", "latency"})
REQUIRED = frozenset({"kpi"})
OPTIONAL = frozenset({"amount", "percent_of_fee"})
CODES = ("credit.per_breach",)
COMPARISON = "per missed target"


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    count = len(kpi.breaches)
    each = rate(rule, fee)
    amount = each * count
    return Applied(amount, None, Reason.of("credit.per_breach", rule=rule.id, kpi=rule.kpi, breaches=count, rate=each, amount=amount, currency=currency))


PAYS = "money"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money (the comparison values credits with it)."""
    return amount or Decimal(0)


def schedule(rule, terms) -> str:
    rate = terms.money(rule.amount) if rule.amount is not None else terms.say("compare.schedule.pct_of_fee", pct=rule.percent_of_fee)
    return terms.say("compare.schedule.per_breach", rate=rate, kpi=terms.kpi_name(rule.kpi))
