"""Readers: CSV (with a column mapping), JSON/YAML lists, Atlassian Statuspage, Google Cloud.

Each returns a ReadResult. A bad record raises IncidentDataError naming file and row or
record when on_bad_record='fail' (the default); with 'skip' it is listed in `skipped`.
Duplicate ids are bad records too. `read_incidents` picks the reader from the content.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

import yaml

from slagen.errors import IncidentDataError, UsageError
from slagen.files import read_input
from slagen.incidents.model import Incident, Outage, ReadResult, SkippedRecord, normalise_impact
from slagen.incidents.records import FIELDS, incident_from_fields
from slagen.incidents.timestamps import parse_time
from slagen.policy.yamlsrc import GuardedLoader, YamlRefused

FORMATS = ("auto", "csv", "json", "yaml", "statuspage", "gcp")
MAX_BYTES = 512 * 1024 * 1024


class _Collector:
    """Applies the bad-record policy and the duplicate-id rule in one place."""

    def __init__(self, file: str, on_bad_record: str):
        self.file, self.on_bad = file, on_bad_record
        self.incidents: list[Incident] = []
        self.skipped: list[SkippedRecord] = []
        self.ids: dict[str, str] = {}

    def bad(self, record: str, reason: str) -> None:
        if self.on_bad == "fail":
            raise IncidentDataError(self.file, record, reason + " (use --on-bad-record=skip to skip and list such records)")
        self.skipped.append(SkippedRecord(self.file, record, reason))

    def add(self, record: str, build: Callable[[], Incident]) -> None:
        try:
            incident = build()
        except ValueError as exc:
            self.bad(record, str(exc))
            return
        if incident.id in self.ids:
            self.bad(record, f"duplicate id {incident.id!r} (first at {self.ids[incident.id]})")
            return
        self.ids[incident.id] = record
        self.incidents.append(incident)

    def result(self) -> ReadResult:
        return ReadResult(tuple(self.incidents), tuple(self.skipped))


def _read_text(path: Path, raw: bytes | None = None) -> str:
    raw = read_input(path, "an incident file") if raw is None else raw
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IncidentDataError(str(path), "file", "file is UTF-16; save it as UTF-8")
    if b"\x00" in raw[:65536]:
        raise IncidentDataError(str(path), "file", "file contains NUL bytes: this looks like a binary file, not incident data")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IncidentDataError(str(path), f"line {line}", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """['started_at=begin', …] -> {'started_at': 'begin'}; unknown slagen fields are usage errors."""
    mapping = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not column:
            raise UsageError(f"--map {item!r}: write FIELD=COLUMN, e.g. started_at=begin")
        if field not in FIELDS:
            raise UsageError(f"--map {item!r}: unknown field {field!r}; fields: {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping


def read_csv(path: Path, zone: ZoneInfo | None = None, on_bad_record: str = "fail", mapping: Mapping[str, str] | None = None, text: str | None = None) -> ReadResult:
    text = _read_text(path) if text is None else text
    file = str(path)
    fed = [0]  # physical lines handed to the csv module: csv.Error leaves line_num behind

    def lines():
        for physical in io.StringIO(text, newline=""):
            fed[0] += 1
            yield physical

    reader = csv.reader(lines())
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise IncidentDataError(file, "line 1", f"CSV syntax error: {exc}") from None
    columns = {field: (mapping or {}).get(field, field) for field in FIELDS}
    for field in ("id", "started_at"):
        if columns[field] not in header:
            raise IncidentDataError(file, "line 1", f"no column {columns[field]!r} for {field!r}; header has: {', '.join(header) or '(empty)'}; map one with --map {field}=COLUMN")
    position = {name: i for i, name in reversed(list(enumerate(header)))}  # the first of repeated names
    picks = [(field, position[col]) for field, col in columns.items() if col in position]
    width = len(header)
    out = _Collector(file, on_bad_record)
    try:
        for row in reader:
            if not row:
                continue  # a blank line, as csv.DictReader skips it
            line = reader.line_num
            if len(row) > width:
                out.bad(f"line {line}", f"row has {len(row)} fields, header has {width}")
                continue
            if len(row) < width:
                row += [None] * (width - len(row))
            fields = {field: row[i] for field, i in picks}
            out.add(f"line {line}", lambda fields=fields, line=line: incident_from_fields(fields, f"{file}:line {line}", zone))
    except csv.Error as exc:
        raise IncidentDataError(file, f"line {fed[0]}", f"CSV syntax error: {exc}") from None
    return out.result()


def _load_structured(path: Path, text: str, kind: str) -> Any:
    try:
        if kind == "yaml":
            return yaml.load(text, Loader=GuardedLoader)  # noqa: S506 - a SafeLoader that also refuses aliases and deep nesting
        return json.loads(text)
    except YamlRefused as exc:
        raise IncidentDataError(str(path), f"line {exc.mark.line + 1} column {exc.mark.column + 1}", exc.message.replace("in policies", "in incident data")) from None
    except json.JSONDecodeError as exc:
        raise IncidentDataError(str(path), f"line {exc.lineno} column {exc.colno}", f"JSON syntax error: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "file"
        raise IncidentDataError(str(path), where, f"YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise IncidentDataError(str(path), "file", "nested too deeply to be incident data") from None


def read_records(path: Path, data: Any, zone: ZoneInfo | None = None, on_bad_record: str = "fail") -> ReadResult:
    """A JSON/YAML list of incident objects (or {'incidents': [...]}) with the CSV field names."""
    file = str(path)
    if isinstance(data, dict) and isinstance(data.get("incidents"), list):
        data = data["incidents"]
    if not isinstance(data, list):
        raise IncidentDataError(file, "file", "expected a list of incident objects (or an object with an 'incidents' list)")
    out = _Collector(file, on_bad_record)
    for i, item in enumerate(data, start=1):
        record = f"record {i}"
        if not isinstance(item, dict):
            out.bad(record, f"expected an object with incident fields, got {type(item).__name__}")
            continue
        unknown = sorted({str(k) for k in item} - set(FIELDS))  # YAML keys may be null or numbers
        if unknown:
            out.bad(record, f"unknown field(s) {', '.join(unknown)}; fields: {', '.join(FIELDS)}")
            continue
        fields = {k: (v if isinstance(v, list) else (None if v is None else str(v))) for k, v in item.items()}
        out.add(record, lambda fields=fields, record=record: incident_from_fields(fields, f"{file}:{record}", zone))
    return out.result()


_STATUS_ORDER = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4}


def _each_incident(file: str, items: list, on_bad_record: str, build: Callable[[Any, str], Incident]) -> ReadResult:
    """Build every vendor-format incident, naming each record 'incident N (id)'."""
    out = _Collector(file, on_bad_record)
    for i, inc in enumerate(items, start=1):
        record = f"incident {i}" + (f" ({inc.get('id')})" if isinstance(inc, dict) else "")
        out.add(record, lambda inc=inc, record=record: build(inc, f"{file}:{record}"))
    return out.result()


def read_statuspage(path: Path, data: Any, on_bad_record: str = "fail") -> ReadResult:
    """Atlassian Statuspage API v2: {'incidents': [...]} or one {'incident': {...}}.

    Component outages come from replaying incident_updates[].affected_components in time
    order: a component is down from the update that moves it off 'operational' to the
    update that moves it back (or the incident's resolved_at). A component tagged but never
    leaving 'operational' is not down.
    """
    file = str(path)
    items = data["incidents"] if isinstance(data, dict) and "incidents" in data else [data["incident"]] if isinstance(data, dict) and "incident" in data else None
    if not isinstance(items, list):
        raise IncidentDataError(file, "file", "not a Statuspage export: expected {'incidents': [...]} or {'incident': {...}}")
    return _each_incident(file, items, on_bad_record, _statuspage_incident)


def _statuspage_incident(inc: Any, source: str) -> Incident:
    if not isinstance(inc, dict) or not inc.get("id"):
        raise ValueError("not a Statuspage incident object (no 'id')")
    start_text = inc.get("started_at") or inc.get("created_at")
    if not start_text:
        raise ValueError("no started_at or created_at")
    started = parse_time(start_text, "started_at", None)
    resolved = parse_time(inc["resolved_at"], "resolved_at", None) if inc.get("resolved_at") else None
    if resolved is not None and resolved < started:
        raise ValueError(f"resolved_at {inc['resolved_at']} is before started_at {start_text}")
    updates = sorted(
        (u for u in inc.get("incident_updates") or [] if isinstance(u, dict)),
        key=lambda u: u.get("display_at") or u.get("created_at") or "",
    )
    state: dict[str, tuple[str, Any]] = {}  # component -> (status, since)
    outages: list[Outage] = []
    first_ack = None
    for update in updates:
        at_text = update.get("display_at") or update.get("created_at")
        if not at_text:
            continue
        at = max(parse_time(at_text, "incident_updates.display_at", None), started)
        if update.get("status") in ("identified", "monitoring", "resolved") and first_ack is None:
            first_ack = at
        for comp in update.get("affected_components") or []:
            name, new = comp.get("name"), comp.get("new_status", "operational")
            if not name or new not in _STATUS_ORDER:
                continue
            current = state.get(name)
            if current and current[0] != "operational" and current[0] != new:
                outages.append(Outage(name, current[1], at, normalise_impact(current[0]) or "none"))
            if new != "operational" and (not current or current[0] != new):
                state[name] = (new, at)
            elif new == "operational":
                state[name] = ("operational", at)
    for name, (status, since) in state.items():
        if status != "operational":
            outages.append(Outage(name, since, resolved, normalise_impact(status) or "none"))
    outages = [o for o in outages if o.end is None or o.end > o.start]
    impact = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance"}.get(inc.get("impact"), "none")
    return Incident(
        id=str(inc["id"]),
        started_at=started,
        resolved_at=resolved,
        outages=tuple(sorted(outages, key=lambda o: (o.start, o.component))),
        source=source,
        title=str(inc.get("name") or ""),
        impact=impact,
        cause="scheduled_maintenance" if inc.get("impact") == "maintenance" or inc.get("scheduled_for") else None,
        detected_at=parse_time(inc["created_at"], "created_at", None) if inc.get("created_at") else None,
        acknowledged_at=first_ack,
    )


def read_gcp(path: Path, data: Any, on_bad_record: str = "fail") -> ReadResult:
    """Google Cloud status incidents.json: a list with begin/end, severity, affected_products."""
    file = str(path)
    if not isinstance(data, list):
        raise IncidentDataError(file, "file", "not a Google Cloud incidents.json: expected a list of incidents")
    return _each_incident(file, data, on_bad_record, _gcp_incident)


def _gcp_incident(inc: Any, source: str) -> Incident:
    if not isinstance(inc, dict) or not inc.get("id") or not inc.get("begin"):
        raise ValueError("not a Google Cloud incident (needs 'id' and 'begin')")
    started = parse_time(inc["begin"], "begin", None)
    resolved = parse_time(inc["end"], "end", None) if inc.get("end") else None
    if resolved is not None and resolved < started:
        raise ValueError(f"end {inc['end']} is before begin {inc['begin']}")
    status_impact = {"SERVICE_OUTAGE": "major_outage", "SERVICE_DISRUPTION": "partial_outage", "SERVICE_INFORMATION": "degraded_performance"}
    impact = status_impact.get(inc.get("status_impact", ""), normalise_impact(inc.get("severity", "")) or "none")
    products = inc.get("affected_products") or [{"title": inc.get("service_name", "")}]
    names = [p.get("title") for p in products if isinstance(p, dict) and p.get("title")]
    return Incident(
        id=str(inc["id"]),
        started_at=started,
        resolved_at=resolved,
        outages=tuple(Outage(n, started, resolved, impact) for n in names),
        source=source,
        title=str(inc.get("external_desc") or ""),
        severity=inc.get("severity"),
        impact=impact,
        detected_at=parse_time(inc["created"], "created", None) if inc.get("created") else None,
    )


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    head = text.lstrip()[:1]
    if head in ("{", "["):
        if '"incident_updates"' in text[:200000] or text.lstrip().startswith('{"page"'):
            return "statuspage"
        if '"affected_products"' in text[:200000] or '"status_impact"' in text[:200000]:
            return "gcp"
        return "json"
    return "csv"


def read_incidents(path: str | Path, fmt: str = "auto", zone: ZoneInfo | None = None, on_bad_record: str = "fail", mapping: Mapping[str, str] | None = None, raw: bytes | None = None) -> ReadResult:
    """Read one incident file of any supported format.

    With `raw`, those bytes are parsed and `path` only names them in messages and traces
    (an audit pack re-reads its own copies under their names inside the pack).
    """
    path = Path(path)
    text = _read_text(path, raw)
    kind = detect_format(path, text) if fmt == "auto" else fmt
    if kind == "csv":
        return read_csv(path, zone, on_bad_record, mapping, text=text)
    data = _load_structured(path, text, "yaml" if kind == "yaml" else "json")
    if kind == "statuspage":
        return read_statuspage(path, data, on_bad_record)
    if kind == "gcp":
        return read_gcp(path, data, on_bad_record)
    return read_records(path, data, zone, on_bad_record)
