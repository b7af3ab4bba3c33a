"""Readers: CSV (with a column mapping) and JSON/YAML lists; vendor and monitoring formats are
modules of `slagen.incidents.formats`, dispatched from here.

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
from slagen.incidents.model import Incident, ReadResult, SkippedRecord
from slagen.incidents.records import FIELDS, incident_from_fields
from slagen.incidents.values import JsonNumber, label_id, shown
from slagen.incidents.values import kind as json_kind
from slagen.incidents.yamldata import load_incident_yaml
from slagen.policy.yamlsrc import YamlRefused

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


def parse_mapping(items: Iterable[str], more: Mapping[str, str] | None = None) -> dict[str, str]:
    """['started_at=begin', …] -> {'started_at': 'begin'}; unknown slagen fields are usage errors.
    `more`: fields other readers take (the CLI adds the monitoring-sample fields)."""
    mapping = {}
    known = {**FIELDS, **_extra_fields(), **(more or {})}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not column:
            raise UsageError(f"--map {item!r}: write FIELD=COLUMN, e.g. started_at=begin")
        if field not in known:
            raise UsageError(f"--map {item!r}: unknown field {field!r}; fields: {', '.join(known)}")
        mapping[field] = column
    return mapping


def _extra_fields() -> dict[str, str]:
    from slagen.incidents.formats import EXTRA_FIELDS

    return EXTRA_FIELDS


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
        from slagen.incidents.formats import FORMATS as MODULES

        got = f"an object with keys {shown(', '.join(sorted(str(k) for k in data)[:8]), 120)}" if isinstance(data, dict) else json_kind(data)
        raise IncidentDataError(file, "file", f"expected a list of incident objects (or an object with an 'incidents' list), got {got}: "
                                f"not slagen's format nor one it recognises (--incident-format names them: {', '.join(MODULES)})")
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


def each_incident(file: str, items: list, build: Callable[[Any, str], Incident], options) -> ReadResult:
    """Build every vendor-format incident, naming each record 'incident N (id)' (the format
    modules in `slagen.incidents.formats` call this with their ReadOptions)."""
    out = _Collector(file, options.on_bad_record, options.duplicates, options.seen, options.lines)
    for i, inc in enumerate(items, start=1):
        ident = label_id(inc.get("id")) if isinstance(inc, dict) else ""
        record = f"incident {i}" + (f" ({ident})" if ident else "")
        out.add(record, lambda inc=inc, record=record: build(inc, f"{file}:{record}"), i)
    return out.result()


def collector(file: str, options) -> "_Collector":
    """The bad-record and duplicate-id rules for a format module that names its own records."""
    return _Collector(file, options.on_bad_record, options.duplicates, options.seen, options.lines)


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
    """The format --incident-format auto picks: a registered format whose detect() says so
    (first in registry order), else CSV, YAML or slagen's JSON by extension and content."""
    from slagen.incidents.formats import FORMATS as MODULES

    for fmt, module in MODULES.items():
        if module.detect(path, text):
            return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    head = text.lstrip()[:1]
    if head in ("{", "["):
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
    from slagen.incidents.formats import FORMATS as MODULES, ReadOptions

    module = MODULES.get(kind)
    load = module.LOAD if module is not None else ("yaml" if kind == "yaml" else "json")
    data = text if load == "text" else _load_structured(path, text, load)
    lines = _JsonRecordLines(text) if load == "json" else None  # YAML records carry their own lines
    if module is not None:
        return module.read(path, data, ReadOptions(zone, on_bad_record, duplicates, seen, lines, dict(mapping or {})))
    return read_records(path, data, zone, on_bad_record, duplicates, seen, lines)
