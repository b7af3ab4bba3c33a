"""The engine on GitHub's real status-page history, checked against an independent source.

The independent figures come from `github_statuspage_incident_components.csv`, made by the
data set's authors with their own script: one interval per incident and component, from
the first update that moved it off 'operational' to the update that moved it back. This
test unions those intervals per month with its own few lines of code.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from slagen.engine.evaluate import evaluate
from slagen.engine.windows import window_for_period
from slagen.incidents.readers import read_incidents
from slagen.policy.load import load_policy

from .conftest import ROOT

NAMES = {"git": "Git Operations", "api": "API Requests", "actions": "Actions", "issues": "Issues", "webhooks": "Webhooks"}
AS_OF = datetime(2024, 1, 1, tzinfo=timezone.utc)


def independent_minutes(rows, component: str, year: int, month: int) -> Decimal:
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.utc)
    spans = sorted(
        (max(datetime.fromisoformat(r["first_non_operational_at"]), start), min(datetime.fromisoformat(r["back_to_operational_at"]), end))
        for r in rows
        if r["component"] == component and r["worst_status"] != "operational" and r["first_non_operational_at"]
    )
    total, current = 0.0, None
    for a, b in spans:
        if b <= a:
            continue
        if current and a <= current[1]:
            current[1] = max(current[1], b)
        else:
            if current:
                total += (current[1] - current[0]).total_seconds()
            current = [a, b]
    if current:
        total += (current[1] - current[0]).total_seconds()
    return Decimal(str(total)) / 60


@pytest.fixture(scope="module")
def github(request):
    from .conftest import REAL

    if not REAL.is_dir():
        pytest.skip(f"shared real-incident data not found at {REAL}")
    policy = load_policy(ROOT / "tests/data/policies/github-style-monthly.yaml")
    result = read_incidents(REAL / "githubstatus_incidents_2019-2023.statuspage.json", on_bad_record="skip")
    rows = list(csv.DictReader(open(REAL / "github_statuspage_incident_components.csv", encoding="utf-8")))
    return policy, result, rows


@pytest.mark.parametrize("period", ["2022-03", "2022-11", "2023-02", "2023-05", "2023-09"])
def test_monthly_component_downtime_matches_independent_figures(github, period):
    policy, result, rows = github
    year, month = map(int, period.split("-"))
    ev = evaluate(policy, result.incidents, window_for_period(policy, period), AS_OF)
    for k in ev.kpis:
        expected = independent_minutes(rows, NAMES[k.id], year, month)
        assert abs(k.downtime_minutes - expected) < Decimal("0.001"), (k.id, k.downtime_minutes, expected)
        window_minutes = Decimal(ev.window_minutes)
        assert k.actual == (window_minutes - k.downtime_minutes) / window_minutes * 100


def test_re_entered_outage_is_counted_twice_where_the_csv_keeps_only_the_first(github):
    # ws2l6203cs7g: Actions partial 23:01-23:11, operational, partial again 23:15-06:43 (29 June 2023).
    policy, result, rows = github
    ev = evaluate(policy, result.incidents, window_for_period(policy, "2023-06"), AS_OF)
    actions = next(k for k in ev.kpis if k.id == "actions")
    assert actions.downtime_minutes > independent_minutes(rows, "Actions", 2023, 6) + 400


def test_bad_records_in_real_data_are_listed_not_lost(github):
    _, result, _ = github
    assert {s.record.split("(")[1].split(", line ")[0].rstrip(")") for s in result.skipped} == {"nk9gdvl03ztg", "qrrdvssfmrs2", "qb2vmff9bnf5"}
    assert all(", line " in s.record for s in result.skipped)  # the export is pretty-printed: records are named by line too
    assert len(result.incidents) == 447


def test_cli_on_real_statuspage_json(run_cli, real_data, tmp_path):
    out = tmp_path / "q.json"
    code, _, err = run_cli("evaluate", ROOT / "policies/github-enterprise-cloud.yaml", "--incidents", real_data / "githubstatus_incidents_2019-2023.statuspage.json",
                           "--period", "2023-Q2", "--as-of", "2024-01-01T00:00:00Z", "--on-bad-record", "skip", "--format", "json", "-o", out)
    import json

    data = json.loads(out.read_text())
    assert code == 3
    assert data["window"]["minutes"] == 91 * 1440
    assert len(data["skipped"]) == 3
    assert data["credits"]["tier"] == {"lower": "0", "lower_inclusive": True, "upper": "99.0", "upper_inclusive": False}
    assert any("is less than 99.0%:" in s["reason"]["text"] for s in data["credits"]["steps"])


def test_google_cloud_incidents_json_reads(real_data):
    result = read_incidents(real_data / "raw/gcp/incidents.json")
    assert len(result.incidents) == 157
    first = result.incidents[0]
    assert first.outages[0].component == "Google BigQuery"
    assert first.started_at == datetime(2022, 7, 1, 13, 37, 44, tzinfo=timezone.utc)
