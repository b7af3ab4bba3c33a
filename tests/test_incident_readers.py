"""Incident readers: formats, time zones, bad records named by file and row."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from slagen.errors import IncidentDataError, UsageError
from slagen.incidents.readers import parse_mapping, read_incidents

HEADER = "id,component,severity,impact,started_at,resolved_at\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_offsets(tmp_path):
    path = write(tmp_path, "i.csv", HEADER + "A,app;api,P1,major,2026-10-05T10:00:00+08:00,2026-10-05T10:30:00+08:00\n")
    (incident,) = read_incidents(path).incidents
    assert incident.started_at == datetime(2026, 10, 5, 2, 0, tzinfo=timezone.utc)
    assert incident.components == ("app", "api")
    assert incident.impact == "partial_outage"  # Statuspage's 'major' is a partial outage


def test_naive_times_are_an_error_unless_input_timezone_given(tmp_path):
    path = write(tmp_path, "i.csv", HEADER + "A,app,P1,major_outage,2026-10-05T10:00:00,2026-10-05T10:30:00\n")
    with pytest.raises(IncidentDataError, match=r"i.csv:line 2: started_at: '2026-10-05T10:00:00' has no UTC offset"):
        read_incidents(path)
    (incident,) = read_incidents(path, zone=ZoneInfo("Asia/Hong_Kong")).incidents
    assert incident.started_at == datetime(2026, 10, 5, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("row, message", [
    ("A,app,P1,major_outage,2026-10-05T10:30:00Z,2026-10-05T10:00:00Z", "resolved_at 2026-10-05T10:00:00Z is before started_at"),
    ("A,app,P1,major_outage,yesterday,", "'yesterday' is not an ISO 8601 date-time"),
    ("A,app,P1,exploded,2026-10-05T10:00:00Z,", "impact 'exploded' is not known"),
    ("A,app,P1,major_outage,2026-10-05T23:59:60Z,", "leap second"),
    ("A,app,P1,major_outage,2026-10-05T24:00:00Z,", "24:00"),
    (",app,P1,major_outage,2026-10-05T10:00:00Z,", "missing 'id'"),
])
def test_bad_record_names_file_and_line(tmp_path, row, message):
    path = write(tmp_path, "bad.csv", HEADER + "OK,app,P1,major_outage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z\n" + row + "\n")
    with pytest.raises(IncidentDataError) as info:
        read_incidents(path)
    assert str(info.value).startswith(f"{path}:line 3: ")
    assert message in str(info.value)


def test_skip_lists_bad_records_and_duplicate_ids(tmp_path):
    rows = "A,app,,major_outage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z\nA,app,,major_outage,2026-10-02T00:00:00Z,\nB,app,,major_outage,bad,\n"
    path = write(tmp_path, "s.csv", HEADER + rows)
    # a duplicate is never dropped by --on-bad-record skip alone: that needs --duplicates first
    with pytest.raises(IncidentDataError, match=r"s.csv:line 3: duplicate id 'A' \(first at line 2\)"):
        read_incidents(path, on_bad_record="skip")
    result = read_incidents(path, on_bad_record="skip", duplicates="first")
    assert [i.id for i in result.incidents] == ["A"]
    assert [(s.record, s.reason[:20]) for s in result.skipped] == [("line 3", "duplicate id 'A' (fi"), ("line 4", "started_at: 'bad' is")]


def test_column_mapping(tmp_path):
    path = write(tmp_path, "m.csv", "ref,begin,end\nX,2026-10-01T00:00:00Z,2026-10-01T00:05:00Z\n")
    with pytest.raises(IncidentDataError, match="no column 'id'"):
        read_incidents(path)
    result = read_incidents(path, mapping=parse_mapping(["id=ref", "started_at=begin", "resolved_at=end"]))
    assert result.incidents[0].id == "X"
    with pytest.raises(UsageError, match="unknown field 'begin'"):
        parse_mapping(["begin=started_at"])


def test_json_and_yaml_lists(tmp_path):
    item = {"id": "J", "component": ["app"], "started_at": "2026-10-01T00:00:00Z", "resolved_at": "2026-10-01T00:10:00Z", "cause": "cyber_attack"}
    j = read_incidents(write(tmp_path, "i.json", json.dumps({"incidents": [item]}))).incidents[0]
    y = read_incidents(write(tmp_path, "i.yaml", "- id: J\n  component: [app]\n  started_at: '2026-10-01T00:00:00Z'\n  resolved_at: '2026-10-01T00:10:00Z'\n  cause: cyber_attack\n")).incidents[0]
    assert j == y.__class__(**{**y.__dict__, "source": j.source})
    with pytest.raises(IncidentDataError, match="record 1: unknown field"):
        read_incidents(write(tmp_path, "u.json", json.dumps([{**item, "colour": "red"}])))


def test_broken_json_names_line_and_column(tmp_path):
    with pytest.raises(IncidentDataError, match=r"b.json:line 2 column 1: JSON syntax error"):
        read_incidents(write(tmp_path, "b.json", '[{"id": "A",\n'))


def test_utf16_and_binary_files_are_refused_clearly(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes(HEADER.encode("utf-16"))
    with pytest.raises(IncidentDataError, match="UTF-16"):
        read_incidents(path)
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(IncidentDataError, match="NUL bytes"):
        read_incidents(path)


STATUSPAGE = {
    "incident": {
        "id": "sp1", "name": "Test", "impact": "major", "created_at": "2026-10-01T10:00:00Z", "started_at": "2026-10-01T10:00:00Z",
        "resolved_at": "2026-10-01T11:00:00Z",
        "incident_updates": [
            {"status": "investigating", "display_at": "2026-10-01T10:00:00Z", "affected_components": [
                {"name": "API", "old_status": "operational", "new_status": "partial_outage"},
                {"name": "Web", "old_status": "operational", "new_status": "operational"}]},
            {"status": "identified", "display_at": "2026-10-01T10:20:00Z", "affected_components": [
                {"name": "API", "old_status": "partial_outage", "new_status": "major_outage"}]},
            {"status": "monitoring", "display_at": "2026-10-01T10:40:00Z", "affected_components": [
                {"name": "API", "old_status": "major_outage", "new_status": "operational"}]},
            {"status": "resolved", "display_at": "2026-10-01T11:00:00Z", "affected_components": None},
        ],
    }
}


def test_statuspage_component_transitions(tmp_path):
    (incident,) = read_incidents(write(tmp_path, "sp.json", json.dumps(STATUSPAGE))).incidents
    spans = [(o.component, o.start.strftime("%H:%M"), o.end.strftime("%H:%M"), o.impact) for o in incident.outages]
    # 'Web' was tagged but never left operational: not down
    assert spans == [("API", "10:00", "10:20", "partial_outage"), ("API", "10:20", "10:40", "major_outage")]
    assert incident.acknowledged_at.strftime("%H:%M") == "10:20"


def test_statuspage_component_left_down_ends_at_resolution(tmp_path):
    data = json.loads(json.dumps(STATUSPAGE))
    data["incident"]["incident_updates"] = data["incident"]["incident_updates"][:2]
    (incident,) = read_incidents(write(tmp_path, "sp.json", json.dumps(data))).incidents
    assert incident.outages[-1].end.strftime("%H:%M") == "11:00"
