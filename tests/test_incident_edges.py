"""The edges of incident input (issue 14): every field of every reader with every wrong JSON
type, text slagen refuses, YAML 1.2 scalars, inconsistent records, the same incident twice,
and sample paths read literally. Each input either reads or raises a located SlagenError;
no other exception ever leaves a reader.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from slagen.errors import IncidentDataError, SlagenError
from slagen.incidents.readers import read_incidents

from .conftest import ROOT

FULL_RECORD = {
    "id": "A", "service": "dingtalk", "component": "app", "severity": "P1", "impact": "partial_outage", "cause": "natural_disaster",
    "started_at": "2026-10-05T10:00:00+08:00", "detected_at": "2026-10-05T10:01:00+08:00", "acknowledged_at": "2026-10-05T10:02:00+08:00",
    "resolved_at": "2026-10-05T10:30:00+08:00", "notice_at": "2026-10-01T10:00:00+08:00", "latency": "7m",
    "paused": [{"start": "2026-10-05T10:05:00+08:00", "end": "2026-10-05T10:10:00+08:00", "reason": "waiting_on_customer"}], "title": "t",
}
STATUSPAGE = {"page": {"id": "p"}, "incidents": [{
    "id": "i1", "name": "Git down", "created_at": "2023-06-01T10:00:00.000Z", "started_at": "2023-06-01T10:00:00.000Z",
    "resolved_at": "2023-06-01T11:00:00.000Z", "impact": "major", "scheduled_for": None, "components": [{"name": "Git Operations"}],
    "incident_updates": [
        {"status": "investigating", "created_at": "2023-06-01T10:00:00.000Z", "display_at": "2023-06-01T10:00:00.000Z",
         "affected_components": [{"name": "Git Operations", "old_status": "operational", "new_status": "major_outage"}]},
        {"status": "resolved", "created_at": "2023-06-01T11:00:00.000Z",
         "affected_components": [{"name": "Git Operations", "old_status": "major_outage", "new_status": "operational"}]},
    ],
}]}
GCP = [{
    "id": "g1", "number": "1", "begin": "2021-01-01T00:00:00+00:00", "created": "2021-01-01T00:05:00+00:00", "end": "2021-01-01T01:00:00+00:00",
    "severity": "high", "status_impact": "SERVICE_OUTAGE", "service_name": "Compute", "affected_products": [{"title": "Compute Engine", "id": "c"}],
    "external_desc": "x", "updates": [],
}]
# (name, sample, format, suffix, what a record is called in messages)
READERS = [
    ("json", [FULL_RECORD], "json", ".json", "record 1"),
    ("yaml", [FULL_RECORD], "yaml", ".yaml", "record 1"),
    ("statuspage", STATUSPAGE, "statuspage", ".json", "incident 1"),
    ("gcp", GCP, "gcp", ".json", "incident 1"),
]
WRONG = [None, 0, -1, 1.5, True, False, "", "x", [], ["x"], [[]], [None], {}, {"a": 1}, 10**40, "\x00", "\ud800", "a\u0085b"]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, prefix + (i,))


def replaced(value, path, new):
    if not path:
        return new
    out = copy.deepcopy(value)
    target = out
    for key in path[:-1]:
        target = target[key]
    if new is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return out


_DELETE = object()


def encode(data, fmt: str) -> bytes:
    return json.dumps(data).encode()  # JSON is YAML too (flow style, \u escapes in double quotes)


def read(data: bytes, fmt: str, suffix: str, **options):
    return read_incidents(Path(f"in{suffix}"), fmt, raw=data, **options)


@pytest.mark.parametrize("name, sample, fmt, suffix, record", READERS, ids=[r[0] for r in READERS])
def test_every_field_with_every_wrong_type(name, sample, fmt, suffix, record):
    """Each value in the sample (at every depth) replaced by each wrong JSON type, or deleted:
    a result or a SlagenError, never another exception; a refused record is named."""
    assert len(read(encode(sample, fmt), fmt, suffix).incidents) == 1  # the sample itself is valid
    tried = 0
    for path in paths(sample):
        for new in [*WRONG, _DELETE] if path else WRONG:
            data = encode(replaced(sample, path, new), fmt)
            for on_bad in ("fail", "skip"):
                tried += 1
                try:
                    result = read(data, fmt, suffix, on_bad_record=on_bad)
                except IncidentDataError as exc:
                    assert str(exc).startswith(f"in{suffix}:"), exc
                    assert "\n" not in str(exc) and "\x00" not in str(exc) and "\ud800" not in str(exc)
                    continue
                except SlagenError:
                    continue
                for incident in result.incidents:  # what is accepted is clean text
                    for text in (incident.id, incident.title, *incident.components):
                        assert isinstance(text, str) and "\x00" not in text and "\ud800" not in text
                for skipped in result.skipped:
                    assert skipped.record.startswith(record), skipped
    assert tried > 100


@pytest.mark.parametrize("field", ["id", "service", "component", "severity", "impact", "cause", "started_at", "title", "latency", "paused"])
@pytest.mark.parametrize("value, says", [
    ([1, 2], "expected text"), ({"a": 1}, "expected text"), (True, "got true/false"),
    ("a\x00b", "control character U+0000"), ("a\x1bb", "control character U+001B"), ("a\ud800b", "lone UTF-16 surrogate U+D800"),
    ("a\x85b", "control character U+0085"), ("a\ufffeb", "non-character U+FFFE"),
])
def test_a_wrong_value_names_the_field_and_record(field, value, says):
    if field in ("component", "paused") and isinstance(value, list):
        value = [[1]]  # a list is allowed there; a list of lists is not
        says = "expected text" if field == "component" else "paused[0]"
    data = json.dumps([FULL_RECORD, {**FULL_RECORD, "id": "B", field: value}]).encode("utf-8", "surrogatepass")
    with pytest.raises(IncidentDataError) as info:
        read(data, "json", ".json")
    assert str(info.value).startswith("in.json:record 2: ") and says in str(info.value) and field in str(info.value)
    skipped = read(data, "json", ".json", on_bad_record="skip").skipped
    assert [s.record for s in skipped] == ["record 2"]


def test_titles_may_hold_line_breaks_and_tabs_other_fields_may_not():
    (incident,) = read(json.dumps([{**FULL_RECORD, "title": "line one\n\tline two"}]).encode(), "json", ".json").incidents
    assert incident.title == "line one\n\tline two"
    with pytest.raises(IncidentDataError, match="record 1: component: a control character U\\+000A"):
        read(json.dumps([{**FULL_RECORD, "component": "app\nweb"}]).encode(), "json", ".json")


def test_huge_numbers_and_deep_values_are_text_or_refused():
    huge = b'[{"id": ' + b"9" * 5000 + b', "started_at": "2026-10-05T10:00:00+08:00", "latency": 1' + b"0" * 5000 + b"}]"
    with pytest.raises(IncidentDataError, match="record 1: latency: .* is not a duration"):
        read(huge, "json", ".json")
    (incident,) = read(huge.replace(b', "latency": 1' + b"0" * 5000, b""), "json", ".json").incidents
    assert incident.id == "9" * 5000  # a JSON number is the text it is written as
    (incident,) = read(b'[{"id": 42.50, "started_at": "2026-10-05T10:00:00+08:00", "latency": 90}]', "json", ".json").incidents
    assert incident.id == "42.50" and incident.latency.total_seconds() == 90
    deep = b'[{"id": "A", "started_at": "2026-10-05T10:00:00+08:00", "component": ' + b"[" * 500 + b"]" * 500 + b"}]"
    with pytest.raises(IncidentDataError, match="record 1: component\\[0\\]: expected text"):
        read(deep, "json", ".json")
    with pytest.raises(IncidentDataError, match="in.json:record 1: started_at: 'NaN' is not an ISO 8601"):
        read(b'[{"id": "A", "started_at": NaN}]', "json", ".json")


def test_nul_and_control_characters_deep_in_a_file():
    padding = [{**FULL_RECORD, "id": f"P{i}"} for i in range(400)]  # > 64 KB before the bad byte
    for suffix, fmt in ((".json", "json"), (".yaml", "yaml")):
        raw = json.dumps(padding).encode()
        assert len(raw) > 65536
        raw = raw[:-1] + b', {"id": "B\x00", "started_at": "2026-10-05T10:00:00+08:00"}]'
        with pytest.raises(IncidentDataError, match=f"in{suffix}:line 1 column \\d+: " + ("JSON syntax error: Invalid control character" if fmt == "json" else "control character U\\+0000")):
            read(raw, fmt, suffix)
    header = b"id,started_at,title\n"
    rows = b"".join(b"P%d,2026-10-05T10:00:00+08:00,%s\n" % (i, b"x" * 100) for i in range(700))
    with pytest.raises(IncidentDataError, match="in.csv:line 702: title: a control character U\\+0000"):
        read(header + rows + b"B,2026-10-05T10:00:00+08:00,a\x00b\n", "csv", ".csv")


YAML_FIELDS = "started_at: '2026-10-05T10:00:00+08:00'\n  resolved_at: '2026-10-05T10:30:00+08:00'\n"


@pytest.mark.parametrize("written, read_as", [("010", "010"), ("12:30", "12:30"), ("1_000", "1_000"), ("0x1F", "0x1F"), ("1.10", "1.10"),
                                              ("yes", "yes"), ("no", "no"), ("true", "true"), ("1e3", "1e3"), ("'~'", "~")])
def test_yaml_ids_stay_as_written(written, read_as):
    raw = f"- id: {written}\n  title: {written}\n  {YAML_FIELDS}".encode()
    (incident,) = read(raw, "yaml", ".yaml").incidents
    assert (incident.id, incident.title) == (read_as, read_as)


def test_yaml_timestamps_are_parsed_by_slagen():
    raw = b"- id: A\n  started_at: 2026-10-05 10:00:00+08:00\n  resolved_at: 2026-10-05T10:30:00Z\n"
    (incident,) = read(raw, "yaml", ".yaml").incidents
    assert incident.started_at.isoformat() == "2026-10-05T02:00:00+00:00" and incident.resolved_at.isoformat() == "2026-10-05T10:30:00+00:00"
    with pytest.raises(IncidentDataError, match="record 1 \\(line 1\\): started_at: .2026-10-05 10:00:00. has no UTC offset"):
        read(b"- {id: A, started_at: 2026-10-05 10:00:00}\n", "yaml", ".yaml")  # PyYAML would have made a naive datetime


@pytest.mark.parametrize("value, says", [
    ("2026-02-30T10:00:00+08:00", "not a real date-time: day is out of range for month"),
    ("2026-10-05T24:00:00+08:00", "uses 24:00"),
    ("2026-10-05T23:59:60+08:00", "leap second"),
    ("0000-01-01T00:00:00+00:00", "not a real date-time: year 0 is out of range"),
    ("2026-13-01T00:00:00+00:00", "month must be in 1..12"),
    ("2026-10-05T10:00:00+25:00", "the UTC offset is out of range"),
])
@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_impossible_dates_are_located(value, says, fmt):
    if fmt == "yaml":
        raw = f"- {{id: A, started_at: '2026-10-05T10:00:00+08:00'}}\n- {{id: B, started_at: {value}}}\n".encode()
        where = "record 2 \\(line 2\\)"  # a YAML record is also named by its line
    elif fmt == "json":
        raw = json.dumps([{"id": "A", "started_at": "2026-10-05T10:00:00+08:00"}, {"id": "B", "started_at": value}]).encode()
        where = "record 2"
    else:
        raw = f"id,started_at\nA,2026-10-05T10:00:00+08:00\nB,{value}\n".encode()
        where = "line 3"
    with pytest.raises(IncidentDataError, match=f"in.{fmt}:{where}: started_at: .*{says}"):
        read(raw, fmt, f".{fmt}")


@pytest.mark.parametrize("raw, says, where", [
    (b"- id: A\n  id: B\n  started_at: '2026-10-05T10:00:00+08:00'\n", "duplicate key 'id' (first at line 1)", "line 2 column 3"),
    (b"- {id: A, started_at: !!timestamp 2026-10-05}\n", "YAML tag 'tag:yaml.org,2002:timestamp' is not allowed", "line 1 column 23"),
    (b"- {? [id]: A}\n", "mapping keys must be plain names", "line 1 column 6"),
    (b"- {id: A}\n---\n- {id: B}\n", "YAML syntax error", "line 2 column 1"),
])
def test_yaml_structure_refusals_are_located(raw, says, where):
    with pytest.raises(IncidentDataError) as info:
        read(raw, "yaml", ".yaml")
    assert str(info.value).startswith(f"in.yaml:{where}: ") and says in str(info.value)


@pytest.mark.parametrize("fmt, change, says", [
    ("json", {"detected_at": "2026-10-05T11:00:00+08:00"}, "detected_at 2026-10-05T11:00:00+08:00 is after resolved_at"),
    ("json", {"acknowledged_at": "2026-10-05T10:00:30+08:00"}, "acknowledged_at 2026-10-05T10:00:30+08:00 is before detected_at"),
    ("json", {"resolved_at": "2027-10-06T10:30:00+08:00"}, "is longer than 366 days"),
    ("json", {"resolved_at": "2026-10-05T09:00:00+08:00"}, "is before started_at"),
    ("statuspage", {"created_at": "2023-06-01T12:00:00.000Z"}, "created_at 2023-06-01T12:00:00.000Z is after resolved_at"),
    ("statuspage", {"resolved_at": "2024-06-02T11:00:00.000Z"}, "is longer than 366 days"),
    ("statuspage", {"resolved_at": "2023-06-01T09:00:00.000Z"}, "resolved_at 2023-06-01T09:00:00.000Z is before started_at"),
    ("gcp", {"end": "2022-01-03T00:00:00+00:00"}, "begin 2021-01-01T00:00:00+00:00 to end 2022-01-03T00:00:00+00:00 is longer than 366 days"),
    ("gcp", {"end": "2020-12-31T00:00:00+00:00"}, "end 2020-12-31T00:00:00+00:00 is before begin"),
])
def test_inconsistent_records_are_located_errors(fmt, change, says):
    if fmt == "json":
        data, where = [{**FULL_RECORD, **change}], "record 1"
    elif fmt == "statuspage":
        data, where = {**STATUSPAGE, "incidents": [{**STATUSPAGE["incidents"][0], **change}]}, "incident 1 (i1)"
    else:
        data, where = [{**GCP[0], **change}], "incident 1 (g1)"
    with pytest.raises(IncidentDataError) as info:
        read(json.dumps(data).encode(), fmt, ".json")
    assert str(info.value).startswith(f"in.json:{where}: ") and says in str(info.value)


def test_an_acknowledgement_after_the_resolution_is_an_error_and_a_late_google_post_is_not():
    """The resolution is the latest possible response (the engine measures an incident resolved
    without an acknowledgement to its resolution), so an acknowledgement after it is bad data."""
    with pytest.raises(SlagenError, match=r"record 1.*acknowledged_at 2026-10-05T16:00:00\+08:00 is after resolved_at"):
        read(json.dumps([{**FULL_RECORD, "acknowledged_at": "2026-10-05T16:00:00+08:00"}]).encode(), "json", ".json")
    (incident,) = read(json.dumps([{**GCP[0], "created": "2021-01-02T00:00:00+00:00"}]).encode(), "gcp", ".json").incidents
    assert incident.detected_at is None  # Google posted it after it ended: 'created' is not when it was detected


# --- the same incident twice ------------------------------------------------------------
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
PERIOD = ("--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00")
ROW = "id,component,started_at,resolved_at\n{id},app,2026-10-05T10:00:00+08:00,2026-10-05T10:30:00+08:00\n"


def test_an_id_in_two_files_is_an_error_naming_both(run_main, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(ROW.format(id="INC-1"))
    second = tmp_path / "b.json"
    second.write_text(json.dumps([{"id": "INC-2", "component": "app", "started_at": "2026-10-06T10:00:00+08:00"},
                                  {"id": "INC-1", "component": "app", "started_at": "2026-10-05T10:00:00+08:00", "resolved_at": "2026-10-05T10:30:00+08:00"}]))
    out = tmp_path / "out.json"
    for extra in ((), ("--on-bad-record", "skip")):  # skipping bad records never drops a duplicate silently
        code, _, err = run_main("evaluate", DINGTALK, "--incidents", first, "--incidents", second, *PERIOD, *extra, "-o", out)
        assert code == 1 and f"{second}:record 2: duplicate id 'INC-1' (first at {first}:line 2)" in err and "--duplicates first" in err
        assert not out.exists()
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", first, "--incidents", first, *PERIOD, "-o", out)
    assert code == 1 and f"{first}:line 2: duplicate id 'INC-1' (first at {first}:line 2)" in err  # the same file twice
    code, _, _ = run_main("evaluate", DINGTALK, "--incidents", first, "--incidents", second, *PERIOD, "--duplicates", "first", "--format", "json", "-o", out)
    data = json.loads(out.read_text())
    assert code in (0, 3)
    assert [(s["file"], s["record"]) for s in data["skipped"]] == [(str(second), "record 2")]
    assert "duplicate id 'INC-1'" in data["skipped"][0]["reason"]


def test_duplicates_option_is_in_help_and_packs(run_main):
    from slagen.cli.options import build_request

    code, out, _ = run_main("evaluate", "--help")
    assert code == 0 and "--duplicates [fail|first]" in out
    request = build_request(DINGTALK, "Asia/Hong_Kong", {"incident_files": ("a.csv",), "period": "2026-10", "as_of": PERIOD[3], "duplicates": "first"})
    assert request.duplicates == "first"
    assert request.to_record()["duplicates"] == "first"  # verify --recompute repeats the choice
    assert "--duplicates first" in request.command_line()


# --- monitoring samples -------------------------------------------------------------------
POLICY = ROOT / "tests/data/policies/telemetry.yaml"
SAMPLES = ROOT / "tests/data/samples/hand-worked.csv"
WINDOW = ("--from", "2026-11-10T10:00:00+00:00", "--to", "2026-11-10T10:20:00+00:00", "--as-of", "2026-12-01T00:00:00+00:00")


def test_a_sample_path_is_literal_never_a_glob(run_main, tmp_path):
    (tmp_path / "s1.csv").write_text("timestamp,component,up\n2026-11-10T10:00:00Z,web,false\n")  # what a glob [1] would pick
    literal = tmp_path / "s[1].csv"
    literal.write_bytes(SAMPLES.read_bytes())
    code, out, err = run_main("evaluate", POLICY, "--samples", literal, *WINDOW, "--format", "json")
    expected = run_main("evaluate", POLICY, "--samples", SAMPLES, *WINDOW, "--format", "json")[1]
    assert code in (0, 3), err
    assert json.loads(out)["kpis"] == json.loads(expected)["kpis"]
    code, _, err = run_main("evaluate", POLICY, "--samples", tmp_path / "s*.csv", *WINDOW)
    assert code == 2 and "s*.csv: no such file" in err


@pytest.mark.parametrize("value, says", [
    ("yesterday", "timestamp: 'yesterday' is not an ISO 8601 date-time"),
    ("2026-11-10T10:03:00", "has no UTC offset"),  # one naive row among rows with offsets is never read as UTC
    ("2026-11-10T10:03:60Z", "leap second"),
    ("2026-11-10T24:00:00Z", "uses 24:00"),
    ("1969-12-31T23:00:00Z", "outside the years 1970-2999"),
    ("", "no value"),
])
def test_one_bad_sample_timestamp_is_reported_at_its_own_line(run_main, tmp_path, value, says):
    lines = SAMPLES.read_text().splitlines(keepends=True)
    lines[5] = value + lines[5][lines[5].index(","):]
    bad = tmp_path / "bad[x].csv"
    bad.write_text("".join(lines))
    code, _, err = run_main("evaluate", POLICY, "--samples", bad, *WINDOW)
    assert code == 1 and f"{bad}:line 6: " in err and says in err, err


# --- a fixed-seed structural fuzz (values replaced anywhere by random JSON) ------------------
def random_value(rng: random.Random, depth: int = 0):
    pick = rng.randrange(12)
    if pick == 0 or depth > 3:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5, 1e308, "", "x"])
    if pick == 1:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    if pick == 2:
        return {rng.choice(["id", "name", "title", "x", "start", "status"]): random_value(rng, depth + 1) for _ in range(rng.randrange(3))}
    if pick == 3:
        return "".join(chr(rng.choice([0, 7, 10, 27, 0x85, 0xD800, 0xFFFE, 0x4E2D, 65])) for _ in range(rng.randrange(1, 4)))
    return rng.choice(["2026-10-05T10:00:00+08:00", "2026-02-30T10:00:00Z", "2026-10-05T24:00:00Z", "9999-01-01T00:00:00Z", "NaN",
                       "operational", "major_outage", "resolved", "identified", "7m", "-5m", "app", "Git Operations", "A", "i1", "g1"])


@pytest.mark.parametrize("name, sample, fmt, suffix, record", READERS, ids=[r[0] for r in READERS])
def test_structural_fuzz(name, sample, fmt, suffix, record):
    import os

    rng = random.Random(f"slagen-14-{name}")
    examples = int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "100"))
    all_paths = list(paths(sample))
    for _ in range(examples):
        data = sample
        for _ in range(rng.randrange(1, 4)):
            data = replaced(data, rng.choice(list(paths(data)) or all_paths), random_value(rng))
        raw = json.dumps(data).encode("utf-8", "surrogatepass")
        try:
            read(raw, fmt, suffix, on_bad_record=rng.choice(["fail", "skip"]), duplicates=rng.choice(["fail", "first"]))
        except SlagenError:
            pass


def test_sample_file_fuzz(tmp_path):
    """Byte mutations of a sample CSV through the whole evaluation (DuckDB included): a result
    or a SlagenError. Fixed seed; SLAGEN_FUZZ_EXAMPLES scales it like the other fuzz tests."""
    import os

    from slagen.cli.options import build_request
    from slagen.runs import run

    rng = random.Random("slagen-14-samples")
    seed = SAMPLES.read_bytes()
    tokens = [b",", b"\n", b'"', b"Z", b"+08:00", b"24:00", b":60", b"\x00", b"\xff", b"NaN", b"99999999999999999999", b"true", b"\r", b"1969-01-01"]
    params = {"from_": WINDOW[1], "to": WINDOW[3], "as_of": WINDOW[5]}
    for n in range(max(int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "100")) // 10, 1)):
        data = bytearray(seed)
        for _ in range(rng.randrange(1, 5)):
            at = rng.randrange(len(data)) if data else 0
            kind = rng.randrange(4)
            if kind == 0 and data:
                data[at] = rng.randrange(256)
            elif kind == 1:
                del data[at : at + rng.randrange(1, 30)]
            elif kind == 2:
                data[at:at] = rng.choice(tokens)
            else:
                del data[at:]
        path = tmp_path / f"s{n}[x].csv"
        path.write_bytes(bytes(data))
        try:
            run(build_request(POLICY, "UTC", {"sample_files": (str(path),), **params}))
        except SlagenError:
            pass


def test_names_from_a_file_are_escaped_and_short_in_messages(run_main, tmp_path):
    with pytest.raises(IncidentDataError) as info:
        read(b"ref,b\x1b[31m,c\n1,2,3\n", "csv", ".csv")
    assert "\x1b" not in str(info.value) and "\\x1b[31m" in str(info.value)
    with pytest.raises(IncidentDataError) as info:
        read(b"x" * 100_000 + b"\n", "csv", ".csv")
    assert len(str(info.value)) < 400
    samples = tmp_path / "s.csv"
    samples.write_bytes(b"when\x07,what\n1,2\n")
    code, _, err = run_main("evaluate", POLICY, "--samples", samples, *WINDOW)
    assert code == 1 and "\x07" not in err and "\\x07" in err


def test_parquet_text_timestamps_are_checked_like_csv(run_main, tmp_path):
    import duckdb

    good, bad = tmp_path / "text.parquet", tmp_path / "bad.parquet"
    text = f"read_csv('{SAMPLES}', types={{'timestamp': 'VARCHAR'}})"
    duckdb.sql(f"COPY (SELECT * FROM {text}) TO '{good}' (FORMAT parquet)")
    duckdb.sql(f"COPY (SELECT CASE WHEN row_number() OVER () = 7 THEN '2026-11-10T10:03:00' ELSE timestamp END AS timestamp, * EXCLUDE (timestamp) FROM {text}) TO '{bad}' (FORMAT parquet)")
    expected = run_main("evaluate", POLICY, "--samples", SAMPLES, *WINDOW, "--format", "json")[1]
    code, out, err = run_main("evaluate", POLICY, "--samples", good, *WINDOW, "--format", "json")
    assert code in (0, 3) and json.loads(out)["kpis"] == json.loads(expected)["kpis"], err
    code, _, err = run_main("evaluate", POLICY, "--samples", bad, *WINDOW)
    assert code == 1 and f"{bad}:row 7: timestamp: '2026-11-10T10:03:00' has no UTC offset" in err


def test_bad_json_records_are_named_by_their_line_too():
    records = [{**FULL_RECORD, "id": f"I{i}"} for i in range(30)]
    records[17]["started_at"] = "[not, a: {time}]"
    raw = json.dumps(records, indent=1).encode()
    line = raw.decode().splitlines().index('  "id": "I17",')  # the line before the id opens the object
    with pytest.raises(IncidentDataError, match=f"in.json:record 18 \\(line {line}\\): started_at"):
        read(raw, "json", ".json")
    (skipped,) = read(raw, "json", ".json", on_bad_record="skip").skipped
    assert skipped.record == f"record 18 (line {line})"
    page = json.dumps({"page": {"id": "x", "incidents": [1]}, "incidents": [STATUSPAGE["incidents"][0], {**STATUSPAGE["incidents"][0], "id": "i2", "created_at": "x", "started_at": None}]}, indent=2)
    line = page.splitlines().index('      "id": "i2",')  # the line before the id opens the object
    with pytest.raises(IncidentDataError, match=f"in.json:incident 2 \\(i2, line {line}\\): created_at: 'x'"):
        read(page.encode(), "statuspage", ".json")
