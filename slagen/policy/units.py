"""Parse the policy language's literal values: durations, percentages, money, dates.

Each parser takes the raw YAML value (already a string, int or Decimal, never a float)
and returns an exact value or raises ValueError with what would be valid.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

_DURATION = re.compile(r"^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", re.ASCII)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Bounds every evaluation can carry (Decimal's 28 digits, datetime's years 1..9999):
# amounts below a thousand trillion; dates in 1970-2999, as for incident timestamps.
MAX_MONEY = Decimal(10) ** 15
FIRST_YEAR, LAST_YEAR = 1970, 2999


def duration(value: object) -> timedelta:
    """'15m' -> 15 minutes. Units d, h, m, s in that order; no bare numbers."""
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a duration; write a number with a unit, e.g. '15m', '4h', '72h', '30d'")
    d, h, m, s = (int(g or 0) for g in match.groups())
    seconds = d * 86400 + h * 3600 + m * 60 + s
    if seconds > 3660 * 86400:
        raise ValueError(f"{value!r} is longer than ten years; no SLA term is that long")
    return timedelta(seconds=seconds)


def percent(value: object) -> Decimal:
    """99.9 or '99.9%' -> Decimal('99.9'), within 0..100."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a percentage; write e.g. 99.9 or \"10%\"")
    text = value[:-1] if isinstance(value, str) and value.endswith("%") else value
    try:
        result = Decimal(str(text))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a percentage; write e.g. 99.9 or \"10%\"") from None
    if not result.is_finite() or not (Decimal(0) <= result <= Decimal(100)):
        raise ValueError(f"{value!r} is outside 0..100 %")
    return result


def _exact(value: object, what: str) -> Decimal:
    """A finite Decimal read from the value's text (never through a float)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not {what}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not {what}") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def number(value: object) -> Decimal:
    """A plain number, exact: 5, 5.5, "250"."""
    return _exact(value, "a number")


def money(value: object) -> Decimal:
    """1500 or '1500.00' -> Decimal; never negative."""
    result = _exact(value, 'an amount; write e.g. "1500.00"')
    if result < 0:
        raise ValueError(f"{value!r} is not a non-negative amount")
    if result >= MAX_MONEY:
        raise ValueError(f"{value!r} is too large: amounts must be below {MAX_MONEY:,f}")
    return result


def iso_date(value: object) -> date:
    try:
        result = date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD") from None
    if not FIRST_YEAR <= result.year <= LAST_YEAR:
        raise ValueError(f"{value!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return result


def clock_minutes(value: str) -> int:
    """'09:30' -> 570; '24:00' -> 1440 (end of day)."""
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def format_duration(delta: timedelta, days: bool = True) -> str:
    """Inverse of duration(): 5400 s -> '1h30m'; days=False keeps hours ('96h', not '4d')."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "0m"
    parts = []
    for unit, size in (("d", 86400 if days else 10**12), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)
