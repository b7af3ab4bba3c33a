"""What each contract promises, one row per term and one column per vendor.

A term the policy file does not state is shown as "not stated", never as slagen's default:
a procurement reader must see the silence. Numbers kept beside the text let renderers mark
the best and worst value of a row without inventing a ranking across rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slagen.render.numbers import fmt_money
from slagen.policy.model import Policy, Tier
from slagen.policy.units import format_duration

NOT_STATED = "not stated"
WINDOWS = {"calendar_month": "calendar month", "calendar_quarter": "calendar quarter", "billing_cycle": "billing cycle", "rolling_days": "rolling days",
           "fiscal_quarter": "fiscal quarter", "fiscal_year": "fiscal year"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    values: tuple[str, ...]
    numbers: tuple[Decimal | None, ...] = ()
    better: str | None = None  # "higher" | "lower": which end of `numbers` favours the customer


def _fiscal_start(policy: Policy) -> str:
    """' (year from February)' for a fiscal window, else ''."""
    if policy.window.start_month is None:
        return ""
    return f" (year from {('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December')[policy.window.start_month - 1]})"


def _objectives(policy: Policy) -> list:
    return [k for k in policy.kpis if k.kind == "availability" and k.objective is not None]


def _strictest(policy: Policy) -> Decimal | None:
    objectives = [k.objective for k in _objectives(policy)]
    return max(objectives) if objectives else None


def _scope_text(policy: Policy, scope: tuple[str, ...]) -> str:
    names = []
    for service in policy.services:
        for comp in service.components:
            ref = f"{service.id}/{comp.id}"
            if not scope or ref in scope or service.id in scope:
                names.append(comp.name + (f" ({', '.join(comp.roles)})" if comp.roles else ""))
        if not service.components and (not scope or service.id in scope):
            names.append(service.name)
    return ", ".join(names) or NOT_STATED


def _tiers_text(tiers: tuple[Tier, ...], unit: str) -> str:
    return "; ".join(f"{t.describe()}: {t.credit}%" if unit == "%" else f"{t.describe()}: {t.days} days" for t in tiers)


def _hours(minutes: Decimal) -> str:
    return f"{(minutes / 60).quantize(Decimal('0.01'))} h"


def _minutes(minutes: Decimal) -> str:
    return f"{minutes.quantize(Decimal('0.01')).normalize():f} min"


def terms_rows(policies: list[Policy]) -> list[Row]:
    rows: list[Row] = []

    def add(section: str, label: str, values, numbers=(), better=None) -> None:
        rows.append(Row(section, label, tuple(values), tuple(numbers), better))

    add("Commitment", "Provider", [p.agreement.provider.name for p in policies])
    add("Commitment", "Availability objective",
        ["; ".join(f"{k.objective}% {k.name}" for k in _objectives(p)) or NOT_STATED for p in policies],
        [_strictest(p) for p in policies], "higher")
    add("Commitment", "What the objective covers",
        ["; ".join(_scope_text(p, k.scope) for k in _objectives(p)) or NOT_STATED for p in policies])
    add("Commitment", "Measurement window", [f"{WINDOWS[p.window.kind]}{_fiscal_start(p)}, {p.timezone}" + ("" if p.says("timezone") else " (zone not stated)") for p in policies])
    add("Commitment", "Minutes counted",
        [("fixed 30-day month" if p.window.fixed_minutes else "actual minutes") + ("; maintenance removed from the total" if p.window.maintenance == "remove_from_denominator" else "") for p in policies])
    month = [(Decimal(43200) * (HUNDRED - s) / HUNDRED) if (s := _strictest(p)) is not None else None for p in policies]
    add("Commitment", "Allowed downtime per 30-day month", [_minutes(m) if m is not None else NOT_STATED for m in month], month, "lower")
    year = [(Decimal(525600) * (HUNDRED - s) / HUNDRED) if (s := _strictest(p)) is not None else None for p in policies]
    add("Commitment", "Allowed downtime per 365-day year", [_hours(y) if y is not None else NOT_STATED for y in year], year, "lower")

    def counting(p: Policy, key: str, text) -> str:
        return text(p) if p.says(f"counting.{key}") else NOT_STATED

    add("Downtime definition", "Minimum outage", [counting(p, "minimum_outage", lambda p: format_duration(p.counting.minimum_outage)) for p in policies],
        [p.counting.minimum_outage.total_seconds() if p.says("counting.minimum_outage") else None for p in policies], "lower")
    add("Downtime definition", "Partial outage counts as", [counting(p, "impact_weights", lambda p: f"{p.counting.weight('partial_outage') * 100:.0f}% of its time") for p in policies])
    add("Downtime definition", "Share of users affected", [counting(p, "affected_percent", lambda p: {
        "ignore": "not considered", "weight": "weights downtime (user-minutes)",
        "more_than": f"counts only above {p.counting.affected_bound}%", "at_least": f"counts only from {p.counting.affected_bound}%"}[p.counting.affected])
        for p in policies])
    add("Downtime definition", "Degraded performance counts as", [counting(p, "impact_weights", lambda p: f"{p.counting.weight('degraded_performance') * 100:.0f}% of its time") for p in policies])
    add("Downtime definition", "Rounding", [counting(p, "rounding", lambda p: {"exact": "exact", "up": "each outage up to whole minutes", "down": "each outage down to whole minutes"}[p.counting.rounding]) for p in policies])
    add("Downtime definition", "Downtime from monitoring data",
        ["; ".join(_telemetry_text(k) for k in _objectives(p) if k.telemetry) or NOT_STATED for p in policies])
    add("Downtime definition", "Latency counted as downtime",
        ["; ".join(f"over {format_duration(k.threshold)} ({k.name})" for k in p.kpis if k.kind == "latency" and k.counts_as_downtime) or NOT_STATED for p in policies])

    severities = sorted({(k.kind, k.severity or "") for p in policies for k in p.kpis if k.kind in ("response_time", "resolution_time", "update_interval")})
    for kind, severity in severities:
        cells, numbers = [], []
        for p in policies:
            kpi = next((k for k in p.kpis if k.kind == kind and (k.severity or "") == severity), None)
            cells.append(f"{format_duration(kpi.target)} ({'24x7' if kpi.calendar == '24x7' else 'business hours'})" if kpi else NOT_STATED)
            numbers.append(Decimal(int(kpi.target.total_seconds())) if kpi else None)
        add("Response times", f"{severity} {'response' if kind == 'response_time' else 'resolution' if kind == 'resolution_time' else 'update interval'}".strip(), cells, numbers, "lower")

    from slagen.kinds import EXCLUSION_CATEGORIES
    from slagen.render.messages import Messages

    words = Messages("en")
    for category in EXCLUSION_CATEGORIES:  # every category the policy language knows, from the registry
        label = words.category(category)
        label = label[:1].upper() + label[1:]
        cells = []
        for p in policies:
            rule = next((e for e in p.exclusions if e.category == category), None)
            cells.append(NOT_STATED if rule is None else ("excluded" if rule.excluded else "covered (counts as downtime)"))
        add("Exclusions", label, cells)
    maintenance = [next((e for e in p.exclusions if e.category == "scheduled_maintenance"), None) for p in policies]
    add("Exclusions", "Maintenance notice required", [format_duration(m.notice_at_least, days=False) if m and m.notice_at_least else NOT_STATED for m in maintenance],
        [Decimal(int(m.notice_at_least.total_seconds())) if m and m.notice_at_least else None for m in maintenance], "higher")
    add("Exclusions", "Maintenance cap per window", [format_duration(m.cap_per_window, days=False) if m and m.cap_per_window else NOT_STATED for m in maintenance],
        [Decimal(int(m.cap_per_window.total_seconds())) if m and m.cap_per_window else None for m in maintenance], "lower")
    add("Exclusions", "Maintenance cap per year", [format_duration(m.cap_per_year, days=False) if m and m.cap_per_year else NOT_STATED for m in maintenance],
        [Decimal(int(m.cap_per_year.total_seconds())) if m and m.cap_per_year else None for m in maintenance], "lower")

    from slagen.kinds.credit_forms import CREDIT_FORMS

    add("Credits", "Credit form", [", ".join(dict.fromkeys(CREDIT_FORMS[r.kind].COMPARISON for r in p.credits.rules)) if p.credits else NOT_STATED for p in policies])
    add("Credits", "Credit schedule", [_credit_schedule(p) for p in policies])
    caps = [p.credits.cap if p.credits else None for p in policies]
    add("Credits", "Cap per window",
        [_cap_text(c, p) for c, p in zip(caps, policies)],
        [c.percent_of_fee if c and c.percent_of_fee is not None else None for c in caps], "higher")
    add("Credits", "Rolling cap", [_rolling_text(p) for p in policies])
    add("Credits", "Minimum payout", [("only credits of more than " if p.credits.minimum_payout_exclusive else "credits of at least ") + fmt_money(p.credits.minimum_payout, p.agreement.currency)
                                       if p.credits and p.credits.minimum_payout is not None else NOT_STATED for p in policies])
    deadlines = [p.credits.claim_deadline if p.credits else None for p in policies]
    add("Credits", "Claim deadline", [_deadline_text(d) for d in deadlines], [_deadline_days(d) for d in deadlines], "higher")
    add("Credits", "Credits are the sole remedy", [NOT_STATED if not p.credits or p.credits.sole_remedy is None else ("yes" if p.credits.sole_remedy else "no: other remedies remain") for p in policies])
    add("Credits", "Alternative remedies (one or the other)", ["; ".join(" or ".join(g.rules) + (", the better" if g.pay == "better" else f", {g.pay} paid") for g in p.credits.alternatives)
                                                              if p.credits and p.credits.alternatives else NOT_STATED for p in policies])
    add("Source", "Terms taken from", [p.agreement.source or NOT_STATED for p in policies])
    return rows


def _telemetry_text(kpi) -> str:
    t = kpi.telemetry
    measure = {"error_rate": f"error rate over {t.more_than}%", "probe": f"failed checks over {t.more_than}%", "latency": f"mean latency over {t.more_than} ms",
               "average_error_rate": "each period by its error rate (average of the error rates)"}[t.rule]
    return f"{measure} per {format_duration(t.period)}, missing data counts as {t.missing} ({kpi.name})"


def _credit_schedule(p: Policy) -> str:
    if not p.credits:
        return NOT_STATED
    parts = []
    for r in p.credits.rules:
        if r.kind == "tiers":
            parts.append(_tiers_text(r.tiers, "%"))
        elif r.kind == "service_days":
            parts.append(_tiers_text(r.tiers, "days"))
        elif r.kind == "per_period":
            rate = fmt_money(r.amount, p.agreement.currency) if r.amount is not None else f"{r.percent_of_fee}% of fee"
            parts.append(f"{rate} per {'started ' if r.partial_periods == 'started' else ''}{format_duration(r.period)}" + (" beyond the allowance" if r.beyond_allowance else ""))
        elif r.kind == "fee_multiple":
            parts.append(f"{r.multiple} × fee × downtime ÷ window minutes")
        else:
            rate = fmt_money(r.amount, p.agreement.currency) if r.amount is not None else f"{r.percent_of_fee}% of fee"
            parts.append(f"{rate} per missed {p.kpi(r.kpi).name}")
    return "; ".join(parts)


def _cap_text(cap, p: Policy) -> str:
    if cap is None:
        return NOT_STATED
    parts = []
    if cap.percent_of_fee is not None:
        parts.append(f"{cap.percent_of_fee}% of the window's fee")
    if cap.amount is not None:
        parts.append(fmt_money(cap.amount, p.agreement.currency))
    if cap.days is not None:
        parts.append(f"{cap.days} days of service")
    if cap.fee_for_days is not None:
        parts.append(f"the fee for {cap.fee_for_days} days")
    return ", ".join(parts) + (" (even below a tier's credit)" if cap.lower_than_tiers else "")


def _rolling_text(p: Policy) -> str:
    rolling = p.credits.rolling_cap if p.credits else None
    if rolling is None:
        return NOT_STATED
    if rolling.percent_of_period_fees is not None:
        what = f"{rolling.percent_of_period_fees}% of the period's fees"
    elif rolling.percent_of_fee is not None:
        what = f"{rolling.percent_of_fee}% of one window's fee"
    else:
        what = fmt_money(rolling.amount, p.agreement.currency)
    return f"{what} over {rolling.windows} windows"


def _deadline_text(d) -> str:
    if d is None:
        return NOT_STATED
    return {"days_after_window_end": f"{d.count} days after the window ends",
            "end_of_month_after_window": f"end of the {d.count}{'st' if d.count == 1 else 'nd' if d.count == 2 else 'th'} month after the window",
            "billing_cycles_after_window": f"end of the {d.count}{'st' if d.count == 1 else 'nd' if d.count == 2 else 'th'} billing cycle after the window",
            "days_after_incident": f"{d.count} days after the incident",
            "business_days_after_window_end": f"{d.count} business days ({d.calendar}) after the window ends"}[d.kind]


def _deadline_days(d) -> Decimal | None:
    """Rough length in days, only to mark the longest and shortest; the text is exact."""
    if d is None:
        return None
    if d.kind == "business_days_after_window_end":
        return Decimal(d.count) * 7 / 5
    return Decimal(d.count if d.kind in ("days_after_window_end", "days_after_incident") else d.count * 30)
