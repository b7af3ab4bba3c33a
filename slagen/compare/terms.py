"""What each contract promises, one row per term and one column per vendor.

A term the policy file does not state is shown as "not stated", never as slagen's default:
a procurement reader must see the silence. Numbers kept beside the text (with their unit:
a currency, minutes, %) let renderers mark the best and worst value of a row without
inventing a ranking across rows, and never across currencies. Every word comes from the
message catalogue of the comparison's language (`compare.*` keys); every name the policy
gives (provider, KPIs, services, components) is the policy's own text in that language
(`Names`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from slagen.engine.money import round_money
from slagen.policy.model import Policy
from slagen.render.messages import Messages
from slagen.render.numbers import fmt_money, plain_number

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    values: tuple[str, ...]
    numbers: tuple[Decimal | None, ...] = ()
    better: str | None = None  # "higher" | "lower": which end of `numbers` favours the customer
    units: tuple[str | None, ...] = ()  # per cell: a currency code where `numbers` are money
    unverified: tuple[str | None, ...] = ()  # per cell: the policy's note where a figure is marked verified: false
    key: str = ""  # catalogue key of the label (stable across languages)

    def unit_problem(self) -> tuple[str, ...]:
        """The currencies of a money row's known numbers, when they differ (then no marks)."""
        currencies = sorted({u for u, n in zip(self.units, self.numbers) if n is not None and u and len(u) == 3 and u.isupper()})
        return tuple(currencies) if len(currencies) > 1 else ()


@dataclass(frozen=True)
class Priced:
    """One vendor as the comparison shows it: the policy re-priced in `currency` (every
    amount × `rate`) and the policy as written, for the original figures."""

    policy: Policy
    original: Policy
    rate: Decimal | None = None  # None: the policy's own currency

    @property
    def currency(self) -> str:
        return self.policy.agreement.currency


@dataclass(frozen=True)
class Names:
    """The names a policy gives, in the comparison's language. Where a policy writes a name
    in no text of that language, its English stands in, marked as the clauses mark it (the
    catalogue's `policy_text.fallback_mark`), and the comparison says which vendors
    (`untranslated`): a vendor's SLA is compared as published, never refused for it."""

    lang: str
    mark: str = ""

    @classmethod
    def of(cls, words: Messages) -> "Names":
        return cls(words.lang, words.word("policy_text.fallback_mark", ""))

    def __call__(self, obj, field: str = "name") -> str:
        """`obj.<field>` in the comparison's language (its `<field>_text`)."""
        text = getattr(obj, f"{field}_text", None)
        if text is None:
            return getattr(obj, field)
        return self.text(text)

    def text(self, text) -> str:
        """A Text (a name, a note) in the comparison's language; where the policy wrote none,
        the English stands in, marked (another language standing in is not marked English)."""
        value = text.get(self.lang)
        if value is not None:
            return value
        return text.default + (self.mark if text.has("en") and text.default else "")


def shown_texts(policy: Policy) -> list:
    """Every policy text a comparison shows: the agreement's title and provider, the
    services, their components and the KPIs."""
    a = policy.agreement
    texts = [a.title_text, a.provider.name_text]
    for service in policy.services:
        texts.append(service.name_text)
        texts.extend(c.name_text for c in service.components)
    texts.extend(k.name_text for k in policy.kpis)
    return [t for t in texts if t is not None]


def untranslated(policy: Policy, lang: str) -> bool:
    """Whether a name or a note the comparison shows has no text in `lang` (English then
    stands in, marked)."""
    notes = [note for _, note in getattr(policy, "unverified", ()) if note.default]
    return lang != "en" and any(not t.has(lang) and t.has("en") for t in (*shown_texts(policy), *notes))


class TermsWords:
    """What a credit form module's `schedule` words a rule through: catalogue sentences,
    the vendor's money (converted, with the original and the rate), KPI names."""

    def __init__(self, words: Messages, vendor: Priced):
        self.words = words
        self.vendor = vendor
        self.name = Names.of(words)

    def say(self, key: str, **values) -> str:
        return self.words.say(key, **{k: plain_number(v) if isinstance(v, Decimal) else v for k, v in values.items()})

    def money(self, amount: Decimal | None) -> str:
        """An amount of the policy as written, in the comparison's currency."""
        if amount is None:
            return self.words.say("compare.not_stated")
        v = self.vendor
        if v.rate is None:
            return fmt_money(amount, v.currency)
        return self.say("compare.converted", amount=fmt_money(amount * v.rate, v.currency), original=fmt_money(amount, v.original.agreement.currency), rate=v.rate)

    def monthly_fee(self) -> Decimal | None:
        a = self.vendor.policy.agreement
        if self.vendor.policy.credits and self.vendor.policy.credits.fee_basis == "service_fee" and a.service_fees:
            return sum((f for _, f in a.service_fees), Decimal(0))
        return a.monthly_fee

    def days_value(self, days: int | None) -> str:
        fee = self.monthly_fee()
        if fee is None or not days:
            return self.words.say("compare.not_stated")
        return fmt_money(round_money(fee / 30 * days, self.vendor.currency), self.vendor.currency)

    def kpi_name(self, kpi_id: str) -> str:
        return self.name(self.vendor.original.kpi(kpi_id))


def _objectives(policy: Policy) -> list:
    return [k for k in policy.kpis if k.kind == "availability" and k.objective is not None]


def _strictest(policy: Policy) -> Decimal | None:
    objectives = [k.objective for k in _objectives(policy)]
    return max(objectives) if objectives else None


def _scope_text(policy: Policy, scope: tuple[str, ...], w: Messages) -> str:
    name = Names.of(w)
    names = []
    for service in policy.services:
        for comp in service.components:
            ref = f"{service.id}/{comp.id}"
            if not scope or ref in scope or service.id in scope:
                roles = ("、" if w.chinese else ", ").join(w.word(f"role.{r}", r) for r in comp.roles)
                names.append(name(comp) + ((f"（{roles}）" if w.chinese else f" ({roles})") if comp.roles else ""))
        if not service.components and (not scope or service.id in scope):
            names.append(name(service))
    return ("、" if w.chinese else ", ").join(names) or w.say("compare.not_stated")


def _where(items, match, base: str) -> tuple[str, ...]:
    """Pointers of the list items that match (so a note marks only their rows)."""
    return tuple(f"{base}/{i}" for i, item in enumerate(items) if match(item))


def _note(policy: Policy, prefixes: tuple[str, ...], name: "Names") -> str | None:
    """The notes of the fields under `prefixes` the policy marks `verified: false`, in the
    comparison's language."""
    notes = [name.text(note) for pointer, note in getattr(policy, "unverified", ()) if any(pointer == p or pointer.startswith(p + "/") for p in prefixes)]
    return ("; " if name.lang == "en" else "；").join(dict.fromkeys(notes)) if notes else None


def terms_rows(policies: list[Policy] | list[Priced], words: Messages | None = None) -> list[Row]:
    from slagen.render.places import zone_name  # 'Hong Kong Time (UTC+08:00)', '香港时间（UTC+08:00）': a zone as a reader names it

    w = words or Messages("en")
    AVAILABILITY = lambda p: _where(p.kpis, lambda k: k.kind == "availability", "/kpis")  # noqa: E731
    MAINTENANCE = lambda p: _where(p.exclusions, lambda e: e.category == "scheduled_maintenance", "/exclusions")  # noqa: E731
    vendors = [p if isinstance(p, Priced) else Priced(p, p) for p in policies]
    pols = [v.policy for v in vendors]
    NOT = w.say("compare.not_stated")
    name = Names.of(w)
    SEMI, COMMA = ("；", "、") if w.chinese else ("; ", ", ")  # list separators as the language writes them
    rows: list[Row] = []

    def add(section: str, key: str, values, numbers=(), better=None, units=(), fields=()) -> None:
        notes = tuple(_note(v.original, fields(v.original) if callable(fields) else fields, name) for v in vendors) if fields else ()
        rows.append(Row(w.say(f"compare.section.{section}"), w.say(f"compare.term.{key}"), tuple(values), tuple(numbers), better, tuple(units), notes, key))

    def say(key: str, **values) -> str:
        return w.say(key, **{k: plain_number(v) if isinstance(v, Decimal) else v for k, v in values.items()})

    add("commitment", "provider", [name(p.agreement.provider) for p in pols])
    add("commitment", "objective",
        [SEMI.join(f"{plain_number(k.objective)}% {name(k)}" for k in _objectives(p)) or NOT for p in pols],
        [_strictest(p) for p in pols], "higher", ["%"] * len(pols), fields=AVAILABILITY)
    add("commitment", "covers", [SEMI.join(_scope_text(p, k.scope, w) for k in _objectives(p)) or NOT for p in pols], fields=("/services",))
    add("commitment", "window",
        [w.word(f"window_kind.{p.window.kind}") + (say("compare.fiscal_from", month=say(f"compare.month.{p.window.start_month}")) if p.window.start_month else "")
         + ("，" if w.chinese else ", ") + zone_name(p.timezone, w.lang) + ("" if p.says("timezone") else say("compare.zone_not_stated")) for p in pols],
        fields=("/window",))
    add("commitment", "minutes_counted",
        [say("compare.fixed_month" if p.window.fixed_minutes else "compare.actual_minutes") + (say("compare.maintenance_removed") if p.window.maintenance == "remove_from_denominator" else "") for p in pols],
        fields=("/window",))
    month = [(Decimal(43200) * (HUNDRED - s) / HUNDRED) if (s := _strictest(p)) is not None else None for p in pols]
    add("commitment", "allowed_month", [say("compare.minutes", n=m.quantize(Decimal("0.01")).normalize()) if m is not None else NOT for m in month], month, "lower", ["min"] * len(pols))
    year = [(Decimal(525600) * (HUNDRED - s) / HUNDRED) if (s := _strictest(p)) is not None else None for p in pols]
    add("commitment", "allowed_year", [say("compare.hours", n=(y / 60).quantize(Decimal("0.01"))) if y is not None else NOT for y in year], year, "lower", ["min"] * len(pols))

    def counting(p: Policy, key: str, text) -> str:
        return text(p) if p.says(f"counting.{key}") else NOT

    add("downtime", "minimum_outage", [counting(p, "minimum_outage", lambda p: w.duration(int(p.counting.minimum_outage.total_seconds()))) for p in pols],
        [Decimal(int(p.counting.minimum_outage.total_seconds())) if p.says("counting.minimum_outage") else None for p in pols], "lower", ["s"] * len(pols), fields=("/counting",))
    add("downtime", "partial_outage", [counting(p, "impact_weights", lambda p: say("compare.share_of_time", pct=f"{p.counting.weight('partial_outage') * 100:.0f}")) for p in pols], fields=("/counting",))
    add("downtime", "affected", [counting(p, "affected_percent", lambda p: say(f"compare.affected.{p.counting.affected}", bound=p.counting.affected_bound)) for p in pols],
        fields=("/counting",))
    add("downtime", "degraded", [counting(p, "impact_weights", lambda p: say("compare.share_of_time", pct=f"{p.counting.weight('degraded_performance') * 100:.0f}")) for p in pols], fields=("/counting",))
    add("downtime", "rounding", [counting(p, "rounding", lambda p: say(f"compare.rounding.{p.counting.rounding}")) for p in pols], fields=("/counting",))
    add("downtime", "telemetry", [SEMI.join(_telemetry_text(k, w) for k in _objectives(p) if k.telemetry) or NOT for p in pols], fields=AVAILABILITY)
    add("downtime", "latency",
        [SEMI.join(say("compare.latency_over", threshold=w.duration(int(k.threshold.total_seconds())), kpi=name(k)) for k in p.kpis if k.kind == "latency" and k.counts_as_downtime) or NOT for p in pols],
        fields=lambda p: _where(p.kpis, lambda k: k.kind == "latency", "/kpis"))

    severities = sorted({(k.kind, k.severity or "") for p in pols for k in p.kpis if k.kind in ("response_time", "resolution_time", "update_interval")})
    for kind, severity in severities:
        cells, numbers = [], []
        for p in pols:
            kpi = next((k for k in p.kpis if k.kind == kind and (k.severity or "") == severity), None)
            cells.append(say("compare.target", target=w.duration(int(kpi.target.total_seconds())), calendar=say("compare.24x7" if kpi.calendar == "24x7" else "compare.business_hours")) if kpi else NOT)
            numbers.append(Decimal(int(kpi.target.total_seconds())) if kpi else None)
        label = say({"response_time": "compare.term.response", "resolution_time": "compare.term.resolution", "update_interval": "compare.term.update_interval"}[kind], severity=severity).strip()
        notes = tuple(_note(v.original, _where(v.original.kpis, lambda k: k.kind == kind and (k.severity or "") == severity, "/kpis"), name) for v in vendors)
        rows.append(Row(say("compare.section.response"), label, tuple(cells), tuple(numbers), "lower", ("s",) * len(pols), notes, f"{kind}.{severity}"))

    from slagen.kinds import EXCLUSION_CATEGORIES

    for category in EXCLUSION_CATEGORIES:  # every category the policy language knows, from the registry
        label = w.category(category)
        label = label[:1].upper() + label[1:]
        cells = []
        for p in pols:
            rule = next((e for e in p.exclusions if e.category == category), None)
            cells.append(NOT if rule is None else say("compare.excluded" if rule.excluded else "compare.covered"))
        notes = tuple(_note(v.original, _where(v.original.exclusions, lambda e: e.category == category, "/exclusions"), name) for v in vendors)
        rows.append(Row(say("compare.section.exclusions"), label, tuple(cells), (), None, (), notes, f"category.{category}"))
    maintenance = [next((e for e in p.exclusions if e.category == "scheduled_maintenance"), None) for p in pols]
    add("exclusions", "maintenance_notice", [w.duration(int(m.notice_at_least.total_seconds()), days=False) if m and m.notice_at_least else NOT for m in maintenance],
        [Decimal(int(m.notice_at_least.total_seconds())) if m and m.notice_at_least else None for m in maintenance], "higher", ["s"] * len(pols), fields=MAINTENANCE)
    add("exclusions", "maintenance_cap", [w.duration(int(m.cap_per_window.total_seconds()), days=False) if m and m.cap_per_window else NOT for m in maintenance],
        [Decimal(int(m.cap_per_window.total_seconds())) if m and m.cap_per_window else None for m in maintenance], "lower", ["s"] * len(pols), fields=MAINTENANCE)
    add("exclusions", "maintenance_cap_year", [w.duration(int(m.cap_per_year.total_seconds()), days=False) if m and m.cap_per_year else NOT for m in maintenance],
        [Decimal(int(m.cap_per_year.total_seconds())) if m and m.cap_per_year else None for m in maintenance], "lower", ["s"] * len(pols), fields=MAINTENANCE)

    from slagen.kinds.credit_forms import CREDIT_FORMS

    add("credits", "fee_basis", [_fee_text(v, w) for v in vendors], fields=("/agreement/fees",))
    add("credits", "credit_form",
        [COMMA.join(dict.fromkeys(w.word(f"compare.form.{r.kind}", CREDIT_FORMS[r.kind].COMPARISON) for r in p.credits.rules)) if p.credits else NOT for p in pols],
        fields=("/credits/rules",))
    add("credits", "schedule", [_credit_schedule(v, w) for v in vendors], fields=("/credits/rules",))
    caps = [p.credits.cap if p.credits else None for p in pols]
    add("credits", "cap", [_cap_text(v, w) for v in vendors],
        [c.percent_of_fee if c and c.percent_of_fee is not None else None for c in caps], "higher", fields=("/credits/cap",))
    add("credits", "rolling_cap", [_rolling_text(v, p, w) for v, p in zip(vendors, pols)], fields=("/credits/rolling_cap",))
    minimum = [p.credits.minimum_payout if p.credits else None for p in pols]
    add("credits", "minimum_payout", [say("compare.minimum." + ("more_than" if v.original.credits.minimum_payout_exclusive else "at_least"), amount=TermsWords(w, v).money(v.original.credits.minimum_payout))
                                      if m is not None else NOT for v, m in zip(vendors, minimum)],
        minimum, "lower", [p.agreement.currency for p in pols])
    deadlines = [p.credits.claim_deadline if p.credits else None for p in pols]
    add("credits", "claim_deadline", [_deadline_text(d, w) for d in deadlines], [_deadline_days(d) for d in deadlines], "higher", fields=("/credits/claim",))
    add("credits", "sole_remedy", [NOT if not p.credits or p.credits.sole_remedy is None else say("compare.yes" if p.credits.sole_remedy else "compare.no_other_remedies") for p in pols])
    add("credits", "alternatives", [SEMI.join(say("compare.alternatives." + ("better" if g.pay == "better" else "named"), rules=say("compare.or").join(g.rules), pay=g.pay)
                                              for g in p.credits.alternatives) if p.credits and p.credits.alternatives else NOT for p in pols],
        fields=("/credits/alternatives",))
    add("source", "source", [p.agreement.source or NOT for p in pols])
    # a † on "not stated" would mark a figure that is not there
    return [replace(r, unverified=tuple(None if v == NOT else n for v, n in zip(r.values, r.unverified))) if r.unverified else r for r in rows]


def _telemetry_text(kpi, w: Messages) -> str:
    t = kpi.telemetry
    return w.say(f"compare.telemetry.{t.rule}", more_than=plain_number(t.more_than), period=w.duration(int(t.period.total_seconds())), missing=w.word(f"compare.missing.{t.missing}", t.missing), kpi=Names.of(w)(kpi))


def _fee_text(v: Priced, w: Messages) -> str:
    """The fee credits are a share of: the whole monthly fee, or each product's own fee."""
    a = v.original.agreement
    t = TermsWords(w, v)
    if v.original.credits and v.original.credits.fee_basis == "service_fee" and a.service_fees:
        names = {s.id: t.name(s) for s in v.original.services}
        return w.say("compare.fee_per_service", fees="; ".join(f"{names.get(sid, sid)} {t.money(fee)}" for sid, fee in a.service_fees))
    if a.monthly_fee is None:
        return w.say("compare.not_stated")
    return w.say("compare.fee_monthly", fee=t.money(a.monthly_fee))


def _credit_schedule(v: Priced, w: Messages) -> str:
    """Each rule worded by its credit form's module, labelled with its KPI when the policy
    pays on more than one KPI."""
    p = v.original
    if not p.credits:
        return w.say("compare.not_stated")
    from slagen.kinds.credit_forms import CREDIT_FORMS

    t = TermsWords(w, v)
    several = len({r.kpi for r in p.credits.rules}) > 1
    parts = []
    for r in p.credits.rules:
        text = CREDIT_FORMS[r.kind].schedule(r, t)
        parts.append(w.say("compare.schedule.labelled", kpi=t.name(p.kpi(r.kpi)), text=text) if several else text)
    return " | ".join(parts) if several else "; ".join(parts)


def _cap_text(v: Priced, w: Messages) -> str:
    cap = v.original.credits.cap if v.original.credits else None
    if cap is None:
        return w.say("compare.not_stated")
    parts = []
    if cap.percent_of_fee is not None:
        parts.append(w.say("compare.cap_pct", pct=plain_number(cap.percent_of_fee)))
    if cap.amount is not None:
        parts.append(TermsWords(w, v).money(cap.amount))
    if cap.days is not None:
        parts.append(w.say("compare.cap_days", days=cap.days))
    if cap.fee_for_days is not None:
        parts.append(w.say("compare.cap_fee_days", days=cap.fee_for_days))
    return ", ".join(parts) + (w.say("compare.cap_below_tiers") if cap.lower_than_tiers else "")


def _rolling_text(v: Priced, p: Policy, w: Messages) -> str:
    rolling = p.credits.rolling_cap if p.credits else None
    if rolling is None:
        return w.say("compare.not_stated")
    if rolling.percent_of_period_fees is not None:
        what = w.say("compare.rolling_period_pct", pct=plain_number(rolling.percent_of_period_fees))
    elif rolling.percent_of_fee is not None:
        what = w.say("compare.rolling_pct", pct=plain_number(rolling.percent_of_fee))
    else:
        what = TermsWords(w, v).money(v.original.credits.rolling_cap.amount)
    return what + w.say("compare.over_windows", n=rolling.windows)


def _deadline_text(d, w: Messages) -> str:
    if d is None:
        return w.say("compare.not_stated")
    return w.say(f"compare.deadline.{d.kind}", n=d.count, calendar=d.calendar or "")


def _deadline_days(d) -> Decimal | None:
    """Rough length in days, only to mark the longest and shortest; the text is exact."""
    if d is None:
        return None
    if d.kind == "business_days_after_window_end":
        return Decimal(d.count) * 7 / 5
    return Decimal(d.count if d.kind in ("days_after_window_end", "days_after_incident") else d.count * 30)
