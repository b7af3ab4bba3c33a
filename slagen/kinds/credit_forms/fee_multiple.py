"""`fee_multiple`: a multiple of the fee for the share of the window that was down
(Slack style: 10 × the fee × downtime ÷ window minutes).

    credits:
      rules:
        - id: ten-times
          kind: fee_multiple
          kpi: availability
          multiple: 10
"""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.reasons import Reason
from slagen.kinds.credit_forms import Applied

ID = "fee_multiple"
KPI_KINDS = frozenset({"availability"})
REQUIRED = frozenset({"kpi", "multiple"})
OPTIONAL = frozenset()
CODES = ("credit.fee_multiple",)
COMPARISON = "multiple of fee × downtime share"


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    den = kpi.denominator_minutes or Decimal(1)
    amount = (rule.multiple or Decimal(0)) * (fee or Decimal(0)) * kpi.downtime_minutes / den
    return Applied(amount, None, Reason.of("credit.fee_multiple", rule=rule.id, multiple=rule.multiple, fee=fee or Decimal(0),
                                           downtime_min=kpi.downtime_minutes, denominator_min=den, amount=amount, currency=currency))


PAYS = "money"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money (the comparison values credits with it)."""
    return amount or Decimal(0)


def schedule(rule, terms) -> str:
    return terms.say("compare.schedule.fee_multiple", multiple=rule.multiple)
