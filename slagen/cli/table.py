"""The terminal view of an Evaluation: what a person reads, in about 100 columns.

Every sentence and heading comes from the message catalogue of the chosen language;
columns are padded by display width, so Chinese text lines up.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfo

from slagen.engine.result import Evaluation
from slagen.render.messages import Messages
from slagen.kinds.kpi_kinds import in_percent
from slagen.render.numbers import shown_percent
from slagen.text import for_terminal


SKIPPED_SHOWN = 20


def _num(value: Decimal | None, places: str = "0.001") -> str:
    return "-" if value is None else str(value.quantize(Decimal(places)))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a display width (a Chinese character takes two columns)."""
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _names(ev: Evaluation, policy, lang: str) -> tuple[str, str, str]:
    """Title, provider and customer in the table's language (the policy's text in that
    language when it has one; the evaluation's English otherwise)."""
    if policy is None:
        return ev.policy_title, ev.provider, ev.customer
    from slagen.policy.text import pick

    a = policy.agreement
    return pick(a.title_text, lang, default=ev.policy_title), pick(a.provider.name_text, lang, default=ev.provider), pick(a.customer.name_text, lang, default=ev.customer)


def _money(lang: str):
    from slagen.render.numbers import money_in

    return money_in(lang)


def evaluation_table(ev: Evaluation, messages: Messages | None = None, policy=None) -> str:
    """The evaluation for a terminal. With the `policy`, its own text (title, parties,
    escalation actions) is shown in the catalogue's language."""
    m = messages or Messages("en")
    fmt_money = _money(m.lang)
    title, provider, customer = _names(ev, policy, m.lang)
    actions = {}
    if policy is not None:
        from slagen.policy.text import pick

        actions = {(e.kpi, e.level): pick(e.action_text, m.lang, default=e.action) for e in policy.escalation}
    zone = ZoneInfo(ev.timezone)
    local = f"{ev.window_start.astimezone(zone):%Y-%m-%d %H:%M} – {ev.window_end.astimezone(zone):%Y-%m-%d %H:%M}"
    utc = f"{ev.window_start:%Y-%m-%d %H:%M} – {ev.window_end:%Y-%m-%d %H:%M}"
    head = m.word("table.head").split("|")
    widths = (22, 18, 10, 12, 10, 9, 9)
    lines = [
        f"{title}  ({provider} → {customer})",
        m.say("table.window", label=m.window(ev.window_label), local=local, zone=ev.timezone, utc=utc, minutes=f"{ev.window_minutes:,}"),
        m.say("table.as_of", local=f"{ev.as_of.astimezone(zone):%Y-%m-%d %H:%M %Z}") + ("" if ev.complete else m.word("table.mid_window")),
        "",
        " ".join(_pad(h, w, right=i > 1) for i, (h, w) in enumerate(zip(head, widths))),
    ]
    indent = " " * 23
    for k in ev.kpis:
        if in_percent(k.kind):
            obj, act = f"{k.objective}%", ("-" if k.actual is None else f"{shown_percent(k.actual, 3)}%")
            down, excl, allowed = _num(k.downtime_minutes, "0.01"), _num(k.excluded_minutes, "0.01"), _num(k.allowed_minutes, "0.01")
        else:
            obj, act = f"≤{_num(k.target_minutes, '0.01')}m", ("-" if k.actual is None else f"{_num(k.actual, '0.01')}m")
            down, excl, allowed = f"{len(k.breaches)} br", "", ""
        cells = (k.id[:22], m.word(f"kpi_status.{k.status}", k.status), obj, act, down, excl, allowed)
        lines.append(" ".join(_pad(c, w, right=i > 1) for i, (c, w) in enumerate(zip(cells, widths))).rstrip())
        if k.notes:
            lines.append(indent + "; ".join(m.text(n) for n in k.notes))
        if k.budget:
            b = k.budget
            lines.append(indent + m.say("table.budget", used=_num(b.used_minutes, "0.01"), allowed=_num(b.allowed_minutes, "0.01"), pct=_num(b.used_percent, "0.1"), burn=_num(b.burn_rate, "0.01")))
        for br in k.breaches:
            lines.append(indent + m.say("table.breach", incident=br.incident, reason=m.text(br.reason)))
        for component, missing in _missing_samples(ev, k.id):  # the data this KPI's figure rests on, and what it lacks
            lines.append(indent + m.say("table.missing_samples", component=component, minutes=f"{missing:,}"))
    if ev.credits:
        c = ev.credits
        lines += ["", m.say("table.credit_owed", amount=fmt_money(c.amount, c.currency)) + (m.say("table.credit_days", days=c.days) if c.days else "")
                  + (m.say("table.claim_by", date=c.claim_deadline.isoformat()) if c.claim_deadline else "")]
        lines += [f"  {m.text(step.reason)}" for step in c.steps[:-1]]
    if ev.escalation.reached:
        # levels are compared within their KPI only: one summary line per KPI, then every level reached
        lines += ["", m.word("table.escalation_by_kpi")]
        lines += ["  " + escalation_line(r, m, actions) for r in ev.escalation.by_kpi]
        lines += [f"    L{r.level} {_action(r, m, actions)} ({m.text(r.reason)})" for r in ev.escalation.reached]
    if ev.impact:
        i = ev.impact
        lines += ["", m.say("table.impact", minutes=_num(i.downtime_minutes, "0.01"), rate=fmt_money(i.loss_per_minute, i.currency), cost=fmt_money(i.downtime_cost, i.currency),
                            credit=fmt_money(i.credit_recovered, i.currency), uncovered=fmt_money(i.uncovered_exposure, i.currency))]
    shown = [t for t in ev.trace if t.status != "ignored"]
    if shown:
        lines += ["", m.word("table.incidents")]
        for t in shown:
            lines.append(f"  {_pad(t.incident or '—', 14)} {_pad(t.kpi, 16)} {_pad(m.word('status.' + t.status, t.status), 9)} {_num(t.minutes, '0.01'):>9}  {m.text(t.reason)}")
            if t.finding is not None:  # derived from monitoring samples: what they showed
                lines.append(f"    {m.text(t.finding)}")
    ignored = [t for t in ev.trace if t.status == "ignored"]
    if ignored:
        lines.append(m.say("table.ignored", count=len(ignored)))
    if ev.open_incidents:
        lines.append(m.say("table.open", ids=", ".join(ev.open_incidents)))
    if ev.skipped:
        shown_skipped = ev.skipped[:SKIPPED_SHOWN]  # thousands of bad rows would bury the result; JSON lists them all
        lines += ["", m.say("table.skipped", count=len(ev.skipped))] + [f"  {s['file']}:{s['record']}: {s['reason']}" for s in shown_skipped]
        if len(ev.skipped) > SKIPPED_SHOWN:
            lines.append(m.say("table.skipped_more", count=len(ev.skipped) - SKIPPED_SHOWN))
    return "\n".join(for_terminal(line) for line in lines) + "\n"  # data cannot add lines or control the terminal


def escalation_line(r, m: Messages, actions: dict | None = None) -> str:
    """'availability: level 2, critical, for Legal: Legal opens compensation talks'."""
    return m.say("table.escalation_kpi", kpi=r.kpi, level=r.level, severity=m.word(f"severity.{r.severity}", r.severity),
                 audience=r.audience or "—", action=_action(r, m, actions or {}))


def _action(r, m: Messages, actions: dict) -> str:
    """The level's action in the reader's language (the policy's text map), else as recorded."""
    return actions.get((r.kpi, r.level)) or (r.action_zh if m.chinese and r.action_zh else r.action)


def _missing_samples(ev: Evaluation, kpi: str) -> list[tuple[str, int]]:
    """(component, minutes without samples) for a telemetry KPI, from the inputs the run recorded."""
    out = []
    for item in ev.inputs:
        if item.get("kind") == "samples" and item.get("kpi") == kpi:
            out.extend((c["component"], c["missing_minutes"]) for c in item.get("missing_components", ()))
    return out


def windows_table(evaluations: tuple[Evaluation, ...] | list[Evaluation], messages: Messages | None = None, policy=None) -> str:
    """One row per window (`--period A..B`): availability per KPI, credit, escalation."""
    m = messages or Messages("en")
    fmt_money = _money(m.lang)
    if not evaluations:
        return "\n"
    first = evaluations[0]
    title, provider, customer = _names(first, policy, m.lang)
    avail = [k.id for k in first.kpis if in_percent(k.kind)]
    others = [k.id for k in first.kpis if not in_percent(k.kind)]
    window, down, breaches, credit, esc = m.word("table.windows_head").split("|")
    head = _pad(window, 24) + "".join(" " + _pad(k[:14], 14, True) for k in avail) + " " + _pad(down, 10, True) + " " + _pad(breaches, 8, True) + " " + _pad(credit, 18, True) + " " + _pad(esc, 4, True)
    lines = [m.say("table.windows", title=title, provider=provider, customer=customer, count=len(evaluations), zone=first.timezone), "", head]
    for ev in evaluations:
        by_id = {k.id: k for k in ev.kpis}
        cells = "".join(f" {('-' if by_id[k].actual is None else shown_percent(by_id[k].actual, 3) + '%'):>14}" for k in avail)
        minutes = sum((by_id[k].downtime_minutes for k in avail), Decimal(0))
        count = sum(len(by_id[k].breaches) for k in others)
        owed = fmt_money(ev.credits.amount, ev.credits.currency) if ev.credits else "-"
        level = "-" if ev.escalation.level is None else f"L{ev.escalation.level}"
        lines.append(f"{_pad(m.window(ev.window_label, short=True)[:24], 24)}{cells} {_num(minutes, '0.01'):>10} {count:>8} {owed:>18} {level:>4}")
    return "\n".join(for_terminal(line) for line in lines) + "\n"
