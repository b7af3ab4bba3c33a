"""`hourly_waiver`: every clock hour with more than a stated amount of downtime is not
charged (AWS EC2: "an instance-hour with more than 5 minutes of unavailability"), paid
beside any monthly credit.

An hour is a clock hour in the policy's time zone (an hour repeated when clocks go back is
two hours); its downtime is the KPI's counted minutes in it, exact (weighted by impact,
after the minimum outage, before rounding). The credit is the waived hours times `amount`
(the price of one hour), or without `amount`, the window's fee divided by the hours the
availability is divided by (its denominator).

    credits:
      rules:
        - id: instance-hours
          kind: hourly_waiver
          kpi: instance-uptime
          unavailable_more_than: 5m
          amount: "0.0416"        # the hourly price
"""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.reasons import Reason, seconds
from slagen.kinds.credit_forms import Applied

ID = "hourly_waiver"
KPI_KINDS = frozenset({"availability"})
REQUIRED = frozenset({"kpi", "unavailable_more_than"})
OPTIONAL = frozenset({"amount"})
CODES = ("credit.hourly_waiver",)
COMPARISON = "hours with downtime not charged"


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    threshold = Decimal(int(rule.unavailable_more_than.total_seconds())) / 60
    hours = sum(1 for _, minutes in kpi.hourly if minutes > threshold)
    window_hours = (kpi.denominator_minutes or Decimal(0)) / 60
    each = rule.amount if rule.amount is not None else ((fee or Decimal(0)) / window_hours if window_hours else Decimal(0))
    amount = each * hours
    return Applied(amount, None, Reason.of("credit.hourly_waiver", rule=rule.id, hours=hours, threshold_s=seconds(rule.unavailable_more_than),
                                           rate=each, amount=amount, currency=currency, fee_hours=None if rule.amount is not None else window_hours))


PAYS = "money"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money (the comparison values credits with it)."""
    return amount or Decimal(0)


def schedule(rule, terms) -> str:
    price = terms.money(rule.amount) if rule.amount is not None else terms.say("compare.schedule.hour_of_fee")
    return terms.say("compare.schedule.hourly_waiver", threshold=terms.words.duration(int(rule.unavailable_more_than.total_seconds())), price=price)
