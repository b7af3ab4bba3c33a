"""`aws_health`: the AWS Service Health Dashboard `data.json` (`{"archive": [...],
"current": [...]}`, the format served until 2023).

Each event becomes one incident, id `aws-<service>-<date>`, component the `service` key
(`ec2-us-east-2`) with `service_name` ("Amazon Elastic Compute Cloud (Ohio)") as a second
name the policy may match. `status` 1/2/3 is the impact (informational → none, degradation →
partial outage, disruption → major outage; 0, "operating normally", → none).

The record has no start or end: `date` is the Unix time of the first post, and the updates in
`description` carry only Pacific times of day, `<span class="yellowfg">11:40 AM PDT</span>`
(`Dec 8,  2:29 AM PST` when the event crosses a day). slagen reads them as written: PDT is
UTC−7 and PST UTC−8 (the abbreviation says which, so no zone is guessed), dated by the post's
Pacific date and rolled to the next day when a time goes backwards. The outage is:

- the impact window the last update states, "Between 11:07 AM and 11:15 AM PDT" (AWS writes
  it when resolving; `and 1:15 AM on Dec 9 PST` style dates are honoured), else
- from the first update to the last, for an event whose `summary` starts `[RESOLVED]`, else
- from the first update, still open (a `current` event).

The first update is the detection and acknowledgement. An update time that cannot be read is
a bad record naming the event and the text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from slagen.errors import IncidentDataError
from slagen.incidents.model import Incident, Outage, ReadResult
from slagen.incidents.records import check_times
from slagen.incidents.values import label_id, record_object, shown
from slagen.incidents.values import text as field

ID = "aws_health"
SUMMARY = "AWS Service Health Dashboard data.json (archive/current events)"
LOAD = "json"
FIELDS: dict[str, str] = {}
IMPACT = {"0": "none", "1": "none", "2": "partial_outage", "3": "major_outage"}
OFFSETS = {"PDT": timedelta(hours=-7), "PST": timedelta(hours=-8)}
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_UPDATE = re.compile(r'<span class="yellowfg">\s*(.*?)\s*</span>', re.S)
_STAMP = re.compile(r"^(?:([A-Za-z]{3})[a-z]*\.? (\d{1,2}),\s*)?(\d{1,2}):(\d{2}) ?([AP]M) (PDT|PST)$")
_CLOCK = r"(\d{1,2}):(\d{2}) ?([AP]M)"
_DAY = r"(?: on ([A-Za-z]{3})[a-z]* (\d{1,2}))?"
_BETWEEN = re.compile(rf"[Bb]etween {_CLOCK}(?: (PDT|PST))?{_DAY} and {_CLOCK}{_DAY} (PDT|PST)")
MAX_EPOCH = 32503680000  # 3000-01-01


def detect(path: Path, text: str) -> bool:
    head = text[:4000]
    return '"archive"' in head and '"service_name"' in text[:200000] and '"summary"' in text[:200000]


def read(path: Path, data: Any, options) -> ReadResult:
    from slagen.incidents.readers import collector

    file = str(path)
    if not isinstance(data, dict) or not any(isinstance(data.get(k), list) for k in ("archive", "current")):
        raise IncidentDataError(file, "file", "not an AWS Service Health Dashboard data.json: expected {\"archive\": [...], \"current\": [...]}")
    for key in ("archive", "current"):
        if key in data and not isinstance(data[key], list):
            raise IncidentDataError(file, "file", f"{key}: expected a list of events, got {type(data[key]).__name__}")
    out = collector(file, options)
    n = 0
    for key in ("archive", "current"):
        for event in data.get(key) or []:
            n += 1
            record = f"event {n}"
            if isinstance(event, dict):
                ident = label_id(f"{event.get('service')}-{event.get('date')}") if isinstance(event.get("service"), str) else ""
                record += f" ({key}, {ident})" if ident else f" ({key})"
            out.add(record, lambda event=event, record=record: _incident(event, f"{file}:{record}"), None)
    return out.result()


def _clock(hour: str, minute: str, half: str) -> tuple[int, int]:
    h, m = int(hour), int(minute)
    if not 1 <= h <= 12 or m > 59:
        raise ValueError(f"{h}:{m:02d} {half} is not a time of day")
    return (h % 12) + (12 if half == "PM" else 0), m


def _day(anchor: date, month: str | None, day: str | None) -> date:
    if not month:
        return anchor
    number = MONTHS.get(month.lower())
    if number is None:
        raise ValueError(f"month {shown(month)} is not a month")
    # the year of the post; a December date read in January belongs to the year before
    year = anchor.year - (1 if number == 12 and anchor.month == 1 else 0) + (1 if number == 1 and anchor.month == 12 else 0)
    return date(year, number, int(day))


def _at(day: date, clock: tuple[int, int], abbrev: str) -> datetime:
    offset = OFFSETS[abbrev]
    return datetime(day.year, day.month, day.day, *clock, tzinfo=timezone(offset)).astimezone(timezone.utc)


def _incident(event: Any, source: str) -> Incident:
    event = record_object(event, "an AWS Health Dashboard event")
    service, stamp = field(event, "service"), field(event, "date")
    if not service or not stamp:
        raise ValueError("not an AWS Health Dashboard event (needs 'service' and 'date')")
    if not stamp.isdigit() or not 0 < int(stamp) < MAX_EPOCH:
        raise ValueError(f"date: {shown(stamp)} is not a Unix time in seconds")
    posted = datetime.fromtimestamp(int(stamp), timezone.utc)
    status = field(event, "status")
    if status not in IMPACT:
        raise ValueError(f"status: {shown(status)} is not 0, 1, 2 or 3")
    summary = field(event, "summary", free_text=True)
    description = field(event, "description", free_text=True)
    anchor = (posted + OFFSETS["PDT"]).date()  # replaced by the first update's own Pacific date
    updates: list[tuple[datetime, str]] = []
    day, last = None, None
    chunks = _UPDATE.split(description)  # text, stamp, text, stamp, text…
    for i in range(1, len(chunks), 2):
        text = re.sub(r"\s+", " ", chunks[i].replace("&nbsp;", " ")).strip()
        match = _STAMP.match(text)
        if not match:
            raise ValueError(f"description: update time {shown(text)} is not 'H:MM AM PDT' or 'Mon D, H:MM AM PST'")
        month, dnum, hour, minute, half, abbrev = match.groups()
        clock = _clock(hour, minute, half)
        if day is None:
            day = (posted + OFFSETS[abbrev]).date()
            anchor = day
        if month:
            day = _day(anchor, month, dnum)
        at = _at(day, clock, abbrev)
        if last is not None and at < last and not month:
            day += timedelta(days=1)
            at = _at(day, clock, abbrev)
        updates.append((at, chunks[i + 1]))
        last = at
    first = updates[0][0] if updates else posted
    resolved_flag = summary.upper().startswith("[RESOLVED]")
    start, end = first, (updates[-1][0] if updates else posted) if resolved_flag else None
    stated = [(at, found[-1]) for at, body in updates if (found := _BETWEEN.findall(re.sub(r"<[^>]+>|&nbsp;", " ", body)))]
    if stated:
        posted_at, (h1, m1, p1, z1, mon1, d1, h2, m2, p2, mon2, d2, z2) = stated[-1]  # the last update that states the window
        base = (posted_at + OFFSETS[z2]).date()
        s_day, e_day = _day(base, mon1, d1), _day(base, mon2, d2)
        s_at = _at(s_day, _clock(h1, m1, p1), z1 or z2)
        e_at = _at(e_day, _clock(h2, m2, p2), z2)
        if e_at <= s_at and not mon2:
            e_at = _at(e_day + timedelta(days=1), _clock(h2, m2, p2), z2)
        if s_at > posted_at and not mon1:  # "between 11:07 PM and 1:15 AM" posted after midnight: it began the day before
            s_at, e_at = s_at - timedelta(days=1), e_at - timedelta(days=1) if not mon2 else e_at
        start, end = s_at, e_at
    detected = first
    texts = {"started_at": start.isoformat(), "resolved_at": end.isoformat() if end else "", "detected_at": first.isoformat(), "acknowledged_at": first.isoformat()}
    check_times(start, end, None, None, texts.__getitem__, {"started_at": "the impact start", "resolved_at": "the impact end"})
    if end is not None and detected > end:
        detected = None  # posted after the impact ended: a post is not a detection
    impact = IMPACT[status]
    return Incident(
        id=f"aws-{service}-{stamp}",
        started_at=start,
        resolved_at=end,
        outages=(Outage(service, start, end, impact, None, field(event, "service_name") or None),),
        source=source,
        title=summary,
        service=field(event, "service_name") or None,
        impact=impact,
        detected_at=detected,
        acknowledged_at=detected,
    )
