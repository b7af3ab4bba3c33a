"""Measurement windows in the policy's time zone: boundaries are local midnights.

A window is [start, end) in UTC; its length in minutes is the real elapsed time, so a
month with a DST change is an hour shorter or longer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from slagen.errors import UsageError
from slagen.policy.model import Policy


@dataclass(frozen=True)
class MeasurementWindow:
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC, exclusive
    timezone: str
    label: str
    months: int  # whole calendar months the window spans (0: rolling or explicit)
    first_day: date  # local
    last_day: date  # local, inclusive
    fee_months: Decimal = Decimal(1)  # months of fees: months, or local days / 30 (never elapsed minutes)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def _make(first: date, next_first: date, zone: ZoneInfo, label: str, months: int) -> MeasurementWindow:
    fee_months = Decimal(months) if months else Decimal((next_first - first).days) / 30
    return MeasurementWindow(_local_midnight(first, zone), _local_midnight(next_first, zone), zone.key, label, months, first, next_first - timedelta(days=1), fee_months)


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
    if kind in ("fiscal_quarter", "fiscal_year"):
        year_start = fiscal_year_start(policy.window.start_month or 1, local)
        name = f"FY{fiscal_year_name(policy.window.start_month or 1, year_start)}"
        if kind == "fiscal_year":
            return _make(year_start, _add_months(year_start, 12), zone, name, 12)
        quarter = ((local.year * 12 + local.month) - (year_start.year * 12 + year_start.month)) // 3
        first = _add_months(year_start, 3 * quarter)
        return _make(first, _add_months(first, 3), zone, f"{name}-Q{quarter + 1}", 3)
    if kind == "billing_cycle":
        anchor = policy.window.anchor_day or 1
        first = local.replace(day=anchor) if local.day >= anchor else _add_months(local.replace(day=anchor), -1)
        return _make(first, _add_months(first, 1), zone, f"{first:%Y-%m-%d} cycle", 1)
    days = policy.window.days or 30
    last = local  # rolling: the N local days ending with the day of `instant`
    first = last - timedelta(days=days - 1)
    return _make(first, last + timedelta(days=1), zone, f"{days} days to {last:%Y-%m-%d}", 0)


def fiscal_year_start(start_month: int, local: date) -> date:
    """The first day of the fiscal year (starting on the 1st of `start_month`) that holds `local`."""
    return date(local.year if local.month >= start_month else local.year - 1, start_month, 1)


def fiscal_year_name(start_month: int, year_start: date) -> int:
    """A fiscal year is named by the calendar year it ends in (FY2025 = Feb 2024 to Jan 2025);
    one starting in January is the calendar year."""
    return year_start.year + (1 if start_month != 1 else 0)


PERIOD_FORMS = {"calendar_month": "YYYY-MM", "billing_cycle": "YYYY-MM (the month the cycle starts)", "calendar_quarter": "YYYY-Qn (e.g. 2026-Q4)", "rolling_days": "YYYY-MM-DD (the last day)",
                "fiscal_quarter": "FYyyyy-Qn (e.g. FY2025-Q1; a fiscal year is named by the year it ends in)", "fiscal_year": "FYyyyy (e.g. FY2025, named by the year it ends in)"}


def windows_for_range(policy: Policy, period: str, limit: int = 1200) -> list[MeasurementWindow]:
    """'2019-01..2023-12' (or '2023-Q1..2024-Q4'): every window from the first to the last, in order."""
    first_text, _, last_text = period.partition("..")
    first = window_for_period(policy, first_text.strip())
    last = window_for_period(policy, last_text.strip())
    if last.start < first.start:
        raise UsageError(f"--period {period!r}: the range ends before it starts")
    out = [first]
    while out[-1].start < last.start:
        if len(out) >= limit:
            raise UsageError(f"--period {period!r}: more than {limit} windows; evaluate a shorter range")
        step = out[-1].end if policy.window.kind != "rolling_days" else out[-1].end + timedelta(days=(policy.window.days or 30) - 1)
        out.append(window_containing(policy, step))
    return out


def window_for_period(policy: Policy, period: str) -> MeasurementWindow:
    """'2026-10' (month or billing cycle starting that month), '2026-Q4', or a date for rolling windows."""
    zone = ZoneInfo(policy.timezone)
    kind = policy.window.kind
    m = re.fullmatch(r"(\d{4})-(\d{2})", period)
    q = re.fullmatch(r"(\d{4})-Q([1-4])", period)
    d = re.fullmatch(r"\d{4}-\d{2}-\d{2}", period)
    fy = re.fullmatch(r"FY(\d{4})(?:-Q([1-4]))?", period)
    try:
        if kind in ("fiscal_quarter", "fiscal_year") and fy and (fy.group(2) is None) == (kind == "fiscal_year"):
            start_month = policy.window.start_month or 1
            year_start = date(int(fy.group(1)) - (1 if start_month != 1 else 0), start_month, 1)
            day = _add_months(year_start, 3 * (int(fy.group(2) or 1) - 1))
        elif kind == "calendar_quarter" and q:
            day = date(int(q.group(1)), (int(q.group(2)) - 1) * 3 + 1, 1)
        elif kind in ("calendar_month", "billing_cycle") and m:
            day = date(int(m.group(1)), int(m.group(2)), policy.window.anchor_day or 1)
        elif kind == "rolling_days" and d:
            day = date.fromisoformat(period)
        else:
            raise ValueError
    except ValueError:
        raise UsageError(f"--period {period!r}: this policy's window is {kind}; write {PERIOD_FORMS[kind]}") from None
    return window_containing(policy, _local_midnight(day, zone))


def explicit_window(policy: Policy, start: datetime, end: datetime) -> MeasurementWindow:
    """A user-given window (--from/--to); its fee is the monthly fee × local calendar days ÷ 30."""
    if end <= start:
        raise UsageError("--to must be after --from")
    zone = ZoneInfo(policy.timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    # local calendar time, so a DST change inside the window does not change its fee
    wall = local_end.replace(tzinfo=None) - local_start.replace(tzinfo=None)
    fee_months = (Decimal(wall.days) + Decimal(wall.seconds) / 86400) / 30
    return MeasurementWindow(start, end, zone.key, f"{local_start:%Y-%m-%d %H:%M} to {local_end:%Y-%m-%d %H:%M}", 0, local_start.date(), (end - timedelta(microseconds=1)).astimezone(zone).date(), fee_months)


# A label is the window's key (ledger rows, JSON, file names) and stays as made above; the
# words a reader sees come from the catalogue entry `window.name.<form>` for it.
_CAPTIONS = (
    ("month", re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")),
    ("quarter", re.compile(r"(?P<year>\d{4})-Q(?P<quarter>[1-4])")),
    ("fiscal_quarter", re.compile(r"FY(?P<year>\d{4})-Q(?P<quarter>[1-4])")),
    ("fiscal_year", re.compile(r"FY(?P<year>\d{4})")),
    ("cycle", re.compile(r"(?P<start>\d{4}-\d{2}-\d{2}) cycle")),
    ("rolling", re.compile(r"(?P<days>\d+) days to (?P<last>\d{4}-\d{2}-\d{2})")),
    ("explicit", re.compile(r"(?P<start>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) to (?P<end>\d{4}-\d{2}-\d{2} \d{2}:\d{2})")),
)


def window_caption(label: str) -> tuple[str, dict[str, str]]:
    """What a window label says, as a catalogue key and its parameters (the inverse of the
    labels made above): "2026-11-01 cycle" -> ("window.name.cycle", {"start": "2026-11-01"}).
    A label of another form (a ledger row from another version) is shown as it is."""
    for form, pattern in _CAPTIONS:
        match = pattern.fullmatch(label)
        if match:
            params = {k: str(int(v)) if k in ("month", "quarter", "days") else v for k, v in match.groupdict().items()}
            return f"window.name.{form}", {"label": label, **params}
    return "window.name.other", {"label": label}


def last_complete_window(policy: Policy, now: datetime) -> MeasurementWindow:
    """The default period: the last window that ended at or before `now`."""
    current = window_containing(policy, now)
    return window_containing(policy, current.start - timedelta(microseconds=1))


RELATIVE_PERIODS = ("current", "previous")


def relative_window(policy: Policy, name: str, as_of: datetime) -> MeasurementWindow:
    """`--period current`: the window containing `as_of` (in the policy's zone), for a
    scheduler's month-to-date view; `previous`: the one before it (the last complete one).

    At the very instant a window starts nothing of it has elapsed, so `current` is then
    the window that has just ended (a cron run at local midnight on the 1st sees the
    whole month it closes, not an empty one)."""
    if name == "current":
        return window_containing(policy, as_of - timedelta(microseconds=1))
    if name == "previous":
        return last_complete_window(policy, as_of)
    raise UsageError(f"--period {name!r}: write one of {', '.join(RELATIVE_PERIODS)}")


def previous_windows(policy: Policy, window: MeasurementWindow, count: int) -> list[MeasurementWindow]:
    out, cursor = [], window
    for _ in range(count):
        cursor = window_containing(policy, cursor.start - timedelta(microseconds=1))
        out.append(cursor)
    return out
