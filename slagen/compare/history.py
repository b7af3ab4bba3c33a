"""A real incident history replayed through every vendor's terms, window by window.

A history file names an incident file (any format slagen reads, e.g. a Statuspage export)
and maps each component name in it to roles, so the same history lands on every vendor's
components with those roles, as a scenario does:

    slagen_history: 1
    title: GitHub status page 2019-2023
    incidents: {file: githubstatus_incidents_2019-2023.statuspage.json, format: statuspage, on_bad_record: skip}
    roles:
      Git Operations: [git]
      API Requests: [api]
      Issues: [app]

Each vendor is evaluated by the engine over each of its own windows from the first month to
the last (a quarterly vendor over whole quarters). The buyer's real outage minutes are the
union of the mapped major and partial outages (degraded performance is not an outage),
clipped to the period, the same for every vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from slagen.compare.scenarios import _components, _union_minutes, confined
from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import evaluate
from slagen.engine.money import round_money
from slagen.engine.windows import window_containing
from slagen.errors import PolicyErrors, PolicyProblem, UsageError
from slagen.incidents.model import Incident, Outage
from slagen.kinds.credit_forms import in_money
from slagen.policy.yamlsrc import escape_pointer, load_yaml, read_yaml_file

FORMATS = ("auto", "csv", "json", "yaml", "statuspage", "gcp")
OUTAGE_IMPACTS = ("major_outage", "partial_outage")


@dataclass(frozen=True)
class History:
    file: str
    title: str
    incidents: tuple[Incident, ...]
    roles: tuple[tuple[str, tuple[str, ...]], ...]  # component name -> roles
    first: str  # YYYY-MM
    last: str  # YYYY-MM


def _month(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text + "-01")
    except ValueError:
        raise UsageError(f"{option} {text!r}: write a month as YYYY-MM, e.g. 2021-01") from None
    if len(text) != 7:
        raise UsageError(f"{option} {text!r}: write a month as YYYY-MM, e.g. 2021-01")
    return day


def load_history(path: Path, first: str, last: str) -> History:
    if _month(last, "--to") < _month(first, "--from"):
        raise UsageError(f"--from {first} --to {last}: the period ends before it starts")
    filename = str(path)
    doc = load_yaml(read_yaml_file(path, "a history file"), filename)
    problems: list[PolicyProblem] = []

    problem = doc.collector(filename, problems)

    data = doc.data
    if not isinstance(data, dict):
        raise PolicyErrors([PolicyProblem(filename, 1, 1, "a history file is a mapping: slagen_history: 1, title, incidents: {file, format}, roles: {component: [roles]}")])
    doc.unknown_keys(problem, ("slagen_history", "title", "incidents", "roles"), "a history file has slagen_history, title, incidents, roles")
    if data.get("slagen_history") != 1:
        problem("/slagen_history", "write slagen_history: 1 (the history file format version)")
    inc = data.get("incidents")
    if not isinstance(inc, dict) or not isinstance(inc.get("file"), str):
        problem("/incidents", "incidents: {file: <incident file next to this one>, format: auto|csv|json|yaml|statuspage|gcp, on_bad_record: fail|skip}")
        inc = {}
    if inc.get("format", "auto") not in FORMATS:
        problem("/incidents/format", f"format {str(inc.get('format'))[:20]!r}: choose one of {', '.join(FORMATS)}")
    if inc.get("on_bad_record", "fail") not in ("fail", "skip"):
        problem("/incidents/on_bad_record", "on_bad_record: fail or skip")
    roles_raw = data.get("roles")
    roles: list[tuple[str, tuple[str, ...]]] = []
    if not isinstance(roles_raw, dict) or not roles_raw:
        problem("/roles", "roles maps each component name of the history to roles, e.g. roles: {\"API Requests\": [api]}")
    else:
        for name, value in roles_raw.items():
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                problem(f"/roles/{escape_pointer(name)}", f"roles of {str(name)[:40]!r}: a list of role names, e.g. [api, app]")
                continue
            roles.append((str(name), tuple(value)))
    incident_file = None
    if inc.get("file"):
        try:
            incident_file = confined(inc["file"], path.parent)
        except ValueError as exc:
            problem("/incidents/file", str(exc).replace("scenario", "history file"))
    if problems:
        raise PolicyErrors(problems)
    from slagen.incidents.readers import read_incidents

    result = read_incidents(incident_file, inc.get("format", "auto"), None, inc.get("on_bad_record", "fail"))
    return History(filename, str(data.get("title") or path.name), tuple(result.incidents), tuple(roles), first, last)


def mapped(policy, history: History) -> tuple[Incident, ...]:
    """The history's incidents on this vendor's components, by role; outages of components
    the history does not map, or that hit no component of the vendor, are left out."""
    roles = dict(history.roles)
    out = []
    for incident in history.incidents:
        outages = []
        for o in incident.outages:
            if o.component not in roles:
                continue
            for ref in _components(policy, roles[o.component]):
                outages.append(Outage(ref, o.start, o.end, o.impact))
        if outages:
            out.append(replace(incident, outages=tuple(outages)))
    return tuple(out)


def period_bounds(history: History) -> tuple[datetime, datetime]:
    first = date.fromisoformat(history.first + "-01")
    last = date.fromisoformat(history.last + "-01")
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return datetime.combine(first, time(0), timezone.utc), datetime.combine(end, time(0), timezone.utc)


def real_minutes(history: History) -> Decimal:
    """The buyer's real outage minutes: the union of mapped major and partial outages, in UTC months."""
    roles = dict(history.roles)
    start, end = period_bounds(history)
    spans = [(max(o.start, start), min(o.end, end)) for i in history.incidents for o in i.outages
             if o.component in roles and o.impact in OUTAGE_IMPACTS and o.end is not None and o.end > start and o.start < end]
    return _union_minutes(spans)


def replay(vendors, history: History, loss, rates):
    from slagen.compare.build import HistoryResult, buyer_loss

    minutes = real_minutes(history)
    first = date.fromisoformat(history.first + "-01")
    last = date.fromisoformat(history.last + "-01")
    windows_n, breached, downtime, credits, exposure, kinds, per_window = [], [], [], [], [], [], []
    costs = []
    for v in vendors:
        policy = v.policy
        incidents = mapped(policy, history)
        zone = ZoneInfo(policy.timezone)
        window = window_containing(policy, datetime.combine(first.replace(day=2), time(12), zone).astimezone(timezone.utc))
        end_local = date(last.year + last.month // 12, last.month % 12 + 1, 1)
        n = missed = 0
        counted = Decimal(0)
        total = Decimal(0)
        rows = []
        currency = policy.agreement.currency
        evaluations = []
        while window.first_day < end_local:
            # a rolling credit cap sees the replayed windows before this one, newest first (as `evaluate --period A..B`)
            earlier = tuple(PriorWindow(e.window_label, e.credits.fee or Decimal(0), e.credits.amount) for e in reversed(evaluations) if e.credits)
            ev = evaluate(policy, incidents, window, window.end, prior=earlier, with_trace=False)
            evaluations.append(ev)
            kpis = [k for k in ev.kpis if k.kind == "availability" and k.objective is not None]
            strictest = max(kpis, key=lambda k: k.objective) if kpis else None
            n += 1
            missed += any(k.met is False for k in kpis)
            counted += strictest.downtime_minutes if strictest else Decimal(0)
            value = None
            c = ev.credits
            if c is not None:
                days = (window.last_day - window.first_day).days + 1
                value = round_money(in_money(c.amount, c.days, (c.fee / days) if c.fee else Decimal(0), [r.kind for r in policy.credits.rules]), currency)
                total += value
            rows.append((window.label, strictest.actual if strictest else None, value, strictest.downtime_minutes if strictest else Decimal(0)))
            window = window_containing(policy, window.end)
        per_minute, _ = buyer_loss(loss, currency, rates)
        cost = round_money(minutes * per_minute, currency) if per_minute is not None else None
        costs.append(cost)
        windows_n.append(n)
        breached.append(missed)
        downtime.append(counted)
        credits.append(total)
        exposure.append(max(cost - total, Decimal(0)) if cost is not None else None)
        kinds.append(policy.window.kind)
        per_window.append(tuple(rows))
    return HistoryResult(history.file, history.first, history.last, tuple(windows_n), tuple(breached), tuple(downtime), tuple(credits),
                         minutes, tuple(costs), tuple(exposure), tuple(kinds), tuple(per_window))
