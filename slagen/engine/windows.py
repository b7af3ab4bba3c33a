"""Measurement windows in the policy's time zone: boundaries are local midnights.

A window is [start, end) in UTC; its length in minutes is the real elapsed time, so a
month with a DST change is an hour shorter or longer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from slagen.errors import UsageError
from slagen.policy.model import Policy


@dataclass(frozen=True)
class MeasurementWindow:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive
    timezone: str
    label: str
    months: int  # months of fees the window spans (rolling: days/30 handled via fee_months)
    first_day: date  # local
    last_day: date  # local, inclusive

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def _make(first: date, next_first: date, zone: ZoneInfo, label: str, months: int) -> MeasurementWindow:
    return MeasurementWindow(_local_midnight(first, zone), _local_midnight(next_first, zone), zone.key, label, months, first, next_first - timedelta(days=1))


def window_containing(policy: Policy, instant: datetime) -> MeasurementWindow:
    """The policy's window that contains `instant`."""
    zone = ZoneInfo(policy.timezone)
    local = instant.astimezone(zone).date()
    kind = policy.window.kind
    if kind == "calendar_month":
        first = local.replace(day=1)
        return _make(first, _add_months(first, 1), zone, f"{first:%Y-%m}", 1)
    if kind == "calendar_quarter":
        first = date(local.year, (local.month - 1) // 3 * 3 + 1, 1)
        return _make(first, _add_months(first, 3), zone, f"{first.year}-Q{(first.month - 1) // 3 + 1}", 3)
    if kind == "billing_cycle":
        anchor = policy.window.anchor_day or 1
        first = local.replace(day=anchor) if local.day >= anchor else _add_months(local.replace(day=anchor), -1)
        return _make(first, _add_months(first, 1), zone, f"{first:%Y-%m-%d} cycle", 1)
    days = policy.window.days or 30
    last = local  # rolling: the N local days ending with the day of `instant`
    first = last - timedelta(days=days - 1)
    return _make(first, last + timedelta(days=1), zone, f"{days} days to {last:%Y-%m-%d}", 0)


def window_for_period(policy: Policy, period: str) -> MeasurementWindow:
    """'2026-10' (month or billing cycle starting that month), '2026-Q4', or a date for rolling windows."""
    zone = ZoneInfo(policy.timezone)
    kind = policy.window.kind
    m = re.fullmatch(r"(\d{4})-(\d{2})", period)
    q = re.fullmatch(r"(\d{4})-Q([1-4])", period)
    d = re.fullmatch(r"\d{4}-\d{2}-\d{2}", period)
    try:
        if kind == "calendar_quarter" and q:
            day = date(int(q.group(1)), (int(q.group(2)) - 1) * 3 + 1, 1)
        elif kind == "calendar_quarter" and m:
            day = date(int(m.group(1)), int(m.group(2)), 1)
        elif kind in ("calendar_month", "billing_cycle") and m:
            day = date(int(m.group(1)), int(m.group(2)), policy.window.anchor_day or 1)
        elif kind == "rolling_days" and d:
            day = date.fromisoformat(period)
        else:
            raise ValueError
    except ValueError:
        expected = {"calendar_month": "YYYY-MM", "billing_cycle": "YYYY-MM (the month the cycle starts)", "calendar_quarter": "YYYY-Qn or YYYY-MM", "rolling_days": "YYYY-MM-DD (the last day)"}[kind]
        raise UsageError(f"--period {period!r}: this policy's window is {kind}; write {expected}") from None
    return window_containing(policy, _local_midnight(day, zone))


def explicit_window(policy: Policy, start: datetime, end: datetime) -> MeasurementWindow:
    """A user-given window (--from/--to); the fee counts whole 30-day months pro rata."""
    if end <= start:
        raise UsageError("--to must be after --from")
    zone = ZoneInfo(policy.timezone)
    return MeasurementWindow(start, end, zone.key, f"{start.astimezone(zone):%Y-%m-%d %H:%M} to {end.astimezone(zone):%Y-%m-%d %H:%M}", 0, start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date())


def last_complete_window(policy: Policy, now: datetime) -> MeasurementWindow:
    """The default period: the last window that ended at or before `now`."""
    current = window_containing(policy, now)
    return window_containing(policy, current.start - timedelta(microseconds=1))


def previous_windows(policy: Policy, window: MeasurementWindow, count: int) -> list[MeasurementWindow]:
    out, cursor = [], window
    for _ in range(count):
        cursor = window_containing(policy, cursor.start - timedelta(microseconds=1))
        out.append(cursor)
    return out
