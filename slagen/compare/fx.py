"""Money in one currency: a rates file, and a policy re-priced in the comparison's currency.

A rates file says what one unit of each currency is worth in the target currency, when and
where the rates come from (both are printed on the document):

    date: 2026-11-20
    source: "Example rates, not for settlement"
    rates: {HKD: "0.1282", CNY: "0.1385"}

Every amount of a policy (fees, per-minute and per-breach credits, caps, minimum payouts)
is multiplied by its rate exactly (Decimal, no rounding) before the engine runs, so the
engine rounds once, in the target currency. Nothing here formats money.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from slagen.errors import PolicyErrors, PolicyProblem
from slagen.policy.model import Policy
from slagen.policy.units import iso_date, money
from slagen.policy.yamlsrc import escape_pointer, load_yaml, read_yaml_file

CODE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Rates:
    currency: str  # the target currency
    date: str
    source: str
    rates: tuple[tuple[str, Decimal], ...]  # (currency, value of one unit in `currency`)
    file: str = ""
    lines: tuple[tuple[str, int], ...] = ()  # where each rate is written

    def rate(self, currency: str) -> Decimal | None:
        if currency == self.currency:
            return Decimal(1)
        return dict(self.rates).get(currency)


def is_currency(text: object) -> bool:
    return isinstance(text, str) and len(text) == 3 and all(c in CODE for c in text)


def load_rates(path: Path, currency: str) -> Rates:
    return parse_rates(read_yaml_file(path, "a rates file"), str(path), currency)


def parse_rates(text: bytes | str, filename: str, currency: str) -> Rates:
    doc = load_yaml(text, filename)
    problems: list[PolicyProblem] = []

    problem = doc.collector(filename, problems)

    data = doc.data
    if not isinstance(data, dict):
        raise PolicyErrors([PolicyProblem(filename, 1, 1, "a rates file is a mapping: date, source, rates: {HKD: \"0.1282\", ...}")])
    doc.unknown_keys(problem, ("date", "source", "rates", "currency"), "a rates file has date, source, rates (and optionally currency)")
    for key in ("date", "source", "rates"):
        if key not in data:
            problem("", f"missing '{key}': a rates file says when (date), from where (source) and the rates")
    day = ""
    if "date" in data:
        try:
            day = iso_date(data["date"]).isoformat()
        except ValueError as exc:
            problem("/date", str(exc))
    source = data.get("source")
    if "source" in data and (not isinstance(source, str) or not source.strip()):
        problem("/source", "source must name where the rates come from, e.g. \"ECB reference rates\"")
    if "currency" in data and data["currency"] != currency:
        problem("/currency", f"the rates are in {str(data['currency'])[:10]}, but the comparison is in {currency} (--currency)")
    rates: list[tuple[str, Decimal]] = []
    lines: list[tuple[str, int]] = []
    raw = data.get("rates")
    if "rates" in data and not isinstance(raw, dict):
        problem("/rates", "rates is a mapping of currency code to the value of one unit, e.g. {HKD: \"0.1282\"}")
    for code, value in (raw.items() if isinstance(raw, dict) else ()):
        pointer = f"/rates/{escape_pointer(code)}"
        if not is_currency(code):
            problem(pointer, f"{str(code)[:20]!r} is not a currency code (three capital letters, e.g. HKD)")
            continue
        try:
            amount = money(value)
        except ValueError as exc:
            problem(pointer, f"rate for {code}: {exc}")
            continue
        if amount <= 0:
            problem(pointer, f"rate for {code} is {value!s}: a rate must be above zero")
            continue
        rates.append((code, amount))
        lines.append((code, doc.where(pointer)[0]))
    if problems:
        raise PolicyErrors(problems)
    return Rates(currency, day, source.strip(), tuple(rates), filename, tuple(lines))


def priced(policy: Policy, currency: str | None, rate: Decimal | None, fee: Decimal | None) -> Policy:
    """The policy with every amount in `currency` (× `rate`), and optionally one common
    monthly fee (already in `currency`) instead of its own fees."""
    a = policy.agreement
    credits = policy.credits
    if rate is not None and rate != 1:
        def x(v: Decimal | None) -> Decimal | None:
            return None if v is None else v * rate

        a = replace(a, monthly_fee=x(a.monthly_fee), service_fees=tuple((s, f * rate) for s, f in a.service_fees))
        if credits is not None:
            credits = replace(
                credits,
                rules=tuple(replace(r, amount=x(r.amount)) for r in credits.rules),
                cap=replace(credits.cap, amount=x(credits.cap.amount)) if credits.cap else None,
                rolling_cap=replace(credits.rolling_cap, amount=x(credits.rolling_cap.amount)) if credits.rolling_cap else None,
                minimum_payout=x(credits.minimum_payout),
            )
    if currency:
        a = replace(a, currency=currency)
    if fee is not None:
        if credits is not None and credits.fee_basis == "service_fee" and a.service_fees:
            # per-product fees keep their shares of the common fee, so each product's
            # credit stays a percentage of that product's fee
            total = sum((f for _, f in a.service_fees), Decimal(0))
            a = replace(a, monthly_fee=fee, service_fees=tuple((s, fee * f / total) for s, f in a.service_fees) if total else ())
        else:
            a = replace(a, monthly_fee=fee, service_fees=())
            if credits is not None:
                credits = replace(credits, fee_basis="monthly_fee")
    return replace(policy, agreement=a, credits=credits)
