"""`service_days`: days of service added to the term, by availability band (Google Workspace style).

    credits:
      rules:
        - id: workspace-days
          kind: service_days
          kpi: availability
          tiers:
            - {below: 99.9, at_least: 99.0, days: 3}
            - {below: 99.0, at_least: 95.0, days: 7}
            - {below: 95.0, days: 15}
"""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.reasons import Reason
from slagen.kinds.credit_forms import Applied
from slagen.kinds.credit_forms.tiers import band, find_tier

ID = "service_days"
KPI_KINDS = frozenset({"availability"})
REQUIRED = frozenset({"kpi", "tiers"})
OPTIONAL = frozenset({"gaps"})
CODES = ("credit.service_days", "credit.tier_gap", "credit.above_tiers", "credit.no_figure")
COMPARISON = "days of service"


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    tier, none = find_tier(rule, kpi)
    if none is not None:
        return none
    return Applied(None, tier.days, Reason.of("credit.service_days", rule=rule.id, actual_pct=kpi.actual, tier=band(tier), days=tier.days), band(tier))


PAYS = "days"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money: its days of service at the daily fee (the window's fee ÷ its days)."""
    return Decimal(days or 0) * daily_fee


def schedule(rule, terms) -> str:
    """Each band, its days of service and what they are worth at a 30-day month's daily fee."""
    return "; ".join(terms.say("compare.schedule.days", band=terms.words.band(t), days=t.days, value=terms.days_value(t.days)) for t in rule.tiers)
