"""An evaluation as a report: sections of paragraphs, fact lists, tables and charts.

Both the HTML/PDF template and the Word writer render this one structure, so the PDF and
the DOCX cannot disagree. Every figure is formatted here, once, by the display rules in
`slagen.render.numbers` (money half-up to the minor unit, percentages cut, never rounded up).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Sequence
from zoneinfo import ZoneInfo

from slagen import __version__
from slagen.kinds.kpi_kinds import in_percent
from slagen.render.numbers import fmt_money, shown_percent
from slagen.engine.result import FORMAT_VERSION, Evaluation, KpiResult
from slagen.render.document import Items, Para, Table
from slagen.report.charts import Chart, availability_chart, trend_chart
from slagen.runs import Run


@dataclass(frozen=True)
class Facts:
    """Label/value pairs (a definition list)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Figure:
    caption: str
    chart: Chart


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple


@dataclass(frozen=True)
class Report:
    lang: str
    title: str
    subtitle: str
    cover: Facts
    sections: tuple[Section, ...]
    labels: dict
    evaluation_json: bytes
    date: str  # the as-of date in the policy's zone: the document's date, never the clock


def fill(labels: dict, key: str, **values) -> str:
    """A house label with its {name} placeholders filled: only the names given, literally;
    a label is never a Python format string (no attribute access, no format specs)."""
    from slagen.errors import RenderError

    def one(match: re.Match) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name = match.group(1)
        if name not in values:
            raise RenderError(f"report label {key!r}: unknown placeholder {{{name[:40]}}}; this label may use {', '.join('{' + v + '}' for v in values)}")
        return str(values[name])

    return re.sub(r"\{\{|\}\}|\{([^{}]*)\}", one, labels[key])


def evaluation_document(evaluations: Sequence[Evaluation], messages, as_range: bool = False) -> dict:
    """The evaluation JSON document (`slagen schema evaluation`): one evaluation, or
    `{"windows": [...]}` for a range; every reason with its `text` in the catalogue's language."""
    if as_range:
        return {"format_version": FORMAT_VERSION, "lang": messages.lang, "windows": [ev.to_dict(messages.text) for ev in evaluations]}
    return {**evaluations[0].to_dict(messages.text), "lang": messages.lang}


def evaluation_json(evaluation: Evaluation, lang: str = "en", templates=None) -> bytes:
    """The evaluation JSON of one window as bytes (codes are language-free, texts in `lang`);
    a lone surrogate is written as its JSON escape."""
    from slagen.render.messages import Messages

    doc = evaluation_document((evaluation,), Messages(lang, templates))
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return "—" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _minutes(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.01')):,}"
    return text[:-3] if text.endswith(".00") else text


def kpi_figures(k: KpiResult, labels: dict) -> tuple[str, str, str]:
    """(objective, actual, status) as the report shows them."""
    status = labels[k.status]
    if in_percent(k.kind):
        return f"{k.objective}%", "—" if k.actual is None else f"{shown_percent(k.actual)}%", status
    return f"≤ {_minutes(k.target_minutes)} min", "—" if k.actual is None else f"{_minutes(k.actual)} min", status


def build_report(run: Run, labels: dict, lang: str, templates=None) -> Report:
    from slagen.render.messages import Messages

    messages = Messages(lang, templates)
    ev, policy = run.evaluation, run.policy
    run_evaluation = ev  # attached as evaluated; display names below only change what is shown
    zone = ZoneInfo(ev.timezone)
    agreement = policy.agreement
    chinese = lang != "en"
    title = agreement.title_zh if chinese and agreement.title_zh else agreement.title
    cover = Facts((
        (labels["agreement"], f"{title} ({agreement.id})"),
        (labels["provider"], agreement.provider.name_zh if chinese and agreement.provider.name_zh else agreement.provider.name),
        (labels["customer"], agreement.customer.name_zh if chinese and agreement.customer.name_zh else agreement.customer.name),
        (labels["period"], ev.window_label),
        (labels["local_bounds"], f"{_local(ev.window_start, zone)} – {_local(ev.window_end, zone)} ({ev.timezone})"),
        (labels["utc_bounds"], f"{ev.window_start:%Y-%m-%d %H:%M} – {ev.window_end:%Y-%m-%d %H:%M} UTC"),
        (labels["as_of"], f"{_local(ev.as_of, zone)} ({ev.timezone}) = {ev.as_of:%Y-%m-%d %H:%M} UTC"),
        (labels["basis"], fill(labels, "basis_text", version=__version__, policy=agreement.id, policy_version=agreement.version or "—", policy_file=ev.policy_file)),
    ))
    names = {k.id: (k.name_zh if chinese and k.name_zh else k.name) for k in policy.kpis}
    ev = replace(ev, kpis=tuple(replace(k, name=names.get(k.id, k.name)) for k in ev.kpis))
    run = replace(run, evaluation=ev)
    sections = (
        _summary(ev, policy, labels),
        _availability(run, labels),
        _incidents(ev, zone, labels, messages),
        _responses(ev, zone, labels, {k.id: k.severity for k in policy.kpis}, messages),
        _credits(ev, labels, messages),
        _escalation(ev, labels, chinese, messages),
        _data_quality(run, labels),
        _sign_off(labels),
    )
    return Report(lang, labels["title"], fill(labels, "subtitle", period=ev.window_label), cover,
                  tuple(s for s in sections if s is not None), labels, evaluation_json(run_evaluation, lang, templates), ev.as_of.astimezone(zone).date().isoformat())


def _summary(ev: Evaluation, policy, labels: dict) -> Section:
    reached: dict[str, int] = {}
    for r in ev.escalation.reached:
        reached[r.kpi] = max(reached.get(r.kpi, 0), r.level)
    rows = tuple((k.name, *kpi_figures(k, labels), str(reached.get(k.id, labels["none"]))) for k in ev.kpis)
    table = Table((labels["kpi"], labels["objective"], labels["actual"], labels["status"], labels["escalation_level"]), rows)
    facts: list[tuple[str, str]] = []
    c = ev.credits
    if c is not None:
        facts.append((labels["credit_owed"], fmt_money(c.amount, c.currency)))
        if c.days:
            facts.append((labels["credit_days"], str(c.days)))
        facts.append((labels["claim_deadline"], c.claim_deadline.isoformat() if c.claim_deadline else labels["no_deadline"]))
    facts.append((labels["escalation_level"], str(ev.escalation.level) if ev.escalation.level is not None else labels["none"]))
    if ev.impact is not None:
        i = ev.impact
        facts += [(labels["downtime_cost"], fmt_money(i.downtime_cost, i.currency)), (labels["credit_recovered"], fmt_money(i.credit_recovered, i.currency)), (labels["uncovered"], fmt_money(i.uncovered_exposure, i.currency))]
    return Section("summary", labels["summary"], (table, Facts(tuple(facts))))


def _minutes_per_day(ev: Evaluation, zone: ZoneInfo) -> dict:
    """Minutes in each local day of the window (23, 24 or 25 hours around DST changes)."""
    out = {}
    day = ev.window_start.astimezone(zone).date()
    while True:
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        if start.astimezone(ZoneInfo("UTC")) >= ev.window_end:
            return out
        out[day] = int((end.astimezone(ZoneInfo("UTC")) - start.astimezone(ZoneInfo("UTC"))).total_seconds() // 60)
        day += timedelta(days=1)


def _availability(run: Run, labels: dict) -> Section | None:
    ev = run.evaluation
    zone = ZoneInfo(ev.timezone)
    kpis = [k for k in ev.kpis if in_percent(k.kind) and k.objective is not None]
    if not kpis:
        return None
    per_day = _minutes_per_day(ev, zone)
    days = sorted(per_day)
    blocks: list = []
    for k in kpis:
        chart = availability_chart(days[0], days[-1], dict(k.daily), per_day, k.objective, labels)
        blocks.append(Figure(fill(labels, "chart_caption", kpi=k.name, objective=k.objective), chart))
        if run.history:
            series = [(h.window_label, next(x for x in h.kpis if x.id == k.id)) for h in run.history] + [(ev.window_label, k)]
            points = [(label, x.actual) for label, x in series if x.actual is not None]
            blocks.append(Figure(fill(labels, "trend_caption", kpi=k.name, count=len(series)), trend_chart(points, k.objective, labels)))
            blocks.append(Table((labels["window"], labels["actual"], labels["downtime_min"], labels["status"]),
                                tuple((label, "—" if x.actual is None else f"{shown_percent(x.actual)}%", _minutes(x.downtime_minutes), labels[x.status]) for label, x in series)))
    return Section("availability", labels["availability"], tuple(blocks))


def _incidents(ev: Evaluation, zone: ZoneInfo, labels: dict, messages) -> Section:
    rows = tuple(
        (t.incident or "—", t.kpi, _local(t.start, zone), _local(t.end, zone), messages.word("status." + t.status, t.status), _minutes(t.minutes), t.rule or "—", messages.text(t.reason))
        for t in ev.trace
    )
    if not rows:
        return Section("incidents", labels["incidents"], (Para(labels["no_incidents"], numbered=False),))
    header = (labels["incident"], labels["kpi"], labels["start"], labels["end"], labels["status"], labels["minutes"], labels["rule"], labels["reason"])
    # the accounting, stated: per availability KPI the lines add up to the figures used
    totals = []
    for k in ev.kpis:
        if not in_percent(k.kind) or k.status == "insufficient_data":
            continue
        lines = [t for t in ev.trace if t.kpi == k.id]
        counted = sum((t.minutes for t in lines if t.status == "counted"), Decimal(0))
        excluded = sum((t.minutes for t in lines if t.status == "excluded"), Decimal(0))
        overlap = sum((t.span_minutes for t in lines if t.status == "overlap"), Decimal(0))
        totals.append((k.name, fill(labels, "accounting", counted=_minutes(counted), downtime=_minutes(k.downtime_minutes),
                                      excluded=_minutes(excluded), excluded_kpi=_minutes(k.excluded_minutes), overlap=_minutes(overlap))))
    blocks = (Para(labels["incidents_intro"], numbered=False), Table(header, rows)) + ((Facts(tuple(totals)),) if totals else ())
    return Section("incidents", labels["incidents"], blocks)


def _responses(ev: Evaluation, zone: ZoneInfo, labels: dict, severity: dict, messages) -> Section | None:
    timed = [k for k in ev.kpis if k.kind in ("response_time", "resolution_time", "latency")]
    if not timed:
        return None
    summary = Table(
        (labels["kpi"], labels["severity"], labels["target"], labels["measured"], labels["breaches"], labels["worst"]),
        tuple((k.name, severity.get(k.id) or "—", f"{_minutes(k.target_minutes)} min", str(k.measured), str(len(k.breaches)), _minutes(k.actual)) for k in timed),
    )
    breaches = [b for k in timed for b in k.breaches]
    blocks: list = [Para(labels["responses_intro"], numbered=False), summary]
    if breaches:
        blocks.append(Table(
            (labels["incident"], labels["kpi"], labels["severity"], labels["target"], labels["measured"], labels["deadline"], labels["reason"]),
            tuple((b.incident, b.kpi, b.severity or "—", f"{_minutes(b.target_minutes)} min", f"{_minutes(b.measured_minutes)} min", _local(b.deadline, zone), messages.text(b.reason))
                  for b in sorted(breaches, key=lambda b: (b.severity or "", b.clock_start, b.incident))),
        ))
    else:
        blocks.append(Para(labels["no_breaches"], numbered=False))
    return Section("responses", labels["responses"], tuple(blocks))


def _credits(ev: Evaluation, labels: dict, messages) -> Section:
    c = ev.credits
    if c is None:
        return Section("credits", labels["credit_calc"], (Para(labels["no_credits"], numbered=False),))
    downtime = [f"{k.name}: {_minutes(k.downtime_minutes)} min / {_minutes(k.denominator_minutes)} min → {shown_percent(k.actual)}%" for k in ev.kpis if in_percent(k.kind) and k.actual is not None]
    steps = Items(tuple(downtime + [messages.text(s.reason) for s in c.steps]))
    facts = [(labels["credit_owed"], fmt_money(c.amount, c.currency))]
    if c.days:
        facts.append((labels["credit_days"], str(c.days)))
    facts.append((labels["claim_deadline"], c.claim_deadline.isoformat() if c.claim_deadline else labels["no_deadline"]))
    return Section("credits", labels["credit_calc"], (Para(labels["credit_intro"], numbered=False), steps, Facts(tuple(facts))))


def _escalation(ev: Evaluation, labels: dict, chinese: bool, messages) -> Section:
    if not ev.escalation.reached:
        return Section("escalation", labels["escalation"], (Para(labels["escalation_none"], numbered=False),))
    rows = tuple((str(r.level), r.kpi, (r.action_zh if chinese else None) or r.action, messages.text(r.reason), ", ".join(r.notify)) for r in sorted(ev.escalation.reached, key=lambda r: r.level))
    return Section("escalation", labels["escalation"], (Table((labels["level"], labels["kpi"], labels["action"], labels["why"], labels["notify"]), rows),))


def _data_quality(run: Run, labels: dict) -> Section:
    ev = run.evaluation
    blocks: list = [Para(labels["skipped"], numbered=False)]
    blocks.extend(skipped_blocks(ev.skipped, labels))
    blocks.append(Para(labels["open"], numbered=False))
    blocks.append(Items(tuple(ev.open_incidents) or (labels["no_open"],)))
    samples = [i for i in ev.inputs if i.get("kind") == "samples"]
    if samples:
        blocks.append(Para(labels["samples"], numbered=False))
        blocks.append(Table((labels["kpi"], labels["rule"], labels["records"], labels["down_periods"], labels["missing_minutes"], labels["missing_as"], labels["unknown_components"]),
                            tuple((s["kpi"], f"{s['rule']} per {s['period_minutes']} min", f"{s['rows']:,}", str(s["down_periods"]), f"{s['missing_minutes']:,}",
                                   s["missing_counted_as"], ", ".join(s["unknown_components"]) or labels["none"]) for s in samples)))
    blocks.append(Para(labels["inputs"], numbered=False))
    blocks.append(Table((labels["file"], labels["role"], labels["records"], labels["bytes"], labels["sha256"]),
                        tuple((f.path, f.role, "—" if f.records is None else str(f.records), f"{f.size:,}", f.sha256) for f in run.inputs)))
    return Section("data_quality", labels["data_quality"], tuple(blocks))


SKIPPED_LISTED = 50  # records listed one by one; the rest are counted by reason
SKIPPED_GROUPS = 20
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|[+-]?\d[\w:.+-]*")


def _label(labels: dict, key: str, **values: object) -> str:
    """A label with {name} placeholders filled by plain replacement (labels may come from a
    user's template directory, so they are never used as format strings)."""
    text = labels.get(key, "")
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def skipped_blocks(skipped, labels: dict) -> list:
    """Skipped records as the report shows them: all of them when few; otherwise a count per
    kind of reason and the first SKIPPED_LISTED, so 5,000 bad rows stay a page, not a book."""
    if not skipped:
        return [Items((labels["no_skipped"],))]
    listed = tuple((f"{s['file']}: {s['record']}", s["reason"]) for s in skipped[:SKIPPED_LISTED])
    if len(skipped) <= SKIPPED_LISTED:
        return [Table((labels["file"], labels["reason"]), listed)]
    groups: dict[str, list] = {}
    for s in skipped:
        kind = _VALUES.sub("…", s["reason"])
        entry = groups.setdefault(kind, [0, f"{s['file']}: {s['record']}"])
        entry[0] += 1
    ranked = sorted(groups.items(), key=lambda item: -item[1][0])
    rows = [(kind, f"{count:,}", first) for kind, (count, first) in ranked[:SKIPPED_GROUPS]]
    rest = sum(count for _, (count, _) in ranked[SKIPPED_GROUPS:])
    if rest:
        rows.append((labels.get("skipped_other", "…"), f"{rest:,}", ""))
    return [
        Para(_label(labels, "skipped_summary", count=f"{len(skipped):,}", listed=SKIPPED_LISTED), numbered=False),
        Table((labels.get("skipped_kind", labels["reason"]), labels.get("skipped_count", "#"), labels.get("skipped_example", labels["file"])), tuple(rows)),
        Table((labels["file"], labels["reason"]), listed),
        Items((_label(labels, "skipped_more", count=f"{len(skipped) - SKIPPED_LISTED:,}"),)),
    ]


def _sign_off(labels: dict) -> Section:
    rows = tuple((labels[role], "", "", "") for role in ("prepared", "reviewed", "approved"))
    return Section("sign_off", labels["sign_off"], (Table(("", labels["name"], labels["signature"], labels["date"]), rows),))
