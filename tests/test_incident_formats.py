"""Incident formats of issue 18, each a module of slagen/incidents/formats/: AWS Health
Dashboard data.json, Upptime's history folder, a status log, Statuspage maintenance and
component ids, Google Cloud status changes and regions. Real files from ../shared (skipped
with the reason when absent) and hand-made hostile variants; figures worked by hand."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from slagen.engine.evaluate import evaluate
from slagen.engine.windows import window_for_period
from slagen.errors import IncidentDataError
from slagen.incidents.readers import read_incidents
from slagen.policy.load import parse_policy

from .conftest import REAL, ROOT

AS_OF = datetime(2030, 1, 1, tzinfo=timezone.utc)
UPPTIME = REAL / "raw/upptime/jetbrains-package-search/history"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def policy(components: str, exclusions: str = "[]") -> object:
    """A UTC calendar-month policy with one availability KPI over service `s`."""
    text = f"""
slagen: 1
agreement: {{id: t, title: T, provider: {{name: P}}, customer: {{name: C}}, effective_date: 2020-01-01, currency: USD}}
timezone: UTC
window: {{kind: calendar_month}}
services:
  - id: s
    components: {components}
kpis:
  - {{id: up, kind: availability, scope: [s], objective: 99.9}}
exclusions: {exclusions}
"""
    return parse_policy(text, "policy.yaml")


def kpi(pol, incidents, period: str):
    ev = evaluate(pol, incidents, window_for_period(pol, period), AS_OF)
    return ev.kpis[0], ev


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# -- AWS Health Dashboard data.json ---------------------------------------------------

def test_aws_data_json_is_read_and_agrees_with_the_independent_csv(real_data):
    result = read_incidents(real_data / "raw/aws/data.json")  # auto-detected: no more "expected a list"
    assert len(result.incidents) == 86 and not result.skipped
    rows = {r["id"]: r for r in csv.DictReader(open(real_data / "aws_shd_events_2021-2022.csv", encoding="utf-8"))}
    for inc in result.incidents:  # the data set authors' own script, same rules (narrative window, else updates)
        row = rows[inc.id]
        assert (inc.started_at, inc.resolved_at) == (utc(row["started_at"]), utc(row["resolved_at"])), inc.id
    ec2 = next(i for i in result.incidents if i.id == "aws-ec2-us-east-2-1624992057")
    # "Between 11:07 AM and 11:15 AM PDT" on 2021-06-29 (PDT = UTC-7): 18:07-18:15 UTC
    assert (ec2.started_at, ec2.resolved_at) == (utc("2021-06-29T18:07:00+00:00"), utc("2021-06-29T18:15:00+00:00"))
    assert ec2.outages[0].component == "ec2-us-east-2" and ec2.outages[0].component_id == "Amazon Elastic Compute Cloud (Ohio)"
    assert ec2.impact == "none"  # status 1: informational


def aws_event(**over) -> dict:
    event = {"service_name": "Amazon EC2 (Ohio)", "summary": "[RESOLVED] Errors", "date": "1656000000", "status": "3", "details": "",
             "description": '<div><span class="yellowfg">11:40 PM PDT</span>&nbsp;Investigating.</div>'
                            '<div><span class="yellowfg">12:20 AM PDT</span>&nbsp;Between 11:30 PM and 12:10 AM PDT errors occurred.</div>',
             "service": "ec2-us-east-2"}
    event.update(over)
    return event


def test_aws_times_roll_over_midnight_and_a_current_event_is_open(tmp_path):
    # 1656000000 = 2022-06-23T16:00Z = 09:00 PDT on 22-06-23. Updates 23:40 PDT (06:40Z on the 24th), 00:20 PDT next day;
    # "between 11:30 PM and 12:10 AM PDT" stated at 00:20 on the 24th: 23:30 on the 23rd to 00:10 on the 24th PDT
    path = write(tmp_path, "data.json", {"archive": [aws_event()], "current": [aws_event(summary="Errors", date="1656000001")]})
    done, open_ = read_incidents(path).incidents
    assert (done.started_at, done.resolved_at) == (utc("2022-06-24T06:30:00+00:00"), utc("2022-06-24T07:10:00+00:00"))
    assert done.impact == "major_outage" and done.detected_at == utc("2022-06-24T06:40:00+00:00")
    assert open_.resolved_at == utc("2022-06-24T07:10:00+00:00")  # not [RESOLVED], but its updates state the window
    (still,) = read_incidents(write(tmp_path, "d2.json", {"archive": [], "current": [aws_event(summary="Errors", description=aws_event()["description"].split("</div>")[0])]})).incidents
    assert still.started_at == utc("2022-06-24T06:40:00+00:00") and still.resolved_at is None  # no window stated, not resolved: open


@pytest.mark.parametrize("event, says", [
    ({"status": "7"}, "status: '7' is not 0, 1, 2 or 3"),
    ({"date": "yesterday"}, "date: 'yesterday' is not a Unix time"),
    ({"description": '<span class="yellowfg">25:99 XM CET</span> x'}, "update time '25:99 XM CET' is not"),
    ({"description": '<span class="yellowfg">13:10 PM PDT</span> x'}, "13:10 PM is not a time of day"),
    ({"service": ["ec2"]}, "service: expected text, got a list"),
])
def test_aws_hostile_events_are_located_bad_records(tmp_path, event, says):
    path = write(tmp_path, "data.json", {"archive": [aws_event(), aws_event(**event)]})
    with pytest.raises(IncidentDataError) as err:
        read_incidents(path, "aws_health")
    assert says in str(err.value) and "event 2" in str(err.value)


def test_aws_not_an_object_names_the_format(tmp_path):
    with pytest.raises(IncidentDataError, match="not an AWS Service Health Dashboard data.json"):
        read_incidents(write(tmp_path, "data.json", [1, 2]), "aws_health")


def test_an_unknown_json_object_says_it_is_no_format_slagen_reads(tmp_path):
    with pytest.raises(IncidentDataError, match=r"expected a list of incident objects .*got an object with keys 'events'.*aws_health"):
        read_incidents(write(tmp_path, "x.json", {"events": []}))


# -- Upptime history folder ---------------------------------------------------------

def test_upptime_history_folder_gives_each_days_minutes(run_main, tmp_path, real_data):
    summary = json.loads((UPPTIME / "summary.json").read_text())
    site = next(s for s in summary if s["slug"] == "api-search")
    october = sum(m for d, m in site["dailyMinutesDown"].items() if d.startswith("2023-10"))
    pol = write(tmp_path, "p.yaml", (ROOT / "tests/vectors/policies/base.yaml").read_text()
                .replace("components: [{id: app}, {id: api}, {id: web}]", "components: [{id: app}, {id: api-search}, {id: web}]")
                .replace("scope: [svc/app, svc/api]", "scope: [svc/api-search]"))
    code, out, err = run_main("evaluate", pol, "--incidents", UPPTIME, "--period", "2023-10", "--as-of", "2024-01-01T00:00Z", "--format", "json")
    assert code in (0, 3), err
    data = json.loads(out)
    uptime = next(k for k in data["kpis"] if k["id"] == "uptime")
    assert Decimal(uptime["downtime_minutes"]) == october  # summed by hand from summary.json: every minute, once
    names = [i["file"].rsplit("/", 1)[-1] for i in data["inputs"]]
    assert names == ["summary.json", "api-search.yml", "website.yml"]


@pytest.mark.parametrize("site, says", [
    ({"name": "A", "slug": "a", "dailyMinutesDown": {"2024-02-12": 1441}}, "1441 minutes is more than a day has"),
    ({"name": "A", "slug": "a", "dailyMinutesDown": {"2024-02-30": 5}}, "'2024-02-30' is not a day"),
    ({"name": "A", "slug": "a", "dailyMinutesDown": {"2024-02-12": 1.5}}, "is not a whole number of minutes"),
    ({"name": "A", "slug": "a", "dailyMinutesDown": [5]}, "dailyMinutesDown: expected an object"),
])
def test_upptime_hostile_summaries(tmp_path, site, says):
    path = write(tmp_path, "summary.json", [site])
    with pytest.raises(IncidentDataError) as err:
        read_incidents(path)
    assert says in str(err.value) and "site 1 (a" in str(err.value)


def test_upptime_day_placed_at_utc_midnight(tmp_path):
    path = write(tmp_path, "summary.json", [{"name": "API", "slug": "api", "dailyMinutesDown": {"2024-02-12": 90, "2024-02-13": 0}}])
    (inc,) = read_incidents(path).incidents
    assert (inc.started_at, inc.resolved_at) == (utc("2024-02-12T00:00:00+00:00"), utc("2024-02-12T01:30:00+00:00"))
    assert inc.outages[0].component == "API" and inc.outages[0].component_id == "api"
    # no English in the incident: a finding the catalogues word, saying the time of day is not recorded
    from slagen.engine.reasons import Reason
    from slagen.render.messages import messages

    assert inc.title == "" and inc.finding == ("upptime.daily", (("day", "2024-02-12"), ("minutes", 90)))
    assert messages("en").text(Reason(*inc.finding)) == "90 min down on 2024-02-12 (Upptime dailyMinutesDown; time of day not recorded)"
    assert messages("zh-Hans").text(Reason(*inc.finding)) == "2024-02-12停机90分钟（Upptime每日停机分钟数，未记录具体时刻）"


def test_upptime_site_file_is_checked_and_a_folder_needs_summary(run_main, tmp_path):
    bad = write(tmp_path, "api.yml", "url: https://x\nstatus: sideways\ngenerator: Upptime <https://github.com/upptime/upptime>\n")
    with pytest.raises(IncidentDataError, match="status: 'sideways' is not up, down or degraded"):
        read_incidents(bad)
    empty = tmp_path / "history"
    empty.mkdir()
    code, _, err = run_main("evaluate", ROOT / "tests/vectors/policies/base.yaml", "--incidents", empty, "--period", "2026-01")
    assert code == 2 and "without summary.json" in err and "Traceback" not in err


# -- status log ------------------------------------------------------------------------

def test_status_log_runs_match_the_data_sets_outages(real_data):
    result = read_incidents(real_data / "upptime_jetbrains_status_observations.csv", mapping={"component": "site"})
    ours = sorted((i.outages[0].component, i.started_at, i.resolved_at) for i in result.incidents)
    rows = csv.DictReader(open(real_data / "upptime_jetbrains_outages.csv", encoding="utf-8"))
    theirs = sorted((r["component"], utc(r["started_at"]), utc(r["resolved_at"]) if r["resolved_at"] else None) for r in rows)
    assert len(ours) == 118 and ours == theirs


LOG = """observed_at,monitor,status,code
2026-11-05T10:00:00Z,app,down,500
2026-11-05T10:05:00Z,app,degraded,200
2026-11-05T10:10:00Z,app,degraded,200
2026-11-05T10:20:00Z,app,up,200
2026-11-05T11:00:00Z,app,up,200
2026-11-05T12:00:00Z,api,down,0
"""


def test_status_log_status_holds_until_the_next_observation(tmp_path):
    path = write(tmp_path, "log.csv", LOG)
    result = read_incidents(path, mapping={"component": "monitor"})  # auto: observed_at and status columns
    by = {i.outages[0].component: i for i in result.incidents}
    app, api = by["app"], by["api"]
    assert [(o.impact, o.start.minute, o.end.minute) for o in app.outages] == [("major_outage", 0, 5), ("degraded_performance", 5, 20)]
    assert app.id == "app@2026-11-05T10:00:00Z" and app.resolved_at == utc("2026-11-05T10:20:00+00:00")
    assert api.resolved_at is None  # still down when the log ends
    assert app.title == "" and app.finding == ("status_log.run", (("component", "app"), ("impact", "major_outage")))  # worded by the catalogues
    pol = policy("[{id: app}]", "[]")
    k, _ = kpi(pol, [app], "2026-11")
    assert k.downtime_minutes == 5  # 5 min down; the 15 degraded minutes weigh 0 % by default


def test_status_log_bad_rows_name_their_line(tmp_path):
    path = write(tmp_path, "log.csv", LOG.replace("up,200\n2026-11-05T11", "sideways,200\n2026-11-05T11"))
    with pytest.raises(IncidentDataError, match=r"log.csv:line 5: status 'sideways' is not known"):
        read_incidents(path, mapping={"component": "monitor"})
    with pytest.raises(IncidentDataError, match=r"line 1: no column 'component' for 'component'"):
        read_incidents(path)


def test_map_names_status_log_columns(run_main, tmp_path):
    path = write(tmp_path, "log.csv", LOG.replace("observed_at", "time"))
    code, out, err = run_main("evaluate", ROOT / "tests/vectors/policies/base.yaml", "--incidents", path, "--incident-format", "status_log",
                              "--map", "observed_at=time", "--map", "component=monitor", "--period", "2026-11", "--as-of", "2026-11-05T13:00Z", "--format", "json")
    assert code in (0, 3), err
    uptime = next(k for k in json.loads(out)["kpis"] if k["id"] == "uptime")
    # app: 5 min down (100 %) + 15 min degraded (0 %); api: down 12:00 until --as-of 13:00 = 60 min
    assert Decimal(uptime["downtime_minutes"]) == 65


# -- Statuspage maintenance and component ids ---------------------------------------------

def statuspage(updates, components=()) -> dict:
    return {"incident": {"id": "sp1", "name": "Work", "impact": "major", "started_at": "2026-11-05T10:00:00Z",
                         "created_at": "2026-11-05T10:00:00Z", "resolved_at": "2026-11-05T12:00:00Z",
                         "components": list(components), "incident_updates": updates}}


def update(at: str, status: str, *changes) -> dict:
    return {"status": status, "display_at": at, "affected_components": [{"code": c, "name": n, "new_status": s} for c, n, s in changes]}


def test_statuspage_under_maintenance_is_a_maintenance_cause(tmp_path):
    data = statuspage([
        update("2026-11-05T10:00:00Z", "investigating", ("c1", "App", "under_maintenance")),
        update("2026-11-05T11:00:00Z", "identified", ("c1", "App", "major_outage")),
        update("2026-11-05T11:30:00Z", "resolved", ("c1", "App", "operational")),
    ])
    (inc,) = read_incidents(write(tmp_path, "sp.json", data)).incidents
    assert [(o.cause, o.impact) for o in inc.outages] == [("scheduled_maintenance", "major_outage"), (None, "major_outage")]
    excluding = policy("[{id: app, name: App}]", "[{id: maint, category: scheduled_maintenance, excluded: true}]")
    k, ev = kpi(excluding, [inc], "2026-11")
    assert (k.downtime_minutes, k.excluded_minutes) == (30, 60)  # 10:00-11:00 maintenance, 11:00-11:30 outage
    counting = policy("[{id: app, name: App}]")
    k, _ = kpi(counting, [inc], "2026-11")
    assert (k.downtime_minutes, k.excluded_minutes) == (90, 0)  # no exclusion: maintenance counts


def test_statuspage_components_match_by_id_when_renamed(tmp_path):
    data = statuspage([update("2026-11-05T10:00:00Z", "investigating", ("h2ftsgbw7kmk", "Codespaces (renamed)", "partial_outage")),
                       update("2026-11-05T10:40:00Z", "resolved", ("h2ftsgbw7kmk", "Codespaces (renamed)", "operational"))])
    (inc,) = read_incidents(write(tmp_path, "sp.json", data)).incidents
    assert inc.outages[0].component_id == "h2ftsgbw7kmk"
    by_id = policy("[{id: cs, name: Codespaces, aliases: [h2ftsgbw7kmk]}]", "[]")
    k, _ = kpi(by_id, [inc], "2026-11")
    assert k.downtime_minutes == 40  # partial outage weighs 100 % by default
    by_old_name = policy("[{id: cs, name: Codespaces}]", "[]")
    k, ev = kpi(by_old_name, [inc], "2026-11")
    assert k.downtime_minutes == 0 and any(t.status == "ignored" for t in ev.trace)


# -- Google Cloud ---------------------------------------------------------------------

def gcp(updates, **over) -> list:
    inc = {"id": "g1", "begin": "2026-11-05T10:00:00+00:00", "end": "2026-11-05T12:00:00+00:00", "external_desc": "x",
           "status_impact": "SERVICE_OUTAGE", "severity": "high", "affected_products": [{"title": "Compute", "id": "P1"}],
           "updates": updates, "previously_affected_locations": [{"title": "Iowa", "id": "us-central1"}, {"title": "Tokyo", "id": "asia-northeast1"}]}
    inc.update(over)
    return [inc]


def gupdate(when: str, status: str) -> dict:
    return {"created": when, "when": when, "text": "", "status": status, "affected_locations": []}


def test_gcp_status_changes_inside_an_incident(tmp_path):
    data = gcp([gupdate("2026-11-05T10:30:00+00:00", "SERVICE_DISRUPTION"), gupdate("2026-11-05T11:00:00+00:00", "SERVICE_OUTAGE"),
                gupdate("2026-11-05T13:00:00+00:00", "AVAILABLE")])
    (inc,) = read_incidents(write(tmp_path, "incidents.json", data)).incidents
    # the first update's status reaches back to begin; the post at 13:00 is after end
    assert [(o.start.hour, o.start.minute, o.end.hour, o.impact) for o in inc.outages] == [(10, 0, 11, "partial_outage"), (11, 0, 12, "major_outage")]
    (whole,) = read_incidents(write(tmp_path, "i2.json", gcp([]))).incidents
    assert [(o.start.hour, o.end.hour, o.impact) for o in whole.outages] == [(10, 12, "major_outage")]


def test_gcp_regions_are_product_region_components_that_still_match_the_product(tmp_path):
    path = write(tmp_path, "incidents.json", gcp([]))
    (inc,) = read_incidents(path, "gcp_regions").incidents
    assert sorted(o.component for o in inc.outages) == ["Compute/asia-northeast1", "Compute/us-central1"]
    k, _ = kpi(policy("[{id: compute, name: Compute}]"), [inc], "2026-11")
    assert k.downtime_minutes == 120  # two regions at once: a union, never a sum
    k, _ = kpi(policy("[{id: tokyo, aliases: [Compute/asia-northeast1]}]"), [inc], "2026-11")
    assert k.downtime_minutes == 120


def gplace(when: str, status: str, *places: str) -> dict:
    return {**gupdate(when, status), "affected_locations": [{"title": p, "id": p} for p in places]}


def spans_by_component(inc) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for o in inc.outages:
        out.setdefault(o.component, []).append((o.start.strftime("%H:%M"), o.end.strftime("%H:%M"), o.impact))
    return out


def test_gcp_regions_follow_the_updates_as_the_incident_spreads_and_recovers(tmp_path):
    # begin 10:00, end 12:00; previously affected: us-central1, asia-northeast1
    data = gcp([gplace("2026-11-05T10:20:00+00:00", "SERVICE_DISRUPTION"),  # names no location: says nothing
                gplace("2026-11-05T10:30:00+00:00", "SERVICE_DISRUPTION", "us-central1"),  # the first list: back to begin
                gplace("2026-11-05T11:00:00+00:00", "SERVICE_OUTAGE", "us-central1", "asia-northeast1"),  # spreads to Tokyo
                gplace("2026-11-05T11:30:00+00:00", "SERVICE_OUTAGE", "asia-northeast1"),  # Iowa recovered
                gplace("2026-11-05T11:45:00+00:00", "SERVICE_OUTAGE"),  # names none: Tokyo goes on
                gplace("2026-11-05T11:50:00+00:00", "AVAILABLE", "us-central1", "asia-northeast1", "europe-west1"),  # a resolution's list
                gplace("2026-11-05T13:00:00+00:00", "SERVICE_OUTAGE", "europe-west1")])  # after end
    (inc,) = read_incidents(write(tmp_path, "incidents.json", data), "gcp_regions").incidents
    assert spans_by_component(inc) == {
        "Compute/asia-northeast1": [("11:00", "12:00", "major_outage")],
        "Compute/us-central1": [("10:00", "11:00", "partial_outage"), ("11:00", "11:30", "major_outage")],
    }
    # Iowa 10:00-11:30 = 90 min, Tokyo 11:00-12:00 = 60 min (the union rule gave each 120);
    # the product is down while either is: 10:00-12:00 = 120 min, a union, never 150
    assert kpi(policy("[{id: iowa, aliases: [Compute/us-central1]}]"), [inc], "2026-11")[0].downtime_minutes == 90
    assert kpi(policy("[{id: tokyo, aliases: [Compute/asia-northeast1]}]"), [inc], "2026-11")[0].downtime_minutes == 60
    assert kpi(policy("[{id: compute, name: Compute}]"), [inc], "2026-11")[0].downtime_minutes == 120
    # the product-level format still reads the whole incident, statuses as before
    (plain,) = read_incidents(write(tmp_path, "plain.json", data), "gcp").incidents
    assert spans_by_component(plain) == {"Compute": [("10:00", "11:00", "partial_outage"), ("11:00", "12:00", "major_outage")]}


def test_gcp_region_named_again_is_affected_again(tmp_path):
    data = gcp([gplace("2026-11-05T10:30:00+00:00", "SERVICE_DISRUPTION", "us-central1"),
                gplace("2026-11-05T11:00:00+00:00", "SERVICE_DISRUPTION", "asia-northeast1"),
                gplace("2026-11-05T11:30:00+00:00", "SERVICE_DISRUPTION", "asia-northeast1", "us-central1")])
    (inc,) = read_incidents(write(tmp_path, "incidents.json", data), "gcp_regions").incidents
    assert spans_by_component(inc) == {
        "Compute/asia-northeast1": [("11:00", "12:00", "partial_outage")],
        "Compute/us-central1": [("10:00", "11:00", "partial_outage"), ("11:30", "12:00", "partial_outage")],
    }
    # Iowa 60 + 30 = 90 min; Tokyo 60 min
    assert kpi(policy("[{id: iowa, aliases: [Compute/us-central1]}]"), [inc], "2026-11")[0].downtime_minutes == 90
    assert kpi(policy("[{id: tokyo, aliases: [Compute/asia-northeast1]}]"), [inc], "2026-11")[0].downtime_minutes == 60


def test_gcp_regions_fall_back_to_the_union_when_no_status_update_names_one(tmp_path):
    # locations only in the resolution and after end: every previously affected region, 10:00-12:00
    data = gcp([gplace("2026-11-05T10:30:00+00:00", "SERVICE_DISRUPTION"),
                gplace("2026-11-05T11:59:00+00:00", "AVAILABLE", "europe-west1"),
                gplace("2026-11-05T12:30:00+00:00", "SERVICE_OUTAGE", "us-central1")])
    (inc,) = read_incidents(write(tmp_path, "incidents.json", data), "gcp_regions").incidents
    assert spans_by_component(inc) == {"Compute/asia-northeast1": [("10:00", "12:00", "partial_outage")],
                                       "Compute/us-central1": [("10:00", "12:00", "partial_outage")]}
    (bare,) = read_incidents(write(tmp_path, "bare.json", gcp(data[0]["updates"], previously_affected_locations=[])), "gcp_regions").incidents
    assert spans_by_component(bare) == {"Compute": [("10:00", "12:00", "partial_outage")]}  # no locations: the product alone


def test_gcp_update_locations_of_the_wrong_type_are_a_located_bad_record(tmp_path):
    data = gcp([{**gupdate("2026-11-05T10:30:00+00:00", "SERVICE_OUTAGE"), "affected_locations": "us-central1"}])
    with pytest.raises(IncidentDataError, match=r"updates\[0\]\.affected_locations"):
        read_incidents(write(tmp_path, "incidents.json", data), "gcp_regions")
    assert read_incidents(write(tmp_path, "plain.json", data), "gcp").incidents  # read by product, locations are not read


def test_gcp_real_regions_are_never_longer_than_under_the_union_rule(real_data):
    path = real_data / "raw/gcp/incidents.json"
    raw = {inc["id"]: inc for inc in json.loads(path.read_text(encoding="utf-8"))}
    incidents = read_incidents(path, "gcp_regions").incidents
    per_region: dict[tuple[str, str], float] = {}
    union_rule: dict[tuple[str, str], float] = {}
    for inc in incidents:
        rec = raw[inc.id]
        begin, end = utc(rec["begin"]), utc(rec["end"])
        places = {loc["id"] for key in ("previously_affected_locations", "currently_affected_locations") for loc in rec[key]}
        for o in inc.outages:
            assert begin <= o.start < o.end <= end, (inc.id, o)
            per_region[(inc.id, o.component)] = per_region.get((inc.id, o.component), 0) + (o.end - o.start).total_seconds()
        for product in [p["title"] for p in rec["affected_products"]] or [rec["service_name"]]:
            for place in places or [None]:
                union_rule[(inc.id, f"{product}/{place}" if place else product)] = (end - begin).total_seconds()
    longer = {key: (per_region[key], union_rule.get(key)) for key in per_region if per_region[key] > union_rule.get(key, 0)}
    assert not longer
    assert sum(per_region.values()) < sum(union_rule.values())  # the updates do narrow some regions
    # eMrkQFQCj1Xmf3trQRNt: 'global' named 21:26:14 (back to begin 20:42:25), 'eu' from 21:50:05 to end
    # 22:12:21; the 32 regions of the resolution at 22:12:16 are not counted
    inc = next(i for i in incidents if i.id == "eMrkQFQCj1Xmf3trQRNt")
    assert sorted({(o.component.split("/")[1], o.start.strftime("%H:%M:%S"), o.end.strftime("%H:%M:%S")) for o in inc.outages}) == [
        ("eu", "21:50:05", "22:12:21"), ("global", "20:42:25", "21:50:05")]


def test_gcp_real_incident_changes_from_disruption_to_outage(real_data):
    result = read_incidents(real_data / "raw/gcp/incidents.json")
    inc = next(i for i in result.incidents if i.id == "Gt6njQyniuxXViQULV2T")
    spans = sorted({(o.start, o.end, o.impact) for o in inc.outages})
    # begin 01:04, disruption posted from 07:29 (reaching back to begin), outage posted 15:51:15, end 17:34
    assert spans == [(utc("2022-05-25T01:04:00+00:00"), utc("2022-05-25T15:51:15+00:00"), "partial_outage"),
                     (utc("2022-05-25T15:51:15+00:00"), utc("2022-05-25T17:34:00+00:00"), "major_outage")]


# -- --map for monitoring samples ------------------------------------------------------

def test_map_renames_sample_columns(run_main, tmp_path):
    policy_file = ROOT / "tests/data/policies/telemetry.yaml"
    samples = ROOT / "tests/data/samples/hand-worked.csv"
    window = ("--from", "2026-11-10T10:00:00+00:00", "--to", "2026-11-10T10:20:00+00:00", "--as-of", "2026-12-01T00:00:00+00:00", "--format", "json")
    lines = samples.read_text().splitlines()
    header = lines[0].replace("timestamp", "time stamp").replace("component", 'mon"itor')  # names that need quoting
    renamed = write(tmp_path, "renamed.csv", "\n".join([header, *lines[1:]]) + "\n")
    expected = run_main("evaluate", policy_file, "--samples", samples, *window)
    code, out, err = run_main("evaluate", policy_file, "--samples", renamed, "--map", "timestamp=time stamp", "--map", 'component=mon"itor', *window)
    assert code == expected[0], err
    assert json.loads(out)["kpis"] == json.loads(expected[1])["kpis"]
    code, _, err = run_main("evaluate", policy_file, "--samples", renamed, *window)
    assert code == 1 and "map others with --map timestamp=COLUMN" in err
