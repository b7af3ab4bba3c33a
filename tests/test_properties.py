"""Properties of the engine that must hold for any incidents (hypothesis).

Each property is one a plausible bug would break: clipping (availability outside 0..100,
downtime longer than the window), union (order dependence, splitting an outage changing the
count), exclusions (an excluded outage adding downtime), credits (not monotone, over the
cap) and time zones (equal instants written with other offsets giving other results).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slagen.engine.evaluate import evaluate
from slagen.engine.windows import window_for_period
from slagen.incidents.model import Incident, Outage

from .engine_helpers import make_policy

CAPPED = """
  rules:
    - {id: tiers, kind: tiers, kpi: uptime, tiers: [{below: 99.9, at_least: 99.0, credit: 10}, {below: 99.0, at_least: 95.0, credit: 25}, {below: 95.0, credit: 40}]}
    - {id: per-10m, kind: per_period, kpi: uptime, percent_of_fee: 1, period: 10m, partial_periods: started}
  cap: {percent_of_fee: 50}
"""
POLICIES = {
    "exact": make_policy(tz="Asia/Hong_Kong", credits=CAPPED, exclusions="[{id: nd, category: natural_disaster, excluded: true}]"),
    "rounded": make_policy(tz="America/New_York", credits=CAPPED, counting="{rounding: up, minimum_outage: 2m, impact_weights: {major_outage: 100, partial_outage: 50, degraded_performance: 0}}",
                           exclusions="[{id: nd, category: natural_disaster, excluded: true}]"),
}
# windows around the months edges: an outage may start before and end after the window
BASE = datetime(2026, 10, 29, tzinfo=timezone.utc)
SPAN_MIN = 36 * 24 * 60

outage = st.tuples(
    st.integers(0, SPAN_MIN),  # start, minutes after BASE
    st.integers(1, 3 * 24 * 60),  # length in minutes
    st.sampled_from(["app", "api", "web"]),
    st.sampled_from(["major_outage", "partial_outage", "degraded_performance"]),
    st.sampled_from([None, None, "natural_disaster", "customer_caused"]),
    st.integers(0, 59),  # seconds, so rounding and minimum outage matter
)
outages = st.lists(outage, max_size=12)
_LONG = "SLAGEN_FUZZ_EXAMPLES" in os.environ  # make fuzz: many random examples; make test: one fixed seed
settings.register_profile("slagen", max_examples=int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", 60)) if _LONG else 60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], derandomize=not _LONG)
settings.load_profile("slagen")


def incidents_from(items, offset: timedelta = timedelta(0)) -> list[Incident]:
    zone = timezone(offset)
    out = []
    for i, (start, length, comp, impact, cause, secs) in enumerate(items):
        s = (BASE + timedelta(minutes=start, seconds=secs)).astimezone(zone)
        e = s + timedelta(minutes=length)
        out.append(Incident(f"I{i}", s, e, (Outage(comp, s, e, impact),), f"gen:{i}", cause=cause, impact=impact))
    return out


def run(policy_name: str, incidents, period: str = "2026-11"):
    policy = POLICIES[policy_name]
    return evaluate(policy, incidents, window_for_period(policy, period), datetime(2027, 1, 1, tzinfo=timezone.utc))


def uptime(ev):
    return next(k for k in ev.kpis if k.id == "uptime")


@given(outages, st.sampled_from(list(POLICIES)))
def test_availability_in_range_and_downtime_within_the_window(items, name):
    ev = run(name, incidents_from(items))
    k = uptime(ev)
    assert 0 <= k.actual <= 100
    assert 0 <= k.downtime_minutes <= ev.window_minutes
    assert k.downtime_minutes + k.excluded_minutes <= ev.window_minutes + 1  # rounding up may add < 1 min per run
    assert sum((m for _, m in k.daily), Decimal(0)) == k.downtime_minutes


@given(outages, st.randoms(use_true_random=False), st.sampled_from(list(POLICIES)))
def test_union_does_not_depend_on_order(items, rng, name):
    shuffled = list(items)
    rng.shuffle(shuffled)
    a, b = uptime(run(name, incidents_from(items))), uptime(run(name, incidents_from(shuffled)))
    assert (a.downtime_minutes, a.excluded_minutes, a.actual) == (b.downtime_minutes, b.excluded_minutes, b.actual)


@given(outages, outage, st.sampled_from(list(POLICIES)))
def test_an_excluded_incident_never_changes_counted_downtime(items, extra, name):
    base = uptime(run(name, incidents_from(items)))
    start, length, comp, impact, _cause, secs = extra
    more = uptime(run(name, incidents_from(items + [(start, length, comp, impact, "natural_disaster", secs)])))
    assert more.downtime_minutes == base.downtime_minutes


@given(outages, outage, st.floats(0.01, 0.99), st.sampled_from(list(POLICIES)))
def test_splitting_an_outage_anywhere_gives_the_same_result(items, piece, at, name):
    start, length, comp, impact, cause, secs = piece
    whole = uptime(run(name, incidents_from(items + [piece])))
    s = BASE + timedelta(minutes=start, seconds=secs)
    cut = s + timedelta(seconds=round(length * 60 * at))
    e = s + timedelta(minutes=length)
    halves = incidents_from(items) + [
        Incident("H1", s, cut, (Outage(comp, s, cut, impact),), "gen:h1", cause=cause, impact=impact),
        Incident("H2", cut, e, (Outage(comp, cut, e, impact),), "gen:h2", cause=cause, impact=impact),
    ]
    split = uptime(run(name, halves))
    assert (split.downtime_minutes, split.excluded_minutes) == (whole.downtime_minutes, whole.excluded_minutes)


@given(outages, outages, st.sampled_from(list(POLICIES)))
def test_credits_are_monotone_in_downtime_and_capped(items, more, name):
    fewer = run(name, incidents_from(items))
    worse = run(name, incidents_from(more + items))  # the added outages first: order must not matter either
    assert uptime(worse).downtime_minutes >= uptime(fewer).downtime_minutes
    assert worse.credits.amount >= fewer.credits.amount
    assert worse.credits.amount <= worse.credits.fee * Decimal("0.5")


@given(outages, st.integers(-12 * 60, 14 * 60), st.sampled_from(list(POLICIES)))
def test_equal_instants_in_other_offsets_give_the_same_result(items, minutes, name):
    utc = run(name, incidents_from(items))
    shifted = run(name, incidents_from(items, timedelta(minutes=minutes)))
    assert [(k.downtime_minutes, k.excluded_minutes, k.actual) for k in utc.kpis] == [(k.downtime_minutes, k.excluded_minutes, k.actual) for k in shifted.kpis]
    assert utc.credits.amount == shifted.credits.amount


@given(outage, st.integers(0, 24 * 60), outage, st.sampled_from(list(POLICIES)))
def test_an_overlapping_outage_never_reduces_downtime(base, into, other, name):
    """Where outages overlap, the time counts at the highest weight among them, in any order."""
    start, length, comp, impact, cause, secs = other
    overlapping = (base[0] + min(into, base[1] - 1), length, base[2], impact, None, secs)
    alone = uptime(run(name, incidents_from([base]))).downtime_minutes
    for items in ([overlapping, base], [base, overlapping]):
        assert uptime(run(name, incidents_from(items))).downtime_minutes >= alone
