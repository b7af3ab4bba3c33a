"""The trace is an accounting (issue 12, item 3), as properties.

For every availability KPI of every evaluation: counted trace lines sum exactly to the
downtime, excluded lines to the excluded minutes, overlap and ignored lines carry 0
minutes, and the daily figures sum to the downtime (tests/accounting.py). Checked on random
incident sets (hypothesis, derandomized), on the bundled example and on the real GitHub
and Google Cloud histories. Without caps, minimum outage or rounding, the counted and
excluded minutes must also equal an independent oracle: a plain integer-millisecond sweep
that counts each instant once, at the highest weight of the counted outages active then.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slagen.engine.evaluate import evaluate
from slagen.engine.windows import window_for_period, windows_for_range
from slagen.incidents.model import Incident, Outage
from slagen.incidents.readers import read_incidents
from slagen.policy.load import load_policy, parse_policy

from .accounting import accounting_problems
from .conftest import REAL, ROOT
from .engine_helpers import make_policy

WEIGHTS = {"major_outage": Decimal(1), "partial_outage": Decimal("0.5"), "degraded_performance": Decimal(0)}
COUNTING = "{{impact_weights: {{major_outage: 100, partial_outage: 50, degraded_performance: 0}}{extra}}}"
EXCLUSIONS = ("[{{id: nd, category: natural_disaster, excluded: true}},"
              " {{id: maint, category: scheduled_maintenance, excluded: true, conditions: {{notice_at_least: 24h{cap}}}}}]")
# New York: November 2026 holds the end of DST, so days and the window are not all 1,440 min
POLICIES = {
    "exact": make_policy(tz="America/New_York", counting=COUNTING.format(extra=""), exclusions=EXCLUSIONS.format(cap="")),
    "capped-up": make_policy(tz="America/New_York", counting=COUNTING.format(extra=", minimum_outage: 2m, rounding: up"), exclusions=EXCLUSIONS.format(cap=", cap_per_window: 90m")),
    "capped-down": make_policy(tz="America/New_York", counting=COUNTING.format(extra=", minimum_outage: 5m, rounding: down"), exclusions=EXCLUSIONS.format(cap=", cap_per_window: 30m")),
}
WINDOW = window_for_period(POLICIES["exact"], "2026-11")
AS_OF = datetime(2026, 12, 15, tzinfo=timezone.utc)
SCOPE = {"app", "api"}  # the KPI 'uptime' of make_policy; 'web' is out of scope
SPAN_S = int((WINDOW.end - WINDOW.start).total_seconds()) + 4 * 86400

incident = st.fixed_dictionaries({
    "start": st.integers(0, SPAN_S),  # seconds after two days before the window
    "length": st.integers(1, 2 * 86400),
    "components": st.lists(st.sampled_from(["app", "api", "web"]), min_size=1, max_size=3, unique=True),
    "impact": st.sampled_from(sorted(WEIGHTS)),
    "cause": st.sampled_from([None, "natural_disaster", "scheduled_maintenance"]),
    "notice_h": st.sampled_from([None, 1, 48]),
    "open": st.sampled_from([False, False, False, False, True]),  # still open: clipped at the window end
    "ms": st.integers(0, 999),
})


def _incidents(specs: list[dict]) -> list[Incident]:
    base = WINDOW.start - timedelta(days=2)
    out = []
    for n, s in enumerate(specs):
        start = base + timedelta(seconds=s["start"], milliseconds=s["ms"])
        end = None if s["open"] else start + timedelta(seconds=s["length"])
        notice = start - timedelta(hours=s["notice_h"]) if s["notice_h"] else None
        out.append(Incident(id=f"INC-{n}", started_at=start, resolved_at=end, outages=tuple(Outage(c, start, end, s["impact"]) for c in s["components"]),
                            source=f"random:{n}", cause=s["cause"], notice_at=notice))
    return out


def _ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def oracle(incidents: list[Incident]) -> tuple[Decimal, Decimal]:
    """(counted, excluded) minutes by a sweep over every boundary, independent of the engine."""
    lo_w, hi_w = _ms(WINDOW.start), _ms(min(WINDOW.end, AS_OF))
    segs = []  # (start, end, counted, weight)
    for inc in incidents:
        excluded = inc.cause == "natural_disaster" or (inc.cause == "scheduled_maintenance" and inc.notice_at is not None
                                                        and inc.started_at - inc.notice_at >= timedelta(hours=24))
        for o in inc.outages:
            if o.component not in SCOPE:
                continue
            s, e = max(_ms(o.start), lo_w), min(_ms(o.end) if o.end else _ms(AS_OF), hi_w)
            if e > s:
                segs.append((s, e, not excluded, WEIGHTS[o.impact]))
    points = sorted({p for s in segs for p in s[:2]})
    counted, excluded = Decimal(0), 0
    for a, b in zip(points, points[1:]):
        active = [s for s in segs if s[0] <= a and s[1] >= b]
        weight = max((s[3] for s in active if s[2]), default=Decimal(0))
        if weight > 0:
            counted += (b - a) * weight
        elif any(not s[2] for s in active):
            excluded += b - a
    return counted / 60000, Decimal(excluded) / 60000


def _kpi(evaluation, kpi_id="uptime"):
    return next(k for k in evaluation.kpis if k.id == kpi_id)


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(incident, max_size=8), name=st.sampled_from(sorted(POLICIES)))
def test_accounting_on_random_incidents(specs, name):
    incidents = _incidents(specs)
    evaluation = evaluate(POLICIES[name], incidents, WINDOW, AS_OF)
    problems = accounting_problems(evaluation)
    assert not problems, f"policy {name}: " + "; ".join(problems)
    if name == "exact":
        counted, excluded = oracle(incidents)
        k = _kpi(evaluation)
        tolerance = Decimal("1e-9")  # lines are divided by 60,000 one by one; the oracle divides once
        assert abs(k.downtime_minutes - counted) < tolerance, f"downtime {k.downtime_minutes} min, oracle {counted} min"
        assert abs(k.excluded_minutes - excluded) < tolerance, f"excluded {k.excluded_minutes} min, oracle {excluded} min"


def test_accounting_on_the_bundled_example():
    policy = load_policy(ROOT / "examples/dingtalk-enterprise.yaml")
    incidents = read_incidents(ROOT / "examples/incidents/dingtalk-2026-10.csv").incidents
    for period in ("2026-09", "2026-10", "2026-11"):
        evaluation = evaluate(policy, incidents, window_for_period(policy, period), AS_OF)
        problems = accounting_problems(evaluation)
        assert not problems, f"examples/dingtalk-enterprise.yaml {period}: " + "; ".join(problems)


def test_accounting_on_every_bundled_policy_without_incidents():
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        policy = load_policy(path)
        window = window_for_period(policy, "2026-Q1" if policy.window.kind == "calendar_quarter" else
                                   "2026-01-31" if policy.window.kind == "rolling_days" else "2026-01")
        assert not accounting_problems(evaluate(policy, [], window, AS_OF)), path.name


# A Google Cloud SLA over the products that appear most often in the GCP history; no policy
# in policies/ covers Google Cloud (google-workspace.yaml is Workspace, whose products differ).
GCP_POLICY = """
slagen: 1
agreement:
  id: gcp-test
  title: Google Cloud (test)
  provider: {name: Google}
  customer: {name: Customer}
  effective_date: 2021-01-01
  currency: USD
  fees: {monthly: "10000.00"}
timezone: America/Los_Angeles
window: {kind: calendar_month}
services:
  - id: gcp
    components:
      - {id: networking, name: Google Cloud Networking}
      - {id: app-engine, name: Google App Engine}
      - {id: load-balancing, name: Cloud Load Balancing}
      - {id: compute, name: Google Compute Engine}
      - {id: sql, name: Google Cloud SQL}
      - {id: bigtable, name: Google Cloud Bigtable}
counting: {impact_weights: {major_outage: 100, partial_outage: 50, degraded_performance: 0}, minimum_outage: 1m, rounding: up}
kpis:
  - {id: gcp-uptime, kind: availability, scope: [gcp], objective: 99.95}
  - {id: compute-uptime, kind: availability, scope: [gcp/compute, gcp/networking], objective: 99.99}
exclusions: []
credits:
  rules:
    - {id: tiers, kind: tiers, kpi: gcp-uptime, tiers: [{below: 99.95, at_least: 99.0, credit: 10}, {below: 99.0, at_least: 95.0, credit: 25}, {below: 95.0, credit: 50}]}
"""


def _github_monthly():
    text = (ROOT / "policies/github-enterprise-cloud.yaml").read_text(encoding="utf-8")
    assert "kind: calendar_quarter" in text
    return parse_policy(text.replace("kind: calendar_quarter", "kind: calendar_month"), "github-enterprise-cloud (monthly).yaml")


@pytest.mark.parametrize(("name", "source", "policy", "periods", "fmt"), [
    ("github", "githubstatus_incidents_2019-2023.statuspage.json", lambda: load_policy(ROOT / "policies/github-enterprise-cloud.yaml"), "2019-Q1..2023-Q3", "auto"),
    ("github-monthly", "githubstatus_incidents_2019-2023.statuspage.json", _github_monthly, "2019-01..2023-10", "auto"),
    ("gcp-monthly", "raw/gcp/incidents.json", lambda: parse_policy(GCP_POLICY, "gcp-test.yaml"), "2021-07..2022-07", "auto"),
    # per product and region, the regions following the updates: still a union per product
    ("gcp-regions-monthly", "raw/gcp/incidents.json", lambda: parse_policy(GCP_POLICY, "gcp-test.yaml"), "2021-07..2022-07", "gcp_regions"),
])
def test_accounting_on_real_histories(name, source, policy, periods, fmt):
    path = REAL / source
    if not path.is_file():
        pytest.skip(f"real incident history {path} not present (shared data set absent; set SLAGEN_SHARED)")
    started = time.perf_counter()
    policy = policy()
    incidents = read_incidents(path, fmt, on_bad_record="skip").incidents
    windows = windows_for_range(policy, periods)
    counted_somewhere = False
    for window in windows:
        evaluation = evaluate(policy, incidents, window, datetime(2026, 1, 1, tzinfo=timezone.utc))
        problems = accounting_problems(evaluation)
        assert not problems, f"{name} {window.label}: " + "; ".join(problems)
        counted_somewhere = counted_somewhere or any(k.downtime_minutes > 0 for k in evaluation.kpis)
    assert counted_somewhere, f"{name}: no window counted any downtime; the policy's components do not match the data"
    assert time.perf_counter() - started < 5, f"{name}: {len(windows)} windows took too long"


def _lines(down):
    """A downtime's trace as comparable facts: who, what, why, how many minutes, how long."""
    return sorted((t.incident, t.status, t.reason.code, t.reason.params, t.minutes, t.span_minutes) for t in down.trace)


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(incident, max_size=10), name=st.sampled_from(sorted(POLICIES)))
def test_the_fast_sweep_agrees_with_the_reference_engine(specs, name):
    """The heap-and-owner-run sweep against the per-piece engine it replaced
    (tests/reference_availability.py): same downtime, exclusions, days and trace lines."""
    from slagen.engine import availability as fast
    from slagen.engine.scope import ScopeIndex

    from . import reference_availability as reference

    policy = POLICIES[name]
    kpi = policy.kpi("uptime")
    incidents = _incidents(specs)
    index = ScopeIndex(policy)
    new = fast.downtime(policy, kpi, incidents, WINDOW, AS_OF, index)
    old = reference.downtime(policy, kpi, incidents, WINDOW, AS_OF, index)
    assert (new.counted_minutes, new.excluded_minutes, new.maintenance_excluded_minutes) == (old.counted_minutes, old.excluded_minutes, old.maintenance_excluded_minutes)
    assert new.daily == old.daily and new.runs == old.runs
    assert _lines(new) == _lines(old)
