"""An evaluation as a report: sections of paragraphs, fact lists, tables and charts.

Both the HTML/PDF template and the Word writer render this one structure, so the PDF and
the DOCX cannot disagree. Every figure is formatted here, once, by the display rules in
`slagen.render.numbers` (money half-up to the minor unit, percentages cut, never rounded up).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from slagen import __version__
from slagen.kinds.kpi_kinds import in_percent
from slagen.engine.reasons import Reason
from slagen.render.numbers import fmt_money, money_in, plain_number, shown_percent
from slagen.engine.result import FORMAT_VERSION, Evaluation, KpiResult
from slagen.engine.trend import TrendPoint, data_from, from_evaluation
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
    provisional: str | None = None  # the window is not complete: the mark every page carries


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
    text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return text[:-3] if text.endswith(".00") else text


def _min(labels: dict, value: Decimal | None) -> str:
    """Minutes with the language's unit: '16 min' / '16分钟'."""
    return "—" if value is None else fill(labels, "minutes_value", n=_minutes(value))


CENT = Decimal("0.01")


def reconciled(values: Sequence[Decimal]) -> list[Decimal]:
    """Each value shown to 0.01 so that the shown values add up to the shown total exactly:
    value i is round(sum of the first i) − round(sum of the first i−1), half-up. Each shown
    value is within 0.01 of the value itself; with whole minutes they are the values."""
    out, running, shown = [], Decimal(0), Decimal(0)
    for value in values:
        running += value
        target = running.quantize(CENT, rounding=ROUND_HALF_UP)
        out.append(target - shown)
        shown = target
    return out


class Citations:
    """Where a figure comes from in the SLA schedule: 'Clause 2.1' / '第2.1条', numbered by the
    very clause set `slagen clauses` writes for this policy, language and template directory."""

    def __init__(self, policy, lang: str, templates=None):
        from slagen.clauses.build import build_clauses, clause_words
        from slagen.errors import SlagenError

        self.word = clause_words(lang, templates)[1]
        self.lang = lang
        try:
            document = build_clauses(policy, lang, templates)
        except SlagenError:
            # no schedule in this language (say the policy lacks its text): the numbering is
            # the same in every language, so the English set numbers the citations
            self.lang = "en"
            document = build_clauses(policy, "en", templates)
        self.clauses = {c.key: c for c in document.clauses}

    def __call__(self, key: str, *needles: str, strict: bool = False) -> str | None:
        """The clause `key`, or its first numbered sub-clause (with the table that follows it)
        that names one of `needles`; None when the schedule has no such clause (or, `strict`,
        when no sub-clause names a needle: what the contract does not state is not cited)."""
        from slagen.render.document import Items, Para, numbered_blocks, runs

        clause = self.clauses.get(key)
        if clause is None:
            return None
        needles = tuple(n for n in needles if n)
        current = ""
        for number, block in numbered_blocks(clause):
            current = number or current
            if isinstance(block, Para):
                texts = [block.text]
            elif isinstance(block, Items):
                texts = list(block.items)
            else:
                texts = [c for row in (block.header, *block.rows) for c in row]
            plain = " ".join("".join(piece for piece, _ in runs(t)) for t in texts)
            if current and any(n in plain for n in needles):
                return self.word.format(n=current)
        return None if strict else self.word.format(n=clause.number)


def kpi_figures(k: KpiResult, labels: dict) -> tuple[str, str, str]:
    """(objective, actual, status) as the report shows them."""
    status = labels[k.status]
    if in_percent(k.kind):
        return f"{k.objective}%", "—" if k.actual is None else f"{shown_percent(k.actual)}%", status
    return fill(labels, "at_most", value=_min(labels, k.target_minutes)), _min(labels, k.actual), status


def _status(k: KpiResult, labels: dict, complete: bool) -> str:
    """A KPI's status word; in a window not yet complete, 'so far'."""
    if not complete and k.status in ("met", "missed"):
        return labels[f"{k.status}_so_far"]
    return labels[k.status]


def _named(reason: Reason, names: dict, rules: dict) -> Reason:
    """A reason with policy ids the reader should not have to decode put as names: KPI ids
    as the KPI's name in the report's language, exclusion and credit rule ids as what they
    are (the exclusion's category, the credit rule's KPI). Codes and figures unchanged."""
    params = []
    for key, value in reason.params:
        if key in ("kpi", "latency_kpi") and isinstance(value, str):
            value = names.get(value, value)
        elif key == "rule" and isinstance(value, str):
            value = rules.get(value, value)
        params.append((key, value))
    return Reason(reason.code, tuple(params))


def _claim(labels: dict, deadline: date | None, as_of: date) -> str:
    """The claim deadline with the days left at the evaluation instant, or that it passed."""
    if deadline is None:
        return labels["no_deadline"]
    left = (deadline - as_of).days
    if left < 0:
        return fill(labels, "claim_passed", date=deadline.isoformat(), days=-left)
    if left == 0:
        return fill(labels, "claim_today", date=deadline.isoformat())
    return fill(labels, "claim_left", date=deadline.isoformat(), days=left)


def _cited(labels: dict, value: str, clause: str | None) -> str:
    return value if clause is None else fill(labels, "cited", value=value, clause=clause)


def build_report(run: Run, labels: dict, lang: str, templates=None) -> Report:
    from slagen.render.messages import Messages

    messages = Messages(lang, templates)
    ev, policy = run.evaluation, run.policy
    run_evaluation = ev  # attached as evaluated; display names below only change what is shown
    zone = ZoneInfo(ev.timezone)
    agreement = policy.agreement
    cite = Citations(policy, lang, templates)
    title = _said(agreement, "title", lang)
    from slagen.render.places import zone_name

    zone_said = zone_name(ev.timezone, lang)  # 'Hong Kong Time (UTC+08:00)' / '香港時間（UTC+08:00）', not the IANA id
    provisional = None if ev.complete else fill(labels, "provisional", as_of=f"{_local(ev.as_of, zone)} {zone_said}")
    mark = None if ev.complete else fill(labels, "provisional_mark", as_of=_local(ev.as_of, zone))
    cover = [
        (labels["agreement"], f"{title} ({agreement.id})"),
        (labels["provider"], _said(agreement.provider, "name", lang)),
        (labels["customer"], _said(agreement.customer, "name", lang)),
        (labels["period"], messages.window(ev.window_label)),
        (labels["local_bounds"], f"{_local(ev.window_start, zone)} – {_local(ev.window_end, zone)} {zone_said}"),
        (labels["utc_bounds"], f"{ev.window_start:%Y-%m-%d %H:%M} – {ev.window_end:%Y-%m-%d %H:%M} UTC"),
        (labels["as_of"], f"{_local(ev.as_of, zone)} {zone_said} = {ev.as_of:%Y-%m-%d %H:%M} UTC"),
        (labels["basis"], fill(labels, "basis_text", version=__version__, policy=agreement.id, policy_version=agreement.version or "—", policy_file=ev.policy_file)),
    ]
    if provisional:
        cover.append((labels["window_state"], provisional))
    from slagen.policy.text import missing_texts

    if missing_texts(policy, lang):  # only reached with --allow-fallback: say that English stands in
        cover.append((labels["fallback"], labels["fallback_note"]))
    names = {k.id: _said(k, "name", lang) for k in policy.kpis}
    rules = {e.id: messages.category(e.category) for e in policy.exclusions}
    if policy.credits is not None:
        rules.update({r.id: names.get(r.kpi, r.kpi) for r in policy.credits.rules})
    ctx = _Context(labels, messages, zone, cite, names, rules, {k.id: k for k in policy.kpis}, ev.as_of.astimezone(zone).date(), money_in(lang))
    ev = replace(ev, kpis=tuple(replace(k, name=names.get(k.id, k.name)) for k in ev.kpis))
    run = replace(run, evaluation=ev)
    sections = (
        _summary(ev, ctx),
        _budget(ev, ctx),
        _availability(run, ctx),
        _incidents(run, ctx),
        _responses(ev, ctx),
        _credits(ev, ctx),
        _escalation(ev, ctx, policy, lang),
        _data_quality(run, ctx),
        _sign_off(labels),
    )
    return Report(lang, labels["title"], fill(labels, "subtitle", period=messages.window(ev.window_label)), Facts(tuple(cover)),
                  tuple(s for s in sections if s is not None), labels, evaluation_json(run_evaluation, lang, templates), ev.as_of.astimezone(zone).date().isoformat(),
                  mark)


@dataclass(frozen=True)
class _Context:
    labels: dict
    messages: object
    zone: ZoneInfo
    cite: Citations
    names: dict  # KPI id -> name in the report's language
    rules: dict  # exclusion / credit rule id -> what the reader calls it
    kpis: dict  # KPI id -> the policy's Kpi
    today: date  # the as-of date in the policy's zone
    money: Callable = fmt_money  # money as the report's language writes it

    def text(self, reason: Reason) -> str:
        return self.messages.text(_named(reason, self.names, self.rules))

    def kpi_clause(self, kpi_id: str) -> str | None:
        kpi = self.kpis.get(kpi_id)
        if kpi is None:
            return None
        if kpi.kind in ("response_time", "resolution_time"):
            return self.cite("response_times", kpi.severity or "")
        return self.cite("service_commitment", self.names.get(kpi_id, "") if self.cite.lang != "en" else kpi.name)


def _summary(ev: Evaluation, ctx: _Context) -> Section:
    labels = ctx.labels
    reached: dict[str, int] = {}
    for r in ev.escalation.reached:
        reached[r.kpi] = max(reached.get(r.kpi, 0), r.level)
    rows = []
    for k in ev.kpis:
        objective, actual, _ = kpi_figures(k, labels)
        rows.append((k.name, ctx.kpi_clause(k.id) or "—", objective, actual, _status(k, labels, ev.complete), str(reached.get(k.id, labels["none"]))))
    table = Table((labels["kpi"], labels["clause"], labels["objective"], labels["actual"], labels["status"], labels["escalation_level"]), tuple(rows))
    facts: list[tuple[str, str]] = []
    c = ev.credits
    if c is not None:
        owed = labels["credit_owed"] if ev.complete else labels["credit_owed_so_far"]
        facts.append((owed, _cited(labels, ctx.money(c.amount, c.currency), ctx.cite("service_credits"))))
        if c.days:
            facts.append((labels["credit_days"], str(c.days)))
        facts.append((labels["claim_deadline"], _cited(labels, _claim(labels, c.claim_deadline, ctx.today), ctx.cite("claims"))))
    facts.append((labels["escalation_level"], str(ev.escalation.level) if ev.escalation.level is not None else labels["none"]))
    if ev.impact is not None:
        i = ev.impact
        facts += [(labels["downtime_cost"], ctx.money(i.downtime_cost, i.currency)), (labels["credit_recovered"], ctx.money(i.credit_recovered, i.currency)), (labels["uncovered"], ctx.money(i.uncovered_exposure, i.currency))]
    return Section("summary", labels["summary"], (table, Facts(tuple(facts))))


def _budget(ev: Evaluation, ctx: _Context) -> Section | None:
    """A window not yet complete: how much of each objective's downtime allowance is used."""
    kpis = [k for k in ev.kpis if k.budget is not None]
    if ev.complete or not kpis:
        return None
    labels = ctx.labels
    rows = []
    for k in kpis:
        b = k.budget
        rows.append((k.name, ctx.kpi_clause(k.id) or "—", _min(labels, b.elapsed_minutes), _min(labels, b.allowed_minutes), _min(labels, b.used_minutes),
                     _min(labels, b.left_minutes) if b.left_minutes >= 0 else fill(labels, "budget_over", over=_min(labels, -b.left_minutes)),
                     "—" if b.used_percent is None else f"{shown_percent(b.used_percent, 1)}%",
                     "—" if b.burn_rate is None else shown_percent(b.burn_rate, 2),
                     "—" if b.projected_availability is None else f"{shown_percent(b.projected_availability)}%"))
    table = Table((labels["kpi"], labels["clause"], labels["elapsed"], labels["allowed"], labels["used"], labels["left"], labels["used_pct"], labels["burn_rate"], labels["projected"]), tuple(rows))
    return Section("budget", labels["budget"], (Para(ctx.labels["budget_intro"], numbered=False), table))


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


def _trend_status(p: TrendPoint, labels: dict) -> str:
    """A trend point's status word: not in force, no data, or the KPI's ('so far' before the end)."""
    if not p.final and p.status in ("met", "missed"):
        return labels[f"{p.status}_so_far"]
    return labels[p.status]


def _availability(run: Run, ctx: _Context) -> Section | None:
    ev, labels = run.evaluation, ctx.labels
    zone = ctx.zone
    kpis = [k for k in ev.kpis if in_percent(k.kind) and k.objective is not None]
    if not kpis:
        return None
    per_day = _minutes_per_day(ev, zone)
    if not ev.complete:  # availability to date stops at the evaluation instant, not at the window's end
        today = ev.as_of.astimezone(zone)
        midnight = datetime.combine(today.date(), datetime.min.time(), tzinfo=zone)
        per_day = {d: m for d, m in per_day.items() if d < today.date()}
        elapsed = int((ev.as_of - max(midnight, ev.window_start)).total_seconds() // 60)
        if elapsed > 0:
            per_day[today.date()] = elapsed
    days = sorted(per_day)
    blocks: list = []
    # incident data speaks from its first record on; monitoring samples state their own coverage
    covered_from = data_from(run.incidents, any(f.role == "samples" for f in run.inputs), ev.window_start)
    now = from_evaluation(ev, run.policy.agreement.effective_date, covered_from) if run.history else ()
    for k in kpis:
        chart = availability_chart(days[0], days[-1], dict(k.daily), per_day, k.objective, labels)
        blocks.append(Figure(fill(labels, "chart_caption", kpi=k.name, objective=k.objective, clause=ctx.kpi_clause(k.id) or "—"), chart))
        if run.history:
            series = [p for p in (*run.history, *now) if p.kpi == k.id]
            points = [(ctx.messages.window(p.window_label, short=True), p.availability) for p in series]
            rows = [(ctx.messages.window(p.window_label, short=True), "—" if p.availability is None else f"{shown_percent(p.availability)}%",
                     "—" if p.downtime_minutes is None else _minutes(p.downtime_minutes), _trend_status(p, labels)) for p in series]
            # the note explains what the dates leave out: not in force, or before the run's first record
            gaps = any(p.status == "not_in_force" or (p.status == "no_data" and p.source == "run") for p in series)
            if any(v is not None for _, v in points):
                blocks.append(Figure(fill(labels, "trend_caption", kpi=k.name, count=len(points)), trend_chart(points, k.objective, labels)))
            blocks.append(Table((labels["window"], labels["actual"], labels["downtime_min"], labels["status"]), tuple(rows)))
            if gaps:
                blocks.append(Para(fill(labels, "trend_note", effective=run.policy.agreement.effective_date.isoformat(),
                                        data_from="—" if covered_from is None else _local(covered_from, zone)), numbered=False))
    return Section("availability", labels["availability"], tuple(blocks))


def _incidents(run: Run, ctx: _Context) -> Section:
    """Per KPI, the accounting: one row per trace line (overlap, rounding and cap spill-back
    lines included), counted and excluded minutes in columns of their own, and a total row
    that is the KPI's downtime and excluded minutes, exactly."""
    ev, labels, zone = run.evaluation, ctx.labels, ctx.zone
    if not ev.trace:
        return Section("incidents", labels["incidents"], (Para(labels["no_incidents"], numbered=False),))
    titles = {i.id: getattr(i, "title", "") for i in run.incidents}
    components = _component_names(run.policy, ctx.messages.lang)
    header = (labels["incident"], labels["components"], labels["start_end"], labels["status"], labels["counted_min"], labels["excluded_min"], labels["reason"])
    blocks: list = [Para(fill(labels, "incidents_intro", measurement=ctx.cite("measurement") or "—", exclusions=ctx.cite("exclusions") or "—"), numbered=False)]
    kpis = {k.id: k for k in ev.kpis}
    order = [k.id for k in ev.kpis if any(t.kpi == k.id for t in ev.trace)] + sorted({t.kpi for t in ev.trace} - set(kpis))
    for kpi_id in order:
        lines = [t for t in ev.trace if t.kpi == kpi_id]
        counted = reconciled([t.minutes if t.status == "counted" else Decimal(0) for t in lines])
        excluded = reconciled([t.minutes if t.status == "excluded" else Decimal(0) for t in lines])
        rows = []
        for t, c, x in zip(lines, counted, excluded):
            if t.incident and t.finding is not None:  # derived (samples, Upptime, status log): what the data showed, and where
                where = _files(t.source) if t.finding.code.startswith("samples.") else _source(t.source)
                who = "\n".join(p for p in (t.incident, ctx.text(t.finding), where) if p)
            elif t.incident:
                who = "\n".join(p for p in (t.incident, titles.get(t.incident, ""), _source(t.source)) if p)
            else:
                who = labels["rounding"] if t.reason.code.startswith("rounding") else "—"
            status = ctx.messages.word("status." + t.status, t.status)
            if t.weight is not None and t.status == "counted":
                status = fill(labels, "weighted", status=status, weight=plain_number((t.weight * 100).normalize()))
            when = _span(t.start, t.end, zone)
            rows.append((who, "\n".join(components.get(c_, c_) for c_ in t.components) or "—", when, status,
                         _minutes(c) if t.status == "counted" else "", _minutes(x) if t.status == "excluded" else "", ctx.text(t.reason)))
        k = kpis.get(kpi_id)
        name = ctx.names.get(kpi_id, kpi_id)
        total_counted = sum((t.minutes for t in lines if t.status == "counted"), Decimal(0))
        total_excluded = sum((t.minutes for t in lines if t.status == "excluded"), Decimal(0))
        rows.append((labels["total"], "", "", "", _minutes(total_counted), _minutes(total_excluded),
                     fill(labels, "accounting", kpi=name, downtime=_minutes(k.downtime_minutes if k else total_counted),
                          excluded=_minutes(k.excluded_minutes if k else total_excluded))))
        blocks.append(Para(fill(labels, "incidents_kpi", kpi=name, clause=ctx.kpi_clause(kpi_id) or "—"), numbered=False))
        blocks.append(Table(header, tuple(rows)))
    return Section("incidents", labels["incidents"], tuple(blocks))


def _span(start: datetime | None, end: datetime | None, zone: ZoneInfo) -> str:
    """'2026-10-05 10:00–10:30' within a day, else both instants in full (local time)."""
    if start is None:
        return "—"
    first, last = _local(start, zone), _local(end, zone)
    if end is not None and first[:10] == last[:10]:
        return f"{first}–{last[11:]}"
    return f"{first} –\n{last}"


def _source(source: str) -> str:
    """'examples/incidents/x.csv:line 12' as 'x.csv:12' (the full path is under Data quality)."""
    if not source:
        return ""
    path, _, where = source.rpartition(":")
    if not path:
        return source
    return f"{path.replace(chr(92), '/').rsplit('/', 1)[-1]}:{where.removeprefix('line ').strip()}"


def sample_rule(stats: dict) -> Reason:
    """A telemetry rule as the `samples` input records it (rule id, threshold), as a reason code
    the catalogues word: `samples.rule.<rule>` with `threshold_pct` or `latency_ms`."""
    rule, more_than = stats["rule"], stats.get("more_than")
    threshold = None if more_than is None else Decimal(more_than)
    return Reason.of(f"samples.rule.{rule}", **({"latency_ms": threshold} if rule == "latency" else {"threshold_pct": threshold}))


def _files(source: str) -> str:
    """A derived incident's sample files ('a/b.csv, c/d.parquet') by their names ('b.csv, d.parquet')."""
    return ", ".join(p.replace(chr(92), "/").rsplit("/", 1)[-1] for p in source.split(", ")) if source else ""


def _said(obj, field: str, lang: str) -> str:
    """A policy text in the report's language (its `<field>_text` map, else the text as written)."""
    from slagen.policy.text import pick

    return pick(getattr(obj, f"{field}_text", None), lang, default=getattr(obj, field)) or getattr(obj, field)


def _component_names(policy, lang: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for service in policy.services:
        for comp in service.components:
            names[f"{service.id}/{comp.id}"] = _said(comp, "name", lang)
    return names


def _responses(ev: Evaluation, ctx: _Context) -> Section | None:
    labels, zone = ctx.labels, ctx.zone
    timed = [k for k in ev.kpis if not in_percent(k.kind)]  # every timed KPI kind the registry knows (response, resolution, latency, update interval)
    if not timed:
        return None
    severity = {k: v.severity for k, v in ctx.kpis.items()}
    summary = Table(
        (labels["kpi"], labels["clause"], labels["severity"], labels["target"], labels["measured"], labels["breaches"], labels["worst"]),
        tuple((k.name, ctx.kpi_clause(k.id) or "—", severity.get(k.id) or "—", _min(labels, k.target_minutes), str(k.measured), str(len(k.breaches)), _min(labels, k.actual)) for k in timed),
    )
    breaches = [b for k in timed for b in k.breaches]
    blocks: list = [Para(labels["responses_intro"], numbered=False), summary]
    if breaches:
        blocks.append(Table(
            (labels["incident"], labels["kpi"], labels["severity"], labels["target"], labels["measured"], labels["deadline"], labels["reason"]),
            tuple((b.incident, ctx.names.get(b.kpi, b.kpi), b.severity or "—", _min(labels, b.target_minutes), _min(labels, b.measured_minutes), _local(b.deadline, zone), ctx.text(b.reason))
                  for b in sorted(breaches, key=lambda b: (b.severity or "", b.clock_start, b.incident))),
        ))
    else:
        blocks.append(Para(labels["no_breaches"], numbered=False))
    return Section("responses", labels["responses"], tuple(blocks))


def _credits(ev: Evaluation, ctx: _Context) -> Section:
    labels = ctx.labels
    c = ev.credits
    if c is None:
        return Section("credits", labels["credit_calc"], (Para(labels["no_credits"], numbered=False),))
    downtime = [_cited(labels, fill(labels, "credit_downtime", kpi=k.name, downtime=_minutes(k.downtime_minutes), total=_minutes(k.denominator_minutes), actual=shown_percent(k.actual)),
                       ctx.cite("measurement"))
                for k in ev.kpis if in_percent(k.kind) and k.actual is not None]
    steps = Items(tuple(downtime + [_cited(labels, ctx.text(s.reason), _step_clause(s.reason, ctx)) for s in c.steps]))
    owed = labels["credit_owed"] if ev.complete else labels["credit_owed_so_far"]
    facts = [(owed, _cited(labels, ctx.money(c.amount, c.currency), ctx.cite("service_credits")))]
    if c.days:
        facts.append((labels["credit_days"], str(c.days)))
    facts.append((labels["claim_deadline"], _cited(labels, _claim(labels, c.claim_deadline, ctx.today), ctx.cite("claims"))))
    intro = fill(labels, "credit_intro", credits=ctx.cite("service_credits") or "—", limits=ctx.cite("credit_limits") or "—")
    return Section("credits", labels["credit_calc"], (Para(intro, numbered=False), steps, Facts(tuple(facts))))


def _step_clause(reason: Reason, ctx: _Context) -> str | None:
    """The clause a credit step applies: the limits for caps and the minimum payout, else the
    credit clause's sub-clause that states the step's rate (or the clause)."""
    code = reason.code
    if code == "credit.total":
        return None
    if code.startswith(("cap.", "rolling_cap.", "minimum_payout.")):
        return ctx.cite("credit_limits")
    rate, currency = reason.get("rate"), reason.get("currency")
    return ctx.cite("service_credits", money_in(ctx.cite.lang)(rate, currency) if rate is not None and currency else "")


def _escalation(ev: Evaluation, ctx: _Context, policy, lang: str) -> Section:
    labels = ctx.labels
    if not ev.escalation.reached:
        return Section("escalation", labels["escalation"], (Para(labels["escalation_none"], numbered=False),))
    rows = []
    for r in sorted(ev.escalation.reached, key=lambda r: r.level):
        level = next((e for e in policy.escalation if e.kpi == r.kpi and e.level == r.level), None)
        action = _said(level, "action", lang) if level is not None else r.action
        # a level the schedule states is cited; the customer's own (internal) levels are not in it
        rows.append((str(r.level), ctx.cite("escalation", action, strict=True) or "—", ctx.names.get(r.kpi, r.kpi), action, ctx.text(r.reason), ", ".join(r.notify)))
    return Section("escalation", labels["escalation"], (Table((labels["level"], labels["clause"], labels["kpi"], labels["action"], labels["why"], labels["notify"]), tuple(rows)),))


def _data_quality(run: Run, ctx: _Context) -> Section:
    ev, labels = run.evaluation, ctx.labels
    blocks: list = [Para(labels["skipped"], numbered=False)]
    blocks.extend(skipped_blocks(ev.skipped, labels))
    blocks.append(Para(labels["open"], numbered=False))
    blocks.append(Items(tuple(ev.open_incidents) or (labels["no_open"],)))
    samples = [i for i in ev.inputs if i.get("kind") == "samples"]
    if samples:
        blocks.append(Para(labels["samples"], numbered=False))
        blocks.append(Table((labels["kpi"], labels["rule"], labels["records"], labels["down_periods"], labels["missing_minutes"], labels["missing_as"], labels["unknown_components"]),
                            tuple((ctx.names.get(s["kpi"], s["kpi"]), fill(labels, "samples_rule", rule=ctx.text(sample_rule(s)), minutes=s["period_minutes"]), f"{s['rows']:,}", str(s["down_periods"]), f"{s['missing_minutes']:,}",
                                   labels.get("missing_" + s["missing_counted_as"], s["missing_counted_as"]), ", ".join(s["unknown_components"]) or labels["none"]) for s in samples)))
    blocks.append(Para(labels["inputs"], numbered=False))
    blocks.append(Table((labels["file"], labels["role"], labels["records"], labels["bytes"], labels["sha256"]),
                        tuple((f.path, labels.get("role_" + f.role, f.role), "—" if f.records is None else str(f.records), f"{f.size:,}", f.sha256) for f in run.inputs)))
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
