"""Readers: CSV (with a column mapping), JSON/YAML lists, Atlassian Statuspage, Google Cloud.

Each returns a ReadResult. A bad record raises IncidentDataError naming file and row or
record when on_bad_record='fail' (the default); with 'skip' it is listed in `skipped`.
Duplicate ids are bad records too. `read_incidents` picks the reader from the content.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

import yaml

from slagen.errors import IncidentDataError, UsageError
from slagen.files import read_input
from slagen.incidents.model import Incident, Outage, ReadResult, SkippedRecord, normalise_impact
from slagen.incidents.records import FIELDS, check_times, incident_from_fields
from slagen.incidents.timestamps import parse_time
from slagen.incidents.values import JsonNumber, label_id, objects, record_object, shown
from slagen.incidents.values import kind as json_kind
from slagen.incidents.values import text as field
from slagen.incidents.yamldata import load_incident_yaml
from slagen.policy.yamlsrc import YamlRefused

FORMATS = ("auto", "csv", "json", "yaml", "statuspage", "gcp")
MAX_BYTES = 512 * 1024 * 1024


DUPLICATES = ("fail", "first")


class _Collector:
    """Applies the bad-record policy and the duplicate-id rule in one place.

    An id seen before (in this file, or in an earlier file of the same run when the caller
    passes the run's `seen` map) is never counted twice: with duplicates='fail' (the default)
    it is an error naming both places, whatever --on-bad-record says; with 'first' the first
    copy is kept and each later one is listed as skipped.
    """

    def __init__(self, file: str, on_bad_record: str, duplicates: str = "fail", seen: dict[str, str] | None = None,
                 lines: Callable[[int], int | None] | None = None):
        self.file, self.on_bad, self.duplicates, self.lines = file, on_bad_record, duplicates, lines
        self.incidents: list[Incident] = []
        self.skipped: list[SkippedRecord] = []
        self.ids: dict[str, str] = {} if seen is None else seen
        self.own: set[str] = set()

    def located(self, record: str, index: int | None) -> str:
        """'record 3' -> 'record 3 (line 40)', 'incident 3 (abc)' -> 'incident 3 (abc, line 40)'
        when the reader knows where record `index` starts (JSON: looked up only for bad records)."""
        line = self.lines(index) if self.lines is not None and index is not None else None
        if not line:
            return record
        return f"{record[:-1]}, line {line})" if record.endswith(")") else f"{record} (line {line})"

    def bad(self, record: str, reason: str, index: int | None = None) -> None:
        record = self.located(record, index)
        if self.on_bad == "fail":
            raise IncidentDataError(self.file, record, reason + " (use --on-bad-record=skip to skip and list such records)")
        self.skipped.append(SkippedRecord(self.file, record, reason))

    def add(self, record: str, build: Callable[[], Incident], index: int | None = None) -> None:
        try:
            incident = build()
        except ValueError as exc:
            self.bad(record, str(exc), index)
            return
        first = self.ids.get(incident.id)
        if first is not None:
            record = self.located(record, index)
            here = incident.id in self.own  # first seen in this very read: 'line 2'; else the other file's name too
            where = f"first at {first[len(self.file) + 1:]}" if here else f"first at {first}"
            if self.duplicates == "first":
                self.skipped.append(SkippedRecord(self.file, record, f"duplicate id {shown(incident.id)} ({where}): the first copy is kept"))
                return
            raise IncidentDataError(self.file, record, f"duplicate id {shown(incident.id)} ({where}); an incident is counted once "
                                    "(use --duplicates first to keep the first copy and list the others as skipped)")
        self.ids[incident.id] = f"{self.file}:{record}"
        self.own.add(incident.id)
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


def read_csv(path: Path, zone: ZoneInfo | None = None, on_bad_record: str = "fail", mapping: Mapping[str, str] | None = None, text: str | None = None,
             duplicates: str = "fail", seen: dict[str, str] | None = None) -> ReadResult:
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
            raise IncidentDataError(file, "line 1", f"no column {columns[field]!r} for {field!r}; header has: {_columns(header)}; map one with --map {field}=COLUMN")
    position = {name: i for i, name in reversed(list(enumerate(header)))}  # the first of repeated names
    picks = [(field, position[col]) for field, col in columns.items() if col in position]
    width = len(header)
    out = _Collector(file, on_bad_record, duplicates, seen)
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


def _columns(names: list[str]) -> str:
    """Column names from a file, for a message: control characters escaped, at most 200 characters."""
    text = ", ".join(names)
    if not text:
        return "(empty)"
    return shown(text, 200)[1:-1] if text.isprintable() else shown(text, 200)


def _load_structured(path: Path, text: str, kind: str) -> Any:
    """Parse JSON or YAML into lists, dicts, text and None: numbers stay the text they are
    written as (no 5,000-digit int conversion, no float rounding of ids), YAML by 1.2 rules."""
    try:
        if kind == "yaml":
            return load_incident_yaml(text, str(path))
        return json.loads(text, parse_int=JsonNumber, parse_float=JsonNumber, parse_constant=JsonNumber)
    except YamlRefused as exc:
        raise IncidentDataError(str(path), f"line {exc.mark.line + 1} column {exc.mark.column + 1}", exc.message.replace("in policies", "in incident data")) from None
    except json.JSONDecodeError as exc:
        raise IncidentDataError(str(path), f"line {exc.lineno} column {exc.colno}", f"JSON syntax error: {exc.msg}") from None
    except yaml.reader.ReaderError as exc:  # a control character: a position, not a mark
        before = text[: exc.position]
        where = f"line {before.count(chr(10)) + 1} column {exc.position - before.rfind(chr(10))}"
        raise IncidentDataError(str(path), where, f"control character U+{exc.character:04X} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "file"
        raise IncidentDataError(str(path), where, f"YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise IncidentDataError(str(path), "file", "nested too deeply to be incident data") from None


def read_records(path: Path, data: Any, zone: ZoneInfo | None = None, on_bad_record: str = "fail", duplicates: str = "fail", seen: dict[str, str] | None = None,
                 lines: Callable[[int], int | None] | None = None) -> ReadResult:
    """A JSON/YAML list of incident objects (or {'incidents': [...]}) with the CSV field names."""
    file = str(path)
    if isinstance(data, dict) and isinstance(data.get("incidents"), list):
        data = data["incidents"]
    if not isinstance(data, list):
        raise IncidentDataError(file, "file", "expected a list of incident objects (or an object with an 'incidents' list)")
    out = _Collector(file, on_bad_record, duplicates, seen, lines)
    for i, item in enumerate(data, start=1):
        line = getattr(item, "line", None)  # YAML records know their line
        record = f"record {i}" + (f" (line {line})" if line else "")
        if not isinstance(item, dict):
            out.bad(record, f"expected an object with incident fields, got {json_kind(item)}", i)
            continue
        unknown = sorted({str(k) for k in item} - set(FIELDS))
        if unknown:
            out.bad(record, f"unknown field(s) {shown(', '.join(unknown), 200)}; fields: {', '.join(FIELDS)}", i)
            continue
        out.add(record, lambda item=item, record=record: incident_from_fields(item, f"{file}:{record}", zone), i)
    return out.result()


_STATUS_ORDER = {"operational": 0, "under_maintenance": 1, "degraded_performance": 2, "partial_outage": 3, "major_outage": 4}


def _each_incident(file: str, items: list, on_bad_record: str, build: Callable[[Any, str], Incident], duplicates: str = "fail",
                   seen: dict[str, str] | None = None, lines: Callable[[int], int | None] | None = None) -> ReadResult:
    """Build every vendor-format incident, naming each record 'incident N (id)'."""
    out = _Collector(file, on_bad_record, duplicates, seen, lines)
    for i, inc in enumerate(items, start=1):
        ident = label_id(inc.get("id")) if isinstance(inc, dict) else ""
        record = f"incident {i}" + (f" ({ident})" if ident else "")
        out.add(record, lambda inc=inc, record=record: build(inc, f"{file}:{record}"), i)
    return out.result()


def read_statuspage(path: Path, data: Any, on_bad_record: str = "fail", duplicates: str = "fail", seen: dict[str, str] | None = None,
                    lines: Callable[[int], int | None] | None = None) -> ReadResult:
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
    return _each_incident(file, items, on_bad_record, _statuspage_incident, duplicates, seen, lines)


def _statuspage_incident(inc: Any, source: str) -> Incident:
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
            changes.append((field(comp, "name", f"{where}.name"), field(comp, "new_status", f"{where}.new_status") or "operational"))
        timeline.append((at, i, field(update, "status", f"{label}.status"), changes))
    timeline.sort(key=lambda t: (t[0], t[1]))
    state: dict[str, tuple[str, Any]] = {}  # component -> (status, since)
    outages: list[Outage] = []
    first_ack = None
    for at, _, status, changes in timeline:
        if status in ("identified", "monitoring", "resolved") and first_ack is None:
            first_ack = at
        for name, new in changes:
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
    texts = {"started_at": start_text, "resolved_at": resolved_text, "detected_at": created_text,
             "acknowledged_at": first_ack.isoformat().replace("+00:00", "Z") if first_ack else ""}
    check_times(started, resolved, detected, first_ack, texts.__getitem__,
                {"started_at": start_name, "detected_at": "created_at", "acknowledged_at": "the first identified/monitoring update at"})
    impact_word = field(inc, "impact")
    impact = {"critical": "major_outage", "major": "partial_outage", "minor": "degraded_performance"}.get(impact_word, "none")
    return Incident(
        id=ident,
        started_at=started,
        resolved_at=resolved,
        outages=tuple(sorted(outages, key=lambda o: (o.start, o.component))),
        source=source,
        title=field(inc, "name", free_text=True),
        impact=impact,
        cause="scheduled_maintenance" if impact_word == "maintenance" or field(inc, "scheduled_for") else None,
        detected_at=detected,
        acknowledged_at=first_ack,
    )


def read_gcp(path: Path, data: Any, on_bad_record: str = "fail", duplicates: str = "fail", seen: dict[str, str] | None = None,
             lines: Callable[[int], int | None] | None = None) -> ReadResult:
    """Google Cloud status incidents.json: a list with begin/end, severity, affected_products."""
    file = str(path)
    if not isinstance(data, list):
        raise IncidentDataError(file, "file", "not a Google Cloud incidents.json: expected a list of incidents")
    return _each_incident(file, data, on_bad_record, _gcp_incident, duplicates, seen, lines)


def _gcp_incident(inc: Any, source: str) -> Incident:
    inc = record_object(inc, "a Google Cloud incident")
    ident, begin = field(inc, "id"), field(inc, "begin")
    if not ident or not begin:
        raise ValueError("not a Google Cloud incident (needs 'id' and 'begin')")
    end, created = field(inc, "end"), field(inc, "created")
    started = parse_time(begin, "begin", None)
    resolved = parse_time(end, "end", None) if end else None
    check_times(started, resolved, None, None, {"started_at": begin, "resolved_at": end}.__getitem__, {"started_at": "begin", "resolved_at": "end"})
    status_impact = {"SERVICE_OUTAGE": "major_outage", "SERVICE_DISRUPTION": "partial_outage", "SERVICE_INFORMATION": "degraded_performance"}
    severity = field(inc, "severity")
    impact = status_impact.get(field(inc, "status_impact"), normalise_impact(severity) or "none")
    products = objects(inc, "affected_products") or [{"title": field(inc, "service_name")}]
    names = [n for n in (field(p, "title", f"affected_products[{i}].title") for i, p in enumerate(products)) if n]
    return Incident(
        id=ident,
        started_at=started,
        resolved_at=resolved,
        outages=tuple(Outage(n, started, resolved, impact) for n in names),
        source=source,
        title=field(inc, "external_desc", free_text=True),
        severity=severity or None,
        impact=impact,
        # Google posts many incidents after they end: 'created' is when the post was made,
        # so it is recorded as detection only when it is not after the end.
        detected_at=(lambda at: at if resolved is None or at <= resolved else None)(parse_time(created, "created", None)) if created else None,
    )


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


class _JsonRecordLines:
    """Line of the N-th incident record in a JSON text of several lines (1-based N), found by
    one scan of the text made only when a bad record needs naming. The records are the elements of the
    top-level list, or of the list under the top-level key "incidents" (one object under
    "incident"), as the readers take them."""

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] | None = None  # line of each record, once scanned

    def __call__(self, index: int) -> int | None:
        if self.starts is None:
            if "\n" not in self.text.strip():
                self.starts = []  # one line: a line number would say nothing
                return None
            self.starts, line, at = [], 1, 0
            for start in self._scan():  # positions -> lines, counting each stretch once
                line += self.text.count("\n", at, start)
                at = start
                self.starts.append(line)
        return self.starts[index - 1] if 1 <= index <= len(self.starts) else None

    def _scan(self) -> list[int]:
        text, starts, depth, target, key = self.text, [], 0, None, None
        first = re.search(r"\S", text)
        if first is None:
            return []
        if first.group() == "[":
            target = 1
        for match in _JSON_TOKEN.finditer(text):
            token = match.group()
            if token[0] == '"':
                key = token if depth == 1 else key
                continue
            if token in "[{":
                depth += 1
                if target is None and depth == 2 and key in ('"incidents"', '"incident"'):
                    if key == '"incident"' and token == "{":
                        return [match.start()]
                    if token == "[":
                        target = 2
                if depth == target and token == "[":
                    self._element(match.end(), starts)
            elif token in "]}":
                if depth == target:
                    return starts
                depth -= 1
            elif token == "," and depth == target:
                self._element(match.end(), starts)
            elif token == ":" and depth == 1:
                continue
            elif token == "," and depth == 1:
                key = None
        return starts

    def _element(self, position: int, starts: list[int]) -> None:
        found = re.compile(r"\S").search(self.text, position)
        if found and found.group() not in "]":
            starts.append(found.start())


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


def read_incidents(path: str | Path, fmt: str = "auto", zone: ZoneInfo | None = None, on_bad_record: str = "fail", mapping: Mapping[str, str] | None = None, raw: bytes | None = None,
                   duplicates: str = "fail", seen: dict[str, str] | None = None) -> ReadResult:
    """Read one incident file of any supported format.

    With `raw`, those bytes are parsed and `path` only names them in messages and traces
    (an audit pack re-reads its own copies under their names inside the pack). `seen` maps
    the ids of files read earlier in the same run to 'file:record', so an id repeated across
    files is caught like one repeated within a file (see `_Collector`); it is updated.
    """
    path = Path(path)
    text = _read_text(path, raw)
    kind = detect_format(path, text) if fmt == "auto" else fmt
    if kind == "csv":
        return read_csv(path, zone, on_bad_record, mapping, text=text, duplicates=duplicates, seen=seen)
    data = _load_structured(path, text, "yaml" if kind == "yaml" else "json")
    lines = None if kind == "yaml" else _JsonRecordLines(text)  # YAML records carry their own lines
    if kind == "statuspage":
        return read_statuspage(path, data, on_bad_record, duplicates, seen, lines)
    if kind == "gcp":
        return read_gcp(path, data, on_bad_record, duplicates, seen, lines)
    return read_records(path, data, zone, on_bad_record, duplicates, seen, lines)
