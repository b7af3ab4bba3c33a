"""Availability, exclusions, credits and escalation, against figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal

from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import Coverage

from .engine_helpers import text, inc, kpi, make_policy, run, t

NOV = "2026-11"  # 30 days in UTC: 43,200 minutes; 99.9 % allows 43.2 minutes


def test_incident_spanning_two_months_counts_in_each():
    policy = make_policy(tz="Asia/Hong_Kong")
    incident = inc("A", "2026-10-31T23:00:00+08:00", "2026-11-01T01:00:00+08:00")
    assert kpi(run(policy, [incident], "2026-10"), "uptime").downtime_minutes == 60
    assert kpi(run(policy, [incident], "2026-11"), "uptime").downtime_minutes == 60


def test_overlapping_incidents_are_a_union_on_one_and_on_two_components():
    policy = make_policy()
    same = [inc("A", "2026-11-02T10:00:00", "2026-11-02T10:30:00"), inc("B", "2026-11-02T10:15:00", "2026-11-02T10:45:00")]
    assert kpi(run(policy, same, NOV), "uptime").downtime_minutes == 45
    two = [inc("A", "2026-11-02T10:00:00", "2026-11-02T10:30:00", ("app",)), inc("B", "2026-11-02T10:15:00", "2026-11-02T10:45:00", ("api",))]
    assert kpi(run(policy, two, NOV), "uptime").downtime_minutes == 45
    # one incident on both components for 30 minutes is 30 minutes, not 60
    both = [inc("C", "2026-11-02T10:00:00", "2026-11-02T10:30:00", ("app", "api"))]
    ev = run(policy, both, NOV)
    assert kpi(ev, "uptime").downtime_minutes == 30
    assert [line.minutes for line in ev.trace] == [30]


def test_out_of_scope_component_is_not_counted_but_traced():
    ev = run(make_policy(), [inc("W", "2026-11-02T10:00:00", "2026-11-02T11:00:00", ("web",)), inc("X", "2026-11-03T10:00:00", "2026-11-03T11:00:00", ("Codespaces",))], NOV)
    assert kpi(ev, "uptime").downtime_minutes == 0
    (line,) = ev.trace
    assert line.status == "ignored" and "Codespaces" in text(line.reason)


def test_exactly_at_the_objective_earns_no_credit_and_exactly_at_a_lower_bound_is_in_the_tier():
    policy = make_policy()
    # 43.2 min = 43 min 12 s: availability exactly 99.9 % -> "less than 99.9 %" does not apply
    at_objective = run(policy, [inc("A", "2026-11-02T10:00:00", "2026-11-02T10:43:12")], NOV)
    assert kpi(at_objective, "uptime").actual == Decimal("99.9")
    assert kpi(at_objective, "uptime").met is True
    assert at_objective.credits.amount == 0
    # one more second misses it: 10 % of USD 1,000
    over = run(policy, [inc("A", "2026-11-02T10:00:00", "2026-11-02T10:43:13")], NOV)
    assert kpi(over, "uptime").met is False
    assert over.credits.amount == Decimal("100.00")
    # 432 min: exactly 99.0 %, which is "at least 99.0 %": still the 10 % tier
    at_bound = run(policy, [inc("A", "2026-11-02T00:00:00", "2026-11-02T07:12:00")], NOV)
    assert kpi(at_bound, "uptime").actual == Decimal("99")
    assert at_bound.credits.amount == Decimal("100.00")
    assert at_bound.credits.tier == {"lower": Decimal("99.0"), "lower_inclusive": True, "upper": Decimal("99.9"), "upper_inclusive": False}
    assert "less than 99.9% but at least 99.0%" in text(at_bound.credits.steps[0].reason)


def test_value_in_a_declared_tier_gap_is_reported_not_guessed():
    from slagen.policy.load import load_policy

    from .conftest import ROOT

    github = load_policy(ROOT / "policies/github-enterprise-cloud.yaml")
    # Q4 2026 has 92 days = 132,480 min; 1 % of it = 1,324.8 min -> exactly 99.0 %, in neither band
    ev = run(github, [inc("G", "2026-10-05T00:00:00", "2026-10-05T22:04:48", ("Git Operations",))], "2026-Q4")
    assert kpi(ev, "github-uptime").actual == Decimal("99")
    assert ev.credits.no_tier_applies is True
    assert ev.credits.amount == 0
    assert any("no tier applies" in text(s.reason) for s in ev.credits.steps)
    # and exactly 99.9 % earns the 10 % band ("at most 99.9 %"): 10 % of 3 x 21,000
    ev = run(github, [inc("G", "2026-10-05T00:00:00", "2026-10-05T02:12:28.800000", ("Git Operations",))], "2026-Q4")
    assert kpi(ev, "github-uptime").actual == Decimal("99.9")
    assert ev.credits.amount == Decimal("6300.00")


MAINTENANCE = """
  - id: maint
    category: scheduled_maintenance
    excluded: true
    conditions:
      notice_at_least: 72h
      cap_per_window: 4h
      within: [{days: [sat, sun], from: "00:00", to: "06:00"}]
"""


def test_maintenance_within_cap_beyond_cap_and_with_too_little_notice():
    policy = make_policy(exclusions=MAINTENANCE)
    incidents = [
        # Sat 7 Nov 01:00-04:00 with 96 h notice: 180 min excluded
        inc("M1", "2026-11-07T01:00:00", "2026-11-07T04:00:00", cause="scheduled_maintenance", notice="2026-11-03T01:00:00"),
        # Sun 8 Nov 02:00-04:00: 60 min fit the 4 h cap, 60 min spill back into downtime
        inc("M2", "2026-11-08T02:00:00", "2026-11-08T04:00:00", cause="scheduled_maintenance", notice="2026-11-01T00:00:00"),
        # 24 h notice only: counted
        inc("M3", "2026-11-14T01:00:00", "2026-11-14T01:30:00", cause="scheduled_maintenance", notice="2026-11-13T01:00:00"),
        # starts inside the window but runs past 06:00: 30 min excluded (cap already used: counted), 30 outside counted
        inc("M4", "2026-11-15T05:30:00", "2026-11-15T06:30:00", cause="scheduled_maintenance", notice="2026-11-01T00:00:00"),
    ]
    ev = run(policy, incidents, NOV)
    up = kpi(ev, "uptime")
    assert up.excluded_minutes == 240
    assert up.downtime_minutes == 60 + 30 + 60
    reasons = {(line.incident, line.status): text(line.reason) for line in ev.trace}
    assert "with 96h notice ≥ 72h required" in reasons[("M1", "excluded")]
    assert "beyond the 4h cap" in reasons[("M2", "counted")]
    assert reasons[("M3", "counted")] == "counted: notice 24h < 72h required"
    assert "outside the permitted maintenance window" in reasons[("M4", "counted")]


def test_maintenance_removed_from_denominator_when_the_policy_says_so():
    policy = make_policy(exclusions=MAINTENANCE, window="{kind: calendar_month, maintenance: remove_from_denominator}")
    ev = run(policy, [inc("M1", "2026-11-07T01:00:00", "2026-11-07T04:00:00", cause="scheduled_maintenance", notice="2026-11-01T00:00:00")], NOV)
    assert kpi(ev, "uptime").denominator_minutes == 43_200 - 180
    assert kpi(ev, "uptime").actual == 100


FORCE = """
  - {id: fm, category: natural_disaster, excluded: true}
  - {id: attack, category: cyber_attack, excluded: false}
"""


def test_force_majeure_excluded_versus_covered():
    ev = run(make_policy(exclusions=FORCE), [
        inc("T", "2026-11-02T00:00:00", "2026-11-02T02:00:00", cause="natural_disaster"),
        inc("D", "2026-11-03T00:00:00", "2026-11-03T01:00:00", cause="cyber_attack"),
        inc("P", "2026-11-04T00:00:00", "2026-11-04T00:10:00", cause="power_failure"),
    ], NOV)
    up = kpi(ev, "uptime")
    assert (up.downtime_minutes, up.excluded_minutes) == (70, 120)
    reasons = {line.incident: text(line.reason) for line in ev.trace}
    assert reasons["T"] == "excluded: natural disaster"
    assert "covered by this policy" in reasons["D"]
    assert reasons["P"] == "counted: cause 'power failure' is not excluded by this policy"


def test_minimum_outage_and_rounding_up():
    policy = make_policy(counting="{minimum_outage: 1m, rounding: up}")
    ev = run(policy, [inc("S", "2026-11-02T10:00:00", "2026-11-02T10:00:59"), inc("L", "2026-11-02T11:00:00", "2026-11-02T11:01:00.500000")], NOV)
    assert kpi(ev, "uptime").downtime_minutes == 2  # 59 s ignored; 1 min 0.5 s rounds up to 2
    assert {line.incident: line.status for line in ev.trace} == {"S": "ignored", "L": "counted", "": "counted"}
    # the trace is an accounting: L's exact 1.00833.. min plus a rounding line of the rest
    rounding = next(line for line in ev.trace if line.incident == "")
    assert rounding.reason.code == "rounding.up" and text(rounding.reason) == "rounding: 1 counted run(s) rounded up to whole minutes"
    assert sum(line.minutes for line in ev.trace if line.status == "counted") == 2


def test_partial_outage_weight():
    ev = run(make_policy(counting="{impact_weights: {partial_outage: 50}}"), [inc("P", "2026-11-02T10:00:00", "2026-11-02T11:00:00", impact="partial_outage")], NOV)
    assert kpi(ev, "uptime").downtime_minutes == 30


def test_fixed_30_day_denominator():
    ev = run(make_policy(tz="UTC", window="{kind: calendar_month, denominator: fixed_30_days}"), [inc("A", "2026-10-02T10:00:00", "2026-10-02T10:43:12")], "2026-10")
    assert kpi(ev, "uptime").denominator_minutes == 43_200
    assert kpi(ev, "uptime").actual == Decimal("99.9")


PER_MINUTE = """
  rules:
    - {{id: per-minute, kind: per_period, kpi: uptime, amount: "100.00", period: 1m, partial_periods: {partial}}}
  cap: {{percent_of_fee: 50}}
  minimum_payout: "{minimum}"
"""


def test_per_minute_credit_started_completed_and_pro_rata():
    incidents = [inc("A", "2026-11-02T10:00:00", "2026-11-02T11:00:30")]  # 60.5 min; 17.3 beyond 43.2
    amounts = {}
    for partial in ("started", "completed", "pro_rata"):
        policy = make_policy(fee="80000.00", credits=PER_MINUTE.format(partial=partial, minimum="1"))
        amounts[partial] = run(policy, incidents, NOV).credits.amount
    assert amounts == {"started": Decimal("1800.00"), "completed": Decimal("1700.00"), "pro_rata": Decimal("1730.00")}


def test_per_minute_credit_hits_the_cap():
    policy = make_policy(fee="80000.00", credits=PER_MINUTE.format(partial="started", minimum="1"))
    ev = run(policy, [inc("A", "2026-11-02T00:00:00", "2026-11-02T16:40:00")], NOV)  # 1,000 min
    # (1000 - 43.2) = 956.8 -> 957 started minutes x 100 = 95,700 > 50 % of 80,000
    assert ev.credits.amount == Decimal("40000.00")
    assert any("exceeds the cap" in text(s.reason) for s in ev.credits.steps)


def test_minimum_payout():
    policy = make_policy(fee="80000.00", credits=PER_MINUTE.format(partial="started", minimum="500"))
    ev = run(policy, [inc("A", "2026-11-02T10:00:00", "2026-11-02T10:46:00")], NOV)  # 2.8 beyond -> 3 x 100 = 300 < 500
    assert ev.credits.amount == 0
    assert any("below the minimum" in text(s.reason) for s in ev.credits.steps)


ROLLING = """
  rules:
    - {id: per-minute, kind: per_period, kpi: uptime, amount: "100.00"}
  rolling_cap: {windows: 12, percent_of_fee: 100}
"""


def test_rolling_twelve_month_cap_partly_used():
    policy = make_policy(fee="80000.00", credits=ROLLING)
    incidents = [inc("A", "2026-11-02T00:00:00", "2026-11-02T16:40:00")]  # 957 periods -> 95,700
    prior = tuple(PriorWindow(f"m{i}", Decimal("80000"), Decimal("7000")) for i in range(10))  # 70,000 used
    ev = run(policy, incidents, NOV, prior=prior)
    assert ev.credits.amount == Decimal("10000.00")
    # windows beyond the 11 previous ones do not count
    ev = run(policy, incidents, NOV, prior=prior + tuple(PriorWindow("old", Decimal("80000"), Decimal("80000")) for _ in range(5)))
    assert ev.credits.amount == Decimal("0.00")


def test_open_incident_clipped_at_as_of_and_mid_window_budget():
    policy = make_policy()
    ev = run(policy, [inc("O", "2026-11-10T11:00:00", None)], NOV, as_of="2026-11-10T11:30:00+00:00")
    up = kpi(ev, "uptime")
    assert up.downtime_minutes == 30
    assert ev.open_incidents == ("O",)
    assert up.status == "pending"  # 30 of 43.2 allowed minutes: met so far, window open
    # budget: 30 of 43.2 allowed minutes used after 9 days 11.5 h of 30 days
    assert up.budget.used_minutes == 30
    assert up.budget.left_minutes == Decimal("13.2")
    elapsed_share = Decimal(9 * 1440 + 690) / Decimal(43_200)
    assert up.budget.burn_rate == (Decimal(30) / Decimal("43.2")) / elapsed_share
    assert ev.complete is False


def test_insufficient_data_is_never_100_percent():
    policy = make_policy(counting="{minimum_data: {coverage: 90}}")
    ev = run(policy, [], NOV)
    assert kpi(ev, "uptime").status == "insufficient_data"
    assert kpi(ev, "uptime").actual is None
    half = (Coverage(t("2026-11-01T00:00:00"), t("2026-11-16T00:00:00")),)
    ev = run(policy, [], NOV, coverage=half)
    assert "covers 50.00% of the window" in "; ".join(text(n) for n in kpi(ev, "uptime").notes)
    full = (Coverage(t("2026-10-01T00:00:00"), t("2026-12-01T00:00:00")),)
    assert kpi(run(policy, [], NOV, coverage=full), "uptime").actual == 100


ESCALATION_POLICY = """
escalation:
  - {level: 1, kpi: uptime, below: 95, action: warn IT}
  - {level: 2, kpi: uptime, below: 90, action: legal opens compensation talks}
"""


def test_escalation_reports_the_highest_level_reached():
    from slagen.policy.load import parse_policy

    from .engine_helpers import BASE, TIERS

    text = BASE.format(currency="USD", fee="1000", tz="UTC", window="{kind: calendar_month}", counting="{}", objective="99.9", p1_target="15m",
                       p1_calendar="24x7", measure="exact", pause="", exclusions="[]", credits=TIERS) + ESCALATION_POLICY
    policy = parse_policy(text, "x.yaml")
    # 94 %: 6 % of 43,200 = 2,592 min down -> level 1 only
    ev = run(policy, [inc("A", "2026-11-02T00:00:00", "2026-11-03T19:12:00")], NOV)
    assert kpi(ev, "uptime").actual == 94
    assert ev.escalation.level == 1
    # 89 %: 4,752 min -> levels 1 and 2, highest 2
    ev = run(policy, [inc("A", "2026-11-02T00:00:00", "2026-11-05T07:12:00")], NOV)
    assert ev.escalation.level == 2
    assert [r.level for r in ev.escalation.reached] == [1, 2]
    assert ev.credits.amount == Decimal("1000.00")


def test_slack_style_ten_times_the_fee_for_the_downtime():
    from slagen.policy.load import load_policy

    from .conftest import ROOT

    slack = load_policy(ROOT / "policies/slack.yaml")
    ev = run(slack, [inc("S", "2026-11-02T10:00:00", "2026-11-02T11:00:00", ("messaging",))], "2026-Q4")
    # Q4 2026: 92 days = 132,480 min; quarter fee 3 x 5,000 = 15,000;
    # 10 x 15,000 x 60 / 132,480 = 67.9347... -> USD 67.93
    assert ev.credits.fee == Decimal("15000.00")
    assert ev.credits.amount == Decimal("67.93")


def test_workspace_style_days_of_service_in_a_dst_month():
    from slagen.policy.load import load_policy

    from .conftest import ROOT

    workspace = load_policy(ROOT / "policies/google-workspace.yaml")
    # November 2026 in Los Angeles has 43,260 minutes (DST ends 1 Nov); 100 min down ->
    # 99.7688 %: "less than 99.9 % but at least 99.0 %" -> 3 days of service, no money
    ev = run(workspace, [inc("W", "2026-11-10T10:00:00-08:00", "2026-11-10T11:40:00-08:00", ("Gmail",))], "2026-11")
    up = kpi(ev, "workspace-uptime")
    assert up.denominator_minutes == 43_260
    assert (ev.credits.days, ev.credits.amount) == (3, Decimal("0.00"))
    # two days down: 93.34 %, "less than 95.0 %" -> 15 days (equal to the 15-day cap)
    ev = run(workspace, [inc("W", "2026-11-02T00:00:00-08:00", "2026-11-04T00:00:00-08:00", ("Gmail",))], "2026-11")
    assert ev.credits.days == 15


def test_daily_downtime_splits_at_local_midnight_and_adds_up_exactly():
    """An outage 23:30-00:45 local (HK) with rounding up: 75 min, 30 on day 1 and 45 on day 2;
    a 10 min 30 s outage rounds up to 11 min, all on its own day."""
    from datetime import date

    policy = make_policy(tz="Asia/Hong_Kong", counting="{rounding: up}")
    incidents = [
        inc("A", "2026-10-03T23:30:00+08:00", "2026-10-04T00:45:00+08:00"),
        inc("B", "2026-10-10T12:00:00+08:00", "2026-10-10T12:10:30+08:00"),
    ]
    result = run(policy, incidents, "2026-10")
    uptime = kpi(result, "uptime")
    daily = dict(uptime.daily)
    assert daily == {date(2026, 10, 3): Decimal(30), date(2026, 10, 4): Decimal(45), date(2026, 10, 10): Decimal(11)}
    assert sum(daily.values()) == uptime.downtime_minutes == Decimal(86)


def test_daily_share_of_a_rounded_outage_over_midnight_keeps_the_total():
    from datetime import date

    policy = make_policy(tz="Asia/Hong_Kong", counting="{rounding: up}")
    result = run(policy, [inc("A", "2026-10-03T23:55:00+08:00", "2026-10-04T00:05:30+08:00")], "2026-10")
    daily = dict(kpi(result, "uptime").daily)
    # 10.5 min rounds up to 11; 5 of 10.5 weighted minutes fell on the 3rd: 11 x 5/10.5 = 5.238
    assert daily == {date(2026, 10, 3): Decimal("5.238"), date(2026, 10, 4): Decimal("5.762")}


def test_percentages_are_cut_not_rounded_so_a_miss_never_reads_as_met():
    from slagen.render.numbers import shown_percent

    assert shown_percent(Decimal("99.89996")) == "99.8999"
    assert shown_percent(Decimal("99.9")) == "99.9000"
    assert shown_percent(Decimal("99.57437275985663"), 3) == "99.574"
