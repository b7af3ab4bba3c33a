"""A comparison: the terms table, every scenario evaluated for every vendor, credit curves.

Scenarios run through the same engine as real evaluations; nothing here computes a credit.
Money is in one currency where rates are given (`fx.py`: every amount of a policy converted
before the engine runs, so the engine rounds once, in the comparison's currency); a credit
in days of service is valued by its credit form's module at the window's daily fee. The
buyer's loss per minute is one figure for every vendor. Facts only: no score unless the
buyer gives weights, no ranking. Renderers mark the best and worst value of a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from slagen.compare.fx import Rates, priced
from slagen.compare.scenarios import Scenario, scenario_incidents, scenario_window
from slagen.compare.terms import Names, Priced, Row, terms_rows, untranslated
from slagen.engine.evaluate import evaluate
from slagen.engine.money import round_money
from slagen.engine.windows import MeasurementWindow, window_containing
from slagen.errors import PolicyErrors, PolicyProblem, UsageError
from slagen.incidents.model import Incident, Outage
from slagen.kinds.credit_forms import in_money
from slagen.policy.model import Policy
from slagen.render.messages import Messages
from slagen.render.numbers import fmt_money, plain_number, shown_percent

HUNDRED = Decimal(100)
CURVE = tuple((Decimal(90) + Decimal(i) / 10).quantize(Decimal("0.1")) for i in range(101))  # 90.0 .. 100.0


@dataclass(frozen=True)
class Loss:
    """The buyer's loss per minute of real outage, in its currency: one figure for every vendor."""

    amount: Decimal
    currency: str
    where: str  # "scenario file.yaml" or "--loss-per-minute"


@dataclass(frozen=True)
class Vendor:
    label: str  # the agreement id: short, and unique where provider names repeat; the same in every language
    provider: str  # in the comparison's language (English, marked, where the policy gives none)
    file: str
    currency: str  # the currency the comparison shows this vendor in
    fee: Decimal | None  # monthly, in `currency`
    own_currency: str = ""
    rate: Decimal | None = None  # one unit of own_currency in `currency`; None: not converted
    title: str = ""  # the agreement's title in the comparison's language
    untranslated: bool = False  # a name the comparison shows has no text in its language


@dataclass(frozen=True)
class Outcome:
    """One vendor under one scenario, as that vendor's policy counts it."""

    window: str
    availability: Decimal | None  # strictest availability KPI, as counted
    counted_minutes: Decimal
    excluded_minutes: Decimal
    credit: Decimal | None  # money, days of service included at the daily fee, rounded once
    credit_days: int
    credit_percent: Decimal | None  # credit ÷ the window's fee × 100
    currency: str
    real_minutes: Decimal
    downtime_cost: Decimal | None
    uncovered: Decimal | None
    reason: str  # the first reason, short (kept for the terminal and old readers)
    reasons: tuple[str, ...] = ()  # every counted, excluded, overlapping and ignored event, every credit step and cap
    credit_amount: Decimal | None = None  # the money part the engine computed
    daily_fee: Decimal | None = None
    window_kind: str = "calendar_month"
    window_covers_month: bool = True  # False: the vendor's window is longer than the scenario month
    fee_months: Decimal = Decimal(1)
    allowed_minutes: Decimal | None = None
    cost_currency: str = ""
    uncovered_why: str = ""  # why no exposure is stated


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    outcomes: tuple[Outcome, ...]
    loss: Loss | None = None


@dataclass(frozen=True)
class HistoryResult:
    """A real incident history replayed through every vendor's terms, window by window."""

    file: str
    first: str
    last: str
    windows: tuple[int, ...]  # per vendor: windows evaluated
    breached: tuple[int, ...]  # per vendor: windows with an availability objective missed
    downtime: tuple[Decimal, ...]  # per vendor: counted minutes (strictest KPI), summed
    credits: tuple[Decimal, ...]  # per vendor: money, rounded per window as paid
    real_minutes: Decimal
    cost: tuple[Decimal | None, ...]  # per vendor: the buyer's loss over the period (one figure, in each vendor's currency)
    exposure: tuple[Decimal | None, ...]
    kinds: tuple[str, ...]  # per vendor: window kind
    per_window: tuple[tuple[tuple[str, Decimal, Decimal | None, Decimal], ...], ...] = ()  # per vendor: (label, availability, credit, counted)


@dataclass(frozen=True)
class Comparison:
    vendors: tuple[Vendor, ...]
    terms: tuple[Row, ...]
    scenarios: tuple[ScenarioResult, ...]
    curves: tuple[tuple[tuple[Decimal, Decimal | None], ...], ...]  # per vendor: (availability, credit % in money)
    fee_note: str
    lang: str = "en"
    rates: Rates | None = None
    history: HistoryResult | None = None
    weights: tuple[tuple[str, Decimal], ...] = ()  # (row key, weight)
    weights_file: str = ""
    notes: tuple[str, ...] = ()  # the currency and loss statements printed under the title

    @property
    def words(self) -> Messages:
        return Messages(self.lang)

    def scenario_rows(self) -> list[Row]:
        w = self.words
        rows = []
        for result in self.scenarios:
            title = scenario_title(result.scenario, w)
            sid = result.scenario.id
            o = result.outcomes
            NOT = w.say("compare.not_stated")

            def row(key, values, numbers=(), better=None, units=()):
                rows.append(Row(title, w.say(f"compare.row.{key}"), tuple(values), tuple(numbers), better, tuple(units), (), f"{sid}/{key}"))

            row("availability", [_availability_text(x, result.scenario, w) for x in o])
            # windows of different lengths: only the month-equivalent below is marked
            row("allowed_window", [w.say("compare.minutes", n=plain_number(x.allowed_minutes.quantize(Decimal("0.01")).normalize())) if x.allowed_minutes is not None else NOT for x in o],
                [x.allowed_minutes for x in o], None, ["min"] * len(o))
            row("allowed_month_eq", [w.say("compare.minutes", n=plain_number((x.allowed_minutes / x.fee_months).quantize(Decimal("0.01")).normalize())) if x.allowed_minutes is not None else NOT for x in o],
                [x.allowed_minutes / x.fee_months if x.allowed_minutes is not None else None for x in o], "lower", ["min"] * len(o))
            row("why", ["\n".join(x.reasons) if x.reasons else x.reason for x in o])
            row("credit_pct", [f"{shown_percent(x.credit_percent, 2)}%" if x.credit_percent is not None else NOT for x in o], [x.credit_percent for x in o], "higher", ["%"] * len(o))
            row("credit", [_credit_text(x, w) for x in o], [x.credit for x in o], "higher", [x.currency for x in o])
            row("credit_month_eq", [fmt_money(x.credit / x.fee_months, x.currency) if x.credit is not None else NOT for x in o],
                [x.credit / x.fee_months if x.credit is not None else None for x in o], "higher", [x.currency for x in o])
            row("downtime_cost", [fmt_money(x.downtime_cost, x.cost_currency or x.currency) if x.downtime_cost is not None else NOT for x in o])
            row("exposure", [fmt_money(x.uncovered, x.currency) if x.uncovered is not None else (x.uncovered_why or NOT) for x in o],
                [x.uncovered for x in o], "lower", [x.currency for x in o])
        return rows

    def history_rows(self) -> list[Row]:
        h = self.history
        if h is None:
            return []
        w = self.words
        section = w.say("compare.section.history", file=Path(h.file).name, first=h.first, last=h.last)
        cur = [v.currency for v in self.vendors]
        NOT = w.say("compare.not_stated")
        rows = [
            Row(section, w.say("compare.history.months_breached"), tuple(w.say("compare.history.months", n=b, total=f"{n} ({w.word('window_kind.' + k)})") for b, n, k in zip(h.breached, h.windows, h.kinds)),
                tuple(Decimal(b) / n if n else None for b, n in zip(h.breached, h.windows)), "lower", (), (), "history/breached"),
            Row(section, w.say("compare.history.downtime"), tuple(plain_number(d.quantize(Decimal("0.01")).normalize()) for d in h.downtime), tuple(h.downtime), None, (), (), "history/downtime"),
            Row(section, w.say("compare.history.credits"), tuple(fmt_money(c, u) for c, u in zip(h.credits, cur)), tuple(h.credits), "higher", tuple(cur), (), "history/credits"),
            Row(section, w.say("compare.history.cost"), tuple(fmt_money(x, u) if x is not None else NOT for x, u in zip(h.cost, cur)), (), None, (), (), "history/cost"),
            Row(section, w.say("compare.history.exposure"), tuple(fmt_money(e, u) if e is not None else NOT for e, u in zip(h.exposure, cur)), tuple(h.exposure), "lower", tuple(cur), (), "history/exposure"),
        ]
        return rows


def scenario_title(scenario: Scenario, w: Messages) -> str:
    """A built-in scenario's title in the comparison's language (the catalogue's
    `compare.scenario.<id>`); a user's scenario keeps the title it was written with."""
    if scenario.source.startswith("builtin:"):
        return w.word(f"compare.scenario.{scenario.id}", scenario.title)
    return scenario.title


def _availability_text(x: Outcome, scenario: Scenario, w: Messages) -> str:
    if x.availability is None:
        return w.say("compare.not_stated")
    pct = shown_percent(x.availability)
    if x.window_covers_month:
        return w.say("compare.window_month", pct=pct, window=w.window(x.window))
    return w.say("compare.window_other", pct=pct, window=w.window(x.window), kind=w.word(f"window_kind.{x.window_kind}"), month=scenario.month)


def _credit_text(x: Outcome, w: Messages) -> str:
    if x.credit is None:
        return w.say("compare.not_stated")
    if not x.credit_days:
        return fmt_money(x.credit, x.currency)
    return w.say("compare.days_and_money", money=fmt_money(x.credit_amount or Decimal(0), x.currency), days=x.credit_days,
                 daily=fmt_money(x.daily_fee or Decimal(0), x.currency), total=fmt_money(x.credit, x.currency))


def with_fee(policy: Policy, fee: Decimal | None, currency: str | None) -> Policy:
    """The policy priced at a common monthly fee (and currency), so credits compare like for like."""
    return priced(policy, currency, None, fee)


def price(policies: list[Policy], currency: str | None = None, rates: Rates | None = None, fee: Decimal | None = None) -> list[Priced]:
    """Every policy in the comparison's currency, or each in its own when none is asked.

    A policy in another currency needs a rate: without a rates file that is a usage error,
    and a rates file that lacks the currency is an error located in the rates file."""
    own = sorted({p.agreement.currency for p in policies})
    if currency is None and fee is not None and len(own) > 1:
        raise UsageError(f"--fee with policies in {', '.join(own)}: say which currency the fee is in with --currency (and give --fx FILE with rates)")
    out = []
    for p in policies:
        cur = p.agreement.currency
        if currency is None or cur == currency:
            out.append(Priced(priced(p, None, None, fee), p))
            continue
        if rates is None:
            raise UsageError(f"{p.source} is priced in {cur}: --currency {currency} needs --fx FILE with a rate for {cur}")
        rate = rates.rate(cur)
        if rate is None:
            raise missing_rate(rates, cur, p.source)
        out.append(Priced(priced(p, currency, rate, fee), p, rate))
    return out


def missing_rate(rates: Rates, currency: str, needed_by: str) -> PolicyErrors:
    from slagen.policy.yamlsrc import load_yaml

    line = next((n for c, n in rates.lines), 0) or 1
    try:  # point at the 'rates' mapping itself
        doc = load_yaml(Path(rates.file).read_bytes(), rates.file)
        line = doc.where("/rates")[0]
    except Exception:  # pragma: no cover - the file was read a moment ago
        pass
    return PolicyErrors([PolicyProblem(rates.file, line, 1, f"no rate for {currency} (needed by {needed_by}); add {currency}: \"<value of 1 {currency} in {rates.currency}>\" under rates", "/rates")])


def buyer_loss(loss: Loss | None, currency: str, rates: Rates | None) -> tuple[Decimal | None, str]:
    """The loss per minute in `currency`, or (None, why)."""
    if loss is None:
        return None, ""
    if loss.currency == currency:
        return loss.amount, ""
    rate = rates.rate(loss.currency) if rates else None
    if rates is not None and rates.currency == currency and rate is not None:
        return loss.amount * rate, ""
    return None, "cost_other_currency"


def outcome(v: Priced, scenario: Scenario, loss: Loss | None, words: Messages | None = None, rates: Rates | None = None,
            incidents: tuple[Incident, ...] | None = None, real: Decimal | None = None) -> Outcome:
    w = words or Messages("en")
    policy = v.policy if isinstance(v, Priced) else v
    window = scenario_window(policy, scenario)
    if incidents is None:
        incidents, real = scenario_incidents(policy, scenario, window)
    ev = evaluate(policy, incidents, window, window.end)
    availability = [k for k in ev.kpis if k.kind == "availability" and k.actual is not None]
    strictest = max(availability, key=lambda k: k.objective or 0) if availability else None
    counted = strictest.downtime_minutes if strictest else Decimal(0)
    excluded = strictest.excluded_minutes if strictest else Decimal(0)
    currency = policy.agreement.currency
    c = ev.credits
    value = percent = daily = None
    if c is not None:
        days_in_window = (window.last_day - window.first_day).days + 1
        daily = (c.fee / days_in_window) if c.fee is not None else None
        if c.days and daily is None:
            value = None  # days of service with no fee to value them at
        else:
            value = round_money(in_money(c.amount, c.days, daily or Decimal(0), [r.kind for r in policy.credits.rules]), currency)
        percent = (value / c.fee * HUNDRED) if (value is not None and c.fee) else None
    real = real or Decimal(0)
    per_minute, why = buyer_loss(loss, currency, rates)
    cost = uncovered = None
    cost_currency = currency
    uncovered_why = ""
    if per_minute is not None:
        cost = round_money(real * per_minute, currency)
        uncovered = max(cost - (value or Decimal(0)), Decimal(0))
    elif loss is not None:
        cost = round_money(real * loss.amount, loss.currency)
        cost_currency = loss.currency
        uncovered_why = w.say("compare.cost_other_currency", loss=loss.currency, credit=currency)
    reasons = _reasons(ev, policy, incidents, w)
    covers = window.first_day == date.fromisoformat(scenario.month + "-01") and window.months == 1
    return Outcome(ev.window_label, strictest.actual if strictest else None, counted, excluded, value, c.days if c else 0, percent, currency,
                   real, cost, uncovered, reasons[0] if reasons else "", tuple(reasons), c.amount if c else None, daily,
                   policy.window.kind, covers, window.fee_months, strictest.allowed_minutes if strictest else None, cost_currency, uncovered_why)


def _reasons(ev, policy: Policy, incidents, w: Messages) -> list[str]:
    """Every reason behind the figures: each trace line of each availability KPI (counted,
    excluded, overlapping, ignored), then each credit step (rule, cap, minimum payout, total),
    worded by the catalogue."""
    if not incidents:
        return [w.say("compare.not_covered")]
    kpis = [k for k in ev.kpis if k.kind == "availability" and k.objective is not None]
    if not kpis:
        return [w.say("compare.no_availability")]
    several = len(kpis) > 1
    name = Names.of(w)
    colon = "：" if w.chinese else ": "  # full-width beside Chinese text
    lines = []
    for k in kpis:
        shown = name(policy.kpi(k.id)) if several else ""
        trace = [t for t in ev.trace if t.kpi == k.id and t.incident]
        if not trace:
            lines.append((shown + colon if several else "") + w.say("compare.outside_scope"))
        for t in trace:
            text = w.say("compare.reason_line", incident=t.incident, minutes=plain_number(t.minutes.quantize(Decimal("0.01")).normalize()), text=w.text(t.reason))
            lines.append((shown + colon if several else "") + text)
    if ev.credits:
        lines.extend(w.text(s.reason) for s in ev.credits.steps)
    return lines


def credit_curve(v: Priced | Policy) -> tuple[tuple[Decimal, Decimal | None], ...]:
    """Credit in money as % of the window's fee at each availability 90..100 in the vendor's
    own window, via the engine; days of service valued at the window's daily fee."""
    policy = v.policy if isinstance(v, Priced) else v
    anchor = datetime(2026, 11, 2, 12, tzinfo=timezone.utc)
    window = window_containing(policy, anchor)
    refs = [f"{s.id}/{c.id}" for s in policy.services for c in s.components] or [s.id for s in policy.services]
    days = (window.last_day - window.first_day).days + 1
    points = []
    for availability in CURVE:
        minutes = Decimal(window.minutes) * (HUNDRED - availability) / HUNDRED
        start = window.start + timedelta(days=1)
        end = start + timedelta(minutes=float(minutes))
        incidents = (Incident("curve", start, end, tuple(Outage(r, start, end, "major_outage") for r in refs), "credit curve"),) if minutes > 0 else ()
        ev = evaluate(policy, incidents, window, window.end)
        c = ev.credits
        if c is None or not c.fee:
            points.append((availability, None))
            continue
        value = in_money(c.amount, c.days, c.fee / days, [r.kind for r in policy.credits.rules])
        points.append((availability, value / c.fee * HUNDRED))
    return tuple(points)


def compare(policies: list[Policy], scenarios: list[Scenario], fee: Decimal | None = None, currency: str | None = None,
            loss_per_minute: Loss | Decimal | None = None, curves: bool = True, real_incidents: dict[str, tuple[tuple[Incident, ...], Decimal]] | None = None,
            rates: Rates | None = None, lang: str = "en", history=None, weights=None) -> Comparison:
    """`history`: a `History` (see history.py) replayed over its months; `weights`: a `Weights`."""
    words = Messages(lang)
    vendors_priced = price(policies, currency, rates, fee)
    pols = [v.policy for v in vendors_priced]
    name = Names.of(words)
    vendors = tuple(Vendor(p.agreement.id, name(p.agreement.provider), p.source, p.agreement.currency, p.agreement.monthly_fee if not (p.credits and p.credits.fee_basis == "service_fee" and p.agreement.service_fees) else sum((f for _, f in p.agreement.service_fees), Decimal(0)),
                           v.original.agreement.currency, v.rate, name(p.agreement, "title"), untranslated(p, lang)) for v, p in zip(vendors_priced, pols))
    default_loss = loss_per_minute
    if loss_per_minute is not None and not isinstance(loss_per_minute, Loss):  # a bare amount: in the one currency there is
        own = sorted({p.agreement.currency for p in pols})
        if currency is None and len(own) > 1:
            raise UsageError(f"a loss per minute without a currency, and the policies are in {', '.join(own)}: give its currency")
        default_loss = Loss(loss_per_minute, currency or own[0], "--loss-per-minute")
    results = []
    for scenario in scenarios:
        loss = scenario_loss(scenario, currency, pols) or default_loss
        check_loss_rate(loss, currency, rates)
        if real_incidents and scenario.id in real_incidents:
            incidents, real = real_incidents[scenario.id]
            results.append(ScenarioResult(scenario, tuple(outcome(v, scenario, loss, words, rates, incidents, real) for v in vendors_priced), loss))
        else:
            results.append(ScenarioResult(scenario, tuple(outcome(v, scenario, loss, words, rates) for v in vendors_priced), loss))
    note = words.say("compare.fee_note.common", fee=fmt_money(fee, currency) if currency else plain_number(fee)) if fee is not None else words.say("compare.fee_note.own")
    if currency:
        note += "; " + words.say("compare.fee_note.currency", currency=currency)
    notes = []
    if rates is not None:
        notes.append(words.say("compare.fx_note", date=rates.date, source=rates.source, currency=rates.currency,
                               rates=", ".join(f"1 {c} = {plain_number(r)} {rates.currency}" for c, r in rates.rates)))
    elif len({v.currency for v in vendors}) > 1:
        notes.append(words.say("compare.fx_none"))
    losses = {(r.loss.amount, r.loss.currency, r.loss.where) for r in results if r.loss}
    for amount, cur, where in sorted(losses):
        shown = fmt_money(amount, cur)
        if rates is not None and currency and cur != currency:  # the loss converted, with the rate used
            shown = words.say("compare.converted", amount=fmt_money(amount * rates.rate(cur), currency), original=shown, rate=plain_number(rates.rate(cur)))
        notes.append(words.say("compare.buyer_loss", loss=shown, where=where))
    if scenarios and not losses:
        notes.append(words.say("compare.buyer_loss_none"))
    if any(v.untranslated for v in vendors):
        notes.append(words.say("compare.fallback_note", vendors=", ".join(v.label for v in vendors if v.untranslated)))
    history_result = None
    if history is not None:
        from slagen.compare.history import replay

        check_loss_rate(default_loss, currency, rates)
        history_result = replay(vendors_priced, history, default_loss, rates)
    comparison = Comparison(vendors, tuple(terms_rows(vendors_priced, words)), tuple(results), tuple(credit_curve(v) for v in vendors_priced) if curves else (),
                            note, lang, rates, history_result, (), "", tuple(notes))
    if weights is not None:
        from dataclasses import replace as _replace

        from slagen.compare.weights import check_weights

        check_weights(weights, comparison)
        comparison = _replace(comparison, weights=weights.weights, weights_file=weights.file)
    return comparison


def scenario_loss(scenario: Scenario, currency: str | None, policies: list[Policy]) -> Loss | None:
    """The scenario's loss per minute; a bare amount is in the comparison's currency, or the
    vendors' one currency; with vendors in several currencies and no --currency it must say."""
    if scenario.loss_per_minute is None:
        return None
    cur = getattr(scenario, "loss_currency", None) or currency
    if cur is None:
        own = sorted({p.agreement.currency for p in policies})
        if len(own) > 1:
            raise UsageError(f"{scenario.source}: loss_per_minute has no currency and the policies are in {', '.join(own)}; write loss_per_minute: {{amount: \"{scenario.loss_per_minute}\", currency: USD}}")
        cur = own[0]
    return Loss(scenario.loss_per_minute, cur, f"scenario {Path(scenario.source).name}")


def check_loss_rate(loss: Loss | None, currency: str | None, rates: Rates | None) -> None:
    """A loss in another currency than the comparison's needs a rate (located in the rates file)."""
    if loss is None or currency is None or loss.currency == currency:
        return
    if rates is None:
        raise UsageError(f"the buyer's loss is in {loss.currency} ({loss.where}) but the comparison is in {currency}: give --fx FILE with a rate for {loss.currency}")
    if rates.rate(loss.currency) is None:
        raise missing_rate(rates, loss.currency, loss.where)


def real_data_incidents(scenario: Scenario) -> tuple[tuple[Incident, ...], Decimal]:
    """A scenario that points at incident data: read it once; real minutes = union of its outages."""
    from slagen.compare.scenarios import _union_minutes
    from slagen.incidents.readers import read_incidents

    result = read_incidents(Path(scenario.incidents_file), scenario.incidents_format, None, scenario.on_bad_record)
    spans = [(o.start, o.end) for i in result.incidents for o in i.outages if o.end is not None]
    first = datetime.fromisoformat(scenario.month + "-01T00:00+00:00")
    last = datetime(first.year + first.month // 12, first.month % 12 + 1, 1, tzinfo=timezone.utc)
    clipped = [(max(a, first), min(b, last)) for a, b in spans if b > first and a < last]
    return result.incidents, _union_minutes(clipped)


def month_window(window: MeasurementWindow) -> bool:
    return window.months == 1
