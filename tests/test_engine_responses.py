"""Response and resolution clocks: exact targets, business hours, pauses."""

from __future__ import annotations

from decimal import Decimal

from .engine_helpers import text, inc, kpi, make_policy, run

NOV = "2026-11"


def p1(detected: str, ack: str, **kw):
    return inc("R", detected, None, components=(), severity="P1", detected=detected, ack=ack, **kw)


def test_p1_response_of_exactly_15_minutes_meets_and_15_min_1_s_misses():
    policy = make_policy()
    ok = run(policy, [p1("2026-11-02T10:00:00", "2026-11-02T10:15:00")], NOV)
    assert kpi(ok, "p1").status == "met" and kpi(ok, "p1").actual == 15
    late = run(policy, [p1("2026-11-02T10:00:00", "2026-11-02T10:15:01")], NOV)
    result = kpi(late, "p1")
    assert result.status == "missed"
    (breach,) = result.breaches
    assert breach.measured_minutes == Decimal(901) / 60
    assert "15m target" in text(breach.reason)


def test_truncated_minutes_forgive_the_partial_minute():
    policy = make_policy(measure="truncate_minutes")
    assert kpi(run(policy, [p1("2026-11-02T10:00:00", "2026-11-02T10:15:59")], NOV), "p1").status == "met"
    assert kpi(run(policy, [p1("2026-11-02T10:00:00", "2026-11-02T10:16:00")], NOV), "p1").status == "missed"


def test_business_hours_response_across_weekend_and_holiday():
    policy = make_policy(tz="Asia/Hong_Kong", p1_calendar="office", p1_target="4h")
    # Thu 24 Dec 17:00 -> Mon 28 Dec 12:00 HKT is exactly 4 office hours (Christmas, 26 Dec, weekend closed)
    ok = run(policy, [p1("2026-12-24T17:00:00+08:00", "2026-12-28T12:00:00+08:00")], "2026-12")
    assert kpi(ok, "p1").status == "met"
    assert kpi(ok, "p1").actual == 240
    late = run(policy, [p1("2026-12-24T17:00:00+08:00", "2026-12-28T12:00:01+08:00")], "2026-12")
    (breach,) = kpi(late, "p1").breaches
    assert breach.deadline.isoformat() == "2026-12-28T04:00:00+00:00"  # 12:00 HKT


def test_pause_waiting_on_customer_extends_the_deadline_or_not():
    pauses = (("2026-11-02T10:05:00", "2026-11-02T10:20:00", "waiting_on_customer"),)
    incident = p1("2026-11-02T10:00:00", "2026-11-02T10:25:00", pauses=pauses)
    extends = make_policy(pause=", pause: {on: [waiting_on_customer], extends_deadline: true}")
    result = kpi(run(extends, [incident], NOV), "p1")
    assert result.status == "met" and result.actual == 10
    stands = make_policy(pause=", pause: {on: [waiting_on_customer], extends_deadline: false}")
    result = kpi(run(stands, [incident], NOV), "p1")
    assert result.status == "missed"
    assert "does not extend the deadline" in text(result.breaches[0].reason)
    other_reason = make_policy(pause=", pause: {on: [vendor_change_freeze]}")
    assert kpi(run(other_reason, [incident], NOV), "p1").status == "missed"


def test_unacknowledged_p1_is_measured_up_to_as_of():
    incident = inc("R", "2026-11-02T10:00:00", None, components=(), severity="P1", detected="2026-11-02T10:00:00")
    early = run(make_policy(), [incident], NOV, as_of="2026-11-02T10:10:00+00:00")
    assert kpi(early, "p1").status == "pending"
    late = run(make_policy(), [incident], NOV, as_of="2026-11-02T10:20:00+00:00")
    assert "still open at as-of" in text(kpi(late, "p1").breaches[0].reason)


def test_other_severities_are_not_measured():
    ev = run(make_policy(), [inc("P2", "2026-11-02T10:00:00", None, components=(), severity="P2", detected="2026-11-02T10:00:00", ack="2026-11-02T12:00:00")], NOV)
    assert kpi(ev, "p1").measured == 0
    assert "no P1 incidents" in "; ".join(text(n) for n in kpi(ev, "p1").notes)
