"""The Evaluation: a plain, serialisable result that carries its own trace.

Every figure a document shows comes from here, and every figure here can be traced to
incidents and rules through `trace` and `credit.steps`. `to_dict` is the versioned JSON
shape described by slagen/schemas/evaluation.schema.json (decimals as strings).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from slagen.engine.reasons import Reason

FORMAT_VERSION = 2


@dataclass(frozen=True)
class TraceLine:
    """What one incident contributed to one KPI, and why: one line of the accounting.

    `minutes` is what the line adds to its status's total (counted lines sum to the KPI's
    downtime, excluded lines to its excluded minutes; overlap and ignored lines add 0).
    `span_minutes` is the wall-clock time the line covers; `weight` is set when counted
    time was weighted below 100 %. A `rounding.*` line (no incident) carries rounding.
    `finding` is what a derived incident (monitoring samples) observed, as a reason code with
    parameters: its `source` names the sample files, and renderers word the finding.
    """

    incident: str
    kpi: str
    status: str  # counted | excluded | overlap | ignored
    minutes: Decimal
    reason: Reason
    rule: str | None = None
    components: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    source: str = ""
    span_minutes: Decimal = Decimal(0)
    weight: Decimal | None = None
    finding: Reason | None = None


@dataclass(frozen=True)
class Breach:
    incident: str
    kpi: str
    severity: str | None
    measured_minutes: Decimal
    target_minutes: Decimal
    clock_start: datetime
    deadline: datetime
    stopped_at: datetime | None  # None: still open at as_of
    paused_minutes: Decimal = Decimal(0)
    reason: Reason = Reason("breach")


@dataclass(frozen=True)
class Budget:
    """Mid-window view: how much of the allowed downtime is used, and the pace."""

    elapsed_minutes: Decimal
    allowed_minutes: Decimal
    used_minutes: Decimal
    left_minutes: Decimal
    used_percent: Decimal | None
    burn_rate: Decimal | None  # used share / elapsed share; 1 = on pace to end exactly at the objective
    projected_availability: Decimal | None


@dataclass(frozen=True)
class KpiResult:
    id: str
    kind: str
    name: str
    status: str  # met | missed | insufficient_data | pending
    objective: Decimal | None = None
    actual: Decimal | None = None  # availability %, or the worst measured minutes
    met: bool | None = None
    downtime_minutes: Decimal = Decimal(0)
    excluded_minutes: Decimal = Decimal(0)
    allowed_minutes: Decimal | None = None
    denominator_minutes: Decimal | None = None
    target_minutes: Decimal | None = None
    measured: int = 0  # incidents measured (response/resolution/latency)
    breaches: tuple[Breach, ...] = ()
    budget: Budget | None = None
    notes: tuple[Reason, ...] = ()
    daily: tuple[tuple[date, Decimal], ...] = ()  # availability: counted minutes per local day
    # availability, when a credit rule needs it (hourly_waiver): exact counted minutes per local
    # clock hour (UTC start); an input of that rule, not part of the evaluation document
    hourly: tuple[tuple[datetime, Decimal], ...] = field(default=(), metadata={"document": False})


@dataclass(frozen=True)
class CreditStep:
    """One step of the credit calculation; `reason.params` hold every figure it used."""

    rule: str
    reason: Reason
    amount: Decimal | None = None
    days: int | None = None


@dataclass(frozen=True)
class CreditResult:
    currency: str
    fee: Decimal | None
    percent: Decimal | None  # amount / fee * 100
    amount: Decimal
    days: int
    tier: dict | None  # the band that applied: lower, upper and whether each is inclusive
    no_tier_applies: bool
    claim_deadline: date | None
    sole_remedy: bool | None
    steps: tuple[CreditStep, ...]


@dataclass(frozen=True)
class EscalationReached:
    """An escalation level whose condition holds, and the figures that made it hold."""

    level: int
    kpi: str
    action: str
    reason: Reason
    id: str | None = None
    action_zh: str | None = None
    notify: tuple[str, ...] = ()
    severity: str = "warning"  # info | warning | critical
    audience: str | None = None  # who acts


@dataclass(frozen=True)
class EscalationResult:
    level: int | None  # the highest level number reached over all KPIs (kept for older readers; compare by_kpi)
    reached: tuple[EscalationReached, ...]  # every level whose condition holds
    by_kpi: tuple[EscalationReached, ...] = ()  # per KPI, its highest level reached: levels compare within their KPI only


@dataclass(frozen=True)
class ImpactResult:
    currency: str
    loss_per_minute: Decimal
    downtime_minutes: Decimal
    downtime_cost: Decimal
    credit_recovered: Decimal
    uncovered_exposure: Decimal


@dataclass(frozen=True)
class Evaluation:
    policy_id: str
    policy_title: str
    policy_file: str
    provider: str
    customer: str
    window_label: str
    window_start: datetime
    window_end: datetime
    timezone: str
    window_minutes: int
    as_of: datetime
    complete: bool
    kpis: tuple[KpiResult, ...]
    credits: CreditResult | None
    escalation: EscalationResult
    impact: ImpactResult | None
    trace: tuple[TraceLine, ...]
    skipped: tuple[dict, ...] = ()
    open_incidents: tuple[str, ...] = ()
    inputs: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def all_met(self) -> bool:
        return all(k.status in ("met", "pending") for k in self.kpis)

    def to_dict(self, describe: Callable[[Reason], str] | None = None) -> dict[str, Any]:
        """The versioned JSON shape. `describe` (a renderer's catalogue) adds each reason's
        `text` in the reader's language; the engine itself writes no words."""
        def _plain(value: Any) -> Any:
            return plain(value, describe)

        kpis = [_plain(k) for k in self.kpis]
        return {
            "format_version": FORMAT_VERSION,
            "policy": {"id": self.policy_id, "title": self.policy_title, "file": self.policy_file, "provider": self.provider, "customer": self.customer},
            "window": {"label": self.window_label, "start": _plain(self.window_start), "end": _plain(self.window_end), "timezone": self.timezone, "minutes": self.window_minutes, "complete": self.complete},
            "as_of": _plain(self.as_of),
            "all_met": self.all_met,
            "kpis": kpis,
            "credits": _plain(self.credits),
            "escalation": _plain(self.escalation),
            "impact": _plain(self.impact),
            "incidents": [_plain(t) for t in self.trace],
            "open_incidents": list(self.open_incidents),
            "skipped": list(self.skipped),
            "inputs": list(self.inputs),
        }


def plain(value: Any, describe: Callable[[Reason], str] | None = None) -> Any:
    """Dataclasses -> dicts; Decimal -> str (exact); datetimes/dates -> ISO 8601; a reason ->
    its code and parameters, plus its `text` when a renderer's `describe` is given."""
    if isinstance(value, Reason):
        out = value.as_dict()
        if describe is not None:
            out["text"] = describe(value)
        return out
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), describe) for f in fields(value) if f.metadata.get("document", True)}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v, describe) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, describe) for k, v in value.items()}
    return value


__all__ = ["Evaluation", "EscalationReached", "KpiResult", "TraceLine", "Breach", "Budget", "CreditResult", "CreditStep", "EscalationResult", "ImpactResult", "asdict"]

