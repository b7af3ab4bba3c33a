"""Small builders for engine tests: a policy from YAML text and incidents from tuples."""

from __future__ import annotations

from datetime import datetime, timezone

from slagen.engine.evaluate import evaluate
from slagen.engine.windows import window_for_period
from slagen.incidents.model import Incident, Outage, Pause
from slagen.policy.load import parse_policy

BASE = """
slagen: 1
agreement:
  id: test
  title: Test SLA
  provider: {{name: Vendor}}
  customer: {{name: Customer}}
  effective_date: 2026-01-01
  currency: {currency}
  fees: {{monthly: "{fee}"}}
timezone: {tz}
window: {window}
services:
  - id: svc
    components: [{{id: app}}, {{id: api}}, {{id: web}}]
counting: {counting}
calendars:
  - id: office
    hours: {{mon: ["09:00-18:00"], tue: ["09:00-18:00"], wed: ["09:00-18:00"], thu: ["09:00-18:00"], fri: ["09:00-18:00"]}}
    holidays: {{country: HK}}
kpis:
  - {{id: uptime, kind: availability, scope: [svc/app, svc/api], objective: {objective}}}
  - {{id: p1, kind: response_time, severity: P1, target: {p1_target}, calendar: {p1_calendar}, measure: {measure}{pause}}}
exclusions: {exclusions}
credits: {credits}
"""

TIERS = """
  rules:
    - id: tiers
      kind: tiers
      kpi: uptime
      tiers:
        - {below: 99.9, at_least: 99.0, credit: 10}
        - {below: 99.0, at_least: 95.0, credit: 25}
        - {below: 95.0, credit: 100}
"""


def make_policy(**overrides):
    values = dict(currency="USD", fee="1000.00", tz="UTC", window="{kind: calendar_month}", counting="{}", objective="99.9",
                  p1_target="15m", p1_calendar="24x7", measure="exact", pause="", exclusions="[]", credits=TIERS)
    values.update(overrides)
    return parse_policy(BASE.format(**values), "test-policy.yaml")


def t(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def inc(id: str, start: str, end: str | None, components=("app",), impact="major_outage", cause=None, severity=None,
        detected=None, ack=None, notice=None, pauses=()) -> Incident:
    s, e = t(start), (t(end) if end else None)
    return Incident(
        id=id, started_at=s, resolved_at=e, outages=tuple(Outage(c, s, e, impact) for c in components), source=f"test:{id}",
        cause=cause, severity=severity, detected_at=t(detected) if detected else None, acknowledged_at=t(ack) if ack else None,
        notice_at=t(notice) if notice else None, pauses=tuple(Pause(t(a), t(b), r) for a, b, r in pauses),
    )


def run(policy, incidents, period: str, as_of: str = "2030-01-01T00:00:00+00:00", **kw):
    return evaluate(policy, incidents, window_for_period(policy, period), t(as_of), **kw)


def kpi(evaluation, kpi_id: str):
    return next(k for k in evaluation.kpis if k.id == kpi_id)


def text(reason) -> str:
    """A reason code worded by the English catalogue, as a reader sees it."""
    from slagen.render.messages import Messages

    return Messages("en").text(reason)
