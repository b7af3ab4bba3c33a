"""The annual view: per vendor (policy) and in total, every figure from recorded
evaluations and claims, each citing the windows it came from.

A window belongs to the year its first local day falls in. Incidents are counted per
window (an incident spanning two windows counts in both, as each window's evaluation
counted it). Money is summed per currency; totals never add two currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from slagen.engine.money import round_money

from slagen.ledger.store import Ledger

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# figure id -> unit: money | minutes | count | percent | windows
FIGURES = (
    ("windows_recorded", "windows"),
    ("windows_provisional", "windows"),
    ("months_breached", "windows"),
    ("incidents", "count"),
    ("downtime_minutes", "minutes"),
    ("minutes_per_incident", "minutes"),
    ("downtime_cost", "money"),
    ("cost_per_incident", "money"),
    ("fees", "money"),
    ("credits_owed", "money"),
    ("credits_claimed", "money"),
    ("credits_received", "money"),
    ("credits_rejected", "money"),
    ("credits_expired", "money"),
    ("credits_open", "money"),
    ("credits_pct_of_fees", "percent"),
    ("received_pct_of_fees", "percent"),
    ("uncovered_exposure", "money"),
    ("uncovered_after_claims", "money"),
)


@dataclass(frozen=True)
class Figure:
    id: str
    unit: str
    value: object  # Decimal | int | list of window labels
    windows: dict  # window label -> that window's contribution (what the figure cites)
    currency: str | None = None

    def as_dict(self) -> dict:
        from slagen.engine.result import plain

        out = {"id": self.id, "unit": self.unit, "value": plain(self.value), "windows": plain(self.windows)}
        if self.currency:
            out["currency"] = self.currency
        return out


@dataclass(frozen=True)
class VendorYear:
    policy_id: str
    title: str
    provider: str
    currency: str
    figures: tuple[Figure, ...]

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)


@dataclass(frozen=True)
class Roi:
    year: int
    as_of: datetime
    vendors: tuple[VendorYear, ...]
    totals: tuple[Figure, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "vendors": [{"policy": v.policy_id, "title": v.title, "provider": v.provider, "currency": v.currency,
                         "figures": [f.as_dict() for f in v.figures]} for v in self.vendors],
            "totals": [f.as_dict() for f in self.totals],
        }


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole * HUNDRED) if whole else None


def annual_view(ledger: Ledger, year: int, policies: tuple[str, ...] = (), as_of: datetime | None = None) -> Roi:
    as_of = as_of or ledger.clock()
    rows = [r for r in ledger.current() if r["window_first_day"].year == year and (not policies or r["policy_id"] in policies)]
    claims = {(c.policy_id, c.window): c for c in ledger.claims(as_of)}
    by_policy: dict[str, list[dict]] = {}
    for row in rows:
        by_policy.setdefault(row["policy_id"], []).append(row)
    vendors = []
    for policy_id in sorted(by_policy):
        vendors.append(_vendor(policy_id, by_policy[policy_id], claims))
    return Roi(year, as_of, tuple(vendors), _totals(vendors))


def _vendor(policy_id: str, rows: list[dict], claims: dict) -> VendorYear:
    rows = sorted(rows, key=lambda r: r["window_start"])
    final = [r for r in rows if r["status"] == "final"]
    currency = next((r["currency"] for r in reversed(rows) if r["currency"]), "")
    money: dict[str, dict[str, Decimal]] = {k: {} for k in ("downtime_cost", "fees", "credits_owed", "credits_claimed", "credits_received",
                                                         "credits_rejected", "credits_expired", "credits_open", "uncovered_exposure", "uncovered_after_claims")}
    incidents: dict[str, int] = {}
    minutes: dict[str, Decimal] = {}
    for r in rows:
        label = r["window_label"]
        if r["incidents_counted"]:
            incidents[label] = r["incidents_counted"]
        if r["downtime_minutes"]:
            minutes[label] = r["downtime_minutes"]
        if r["downtime_cost"] is not None:
            money["downtime_cost"][label] = r["downtime_cost"]
        if r["fee"] is not None:
            money["fees"][label] = r["fee"]
    for r in final:
        label = r["window_label"]
        owed = r["credit_amount"]
        if owed:
            money["credits_owed"][label] = owed
        if r["uncovered_exposure"] is not None:
            money["uncovered_exposure"][label] = r["uncovered_exposure"]
        received = ZERO
        claim = claims.get((policy_id, label))
        if claim is not None:
            if claim.status in ("filed", "credited", "rejected"):
                money["credits_claimed"][label] = claim.amount
            if claim.status == "credited":
                received = claim.credited_amount or ZERO
                money["credits_received"][label] = received
            if claim.status == "rejected":
                money["credits_rejected"][label] = claim.amount
            if claim.status == "expired":
                money["credits_expired"][label] = claim.amount
            if claim.status in ("owed", "filed"):
                money["credits_open"][label] = claim.amount
        if r["downtime_cost"] is not None:
            money["uncovered_after_claims"][label] = max(r["downtime_cost"] - received, ZERO)
    for key in money:
        money[key] = {k: v for k, v in money[key].items() if v}
    total = {k: sum(v.values(), ZERO) for k, v in money.items()}
    n_incidents = sum(incidents.values())
    n_minutes = sum(minutes.values(), ZERO)
    figures = [
        Figure("windows_recorded", "windows", [r["window_label"] for r in final], {r["window_label"]: "final" for r in final}),
        Figure("windows_provisional", "windows", [r["window_label"] for r in rows if r["status"] != "final"],
               {r["window_label"]: "provisional" for r in rows if r["status"] != "final"}),
        Figure("months_breached", "windows", [r["window_label"] for r in final if not r["all_met"]],
               {r["window_label"]: r["missed_kpis"] for r in final if not r["all_met"]}),
        Figure("incidents", "count", n_incidents, incidents),
        Figure("downtime_minutes", "minutes", n_minutes, minutes),
        Figure("minutes_per_incident", "minutes", (n_minutes / n_incidents).quantize(Decimal("0.01"), ROUND_HALF_UP) if n_incidents else None, minutes),
    ]
    costed = any(r["downtime_cost"] is not None for r in rows)  # a policy without business-impact figures has no cost: not stated, not 0
    for key, unit in FIGURES:
        if unit == "money" and key != "cost_per_incident":
            unknown = key in ("downtime_cost", "uncovered_exposure", "uncovered_after_claims") and not costed
            figures.append(Figure(key, "money", None if unknown else total[key], money[key], currency))
        elif key == "cost_per_incident":
            figures.append(Figure(key, "money", round_money(total["downtime_cost"] / n_incidents, currency) if n_incidents and money["downtime_cost"] else None,
                                  money["downtime_cost"], currency))
    figures.append(Figure("credits_pct_of_fees", "percent", _ratio(total["credits_owed"], total["fees"]), money["credits_owed"]))
    figures.append(Figure("received_pct_of_fees", "percent", _ratio(total["credits_received"], total["fees"]), money["credits_received"]))
    order = [k for k, _ in FIGURES]
    figures.sort(key=lambda f: order.index(f.id))
    last = rows[-1]
    return VendorYear(policy_id, last["policy_title"], last["provider"], currency, tuple(figures))


def _totals(vendors: list[VendorYear]) -> tuple[Figure, ...]:
    """Counts and minutes over every vendor; money per currency (`currency` set)."""
    out = []
    for key in ("incidents", "downtime_minutes"):
        cited = {f"{v.policy_id} {label}": value for v in vendors for label, value in v.figure(key).windows.items()}
        out.append(Figure(key, v_unit(key), sum((v.figure(key).value for v in vendors), ZERO if key != "incidents" else 0), cited))
    currencies = sorted({v.currency for v in vendors if v.currency})
    for key, unit in FIGURES:
        if unit != "money" or key == "cost_per_incident":
            continue
        for currency in currencies:
            mine = [v for v in vendors if v.currency == currency]
            cited = {f"{v.policy_id} {label}": value for v in mine for label, value in v.figure(key).windows.items()}
            values = [v.figure(key).value for v in mine if v.figure(key).value is not None]
            out.append(Figure(key, "money", sum(values, ZERO) if values else None, cited, currency))
    return tuple(out)


def v_unit(key: str) -> str:
    return dict(FIGURES)[key]
