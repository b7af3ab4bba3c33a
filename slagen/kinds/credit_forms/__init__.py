"""Credit forms: one module each, registered here once.

A credit form module has:
- `ID`: the `kind` a policy writes (`credits.rules[].kind`);
- `KPI_KINDS`: the KPI kinds it can be paid on (anything else is a located policy error);
- `REQUIRED`, `OPTIONAL`: the rule's own keys besides `id` and `kind`;
- `CODES`: the reason codes its `apply` returns (each needs a message in every catalogue);
- `COMPARISON`: how the comparison's "Credit form" row names it (English; the catalogues
  word it as `compare.form.<ID>`);
- `PAYS` ("money" or "days") and `money(amount, days, daily_fee) -> Decimal`: what the form
  paid in one window, in money (days of service at the daily fee basis), so the comparison
  values every form alike, on the credit curve and in the best/worst marks;
- `schedule(rule, terms) -> str`: the comparison's "Credit schedule" wording of one rule,
  through `terms` (catalogue sentences, the vendor's money, KPI names);
- `apply(rule, kpi, fee, currency) -> Applied`: the credit for one window, exact Decimals,
  never rounded (rounding happens once, on the total);
- a docstring that is its user documentation, with a policy example.
Its clause wording is `templates/clauses/<lang>/credit_forms/<ID>.md.j2` in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

from slagen.engine.reasons import Reason

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Applied:
    """What one credit rule gives in one window."""

    amount: Decimal | None  # money, exact
    days: int | None  # days of service
    reason: Reason  # the step, with every figure it used
    band: dict | None = None  # the tier band that applied, if any
    no_tier: bool = False  # the value fell in a declared gap


def rate(rule, fee: Decimal | None) -> Decimal:
    """A fixed amount, or a percentage of the window's fee."""
    return rule.amount if rule.amount is not None else (fee or Decimal(0)) * (rule.percent_of_fee or Decimal(0)) / HUNDRED


def _modules() -> tuple[ModuleType, ...]:
    from slagen.kinds.credit_forms import fee_multiple, per_breach, per_period, service_days, tiers

    return (tiers, service_days, per_period, fee_multiple, per_breach)


CREDIT_FORMS: dict[str, ModuleType] = {m.ID: m for m in _modules()}


def in_money(amount: Decimal, days: int, daily_fee: Decimal, kinds) -> Decimal:
    """A window's credit (after caps) as money: its amount plus its days of service, valued
    by the form among `kinds` (the policy's rule kinds) that pays days."""
    value = amount
    if days:
        form = next(CREDIT_FORMS[k] for k in kinds if CREDIT_FORMS[k].PAYS == "days")
        value += form.money(None, days, daily_fee)
    return value
