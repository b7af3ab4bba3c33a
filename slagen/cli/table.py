"""The terminal view of an Evaluation: what a person reads, in about 100 columns."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from slagen.engine.money import fmt_money, shown_percent
from slagen.engine.result import Evaluation
from slagen.text import for_terminal


def _num(value: Decimal | None, places: str = "0.001") -> str:
    return "-" if value is None else str(value.quantize(Decimal(places)))


def evaluation_table(ev: Evaluation) -> str:
    zone = ZoneInfo(ev.timezone)
    lines = [
        f"{ev.policy_title}  ({ev.provider} → {ev.customer})",
        f"Window {ev.window_label}: {ev.window_start.astimezone(zone):%Y-%m-%d %H:%M} to {ev.window_end.astimezone(zone):%Y-%m-%d %H:%M} {ev.timezone}"
        f"  [UTC {ev.window_start:%Y-%m-%d %H:%M} to {ev.window_end:%Y-%m-%d %H:%M}], {ev.window_minutes:,} min",
        f"As of {ev.as_of.astimezone(zone):%Y-%m-%d %H:%M %Z}" + ("" if ev.complete else "  (window not complete: mid-window view)"),
        "",
        f"{'KPI':<22} {'status':<18} {'objective':>10} {'actual':>12} {'down min':>10} {'excl min':>9} {'allowed':>9}",
    ]
    for k in ev.kpis:
        if k.kind == "availability":
            obj, act = f"{k.objective}%", ("-" if k.actual is None else f"{shown_percent(k.actual, 3)}%")
            down, excl, allowed = _num(k.downtime_minutes, "0.01"), _num(k.excluded_minutes, "0.01"), _num(k.allowed_minutes, "0.01")
        else:
            obj, act = f"≤{_num(k.target_minutes, '0.01')}m", ("-" if k.actual is None else f"{_num(k.actual, '0.01')}m")
            down, excl, allowed = f"{len(k.breaches)} br", "", ""
        lines.append(f"{k.id[:22]:<22} {k.status:<18} {obj:>10} {act:>12} {down:>10} {excl:>9} {allowed:>9}")
        if k.note:
            lines.append(f"{'':<22} {k.note}")
        if k.budget:
            b = k.budget
            lines.append(f"{'':<22} error budget used {_num(b.used_minutes, '0.01')} of {_num(b.allowed_minutes, '0.01')} min ({_num(b.used_percent, '0.1')}%), burn rate {_num(b.burn_rate, '0.01')}")
        for br in k.breaches:
            lines.append(f"{'':<22} breach {br.incident}: {br.reason}")
    if ev.credits:
        c = ev.credits
        lines += ["", f"Credit owed: {fmt_money(c.amount, c.currency)}" + (f" + {c.days} day(s) of service" if c.days else "")
                  + (f"; claim by {c.claim_deadline.isoformat()}" if c.claim_deadline else "")]
        lines += [f"  {step.text}" for step in c.steps[:-1]]
    if ev.escalation.reached:
        lines += ["", f"Escalation level {ev.escalation.level}:"]
        lines += [f"  L{r['level']} {r['action']} ({r['why']})" for r in ev.escalation.reached]
    if ev.impact:
        i = ev.impact
        lines += ["", f"Business impact: {_num(i.downtime_minutes, '0.01')} min down × {fmt_money(i.loss_per_minute, i.currency)}/min = {fmt_money(i.downtime_cost, i.currency)}; "
                  f"credit recovers {fmt_money(i.credit_recovered, i.currency)}; uncovered {fmt_money(i.uncovered_exposure, i.currency)}"]
    counted = [t for t in ev.trace if t.status != "ignored"]
    if counted:
        lines += ["", "Incidents (minutes per KPI):"]
        for t in counted:
            lines.append(f"  {t.incident:<14} {t.kpi:<16} {t.status:<9} {_num(t.minutes, '0.01'):>9}  {t.reason}")
    ignored = [t for t in ev.trace if t.status == "ignored"]
    if ignored:
        lines.append(f"  ({len(ignored)} incident line(s) ignored: out of scope, shorter than the minimum outage or weighted 0%; see --format json)")
    if ev.open_incidents:
        lines.append(f"Open incidents clipped at as-of: {', '.join(ev.open_incidents)}")
    if ev.skipped:
        lines += ["", f"Skipped records ({len(ev.skipped)}):"] + [f"  {s['file']}:{s['record']}: {s['reason']}" for s in ev.skipped]
    return "\n".join(for_terminal(line) for line in lines) + "\n"  # data cannot add lines or control the terminal
