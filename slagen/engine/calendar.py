"""Business-hours arithmetic: open intervals of a calendar, time between two instants,
and a deadline a given amount of open time after a start.

Opening hours are local wall-clock times converted per day through zoneinfo, so a DST
change inside a business day shortens or lengthens that day correctly. Public holidays
come from the `holidays` library; extra closed and working dates come from the policy.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterator
from zoneinfo import ZoneInfo

from slagen.policy.model import Calendar


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_holiday(cal: Calendar, day: date) -> bool:
    return bool(cal.holiday_country) and day in _holidays(cal.holiday_country, cal.holiday_subdivision, day.year)


def day_hours(cal: Calendar, day: date) -> tuple[tuple[int, int], ...]:
    """Opening ranges (minutes after local midnight) on one local date."""
    if day in cal.working_dates:
        return cal.hours[cal.working_date_weekday]
    if day in cal.closed_dates or is_holiday(cal, day):
        return ()
    return cal.hours[day.weekday()]


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(timezone.utc)


def open_intervals(cal: Calendar, start: datetime, end: datetime | None = None) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals (UTC) that end after `start`, in order; until `end` if given."""
    if cal.always_open:
        yield start, end or datetime.max.replace(tzinfo=timezone.utc)
        return
    zone = ZoneInfo(cal.timezone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    limit_day = (end.astimezone(zone).date() + timedelta(days=1)) if end else day + timedelta(days=3700)
    while day <= limit_day:
        for lo, hi in day_hours(cal, day):
            s, e = _at(day, lo, zone), _at(day, hi, zone)
            if e <= start:
                continue
            if end is not None and s >= end:
                return
            yield max(s, start), (min(e, end) if end else e)
        day += timedelta(days=1)


def open_time_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time in [start, end)."""
    if end <= start:
        return timedelta(0)
    return sum((e - s for s, e in open_intervals(cal, start, end)), timedelta(0))


def add_open_time(cal: Calendar, start: datetime, amount: timedelta) -> datetime:
    """The instant `amount` of open time after `start`.

    A start outside hours moves to the next opening; a deadline that uses up an interval
    exactly lands on its closing time (it does not jump to the next opening).
    """
    remaining = amount
    for s, e in open_intervals(cal, start):
        if remaining <= e - s:
            return s + remaining
        remaining -= e - s
    raise ValueError("calendar has no open time in the next ten years")
