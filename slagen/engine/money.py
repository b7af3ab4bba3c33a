"""The one place money is rounded: half-up to the currency's minor unit, once, at the end."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not 2 digits.
_MINOR_UNITS = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}


def minor_unit(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)


def fmt_money(amount: Decimal, currency: str) -> str:
    """'HKD 12,345.60' (thousands separators, minor unit digits)."""
    return f"{currency} {round_money(amount, currency):,.{minor_unit(currency)}f}"


def shown_percent(value: Decimal, places: int = 4) -> str:
    """A percentage for people to read, cut (not rounded) to `places` decimals.

    Cutting toward zero means a missed objective can never be shown as met: 99.89996 is
    shown as 99.8999, never 99.9000. JSON output keeps the exact value.
    """
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN))
