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
`Product/region` (e.g. `Google Compute Engine/us-central1`); each still matches a policy that
names only the product. Each update names its own `affected_locations`, and the regions follow
the updates: a region is affected from the first update that names it until the first later
update that names locations but not it (again if a later update names it again), or to `end`.
What the real file holds decides the details (2021–2022: 492 of 770 updates name no location,
13 incidents change their list):

- only the updates that set the status count (those posted before `end`, not `AVAILABLE`):
  a resolution's list names where it is resolved, often Google's full list of regions, and
  never a region newly down; updates after `end` are retrospective;
- an update naming no location says nothing about them: the last list goes on, and the first
  list reaches back to `begin` as the first status does;
- when no such update names a location (all the locations come in the resolution, in updates
  after `end`, or only in `previously_affected_locations`), every region of the union of
  `previously_affected_locations` and `currently_affected_locations` is affected for the whole
  incident; an incident with no locations at all keeps the product alone.

So a region's outage is never longer than under the union rule (in 2021–2022, 5 of 157
incidents read shorter: 23,782 product-region hours instead of 24,671), and a region named only
in a resolution while other updates name regions is not counted. Incident `eMrkQFQCj1Xmf3trQRNt`
(2022-05-27) is `global` from `begin` 20:42:25 to 21:50:05 and `eu` from then to `end`
22:12:21; the 32 regions of its resolution are not counted.
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


Span = tuple[Any, Any, str]


def _posts(inc: dict, started, resolved, regions: bool) -> list[tuple[Any, int, str, frozenset[str]]]:
    """(time, index, impact, locations named) of each update that sets the status before `end`,
    in order (the locations only when read by region); a post before `begin` counts from `begin`."""
    posts = []
    for i, update in enumerate(objects(inc, "updates")):
        label = f"updates[{i}]"
        status = field(update, "status", f"{label}.status")
        when = field(update, "when", f"{label}.when") or field(update, "created", f"{label}.created")
        if status not in STATUS_IMPACT or not when:
            continue
        at = parse_time(when, f"{label}.when", None)
        if resolved is None or at < resolved:
            places = frozenset(_places(update, "affected_locations", f"{label}.affected_locations") if regions else ())
            posts.append((max(at, started), i, STATUS_IMPACT[status], places))
    posts.sort(key=lambda p: (p[0], p[1]))
    return posts


def _places(record: dict, key: str, label: str) -> list[str]:
    """The location ids listed under `key`, in order, each once."""
    places: list[str] = []
    for i, loc in enumerate(objects(record, key, label)):
        place = field(loc, "id", f"{label}[{i}].id")
        if place and place not in places:
            places.append(place)
    return places


def _timeline(posts: list, started, resolved, impact: str, union: list[str], regions: bool) -> dict[str | None, list[Span]]:
    """(start, end, impact) spans from `begin` to `end` as the updates say, per region (None: the
    product without regions). The rules are the module's docstring."""
    if not posts:
        whole = [(started, resolved, impact)]
        return {place: whole for place in union} if regions and union else {None: whole}
    lists = [places for *_, places in posts if places]
    current = lists[0] if regions and lists else frozenset(union) if regions and union else frozenset({None})
    segments = []
    for k, (at, _, what, places) in enumerate(posts):
        if regions and lists:
            current = places or current
        start = started if k == 0 else at
        end = posts[k + 1][0] if k + 1 < len(posts) else resolved
        if end is None or end > start:
            segments.append((start, end, what, current))
    out: dict[str | None, list[Span]] = {}
    for place in sorted(frozenset().union(*(c for *_, c in segments)), key=lambda p: p or ""):
        spans: list[list] = []
        for start, end, what, current in segments:
            if place not in current:
                continue
            if spans and spans[-1][1] == start and spans[-1][2] == what:
                spans[-1][1] = end
            else:
                spans.append([start, end, what])
        out[place] = [(s, e, w) for s, e, w in spans]
    return out


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
    union = [p for key in ("previously_affected_locations", "currently_affected_locations") for p in _places(inc, key, key)] if regions else []
    timeline = _timeline(_posts(inc, started, resolved, regions), started, resolved, impact, list(dict.fromkeys(union)), regions)
    outages = []
    for name, pid in named:
        for place, spans in timeline.items():
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
