"""Turn one flat record (CSV row or JSON object) into an Incident.

CSV and JSON/YAML share this so both accept exactly the same fields and give the same
messages. Field names are the documented default header (see FIELDS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from slagen.incidents.model import Incident, Outage, Pause, normalise_impact
from slagen.incidents.timestamps import parse_duration, parse_time

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
}
REQUIRED = ("id", "started_at")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def incident_from_fields(fields: Mapping[str, Any], source: str, zone: ZoneInfo | None) -> Incident:
    """Build an Incident; ValueError names the offending field and what would be valid."""
    text = dict.fromkeys(FIELDS, "")
    for name, value in fields.items():
        if isinstance(value, str):
            text[name] = value.strip()
        elif not isinstance(value, list):
            text[name] = _text(value)
    get = text.__getitem__
    for name in REQUIRED:
        if not get(name):
            raise ValueError(f"missing {name!r} ({FIELDS[name]})")

    def when(name: str) -> datetime | None:
        value = text[name]
        return parse_time(value, name, zone) if value else None

    started = parse_time(get("started_at"), "started_at", zone)
    resolved = when("resolved_at")
    if resolved is not None and resolved < started:
        raise ValueError(f"resolved_at {get('resolved_at')} is before started_at {get('started_at')}")
    detected, acknowledged = when("detected_at"), when("acknowledged_at")
    if acknowledged is not None and acknowledged < (detected or started) and detected is not None:
        raise ValueError(f"acknowledged_at {get('acknowledged_at')} is before detected_at {get('detected_at')}")
    impact = normalise_impact(get("impact") or "major_outage")
    if impact is None:
        raise ValueError(f"impact {get('impact')!r} is not known; use major_outage, partial_outage, degraded_performance or none")
    raw_components = fields.get("component")
    if isinstance(raw_components, list):
        components = [_text(c) for c in raw_components if _text(c)]
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
    )


def _pauses(value: Any, zone: ZoneInfo | None) -> tuple[Pause, ...]:
    if not value:
        return ()
    items = value if isinstance(value, list) else [p for p in str(value).split(";") if p.strip()]
    out = []
    for item in items:
        if isinstance(item, Mapping):
            start, end, reason = _text(item.get("start")), _text(item.get("end")), _text(item.get("reason"))
        else:
            span, _, reason = str(item).strip().partition(" ")
            start, _, end = span.partition("/")
        if not start or not reason:
            raise ValueError(f"paused: {item!r} is not 'START/END reason'")
        s = parse_time(start, "paused start", zone)
        e = parse_time(end, "paused end", zone) if end else None
        if e is not None and e < s:
            raise ValueError(f"paused: {item!r} ends before it starts")
        out.append(Pause(s, e, reason.strip()))
    return tuple(out)
