"""The one Incident model every reader produces: immutable, timezone-aware (UTC) times.

An incident carries the times response KPIs need and a list of `Outage` segments, one per
affected component and interval, which is what availability KPIs count. A CSV row gives
one segment per listed component; a Statuspage incident gives the component transitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

IMPACTS = ("major_outage", "partial_outage", "degraded_performance", "none")

# Vocabulary seen in real exports, normalised to the four impacts above.
IMPACT_ALIASES = {
    "major_outage": "major_outage", "outage": "major_outage", "down": "major_outage", "critical": "major_outage",
    "total": "major_outage", "high": "major_outage", "disruption": "major_outage",
    "partial_outage": "partial_outage", "partial": "partial_outage", "major": "partial_outage", "medium": "partial_outage",
    "degradation": "partial_outage",
    "degraded_performance": "degraded_performance", "degraded": "degraded_performance", "minor": "degraded_performance",
    "low": "degraded_performance",
    "none": "none", "informational": "none", "operational": "none", "": "none",
    "under_maintenance": "major_outage", "maintenance": "major_outage",
}


def normalise_impact(value: str) -> str | None:
    """Map a source's impact word to one of IMPACTS; None when unknown."""
    return IMPACT_ALIASES.get(value.strip().lower().replace(" ", "_").replace("-", "_"))


@dataclass(frozen=True)
class Outage:
    """One component down from `start` to `end` (None: still open) with an impact."""

    component: str
    start: datetime
    end: datetime | None
    impact: str
    cause: str | None = None  # this segment's own cause (Statuspage 'under_maintenance'), else the incident's
    component_id: str | None = None  # the source's stable id for the component (Statuspage code), matched when the name is not
    share: Decimal | None = None  # the fraction of this outage's time that counts (a period's measured error rate), else all of it


@dataclass(frozen=True)
class Pause:
    """A stretch in which the response clock may stop (e.g. waiting on the customer)."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class Incident:
    id: str
    started_at: datetime
    resolved_at: datetime | None
    outages: tuple[Outage, ...]
    source: str  # file and row/record, for the trace
    title: str = ""
    service: str | None = None
    severity: str | None = None
    impact: str = "major_outage"
    cause: str | None = None
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    notice_at: datetime | None = None
    latency: timedelta | None = None
    pauses: tuple[Pause, ...] = ()
    kpi: str | None = None  # derived from telemetry: counts for this availability KPI only
    affected_percent: Decimal | None = None  # share of users/customers affected (counting.affected_percent)
    updates: tuple[datetime, ...] = ()  # customer-visible updates, in time order (update_interval KPIs)
    # an incident slagen derived (from monitoring samples, an Upptime day, a status log): what was
    # observed, as a reason code and its parameters (`finding(...)`), which the engine passes on to
    # the trace as a Reason and renderers word in the reader's language; such an incident has no title
    finding: tuple[str, tuple[tuple[str, object], ...]] | None = None

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.component for o in self.outages))

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def finding(code: str, **params: object) -> tuple[str, tuple[tuple[str, object], ...]]:
    """An `Incident.finding`: a reason code and its parameters (sorted, None left out), the
    shape of slagen.engine.reasons.Reason, which this layer does not import."""
    return code, tuple(sorted((k, v) for k, v in params.items() if v is not None))


@dataclass(frozen=True)
class SkippedRecord:
    """A record a reader could not use, kept so nothing disappears silently."""

    file: str
    record: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    incidents: tuple[Incident, ...]
    skipped: tuple[SkippedRecord, ...] = ()
