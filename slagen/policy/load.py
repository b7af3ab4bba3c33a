"""Load a policy file: YAML with positions -> schema check -> typed Policy -> semantic checks.

Validation runs in phases (as mkdocs does): structure first; the semantic checks the
schema cannot express run only when structure passed, and every problem of a phase is
collected before anything is raised.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slagen.errors import PolicyErrors, PolicyProblem
from slagen.policy import units
from slagen.policy.model import (
    Agreement,
    Alternative,
    BusinessImpact,
    Calendar,
    Cap,
    ClaimDeadline,
    Component,
    Counting,
    CreditRule,
    Credits,
    EscalationLevel,
    Exclusion,
    Kpi,
    Party,
    Policy,
    RecurringWindow,
    Severity,
    RollingCap,
    Service,
    Telemetry,
    Tier,
    Window,
)
from slagen.policy.schema import structural_problems
from slagen.policy.text import LANGS, Text
from slagen.policy.yamlsrc import Located, load_yaml, read_yaml_file

T = TypeVar("T")
HUNDRED = Decimal(100)
MAX_MULTIPLE = Decimal(1000)  # fee_multiple: Slack pays 10x; a thousand times is already absurd
MAX_LATENCY_MS = 86_400_000  # a telemetry latency threshold longer than a day is not a threshold


def _some(names, limit: int = 12) -> str:
    """A list for a message, cut short: a huge policy must not make each message huge."""
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _field_name(pointer: str) -> str:
    """'/kpis/0/name' -> 'kpis[0].name', for messages a policy author reads."""
    out = ""
    for token in pointer.strip("/").split("/"):
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out


def _stated_keys(data: dict) -> list[str]:
    """Dotted paths of the mappings the file writes (two levels deep: 'counting.rounding',
    'credits.claim'), so a comparison can say 'not stated' instead of showing a default."""
    keys = []
    for key, value in data.items():
        keys.append(key)
        if isinstance(value, dict):
            keys.extend(f"{key}.{sub}" for sub in value)
    return keys


def _unverified(node, pointer: str = "") -> list[tuple[str, Text]]:
    """(pointer, note) of every object the file marks `verified: false`, for comparisons; a
    note is one string (English) or a map per language, as other text is."""
    out = []
    if isinstance(node, dict):
        if node.get("verified") is False:
            note = node.get("note") or ""
            values = tuple((lang, str(note[lang])) for lang in LANGS if lang in note) if isinstance(note, dict) else (("en", str(note)),)
            out.append((pointer, Text(values or (("en", ""),), f"{pointer.strip('/').replace('/', '.')}.note")))
        for key, value in node.items():
            out.extend(_unverified(value, f"{pointer}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_unverified(value, f"{pointer}/{i}"))
    return out


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; raise PolicyErrors with every problem found."""
    path = Path(path)
    return parse_policy(read_yaml_file(path, "a policy file"), str(path))


_PARSED: dict[bytes, Policy] = {}  # sha256 of the text -> its Policy (immutable), a few at most
_PARSED_LOCK = threading.Lock()


def parse_policy(text: str | bytes, filename: str) -> Policy:
    """Parse and validate policy text. A run parses its policy once: the CLI reads it for its
    time zone and the run evaluates the same bytes, so the second call is a lookup (the
    bytes are compared by SHA-256, so what is evaluated is always what was read)."""
    import hashlib
    from dataclasses import replace

    raw = text.encode("utf-8") if isinstance(text, str) else text
    key = hashlib.sha256(raw).digest()
    policy = _PARSED.get(key)
    if policy is not None:
        return policy if policy.source == filename else replace(policy, source=filename)
    policy = replace(_parse(text, filename), raw=raw)
    with _PARSED_LOCK:
        while len(_PARSED) >= 8:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = policy
    return policy


def _parse(text: str | bytes, filename: str) -> Policy:
    doc = load_yaml(text, filename)
    problems = structural_problems(doc, filename)
    if problems:
        raise PolicyErrors(problems)
    builder = _Builder(doc, filename)
    policy = builder.build()
    if builder.problems:
        raise PolicyErrors(builder.problems)
    return policy


class _Builder:
    """Turns schema-valid data into a Policy, collecting semantic problems as it goes."""

    def __init__(self, doc: Located, filename: str):
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.filename = filename
        self.problems: list[PolicyProblem] = []
        self.hints: list[PolicyProblem] = []  # valid as written; a newer field would say it better

    # -- helpers -------------------------------------------------------------
    def problem(self, pointer: str, message: str) -> None:
        line, col = self.doc.where(pointer)
        self.problems.append(PolicyProblem(self.filename, line, col, message, pointer))

    def hint(self, pointer: str, message: str) -> None:
        line, col = self.doc.where(pointer)
        self.hints.append(PolicyProblem(self.filename, line, col, message, pointer))

    def conv(self, fn: Callable[[Any], T], value: Any, pointer: str, default: T | None = None) -> T | None:
        if value is None:
            return default
        try:
            return fn(value)
        except ValueError as exc:
            self.problem(pointer, str(exc))
            return default

    def text(self, obj: dict, key: str, pointer: str, default: str | None = None) -> tuple[str | None, str | None, Text | None]:
        """A human-readable field: (English or first text, zh-Hans text, Text per language).

        Written as a string (English) or a map {en, zh-Hans, zh-Hant}; the older `<key>_zh`
        is read as zh-Hans, with a hint to write the map instead."""
        raw = obj.get(key)
        legacy = obj.get(f"{key}_zh")
        field = _field_name(f"{pointer}/{key}")
        if raw is None and legacy is None:
            return default, None, None
        values: dict[str, str] = {}
        if isinstance(raw, dict):
            values.update({lang: raw[lang] for lang in LANGS if lang in raw})
        elif raw is not None:
            values["en"] = raw
        if legacy is not None:
            line, col = self.doc.where(f"{pointer}/{key}_zh#key")
            if "zh-Hans" in values:
                self.problem(f"{pointer}/{key}_zh#key", f"'{key}_zh' and '{key}: {{zh-Hans: ...}}' both give the zh-Hans text; keep the map and drop '{key}_zh'")
            else:
                values["zh-Hans"] = legacy
                self.hints.append(PolicyProblem(self.filename, line, col, f"hint: '{key}_zh' is read as zh-Hans; write {key}: {{en: ..., zh-Hans: ..., zh-Hant: ...}} to give each language"))
        line, col = self.doc.where(f"{pointer}/{key}" if raw is not None else f"{pointer}/{key}_zh")
        text = Text(tuple((lang, values[lang]) for lang in LANGS if lang in values), field, line, col)
        return text.default, text.get("zh-Hans"), text

    # -- sections ------------------------------------------------------------
    def build(self) -> Policy:
        d = self.data
        tz = d["timezone"]
        self.zone(tz, "/timezone")
        services = self.services(d["services"])
        self.refs = {s.id for s in services} | {f"{s.id}/{c.id}" for s in services for c in s.components}
        calendars = tuple(self.calendar(c, f"/calendars/{i}", tz) for i, c in enumerate(d.get("calendars", [])))
        self.unique([c.id for c in calendars], "/calendars", "calendar")
        self.calendar_ids = {c.id for c in calendars} | {"24x7"}
        kpis = tuple(self.kpi(k, f"/kpis/{i}") for i, k in enumerate(d["kpis"]))
        self.unique([k.id for k in kpis], "/kpis", "KPI")
        self.kpis = {k.id: k for k in kpis}
        exclusions = tuple(self.exclusion(e, f"/exclusions/{i}") for i, e in enumerate(d.get("exclusions", [])))
        self.unique([e.id for e in exclusions], "/exclusions", "exclusion")
        self.unique([e.category for e in exclusions], "/exclusions", "exclusion category", attr="category")
        credits = self.credits(d["credits"]) if "credits" in d else None
        escalation = self.escalation(d.get("escalation", []))
        return Policy(
            source=self.filename,
            agreement=self.agreement(d["agreement"]),
            timezone=tz,
            window=self.window(d["window"]),
            services=services,
            kpis=kpis,
            counting=self.counting(d.get("counting", {})),
            calendars=calendars,
            exclusions=exclusions,
            credits=credits,
            escalation=escalation,
            business_impact=self.impact(d.get("business_impact")),
            stated=frozenset(_stated_keys(d)),
            severities=self.severities(d.get("severities", []), kpis),
            hints=tuple(sorted(self.hints)),
            unverified=tuple(_unverified(d)),
        )

    def unique(self, ids: list[str], base: str, what: str, attr: str = "id") -> None:
        seen: set[str] = set()
        for i, value in enumerate(ids):
            if value in seen:
                self.problem(f"{base}/{i}/{attr}", f"duplicate {what} {value!r}; each must be unique")
            seen.add(value)

    def zone(self, name: str, pointer: str) -> None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(pointer, f"unknown IANA time zone {name!r}; use a name like 'Asia/Hong_Kong', 'Europe/London' or 'UTC'")

    def agreement(self, a: dict) -> Agreement:
        def party(p: dict, role: str) -> Party:
            name, zh, text = self.text(p, "name", f"/agreement/{role}")
            return Party(name, zh, p.get("contact"), text)

        title, title_zh, title_text = self.text(a, "title", "/agreement")
        fees = a.get("fees", {})
        languages = tuple(a.get("languages", ["en"]))
        governing = a.get("governing_language", languages[0])
        if governing not in languages:
            self.problem("/agreement/governing_language", f"governing language {governing!r} is not among the agreement's languages ({', '.join(languages)})")
        per_service = tuple(
            (sid, self.conv(units.money, v, f"/agreement/fees/per_service/{sid}", Decimal(0))) for sid, v in sorted(fees.get("per_service", {}).items())
        )
        service_ids = [s["id"] for s in self.data["services"]]
        known = set(service_ids)
        for sid, _ in per_service:
            if sid not in known:
                self.problem(f"/agreement/fees/per_service/{sid}#key", f"fee for unknown service {sid!r}; known services: {_some(service_ids)}")
        return Agreement(
            id=a["id"],
            title=title,
            title_zh=title_zh,
            provider=party(a["provider"], "provider"),
            customer=party(a["customer"], "customer"),
            effective_date=self.conv(units.iso_date, a["effective_date"], "/agreement/effective_date", date(1970, 1, 1)),
            version=a.get("version"),
            languages=languages,
            governing_language=governing,
            currency=a["currency"],
            monthly_fee=self.conv(units.money, fees.get("monthly"), "/agreement/fees/monthly"),
            service_fees=per_service,
            source=a.get("source"),
            title_text=title_text,
        )

    def window(self, w: dict) -> Window:
        denominator = w.get("denominator", "actual")
        fixed = None
        if denominator == "fixed_30_days":
            fixed = 30 * 1440
        elif isinstance(denominator, dict):
            fixed = denominator["fixed_minutes"]
        for key in ("anchor_day", "days"):
            needs = {"anchor_day": "billing_cycle", "days": "rolling_days"}[key]
            if key in w and w["kind"] != needs:
                self.problem(f"/window/{key}#key", f"{key!r} only applies to window kind {needs!r}, not {w['kind']!r}")
        if "start_month" in w and w["kind"] not in ("fiscal_quarter", "fiscal_year"):
            self.problem("/window/start_month#key", f"'start_month' only applies to window kinds 'fiscal_quarter' and 'fiscal_year', not {w['kind']!r}")
        return Window(w["kind"], w.get("anchor_day"), w.get("days"), fixed, w.get("maintenance", "count_as_up"), w.get("start_month"))

    def services(self, items: list) -> tuple[Service, ...]:
        out = []
        for i, s in enumerate(items):
            comps = []
            for j, c in enumerate(s.get("components", [])):
                name, zh, text = self.text(c, "name", f"/services/{i}/components/{j}", c["id"])
                comps.append(Component(c["id"], name, zh, tuple(c.get("aliases", [])), tuple(c.get("roles", [])), text))
            self.unique([c.id for c in comps], f"/services/{i}/components", "component")
            name, zh, text = self.text(s, "name", f"/services/{i}", s["id"])
            out.append(Service(s["id"], name, tuple(comps), zh, text))
        self.unique([s.id for s in out], "/services", "service")
        return tuple(out)

    def calendar(self, c: dict, pointer: str, default_tz: str) -> Calendar:
        tz = c.get("timezone", default_tz)
        if "timezone" in c:
            self.zone(tz, f"{pointer}/timezone")
        hours = []
        for day_index, day in enumerate(units.WEEKDAYS):
            ranges = []
            for j, text in enumerate(c["hours"].get(day, [])):
                start, end = (units.clock_minutes(t) for t in text.split("-"))
                if end <= start:
                    self.problem(f"{pointer}/hours/{day}/{j}", f"opening range {text!r} ends before it starts; ranges crossing midnight are written as two ranges")
                ranges.append((start, end))
            ranges.sort()
            for (s1, e1), (s2, _) in zip(ranges, ranges[1:]):
                if s2 < e1:
                    self.problem(f"{pointer}/hours/{day}", f"opening ranges on {day} overlap")
            hours.append(tuple(ranges))
        hol = c.get("holidays")
        if hol:
            self.holiday_region(hol["country"], hol.get("subdivision"), f"{pointer}/holidays")
        dates = lambda key: frozenset(  # noqa: E731
            self.conv(units.iso_date, v, f"{pointer}/{key}/{i}") for i, v in enumerate(c.get(key, []))
        ) - {None}
        weekday = units.WEEKDAYS.index(c.get("working_date_hours", "mon"))
        name_text = self.text(c, "name", pointer)[2]
        return Calendar(c["id"], tz, tuple(hours), hol and hol["country"], hol and hol.get("subdivision"), dates("closed_dates"), dates("working_dates"), weekday, name_text)

    def holiday_region(self, country: str, subdivision: str | None, pointer: str) -> None:
        import holidays

        supported = holidays.list_supported_countries()
        if country not in supported:
            self.problem(f"{pointer}/country", f"no public-holiday data for region {country!r}; supported include HK, CN, SG, US, GB, DE, JP, AU")
        elif subdivision and subdivision not in supported[country]:
            self.problem(f"{pointer}/subdivision", f"unknown subdivision {subdivision!r} of {country}; valid: {', '.join(supported[country][:20])}")

    def scope(self, values: list | None, pointer: str) -> tuple[str, ...]:
        for i, ref in enumerate(values or []):
            if ref not in self.refs:
                self.problem(f"{pointer}/{i}", f"unknown service or component {ref!r}; known: {_some(sorted(self.refs))}")
        return tuple(values or ())

    def kpi(self, k: dict, pointer: str) -> Kpi:
        calendar = k.get("calendar", "24x7")
        if calendar not in self.calendar_ids:
            self.problem(f"{pointer}/calendar", f"unknown calendar {calendar!r}; defined calendars: {_some(sorted(self.calendar_ids))}")
        relevant = {
            "availability": {"objective", "scope", "telemetry"},
            "response_time": {"severity", "target", "clock_starts", "calendar", "measure", "pause", "scope"},
            "resolution_time": {"severity", "target", "clock_starts", "calendar", "measure", "pause", "scope"},
            "latency": {"threshold", "counts_as_downtime", "scope"},
            "update_interval": {"severity", "target", "clock_starts", "calendar", "scope"},
        }[k["kind"]]
        for key in k:
            if key not in relevant | {"id", "kind", "name", "name_zh"}:
                self.problem(f"{pointer}/{key}#key", f"{key!r} does not apply to a {k['kind']} KPI; it takes: {', '.join(sorted(relevant))}")
        pause = k.get("pause", {})
        name, name_zh, name_text = self.text(k, "name", pointer, k["id"])
        return Kpi(
            id=k["id"],
            kind=k["kind"],
            name=name,
            name_zh=name_zh,
            name_text=name_text,
            scope=self.scope(k.get("scope"), f"{pointer}/scope"),
            objective=self.conv(units.percent, k.get("objective"), f"{pointer}/objective"),
            severity=k.get("severity"),
            target=self.conv(units.duration, k.get("target"), f"{pointer}/target"),
            clock_starts=k.get("clock_starts", "detected"),
            calendar=calendar,
            measure=k.get("measure", "exact"),
            pause_on=tuple(pause.get("on", ())),
            pause_extends_deadline=pause.get("extends_deadline", True),
            threshold=self.conv(units.duration, k.get("threshold"), f"{pointer}/threshold"),
            counts_as_downtime=k.get("counts_as_downtime", False),
            telemetry=self.telemetry(k["telemetry"], f"{pointer}/telemetry") if "telemetry" in k else None,
        )

    def telemetry(self, t: dict, pointer: str) -> Telemetry:
        rule = t["rule"]
        if rule == "latency" and "more_than" not in t:
            self.problem(f"{pointer}#key", "the latency rule needs 'more_than' (milliseconds)")
        more_than = self.conv(units.number, t.get("more_than"), f"{pointer}/more_than", Decimal(0))
        if more_than is not None and (more_than < 0 or (rule != "latency" and more_than >= 100) or more_than > MAX_LATENCY_MS):
            self.problem(f"{pointer}/more_than", f"{more_than} is out of range: a percent from 0 up to (not including) 100" if rule != "latency" else f"{more_than} ms is out of range: 0 up to {MAX_LATENCY_MS} ms (one day)")
        period = self.conv(units.duration, t.get("period"), f"{pointer}/period", timedelta(minutes=1))
        if period is not None and (period.total_seconds() % 60 or not period.total_seconds() or 1440 % (period.total_seconds() // 60)):
            self.problem(f"{pointer}/period", f"{units.format_duration(period)} is not a whole number of minutes that divides a day (e.g. 1m, 5m, 15m, 1h)")
        if rule == "average_error_rate" and "more_than" in t:
            self.problem(f"{pointer}/more_than#key", "average_error_rate has no threshold: every period counts by its error rate")
        return Telemetry(rule, more_than or Decimal(0), period or timedelta(minutes=1), t.get("missing", "unknown"))

    def exclusion(self, e: dict, pointer: str) -> Exclusion:
        cond = e.get("conditions", {})
        if cond and not e["excluded"]:
            self.problem(f"{pointer}/conditions#key", "conditions only apply to an excluded category; a covered category ('excluded: false') always counts")
        within = tuple(
            RecurringWindow(tuple(units.WEEKDAYS.index(d) for d in w["days"]), units.clock_minutes(w["from"]), units.clock_minutes(w["to"]))
            for w in cond.get("within", [])
        )
        description, description_zh, description_text = self.text(e, "description", pointer)
        return Exclusion(
            id=e["id"],
            category=e["category"],
            excluded=e["excluded"],
            description=description,
            description_zh=description_zh,
            description_text=description_text,
            notice_at_least=self.conv(units.duration, cond.get("notice_at_least"), f"{pointer}/conditions/notice_at_least"),
            cap_per_window=self.conv(units.duration, cond.get("cap_per_window"), f"{pointer}/conditions/cap_per_window"),
            within=within,
            cap_per_year=self.year_cap(cond.get("cap_per_year"), pointer),
        )

    def year_cap(self, value, pointer: str):
        """conditions.cap_per_year: a duration, for windows that tile a year (not rolling ones)."""
        if value is not None and self.data["window"]["kind"] == "rolling_days":
            self.problem(f"{pointer}/conditions/cap_per_year", "a cap per year needs windows that tile the year (month, quarter, billing cycle, fiscal); rolling windows overlap")
        return self.conv(units.duration, value, f"{pointer}/conditions/cap_per_year")

    def counting(self, c: dict) -> Counting:
        weights = dict(Counting().impact_weights)
        for key, value in c.get("impact_weights", {}).items():
            weights[key] = self.conv(units.percent, value, f"/counting/impact_weights/{key}", Decimal(0))
        md = c.get("minimum_data", {})
        return Counting(
            minimum_outage=self.conv(units.duration, c.get("minimum_outage"), "/counting/minimum_outage", units.duration("0s")),
            rounding=c.get("rounding", "exact"),
            impact_weights=tuple(sorted(weights.items())),
            min_coverage=self.conv(units.percent, md.get("coverage"), "/counting/minimum_data/coverage"),
            min_samples=md.get("samples"),
            **self.affected(c.get("affected_percent", "ignore")),
        )

    def alternatives(self, items: list, rules) -> tuple:
        """credits.alternatives: groups of existing rule ids, each rule in one group at most."""
        ids, seen, out = {r.id for r in rules}, {}, []
        for i, g in enumerate(items):
            pointer = f"/credits/alternatives/{i}"
            for j, rule in enumerate(g["rules"]):
                if rule not in ids:
                    self.problem(f"{pointer}/rules/{j}", f"unknown credit rule {rule!r}; rules: {_some(sorted(ids))}")
                elif rule in seen:
                    self.problem(f"{pointer}/rules/{j}", f"credit rule {rule!r} is already in alternatives/{seen[rule]}; a rule belongs to one group")
                seen.setdefault(rule, i)
            pay = g.get("pay", "better")
            if pay != "better" and pay not in g["rules"]:
                self.problem(f"{pointer}/pay", f"pay {pay!r} is neither 'better' nor one of this group's rules ({', '.join(g['rules'])})")
            out.append(Alternative(tuple(g["rules"]), pay))
        return tuple(out)

    def affected(self, value) -> dict:
        """counting.affected_percent: 'ignore' | 'weight' | {more_than: P} | {at_least: P} (schema: one key)."""
        if isinstance(value, dict):
            ((key, bound),) = value.items()
            return {"affected": key, "affected_bound": self.conv(units.percent, bound, f"/counting/affected_percent/{key}", Decimal(0))}
        return {"affected": value}

    def kpi_ref(self, kpi_id: str, pointer: str, kinds: set[str]) -> Kpi | None:
        kpi = self.kpis.get(kpi_id)
        if kpi is None:
            self.problem(pointer, f"unknown KPI {kpi_id!r}; defined KPIs: {_some(sorted(self.kpis))}")
            return None
        if kpi.kind not in kinds:
            self.problem(pointer, f"KPI {kpi_id!r} is a {kpi.kind} KPI; this needs one of: {', '.join(sorted(kinds))}")
        return kpi

    def credits(self, c: dict) -> Credits:
        rules = tuple(self.credit_rule(r, f"/credits/rules/{i}") for i, r in enumerate(c["rules"]))
        self.unique([r.id for r in rules], "/credits/rules", "credit rule")
        cap = None
        if "cap" in c:
            raw = c["cap"]
            cap = Cap(
                self.conv(units.percent, raw.get("percent_of_fee"), "/credits/cap/percent_of_fee"),
                self.conv(units.money, raw.get("amount"), "/credits/cap/amount"),
                raw.get("days"),
                raw.get("fee_for_days"),
                raw.get("lower_than_tiers", False),
            )
            if not cap.lower_than_tiers:
                self.check_cap_against_tiers(cap, rules)
        rolling = None
        if "rolling_cap" in c:
            raw = c["rolling_cap"]
            rolling = RollingCap(
                raw["windows"],
                self.conv(units.percent, raw.get("percent_of_fee"), "/credits/rolling_cap/percent_of_fee"),
                self.conv(units.money, raw.get("amount"), "/credits/rolling_cap/amount"),
                self.conv(units.percent, raw.get("percent_of_period_fees"), "/credits/rolling_cap/percent_of_period_fees"),
            )
            if sum(k in raw for k in ("percent_of_fee", "amount", "percent_of_period_fees")) != 1:
                self.problem("/credits/rolling_cap", "a rolling cap is one of percent_of_fee, amount or percent_of_period_fees")
        needs_fee = any(r.kind in ("tiers", "fee_multiple") or r.percent_of_fee is not None for r in rules)
        has_fee = "monthly" in self.data["agreement"].get("fees", {}) or "per_service" in self.data["agreement"].get("fees", {})
        if needs_fee and not has_fee:
            self.problem("/agreement", "credits are a percentage of the fee, but agreement.fees gives no 'monthly' or 'per_service' fee")
        if c.get("fee_basis") == "service_fee" and "per_service" not in self.data["agreement"].get("fees", {}):
            self.problem("/credits/fee_basis", "fee_basis 'service_fee' needs agreement.fees.per_service")
        claim = c.get("claim", {})
        deadline = None
        if "deadline" in claim:
            ((kind, count),) = claim["deadline"].items()
            deadline = ClaimDeadline(kind, count, claim.get("calendar"))
            if kind == "business_days_after_window_end" and claim.get("calendar") in (None, "24x7"):
                self.problem("/credits/claim/calendar", "a deadline in business days needs claim.calendar: the id of a calendar with the business days")
            elif claim.get("calendar") is not None and claim["calendar"] not in self.calendar_ids:
                self.problem("/credits/claim/calendar", f"unknown calendar {claim['calendar']!r}; defined calendars: {_some(sorted(self.calendar_ids))}")
            elif claim.get("calendar") is not None and kind != "business_days_after_window_end":
                self.problem("/credits/claim/calendar#key", "claim.calendar only applies to a deadline in business_days_after_window_end")
        if deadline and deadline.kind == "billing_cycles_after_window" and self.data["window"]["kind"] != "billing_cycle":
            self.problem("/credits/claim/deadline", "a deadline in billing cycles needs window kind 'billing_cycle'")
        procedure = self.text(claim, "procedure", "/credits/claim")
        minimum, minimum_key = c.get("minimum_payout"), ""
        if isinstance(minimum, dict):  # {at_least: X} or {more_than: X}: the boundary stated (schema: exactly one key)
            ((key, minimum),) = minimum.items()
            minimum_key = f"/{key}"
        return Credits(
            rules=rules,
            fee_basis=c.get("fee_basis", "monthly_fee"),
            cap=cap,
            rolling_cap=rolling,
            minimum_payout=self.conv(units.money, minimum, f"/credits/minimum_payout{minimum_key}"),
            minimum_payout_exclusive=minimum_key == "/more_than",
            claim_deadline=deadline,
            claim_procedure=procedure[0],
            claim_procedure_zh=procedure[1],
            claim_procedure_text=procedure[2],
            sole_remedy=c.get("sole_remedy"),
            alternatives=self.alternatives(c.get("alternatives", []), rules),
        )

    def credit_rule(self, r: dict, pointer: str) -> CreditRule:
        kind = r["kind"]
        from slagen.kinds.credit_forms import CREDIT_FORMS

        form = CREDIT_FORMS[kind]
        needs = (form.REQUIRED, form.OPTIONAL)
        for key in needs[0]:
            if key not in r:
                self.problem(pointer, f"a {kind} credit rule needs {key!r}")
        for key in r:
            if key not in needs[0] | needs[1] | {"id", "kind", "verified", "note"}:
                self.problem(f"{pointer}/{key}#key", f"{key!r} does not apply to a {kind} credit rule; it takes: {', '.join(sorted(needs[0] | needs[1]))}")
        if kind in ("per_period", "per_breach") and ("amount" in r) == ("percent_of_fee" in r):
            self.problem(pointer, f"a {kind} credit rule needs exactly one of 'amount' or 'percent_of_fee'")
        kpi = self.kpi_ref(r["kpi"], f"{pointer}/kpi", set(form.KPI_KINDS)) if "kpi" in r else None
        tiers = tuple(self.tier(t, f"{pointer}/tiers/{i}", kind) for i, t in enumerate(r.get("tiers", [])))
        gaps_allowed = r.get("gaps", "forbidden") == "allowed"
        empty = any(t.lower > t.upper or (t.lower == t.upper and not (t.lower_inclusive and t.upper_inclusive)) for t in tiers)
        if tiers and not empty:
            self.check_tiers(tiers, gaps_allowed, f"{pointer}/tiers", kpi)
        multiple = self.conv(units.number, r.get("multiple"), f"{pointer}/multiple")
        if multiple is not None and not (0 < multiple <= MAX_MULTIPLE):
            self.problem(f"{pointer}/multiple", f"{multiple} is out of range: a multiple of the fee above 0 and at most {MAX_MULTIPLE}")
        period = self.conv(units.duration, r.get("period"), f"{pointer}/period", units.duration("1m"))
        if period is not None and not period:
            self.problem(f"{pointer}/period", "a penalty period must be longer than zero, e.g. '1m' or '1h'")
        return CreditRule(
            id=r["id"],
            kind=kind,
            kpi=r.get("kpi", ""),
            tiers=tiers,
            gaps_allowed=gaps_allowed,
            amount=self.conv(units.money, r.get("amount"), f"{pointer}/amount"),
            percent_of_fee=self.conv(units.percent, r.get("percent_of_fee"), f"{pointer}/percent_of_fee"),
            period=period or units.duration("1m"),
            partial_periods=r.get("partial_periods", "started"),
            beyond_allowance=r.get("beyond_allowance", True),
            multiple=multiple,
            unavailable_more_than=self.conv(units.duration, r.get("unavailable_more_than"), f"{pointer}/unavailable_more_than"),
        )

    def tier(self, t: dict, pointer: str, kind: str) -> Tier:
        value_key = "credit" if kind == "tiers" else "days"
        if value_key not in t:
            self.problem(pointer, f"a {kind} tier needs {value_key!r}" + (" (days belong to service_days rules)" if kind == "tiers" else " (a whole number of days)"))
        pct = lambda key: self.conv(units.percent, t.get(key), f"{pointer}/{key}")  # noqa: E731
        upper = pct("below") if "below" in t else pct("at_most")
        lower = pct("at_least") if "at_least" in t else pct("above")
        tier = Tier(
            lower=lower if lower is not None else Decimal(0),
            lower_inclusive="above" not in t,
            upper=upper if upper is not None else HUNDRED,
            upper_inclusive="at_most" in t,
            credit=pct("credit") if kind == "tiers" else None,
            days=t.get("days") if kind == "service_days" else None,
        )
        if tier.lower > tier.upper or (tier.lower == tier.upper and not (tier.lower_inclusive and tier.upper_inclusive)):
            self.problem(pointer, f"tier is empty: its lower bound {tier.lower}% is not below its upper bound {tier.upper}%")
        return tier

    def check_tiers(self, tiers: tuple[Tier, ...], gaps_allowed: bool, pointer: str, kpi: Kpi | None) -> None:
        """Bands must not overlap; they must leave no gap from 0 % up to the top band unless allowed."""
        order = sorted(range(len(tiers)), key=lambda i: (tiers[i].lower, not tiers[i].lower_inclusive))
        for a, b in zip(order, order[1:]):
            lo, hi = tiers[a], tiers[b]
            if hi.lower < lo.upper or (hi.lower == lo.upper and hi.lower_inclusive and lo.upper_inclusive):
                self.problem(f"{pointer}/{b}", f"tier '{hi.describe()}' overlaps tier '{lo.describe()}'; a value must fall in at most one tier")
            elif not gaps_allowed and (hi.lower > lo.upper or (not hi.lower_inclusive and not lo.upper_inclusive)):
                self.problem(f"{pointer}/{b}", f"tiers leave a gap between '{lo.describe()}' and '{hi.describe()}'; close it, or write 'gaps: allowed' so a value there is reported as 'no tier applies'")
        bottom = tiers[order[0]]
        if not gaps_allowed and (bottom.lower > 0 or not bottom.lower_inclusive):
            self.problem(f"{pointer}/{order[0]}", f"no tier covers availability below {bottom.lower}%; drop the lower bound of the lowest tier, or write 'gaps: allowed'")
        top = max(tiers, key=lambda t: t.upper)
        if kpi is not None and kpi.objective is not None and top.upper > kpi.objective:
            self.problem(f"{pointer}/{tiers.index(top)}", f"tier '{top.describe()}' pays credit at or above the objective {kpi.objective}% of KPI {kpi.id!r}")
        by_level = sorted(tiers, key=lambda t: t.lower)
        for low, high in zip(by_level, by_level[1:]):
            if low.credit is not None and high.credit is not None and low.credit < high.credit:
                self.problem(f"{pointer}/{tiers.index(low)}", f"tier '{low.describe()}' pays less ({low.credit}%) than the better tier '{high.describe()}' ({high.credit}%)")

    def check_cap_against_tiers(self, cap: Cap, rules: tuple[CreditRule, ...]) -> None:
        for ri, rule in enumerate(rules):
            for ti, tier in enumerate(rule.tiers):
                if cap.percent_of_fee is not None and tier.credit is not None and tier.credit > cap.percent_of_fee:
                    self.problem("/credits/cap/percent_of_fee", f"cap {cap.percent_of_fee}% is below the {tier.credit}% of tier '{tier.describe()}' (credits/rules/{ri}/tiers/{ti}); that tier could never be paid in full (if that is meant, say lower_than_tiers: true)")
                if cap.days is not None and tier.days is not None and tier.days > cap.days:
                    self.problem("/credits/cap/days", f"cap of {cap.days} days is below the {tier.days} days of tier '{tier.describe()}' (credits/rules/{ri}/tiers/{ti}); if that is meant, say lower_than_tiers: true")

    def escalation(self, items: list) -> tuple[EscalationLevel, ...]:
        out = []
        for i, e in enumerate(items):
            pointer = f"/escalation/{i}"
            kinds = {"availability"} if ("below" in e or "budget_used_at_least" in e) else {"latency", "response_time", "resolution_time"}
            self.kpi_ref(e["kpi"], f"{pointer}/kpi", kinds)
            action, action_zh, action_text = self.text(e, "action", pointer)
            out.append(EscalationLevel(
                level=e["level"],
                kpi=e["kpi"],
                action=action or "",
                id=e.get("id"),
                below=self.conv(units.percent, e.get("below"), f"{pointer}/below"),
                above=self.conv(units.duration, e.get("above"), f"{pointer}/above"),
                breaches_at_least=e.get("breaches_at_least"),
                budget_used_at_least=self.conv(units.percent, e.get("budget_used_at_least"), f"{pointer}/budget_used_at_least"),
                action_zh=action_zh,
                notify=tuple(e.get("notify", ())),
                severity=e.get("severity", "warning"),
                audience=e.get("audience") or (", ".join(e["notify"]) if e.get("notify") else None),
                action_text=action_text,
                contractual=e.get("contractual", False),
            ))
            if "severity" not in e or "audience" not in e:
                missing = " and ".join(k for k in ("severity", "audience") if k not in e)
                self.hint(pointer, f"hint: escalation level {e['level']} ({e['kpi']}) states no {missing}; it is read as "
                                   f"severity {out[-1].severity!r}, audience {out[-1].audience or 'none'!r}. "
                                   "Add `severity: info|warning|critical` and `audience: <who acts>` (levels are now compared within their KPI only)")
        # levels are compared within their KPI only: a latency alert does not outrank legal's level on availability
        last: dict[str, tuple[int, EscalationLevel]] = {}
        for i, cur in enumerate(out):
            if cur.kpi in last and cur.level <= last[cur.kpi][1].level:
                prev = last[cur.kpi][1]
                self.problem(f"/escalation/{i}/level", f"escalation levels must increase down the list within a KPI: {cur.kpi!r} has level {cur.level} after level {prev.level}")
            last[cur.kpi] = (i, cur)
        by_kpi: dict[str, list[tuple[int, EscalationLevel]]] = {}
        for i, e in enumerate(out):
            if e.below is not None:
                by_kpi.setdefault(e.kpi, []).append((i, e))
        for entries in by_kpi.values():
            for (_, lo), (j, hi) in zip(entries, entries[1:]):
                if hi.below >= lo.below:  # type: ignore[operator]
                    self.problem(f"/escalation/{j}/below", f"level {hi.level} triggers below {hi.below}%, which is not stricter than level {lo.level} (below {lo.below}%); a higher level needs a lower threshold")
        return tuple(out)

    def severities(self, items: list, kpis: tuple[Kpi, ...]) -> tuple[Severity, ...]:
        out = tuple(Severity(s["id"], self.text(s, "definition", f"/severities/{i}")[2]) for i, s in enumerate(items))  # type: ignore[arg-type]
        self.unique([s.id for s in out], "/severities", "severity")
        known = {s.id for s in out}
        if out:
            for i, k in enumerate(kpis):
                if k.severity is not None and k.severity not in known:
                    self.problem(f"/kpis/{i}/severity", f"severity {k.severity!r} is not defined in 'severities'; defined: {_some(sorted(known))}")
        return out

    def impact(self, b: dict | None) -> BusinessImpact | None:
        if b is None:
            return None
        if "loss_per_minute" in b:
            return BusinessImpact(self.conv(units.money, b["loss_per_minute"], "/business_impact/loss_per_minute", Decimal(0)))
        revenue = self.conv(units.money, b["daily_revenue"], "/business_impact/daily_revenue", Decimal(0))
        hours = self.conv(units.number, b["operating_hours"], "/business_impact/operating_hours", Decimal(24))
        if not (0 < hours <= 24):
            self.problem("/business_impact/operating_hours", f"{hours} is out of range: hours per day above 0 and at most 24")
            hours = Decimal(24)
        loss = revenue / (hours * 60)
        if loss >= units.MAX_MONEY:
            self.problem("/business_impact/operating_hours", f"daily revenue over {hours} operating hours is a loss per minute of {loss:.3E}, above the {units.MAX_MONEY:,f} amounts are limited to")
            loss = Decimal(0)
        return BusinessImpact(loss, revenue, hours)
