"""Windows and calendars: local midnights, DST-length months, business-hours arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slagen.engine.calendar import add_open_time, open_time_between
from slagen.engine.windows import last_complete_window, window_for_period
from slagen.errors import UsageError
from slagen.policy.model import Calendar

from .engine_helpers import make_policy, t


def test_hong_kong_month_starts_at_1600_utc_the_day_before():
    w = window_for_period(make_policy(tz="Asia/Hong_Kong"), "2026-10")
    assert w.start == t("2026-09-30T16:00:00+00:00")
    assert w.end == t("2026-10-31T16:00:00+00:00")
    assert w.minutes == 31 * 1440 == 44_640


@pytest.mark.parametrize("tz, period, minutes", [
    ("America/New_York", "2026-03", 31 * 1440 - 60),  # DST starts 8 March: 44,580
    ("America/New_York", "2026-11", 30 * 1440 + 60),  # DST ends 1 November: 43,260
    ("Europe/London", "2026-03", 44_580),  # BST starts 29 March
    ("Europe/London", "2026-10", 44_700),  # BST ends 25 October
    ("UTC", "2026-02", 28 * 1440),
])
def test_dst_months_are_an_hour_shorter_or_longer(tz, period, minutes):
    assert window_for_period(make_policy(tz=tz), period).minutes == minutes


def test_quarter_and_billing_cycle_windows():
    q = window_for_period(make_policy(window="{kind: calendar_quarter}"), "2026-Q4")
    assert (q.start, q.end, q.minutes) == (t("2026-10-01T00:00:00"), t("2027-01-01T00:00:00"), 92 * 1440)
    b = window_for_period(make_policy(window="{kind: billing_cycle, anchor_day: 15}"), "2026-10")
    assert (b.start, b.end) == (t("2026-10-15T00:00:00"), t("2026-11-15T00:00:00"))


def test_default_period_is_last_complete_window_in_policy_zone():
    policy = make_policy(tz="Asia/Hong_Kong")
    # 2026-11-01 00:30 in Hong Kong is still 31 October in UTC, but October is complete locally
    w = last_complete_window(policy, t("2026-10-31T16:30:00+00:00"))
    assert w.label == "2026-10"
    w = last_complete_window(policy, t("2026-10-31T15:30:00+00:00"))
    assert w.label == "2026-09"


def test_period_in_wrong_form_is_a_usage_error():
    with pytest.raises(UsageError, match="write YYYY-MM"):
        window_for_period(make_policy(), "October")


OFFICE = make_policy(tz="Asia/Hong_Kong").calendar("office")


def test_business_deadline_landing_exactly_at_closing_time_stays_there():
    # Monday 2026-10-05 14:00 HKT + 4 h of office time = 18:00, the closing time, same day
    assert add_open_time(OFFICE, t("2026-10-05T14:00:00+08:00"), timedelta(hours=4)) == t("2026-10-05T18:00:00+08:00")


def test_business_clock_started_outside_hours_moves_to_next_opening():
    assert add_open_time(OFFICE, t("2026-10-05T20:00:00+08:00"), timedelta(hours=1)) == t("2026-10-06T10:00:00+08:00")


def test_business_time_across_a_weekend_and_public_holidays():
    # Thu 24 Dec 17:00: 1 h left that day; Fri 25 Dec (Christmas) and Sat 26 Dec are HK
    # holidays, Sunday closed; the remaining 3 h run Monday 28 Dec 09:00-12:00.
    start = t("2026-12-24T17:00:00+08:00")
    assert add_open_time(OFFICE, start, timedelta(hours=4)) == t("2026-12-28T12:00:00+08:00")
    assert open_time_between(OFFICE, start, t("2026-12-28T12:00:00+08:00")) == timedelta(hours=4)


def test_dst_change_inside_a_business_day():
    # London, Sunday 29 March 2026: clocks jump 01:00 -> 02:00, so a 00:00-24:00 day has 23 h.
    always_sunday = Calendar("sun", "Europe/London", tuple(() for _ in range(6)) + (((0, 1440),),))
    day_start = t("2026-03-29T00:00:00+00:00")
    assert open_time_between(always_sunday, day_start, day_start + timedelta(days=2)) == timedelta(hours=23)
    # 09:00-18:00 on the day clocks go back (25 Oct) is 9 h of wall clock and 9 h elapsed
    office_london = Calendar("o", "Europe/London", tuple(((540, 1080),) for _ in range(7)))
    assert open_time_between(office_london, t("2026-10-25T00:00:00+01:00"), t("2026-10-26T00:00:00+00:00")) == timedelta(hours=9)
    # a range spanning the jump: 00:00-03:00 on 29 March is only 2 h of real time
    night = Calendar("n", "Europe/London", tuple(() for _ in range(6)) + (((0, 180),),))
    assert open_time_between(night, day_start, day_start + timedelta(days=1)) == timedelta(hours=2)


def test_incident_index_returns_every_incident_that_touches_a_window():
    """The index is a pre-filter: for random incidents it must never drop one the engine would count."""
    import random
    from datetime import datetime, timedelta, timezone

    from slagen.engine.evaluate import _may_touch
    from slagen.engine.index import IncidentIndex
    from slagen.engine.windows import window_for_period
    from slagen.incidents.model import Incident, Outage

    from .engine_helpers import make_policy

    rng = random.Random(3)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    incidents = []
    for i in range(2000):
        start = base + timedelta(minutes=rng.randrange(400 * 1440))
        end = None if i % 97 == 0 else start + timedelta(minutes=rng.expovariate(1 / 600))
        ack = start + timedelta(days=rng.choice([0, 0, 0, 40]))  # a few acknowledged long after
        incidents.append(Incident(f"I{i}", start, end, (Outage("app", start, end, "major_outage"),), "t", acknowledged_at=ack))
    index = IncidentIndex(incidents)
    policy = make_policy()
    as_of = datetime(2027, 3, 1, tzinfo=timezone.utc)
    for month in range(1, 13):
        window = window_for_period(policy, f"2026-{month:02d}")
        near = {i.id for i in index.near(window)}
        must = {i.id for i in incidents if _may_touch(i, window, as_of)}
        assert must <= near
        assert len(near) < len(incidents) / 2  # and it actually narrows the search


@pytest.mark.parametrize("label, en, hans, hant", [
    ("2026-10", "2026-10", "2026年10月", "2026年10月"),
    ("2026-Q4", "2026-Q4", "2026年第4季度", "2026年第4季"),
    ("FY2025-Q1", "FY2025-Q1", "2025财政年度第1季度", "2025財政年度第1季"),
    ("FY2025", "FY2025", "2025财政年度", "2025財政年度"),
    ("2026-11-01 cycle", "billing cycle from 2026-11-01", "自2026-11-01起的账单周期", "自2026-11-01起的賬單週期"),
    ("30 days to 2026-10-31", "30 days to 2026-10-31", "截至2026-10-31的30天", "截至2026-10-31的30天"),
    ("2026-11-10 10:00 to 2026-11-10 10:20", "2026-11-10 10:00 to 2026-11-10 10:20", "2026-11-10 10:00至2026-11-10 10:20", "2026-11-10 10:00至2026-11-10 10:20"),
    ("made by another version", "made by another version", "made by another version", "made by another version"),
])
def test_a_window_label_is_said_in_the_readers_language_and_stays_the_key(label, en, hans, hant):
    """The label is the window's key (ledger, JSON, file names); documents say it from the
    catalogue: no English "cycle" or "to" in a Chinese report's header."""
    from slagen.render.messages import Messages

    assert [Messages(lang).window(label) for lang in ("en", "zh-Hans", "zh-Hant")] == [en, hans, hant]


def test_every_label_the_engine_makes_has_a_caption():
    """The inverse in window_caption covers every form window_containing and explicit_window make."""
    from datetime import datetime, timezone

    from slagen.engine.windows import explicit_window, window_caption, window_containing

    kinds = {"calendar_month": "{kind: calendar_month}", "calendar_quarter": "{kind: calendar_quarter}", "billing_cycle": "{kind: billing_cycle, anchor_day: 15}",
             "rolling_days": "{kind: rolling_days, days: 30}", "fiscal_quarter": "{kind: fiscal_quarter, start_month: 2}", "fiscal_year": "{kind: fiscal_year, start_month: 2}"}
    instant = datetime(2026, 10, 20, tzinfo=timezone.utc)
    for kind, window in kinds.items():
        policy = make_policy(window=window)
        assert window_caption(window_containing(policy, instant).label)[0] != "window.name.other", kind
    assert window_caption(explicit_window(policy, instant, instant.replace(day=21)).label)[0] == "window.name.explicit"
