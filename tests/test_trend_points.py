"""The trend's one entry type, `TrendPoint`, made from a window evaluated in the run and from
a window as the ledger recorded it; the boundaries of 'not in force' and 'no data' by hand.

The policy of tests/engine_helpers.py: UTC, calendar months, effective 2026-01-01, KPIs
`uptime` (availability over svc/app and svc/api, objective 99.9 %) and `p1` (response time)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from slagen.engine.trend import TrendPoint, data_from, from_evaluation, from_record

from .engine_helpers import inc, kpi, make_policy, run, t

POLICY = make_policy()
NOVEMBER_END = datetime(2026, 12, 1, tzinfo=timezone.utc)


def november(as_of: str = "2026-12-15T00:00:00+00:00"):
    # 2026-11-03 10:00-11:12 on svc/app: 72 of November's 30 × 1,440 = 43,200 min
    return run(POLICY, [inc("a", "2026-11-03T10:00:00", "2026-11-03T11:12:00")], "2026-11", as_of)


def test_a_window_of_the_run_becomes_one_point_per_kpi():
    ev = november()
    uptime, p1 = from_evaluation(ev, POLICY.agreement.effective_date, t("2026-10-01T00:00:00"))
    # 100 − 72 / 43,200 × 100 = 99.8333…% < 99.9: missed
    assert uptime == TrendPoint("uptime", "2026-11", t("2026-11-01T00:00:00"), NOVEMBER_END, kpi(ev, "uptime").actual, Decimal(72), "missed", True, "run")
    assert Decimal("99.8333") < uptime.availability < Decimal("99.8334")
    assert (p1.kpi, p1.status, p1.source) == ("p1", kpi(ev, "p1").status, "run")
    with pytest.raises(dataclasses.FrozenInstanceError):
        uptime.status = "met"  # type: ignore[misc]
    # a window not over: its figure stands, met or missed only so far
    (so_far, _) = from_evaluation(november("2026-11-10T00:00:00+00:00"), POLICY.agreement.effective_date, None)
    assert so_far.final is False and so_far.downtime_minutes == 72


def test_a_run_window_outside_the_agreement_or_the_data_has_no_figure():
    ev = november()
    # in force while the window ends after the effective date's local midnight
    (edge, _) = from_evaluation(ev, date(2026, 11, 30), None)
    assert edge.status == "missed" and edge.availability is not None
    (before, _) = from_evaluation(ev, date(2026, 12, 1), None)  # the window ends at that midnight: not in force
    assert (before.status, before.availability, before.downtime_minutes) == ("not_in_force", None, None)
    # no data when the window ends on or before the first incident record
    (uncovered, _) = from_evaluation(ev, POLICY.agreement.effective_date, NOVEMBER_END)
    assert (uncovered.status, uncovered.availability, uncovered.downtime_minutes, uncovered.source) == ("no_data", None, None, "run")
    (covered, _) = from_evaluation(ev, POLICY.agreement.effective_date, NOVEMBER_END - timedelta(seconds=1))
    assert covered.status == "missed"


def test_data_from_is_the_first_incident_record_unless_samples_speak_for_themselves():
    incidents = [inc("b", "2026-11-09T00:00:00", None), inc("a", "2026-11-03T10:00:00", "2026-11-03T11:00:00")]
    default = t("2026-11-01T00:00:00")
    assert data_from(incidents, False, default) == t("2026-11-03T10:00:00")
    assert data_from([], False, default) == default
    assert data_from(incidents, True, default) is None


def test_a_window_the_ledger_recorded_becomes_one_point_per_kpi_of_the_policy():
    start, end = t("2026-08-01T00:00:00"), t("2026-09-01T00:00:00")
    recorded = {"uptime": {"id": "uptime", "status": "missed", "actual": "98.87992831541218637992831541", "downtime_minutes": "500"}}
    uptime, p1 = from_record(POLICY, "2026-08", start, end, "UTC", recorded)
    assert uptime == TrendPoint("uptime", "2026-08", start, end, Decimal("98.87992831541218637992831541"), Decimal(500), "missed", True, "ledger")
    # a KPI the record does not hold (added to the policy since): no data, as recorded (0 min)
    assert p1 == TrendPoint("p1", "2026-08", start, end, None, Decimal(0), "no_data", True, "ledger")
    # a window the ledger holds no record of
    assert [(p.status, p.availability, p.downtime_minutes) for p in from_record(POLICY, "2026-08", start, end, "UTC", None)] == [("no_data", None, Decimal(0))] * 2
    # December 2025 ends at the effective date's midnight (2026-01-01 00:00 UTC): not in force, recorded or not
    december = from_record(POLICY, "2025-12", t("2025-12-01T00:00:00"), t("2026-01-01T00:00:00"), "UTC", recorded)
    assert [(p.status, p.availability, p.downtime_minutes) for p in december] == [("not_in_force", None, None)] * 2
