"""`gcp`: Google Cloud status `incidents.json` (a list of incidents).

`begin`/`end` bound the incident; `affected_products[].title` are the components (with the
product `id` as the component's id, so a policy may list either). The impact changes inside
an incident as Google's updates say: from `begin` each span has the status of the latest
update posted at or before it (the first update's status reaches back to `begin`), so
"disruption, then outage from 15:51" is a partial outage then a major one
(`SERVICE_OUTAGE` → major, `SERVICE_DISRUPTION` → partial, `SERVICE_INFORMATION` → degraded).
`AVAILABLE` updates and updates posted after `end` do not change it (`end` is the end);
without updates, `status_impact` (else `severity`) holds for the whole incident.

`created` is taken as detection only when it is not after `end`: Google posts many incidents
after they are over (22 of 157 in 2021–2022), and a post is not a detection.

`gcp_regions` reads the same file with one component per product and affected region,
`Product/region` (e.g. `Google Compute Engine/us-central1`), from the union of
`previously_affected_locations` and `currently_affected_locations` (an incident with no
locations keeps the product alone). Each still matches a policy that names only the product.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slagen.errors import IncidentDataError
from slagen.incidents.model import Incident, Outage, ReadResult, normalise_impact
from slagen.incidents.records import check_times
from slagen.incidents.timestamps import parse_time
from slagen.incidents.values import objects, record_object
from slagen.incidents.values import text as field

ID = "gcp"
SUMMARY = "Google Cloud status incidents.json"
LOAD = "json"
FIELDS: dict[str, str] = {}
STATUS_IMPACT = {"SERVICE_OUTAGE": "major_outage", "SERVICE_DISRUPTION": "partial_outage", "SERVICE_INFORMATION": "degraded_performance"}


def detect(path: Path, text: str) -> bool:
    return '"affected_products"' in text[:200000] or '"status_impact"' in text[:200000]


def read(path: Path, data: Any, options, regions: bool = False) -> ReadResult:
    from slagen.incidents.readers import each_incident

    file = str(path)
    if not isinstance(data, list):
        raise IncidentDataError(file, "file", "not a Google Cloud incidents.json: expected a list of incidents")
    return each_incident(file, data, lambda inc, source: incident(inc, source, regions), options)


def _spans(inc: dict, started, resolved, impact: str) -> list[tuple[Any, Any, str]]:
    """(start, end, impact) from `begin` to `end` as the updates say."""
    posts = []
    for i, update in enumerate(objects(inc, "updates")):
        label = f"updates[{i}]"
        status = field(update, "status", f"{label}.status")
        when = field(update, "when", f"{label}.when") or field(update, "created", f"{label}.created")
        if status not in STATUS_IMPACT or not when:
            continue
        at = parse_time(when, f"{label}.when", None)
        if resolved is None or at < resolved:
            posts.append((max(at, started), i, STATUS_IMPACT[status]))
    if not posts:
        return [(started, resolved, impact)]
    posts.sort(key=lambda p: (p[0], p[1]))
    spans: list[list] = []
    for at, _, what in posts:
        if spans and spans[-1][2] == what:
            continue
        if spans:
            spans[-1][1] = at
        spans.append([at if spans else started, resolved, what])
    return [(s, e, w) for s, e, w in spans if e is None or e > s]


def incident(inc: Any, source: str, regions: bool = False) -> Incident:
    inc = record_object(inc, "a Google Cloud incident")
    ident, begin = field(inc, "id"), field(inc, "begin")
    if not ident or not begin:
        raise ValueError("not a Google Cloud incident (needs 'id' and 'begin')")
    end, created = field(inc, "end"), field(inc, "created")
    started = parse_time(begin, "begin", None)
    resolved = parse_time(end, "end", None) if end else None
    check_times(started, resolved, None, None, {"started_at": begin, "resolved_at": end}.__getitem__, {"started_at": "begin", "resolved_at": "end"})
    severity = field(inc, "severity")
    impact = STATUS_IMPACT.get(field(inc, "status_impact"), normalise_impact(severity) or "none")
    products = objects(inc, "affected_products") or [{"title": field(inc, "service_name")}]
    named = [(field(p, "title", f"affected_products[{i}].title"), field(p, "id", f"affected_products[{i}].id")) for i, p in enumerate(products)]
    named = [(n, pid or None) for n, pid in named if n]
    places: list[str] = []
    if regions:
        for key in ("previously_affected_locations", "currently_affected_locations"):
            for i, loc in enumerate(objects(inc, key)):
                place = field(loc, "id", f"{key}[{i}].id")
                if place and place not in places:
                    places.append(place)
    spans = _spans(inc, started, resolved, impact)
    outages = []
    for name, pid in named:
        for place in sorted(places) or [None]:
            component, alt = (f"{name}/{place}", name) if place else (name, pid)
            outages.extend(Outage(component, s, e, what, None, alt) for s, e, what in spans)
    return Incident(
        id=ident,
        started_at=started,
        resolved_at=resolved,
        outages=tuple(outages),
        source=source,
        title=field(inc, "external_desc", free_text=True),
        severity=severity or None,
        impact=impact,
        # Google posts many incidents after they end: 'created' is when the post was made,
        # so it is recorded as detection only when it is not after the end.
        detected_at=(lambda at: at if resolved is None or at <= resolved else None)(parse_time(created, "created", None)) if created else None,
    )
