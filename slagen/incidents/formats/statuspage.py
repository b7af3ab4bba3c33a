"""`statuspage`: Atlassian Statuspage API v2, `GET /api/v2/incidents.json`
(`{"page": …, "incidents": […]}`) or one incident (`{"incident": {…}}`).

Component outages come from replaying `incident_updates[].affected_components` in time
order: a component is down from the update that moves it off `operational` until the update
that moves it back (or the incident's `resolved_at`), with the status as its impact. A
component tagged but never leaving `operational` is not down. The first
`identified`/`monitoring`/`resolved` update is the acknowledgement; `created_at` the detection;
every update's `display_at` is a customer-visible update (update_interval KPIs).

Maintenance: a component `under_maintenance` is unavailable for that span (impact
`major_outage`) with the cause `scheduled_maintenance`, whatever the rest of the incident
is, so a policy that excludes scheduled maintenance excludes exactly those spans (and one that
does not counts them). An incident with `scheduled_for` set, or `impact: maintenance`, is
maintenance as a whole; its `created_at` is the notice (when it was announced).

Components are named by their `name` and also carry their Statuspage id (`code` in an
update, `id` in `components[]`): the policy matches either, so a component renamed on the
status page still matches by id (or by an old name listed in the policy's `aliases`).
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

ID = "statuspage"
SUMMARY = "Atlassian Statuspage incidents.json or one incident's JSON"
LOAD = "json"
FIELDS: dict[str, str] = {}
MAINTENANCE = "scheduled_maintenance"
_STATUS_ORDER = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4}


def detect(path: Path, text: str) -> bool:
    return '"incident_updates"' in text[:200000] or text.lstrip().startswith('{"page"')


def read(path: Path, data: Any, options) -> ReadResult:
    from slagen.incidents.readers import each_incident

    file = str(path)
    items = data["incidents"] if isinstance(data, dict) and "incidents" in data else [data["incident"]] if isinstance(data, dict) and "incident" in data else None
    if not isinstance(items, list):
        raise IncidentDataError(file, "file", "not a Statuspage export: expected {'incidents': [...]} or {'incident': {...}}")
    return each_incident(file, items, _incident, options)


def _incident(inc: Any, source: str) -> Incident:
    inc = record_object(inc, "a Statuspage incident")
    ident = field(inc, "id")
    if not ident:
        raise ValueError("not a Statuspage incident object (no 'id')")
    start_name = "started_at" if field(inc, "started_at") else "created_at"
    start_text = field(inc, start_name)
    if not start_text:
        raise ValueError("no started_at or created_at")
    started = parse_time(start_text, start_name, None)
    resolved_text, created_text = field(inc, "resolved_at"), field(inc, "created_at")
    resolved = parse_time(resolved_text, "resolved_at", None) if resolved_text else None
    detected = parse_time(created_text, "created_at", None) if created_text else None
    ids: dict[str, str] = {}  # component name -> Statuspage id
    for i, comp in enumerate(objects(inc, "components")):
        name, cid = field(comp, "name", f"components[{i}].name"), field(comp, "id", f"components[{i}].id")
        if name and cid:
            ids[name] = cid
    timeline = []
    for i, update in enumerate(objects(inc, "incident_updates")):
        label = f"incident_updates[{i}]"
        at_name = "display_at" if field(update, "display_at", f"{label}.display_at") else "created_at"
        at_text = field(update, at_name, f"{label}.{at_name}")
        if not at_text:
            continue
        at = max(parse_time(at_text, f"{label}.{at_name}", None), started)
        changes = []
        for j, comp in enumerate(objects(update, "affected_components", f"{label}.affected_components")):
            where = f"{label}.affected_components[{j}]"
            name, code = field(comp, "name", f"{where}.name"), field(comp, "code", f"{where}.code")
            if name and code:
                ids.setdefault(name, code)
            changes.append((name, field(comp, "new_status", f"{where}.new_status") or "operational"))
        timeline.append((at, i, field(update, "status", f"{label}.status"), changes))
    timeline.sort(key=lambda t: (t[0], t[1]))
    state: dict[str, tuple[str, Any]] = {}  # component -> (status, since)
    spans: list[tuple[str, Any, Any, str]] = []
    first_ack = None
    for at, _, status, changes in timeline:
        if status in ("identified", "monitoring", "resolved") and first_ack is None:
            first_ack = at
        for name, new in changes:
            if not name or new not in _STATUS_ORDER:
                continue
            current = state.get(name)
            if current and current[0] != "operational" and current[0] != new:
                spans.append((name, current[1], at, current[0]))
            if new != "operational" and (not current or current[0] != new):
                state[name] = (new, at)
            elif new == "operational":
                state[name] = ("operational", at)
    for name, (status, since) in state.items():
        if status != "operational":
            spans.append((name, since, resolved, status))
    outages = [Outage(name, s, e, normalise_impact(status) or "none", MAINTENANCE if status == "under_maintenance" else None, ids.get(name))
               for name, s, e, status in spans if e is None or e > s]
    texts = {"started_at": start_text, "resolved_at": resolved_text, "detected_at": created_text,
             "acknowledged_at": first_ack.isoformat().replace("+00:00", "Z") if first_ack else ""}
    check_times(started, resolved, detected, first_ack, texts.__getitem__,
                {"started_at": start_name, "detected_at": "created_at", "acknowledged_at": "the first identified/monitoring update at"})
    impact_word = field(inc, "impact")
    impact = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance"}.get(impact_word, "none")
    scheduled = impact_word == "maintenance" or bool(field(inc, "scheduled_for"))
    return Incident(
        id=ident,
        started_at=started,
        resolved_at=resolved,
        outages=tuple(sorted(outages, key=lambda o: (o.start, o.component))),
        source=source,
        title=field(inc, "name", free_text=True),
        impact=impact,
        cause=MAINTENANCE if scheduled else None,
        detected_at=detected,
        acknowledged_at=first_ack,
        notice_at=detected if scheduled and detected is not None and detected <= started else None,
        updates=tuple(sorted(at for at, *_ in timeline)),
    )
