"""Parse timestamps strictly: an offset is required unless the caller names a zone.

A monitoring API answers in UTC while the contract is read in local time; guessing the
zone of a naive timestamp would shift every minute silently, so it is an error instead.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_LEAP = re.compile(r"[T ]\d{2}:\d{2}:60")
_H24 = re.compile(r"[T ]24:00")
_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")


def parse_time(text: str, field: str, input_zone: ZoneInfo | None) -> datetime:
    """ISO 8601 text -> aware UTC datetime; ValueError says what would be valid."""
    value = text.strip()
    if len(value) > 64:  # the longest ISO 8601 date-time is about 40 characters
        raise ValueError(f"{field}: {_shown(value)} is not an ISO 8601 date-time (e.g. 2026-10-05T14:30:00+08:00)")
    try:
        parsed = datetime.fromisoformat(value)  # fast path; Python 3.11 refuses :60 and 24:00 itself
    except ValueError:
        parsed = None
    if parsed is None or "24:" in value[10:14]:  # a later Python may accept 24:00; slagen does not
        if _LEAP.search(value):
            raise ValueError(f"{field}: {value!r} has a leap second (:60); write :59 or the next minute")
        if _H24.search(value):
            raise ValueError(f"{field}: {value!r} uses 24:00; write 00:00 of the next day")
        try:
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", value) else value)
        except ValueError as exc:
            reason = str(exc)
            if reason.startswith("Invalid isoformat") or not reason:
                raise ValueError(f"{field}: {value!r} is not an ISO 8601 date-time (e.g. 2026-10-05T14:30:00+08:00)") from None
            # the form is right but a part is impossible: 30 February, hour 25, year 0, offset +25:00
            reason = "the UTC offset is out of range" if "offset" in reason else reason
            raise ValueError(f"{field}: {value!r} is not a real date-time: {reason}") from None
    if parsed.tzinfo is None:
        if input_zone is None:
            raise ValueError(f"{field}: {value!r} has no UTC offset; add one (e.g. +08:00 or Z) or pass --input-timezone")
        parsed = parsed.replace(tzinfo=input_zone)
    if not (1970 <= parsed.year <= 2999):
        raise ValueError(f"{field}: {value!r} is outside the years 1970-2999")
    return parsed.astimezone(timezone.utc)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:60] + "…")


def parse_duration(text: str, field: str) -> timedelta:
    """'5m', '90s', '1h30m' or a bare number of seconds -> timedelta."""
    value = text.strip()
    if len(value) > 40:
        raise ValueError(f"{field}: {_shown(value)} is not a duration (e.g. '5m', '90s', or seconds as a number)")
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not value or not match or not any(match.groups()):
            raise ValueError(f"{field}: {value!r} is not a duration (e.g. '5m', '90s', or seconds as a number)")
        d, h, m, s = match.groups()
        seconds = int(d or 0) * 86400 + int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0)
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"{field}: {value!r} is longer than 366 days; no incident measure is that long")
    return timedelta(seconds=seconds)


MAX_DURATION_SECONDS = 366 * 86400
