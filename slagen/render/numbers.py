"""How figures read: money, percentages, minutes. One place, used by every renderer.

The engine hands over exact Decimals; these functions decide how a person sees them.
Money is rounded half-up to the currency's minor unit (slagen.engine.money.round_money).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from slagen.engine.money import minor_unit, round_money


def fmt_money(amount: Decimal, currency: str) -> str:
    """'HKD 12,345.60' (thousands separators, minor unit digits)."""
    return f"{currency} {round_money(amount, currency):,.{minor_unit(currency)}f}"


def money_in(lang: str):
    """Money as `lang` writes it: 'HKD 1,234.00' / '港币1,234.00元' (a function of amount, currency)."""
    if lang == "en":
        return fmt_money
    from slagen.render.words import Words

    return Words(lang).money


def shown_percent(value: Decimal, places: int = 4) -> str:
    """A percentage for people to read, cut (not rounded) to `places` decimals.

    Cutting toward zero means a missed objective can never be shown as met: 99.89996 is
    shown as 99.8999, never 99.9000. JSON output keeps the exact value.
    """
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN))


def plain_number(value: Decimal | int) -> str:
    """A stated figure as written (99.0 stays 99.0, as the contract says it), never in exponent form."""
    if isinstance(value, int):
        return str(value)
    return format(value, "f")


def minutes(value: Decimal) -> str:
    """Minutes to two decimals, half-up: '190.00'."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
