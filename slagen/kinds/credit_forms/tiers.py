"""`tiers`: a percentage of the window's fee, by the band the availability falls in.

Bands are explicit about their bounds (lower inclusive, upper exclusive unless the policy
says `at_most`/`above`); a value in no band is reported (`credit.tier_gap`), never guessed.

    credits:
      rules:
        - id: uptime-credit
          kind: tiers
          kpi: availability
          tiers:
            - {below: 99.9, at_least: 99.0, credit: 10}
            - {below: 99.0, credit: 25}
"""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.reasons import Reason
from slagen.kinds.credit_forms import HUNDRED, Applied

ID = "tiers"
KPI_KINDS = frozenset({"availability"})
REQUIRED = frozenset({"kpi", "tiers"})
OPTIONAL = frozenset({"gaps"})
CODES = ("credit.tier", "credit.tier_gap", "credit.above_tiers", "credit.no_figure")
COMPARISON = "tiers (% of fee)"


def band(tier) -> dict:
    return {"lower": tier.lower, "lower_inclusive": tier.lower_inclusive, "upper": tier.upper, "upper_inclusive": tier.upper_inclusive}


def find_tier(rule, kpi):
    """(tier, Applied-if-no-tier): the band `kpi.actual` falls in, or why none applies."""
    actual = kpi.actual
    if actual is None:
        return None, Applied(None, None, Reason.of("credit.no_figure", rule=rule.id, kpi=rule.kpi))
    tier = next((t for t in rule.tiers if t.contains(actual)), None)
    if tier is not None:
        return tier, None
    top = max(t.upper for t in rule.tiers)
    above = actual > top or (actual == top and not any(t.upper_inclusive and t.upper == top for t in rule.tiers))
    if above:
        return None, Applied(Decimal(0), 0, Reason.of("credit.above_tiers", rule=rule.id, actual_pct=actual))
    return None, Applied(Decimal(0), 0, Reason.of("credit.tier_gap", rule=rule.id, actual_pct=actual), no_tier=True)


def apply(rule, kpi, fee: Decimal | None, currency: str) -> Applied:
    tier, none = find_tier(rule, kpi)
    if none is not None:
        return none
    amount = (fee or Decimal(0)) * (tier.credit or Decimal(0)) / HUNDRED
    return Applied(amount, None, Reason.of("credit.tier", rule=rule.id, actual_pct=kpi.actual, tier=band(tier), credit_pct=tier.credit,
                                           fee=fee or Decimal(0), amount=amount, currency=currency), band(tier))


PAYS = "money"


def money(amount: Decimal | None, days: int | None, daily_fee: Decimal) -> Decimal:
    """What this form paid in one window, in money (the comparison values credits with it)."""
    return amount or Decimal(0)


def schedule(rule, terms) -> str:
    """The comparison's schedule cell: each band and its percentage of the fee basis."""
    return "; ".join(terms.say("compare.schedule.tier", band=terms.words.band(t), pct=t.credit) for t in rule.tiers)
