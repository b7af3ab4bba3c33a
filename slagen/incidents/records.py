"""Turn one flat record (CSV row or JSON object) into an Incident.

CSV and JSON/YAML share this so both accept exactly the same fields and give the same
messages. Field names are the documented default header (see FIELDS).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from slagen.incidents.model import Incident, Outage, Pause, normalise_impact
from slagen.incidents.timestamps import parse_duration, parse_time
from slagen.incidents.values import as_text, shown

FIELDS = {
    "id": "unique incident id (required)",
    "service": "service id or name",
    "component": "affected components, separated by ';' (ids, 'service/component', names or aliases)",
    "severity": "severity such as P1, P2 (response/resolution KPIs)",
    "impact": "major_outage | partial_outage | degraded_performance | none (or the source's words: critical, major, minor, outage, degraded…)",
    "cause": "cause category for exclusions: natural_disaster, cyber_attack, scheduled_maintenance…",
    "started_at": "when the outage began, ISO 8601 with offset (required)",
    "detected_at": "when it was detected or reported (response clock start)",
    "acknowledged_at": "when the provider responded",
    "resolved_at": "when it ended; empty = still open (clipped at --as-of)",
    "notice_at": "when maintenance was announced (maintenance notice)",
    "latency": "observed delay, e.g. '7m' or seconds (latency KPIs)",
    "paused": "clock pauses 'START/END reason' separated by ';' (END may be empty)",
    "title": "short description",
    "updates": "times of customer-visible updates, separated by ';' (update_interval KPIs)",
    "affected_percent": "share of users or customers affected, in percent (25 or 25%); the policy's counting.affected_percent says how it counts",
}
REQUIRED = ("id", "started_at")


LISTS = ("component", "paused", "updates")  # may also be lists in JSON/YAML
FREE_TEXT = ("title",)  # may hold tabs and line breaks
MAX_INCIDENT_DAYS = 366  # an outage or incident longer than this is a data error (docs/incidents.md)


def _field_text(name: str, value: Any) -> str:
    also = " or a list of text" if name == "component" else " or a list of pauses" if name == "paused" else ""
    return as_text(value, name, name in FREE_TEXT, also)


def incident_from_fields(fields: Mapping[str, Any], source: str, zone: ZoneInfo | None) -> Incident:
    """Build an Incident; ValueError names the offending field and what would be valid.

    Values are text or null (JSON numbers arrive as their text); `component` and `paused`
    may also be lists. Anything else is a ValueError naming the field.
    """
    text = dict.fromkeys(FIELDS, "")
    for name, value in fields.items():
        if name in LISTS and isinstance(value, list):
            continue
        text[name] = _field_text(name, value)
    get = text.__getitem__
    for name in REQUIRED:
        if not get(name):
            raise ValueError(f"missing {name!r} ({FIELDS[name]})")

    def when(name: str) -> datetime | None:
        value = text[name]
        return parse_time(value, name, zone) if value else None

    started = parse_time(get("started_at"), "started_at", zone)
    resolved = when("resolved_at")
    detected, acknowledged = when("detected_at"), when("acknowledged_at")
    check_times(started, resolved, detected, acknowledged, get)
    impact = normalise_impact(get("impact") or "major_outage")
    if impact is None:
        raise ValueError(f"impact {shown(get('impact'))} is not known; use major_outage, partial_outage, degraded_performance or none")
    raw_components = fields.get("component")
    if isinstance(raw_components, list):
        components = [c for c in (_field_text(f"component[{i}]", c) for i, c in enumerate(raw_components)) if c]
    else:
        components = [c.strip() for c in get("component").split(";") if c.strip()]
    if not components and get("service"):
        components = [get("service")]
    outages = tuple(Outage(c, started, resolved, impact) for c in components)
    latency = parse_duration(get("latency"), "latency") if get("latency") else None
    return Incident(
        id=get("id"),
        started_at=started,
        resolved_at=resolved,
        outages=outages,
        source=source,
        title=get("title"),
        service=get("service") or None,
        severity=get("severity") or None,
        impact=impact,
        cause=get("cause").lower() or None,
        detected_at=detected,
        acknowledged_at=acknowledged,
        notice_at=when("notice_at"),
        latency=latency,
        pauses=_pauses(fields.get("paused"), zone),
        affected_percent=_percent(get("affected_percent")) if get("affected_percent") else None,
        updates=_updates(fields.get("updates"), zone),
    )


def _updates(value: Any, zone: ZoneInfo | None) -> tuple[datetime, ...]:
    """Customer-visible update times: 'T1; T2' or a list of times, kept in time order."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else _field_text("updates", value).split(";")
    out = []
    for i, item in enumerate(items):
        label = f"updates[{i}]" if isinstance(value, list) else "updates"
        text = as_text(item, label).strip()
        if text:
            out.append(parse_time(text, label, zone))
    return tuple(sorted(out))


def _percent(text: str) -> Decimal:
    """An affected share: 0 to 100, written 25, 12.5 or 25% (never a fraction guessed from 0.25)."""
    body = text[:-1].strip() if text.endswith("%") else text
    try:
        value = Decimal(body) if body and all(c.isdigit() or c == "." for c in body) else None
    except InvalidOperation:
        value = None
    if value is None or not 0 <= value <= 100:
        raise ValueError(f"affected_percent {shown(text)} is not a percentage from 0 to 100 (write 25 or 25%)")
    return value


def check_times(started: datetime, resolved: datetime | None, detected: datetime | None, acknowledged: datetime | None,
                get: Callable[[str], str], names: Mapping[str, str] | None = None) -> None:
    """The consistency rules every reader applies (ValueError naming the fields and values).

    Resolution is not before the start; neither detection nor acknowledgement is after the
    resolution (the resolution is the latest possible response: the engine measures an
    incident resolved without an acknowledgement to its resolution); acknowledgement is not
    before detection; an incident lasts at most 366 days.
    """
    name = (names or {}).get

    def say(field: str) -> str:
        return f"{name(field) or field} {get(field)}"

    if resolved is not None:
        if resolved < started:
            raise ValueError(f"{say('resolved_at')} is before {say('started_at')}")
        if resolved - started > timedelta(days=MAX_INCIDENT_DAYS):
            raise ValueError(f"{say('started_at')} to {say('resolved_at')} is longer than {MAX_INCIDENT_DAYS} days; no incident is that long")
        if detected is not None and detected > resolved:
            raise ValueError(f"{say('detected_at')} is after {say('resolved_at')}")
        if acknowledged is not None and acknowledged > resolved:
            raise ValueError(f"{say('acknowledged_at')} is after {say('resolved_at')}")
    if acknowledged is not None and detected is not None and acknowledged < detected:
        raise ValueError(f"{say('acknowledged_at')} is before {say('detected_at')}")


def _pauses(value: Any, zone: ZoneInfo | None) -> tuple[Pause, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        items = value
    else:
        items = [p for p in _field_text("paused", value).split(";") if p.strip()]
    out = []
    for i, item in enumerate(items):
        label = f"paused[{i}]" if isinstance(value, list) else "paused"
        if isinstance(item, Mapping):
            unknown = sorted(str(k) for k in item if k not in ("start", "end", "reason"))
            if unknown:
                raise ValueError(f"{label}: unknown field(s) {shown(', '.join(unknown))}; a pause has start, end and reason")
            start, end, reason = (as_text(item.get(k), f"{label}.{k}") for k in ("start", "end", "reason"))
            what = "needs start and reason"
        else:
            span, _, reason = as_text(item, label, also=" or an object with start, end, reason").partition(" ")
            start, _, end = span.partition("/")
            what = "is not 'START/END reason'"
        if not start or not reason.strip():
            raise ValueError(f"{label}: {shown(str(item))} {what}")
        s = parse_time(start, f"{label} start", zone)
        e = parse_time(end, f"{label} end", zone) if end else None
        if e is not None and e < s:
            raise ValueError(f"{label}: {shown(str(item))} ends before it starts")
        out.append(Pause(s, e, reason.strip()))
    return tuple(out)
