"""Typed, immutable policy objects: what the loader produces and the engine reads.

Plain frozen dataclasses (no pydantic): the JSON Schema already checks structure, so
these only carry exact values (Decimal, timedelta, date) with the defaults applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, timedelta
from decimal import Decimal

from slagen.policy.text import Text


@dataclass(frozen=True)
class Party:
    name: str
    name_zh: str | None = None
    contact: str | None = None
    name_text: Text | None = None  # the name per language (slagen.policy.text)


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    provider: Party
    customer: Party
    effective_date: date
    currency: str
    title_zh: str | None = None
    version: str | None = None
    languages: tuple[str, ...] = ("en",)
    governing_language: str = "en"
    monthly_fee: Decimal | None = None
    service_fees: tuple[tuple[str, Decimal], ...] = ()
    source: str | None = None
    title_text: Text | None = None


@dataclass(frozen=True)
class Window:
    """How the measurement window is cut and what availability is divided by."""

    kind: str  # calendar_month | calendar_quarter | billing_cycle | rolling_days | fiscal_quarter | fiscal_year
    anchor_day: int | None = None
    days: int | None = None
    fixed_minutes: int | None = None  # None: actual minutes of the window
    maintenance: str = "count_as_up"  # or remove_from_denominator
    start_month: int | None = None  # fiscal_quarter / fiscal_year: the month the fiscal year starts


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # app, api, messaging...: lets scenarios treat vendors alike
    name_text: Text | None = None


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    components: tuple[Component, ...] = ()
    name_zh: str | None = None
    name_text: Text | None = None


@dataclass(frozen=True)
class Counting:
    minimum_outage: timedelta = timedelta(0)
    rounding: str = "exact"  # exact | up | down
    impact_weights: tuple[tuple[str, Decimal], ...] = (
        ("major_outage", Decimal(100)),
        ("partial_outage", Decimal(100)),
        ("degraded_performance", Decimal(0)),
    )
    min_coverage: Decimal | None = None
    min_samples: int | None = None
    affected: str = "ignore"  # ignore | weight | more_than | at_least (counting.affected_percent)
    affected_bound: Decimal | None = None  # the threshold, in percent, for more_than / at_least

    def weight(self, impact: str) -> Decimal:
        """Share (0..1) of an interval with this impact that counts as downtime."""
        return self._shares.get(impact, Decimal(0))

    @cached_property
    def _shares(self) -> dict[str, Decimal]:
        return {impact: percent / 100 for impact, percent in self.impact_weights}


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday) as (from, to) minutes after local midnight."""

    id: str
    timezone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]  # 7 entries
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    working_dates: frozenset[date] = frozenset()
    working_date_weekday: int = 0
    name_text: Text | None = None

    @property
    def always_open(self) -> bool:
        return all(day == ((0, 1440),) for day in self.hours) and not self.holiday_country and not self.closed_dates


@dataclass(frozen=True)
class Telemetry:
    """How monitoring samples become downtime for an availability KPI."""

    rule: str  # error_rate | probe | latency | average_error_rate
    more_than: Decimal  # percent (error_rate, probe) or milliseconds (latency); strictly more is down
    period: timedelta = timedelta(minutes=1)
    missing: str = "unknown"  # up | down | unknown


@dataclass(frozen=True)
class Kpi:
    id: str
    kind: str  # availability | response_time | resolution_time | latency
    name: str
    scope: tuple[str, ...] = ()  # empty = every service
    name_zh: str | None = None
    objective: Decimal | None = None
    severity: str | None = None
    target: timedelta | None = None
    clock_starts: str = "detected"
    calendar: str = "24x7"
    measure: str = "exact"
    pause_on: tuple[str, ...] = ()
    pause_extends_deadline: bool = True
    threshold: timedelta | None = None
    counts_as_downtime: bool = False
    telemetry: Telemetry | None = None
    name_text: Text | None = None


@dataclass(frozen=True)
class RecurringWindow:
    days: tuple[int, ...]  # 0 = Monday
    start: int  # minutes after local midnight
    end: int  # may be <= start: closes the next day


@dataclass(frozen=True)
class Exclusion:
    id: str
    category: str
    excluded: bool
    description: str | None = None
    description_zh: str | None = None
    description_text: Text | None = None
    notice_at_least: timedelta | None = None
    cap_per_window: timedelta | None = None
    within: tuple[RecurringWindow, ...] = ()
    cap_per_year: timedelta | None = None  # used across the year's windows in time order (Slack: maintenance hours per year)


@dataclass(frozen=True)
class Tier:
    """One band of availability. Bounds are explicit so documents and engine agree."""

    lower: Decimal
    lower_inclusive: bool
    upper: Decimal
    upper_inclusive: bool
    credit: Decimal | None = None  # percent of fee
    days: int | None = None

    def contains(self, value: Decimal) -> bool:
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        below = value <= self.upper if self.upper_inclusive else value < self.upper
        return above and below

    def describe(self) -> str:
        upper = f"at most {self.upper}%" if self.upper_inclusive else f"less than {self.upper}%"
        if self.lower == 0 and self.lower_inclusive:
            return upper
        lower = f"at least {self.lower}%" if self.lower_inclusive else f"more than {self.lower}%"
        return f"{upper} but {lower}"


@dataclass(frozen=True)
class CreditRule:
    id: str
    kind: str  # tiers | service_days | per_period | fee_multiple | per_breach
    kpi: str
    tiers: tuple[Tier, ...] = ()
    gaps_allowed: bool = False
    amount: Decimal | None = None
    percent_of_fee: Decimal | None = None
    period: timedelta = timedelta(minutes=1)
    partial_periods: str = "started"
    beyond_allowance: bool = True
    multiple: Decimal | None = None
    unavailable_more_than: timedelta | None = None  # hourly_waiver: the downtime that makes a clock hour waived


@dataclass(frozen=True)
class Cap:
    percent_of_fee: Decimal | None = None
    amount: Decimal | None = None
    days: int | None = None
    fee_for_days: int | None = None  # the fee for N days of service: monthly fee x N / 30
    lower_than_tiers: bool = False  # stated: the cap may cut a tier's credit


@dataclass(frozen=True)
class RollingCap:
    windows: int
    percent_of_fee: Decimal | None = None
    amount: Decimal | None = None
    percent_of_period_fees: Decimal | None = None  # % of the fees of the windows the rolling period spans


@dataclass(frozen=True)
class ClaimDeadline:
    kind: str  # days_after_window_end | end_of_month_after_window | billing_cycles_after_window | days_after_incident | business_days_after_window_end
    count: int
    calendar: str | None = None  # business_days_after_window_end: the calendar the days are counted on


@dataclass(frozen=True)
class Alternative:
    """Credit rules of which only one is paid: the better, or the one `pay` names."""

    rules: tuple[str, ...]
    pay: str = "better"


@dataclass(frozen=True)
class Credits:
    rules: tuple[CreditRule, ...]
    fee_basis: str = "monthly_fee"
    cap: Cap | None = None
    rolling_cap: RollingCap | None = None
    minimum_payout: Decimal | None = None
    minimum_payout_exclusive: bool = False  # {more_than: X}: a credit equal to X is not paid (AWS)
    claim_deadline: ClaimDeadline | None = None
    claim_procedure: str | None = None
    claim_procedure_zh: str | None = None
    sole_remedy: bool | None = None
    claim_procedure_text: Text | None = None
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class EscalationLevel:
    level: int
    kpi: str
    action: str
    id: str | None = None
    below: Decimal | None = None
    above: timedelta | None = None
    breaches_at_least: int | None = None
    budget_used_at_least: Decimal | None = None
    action_zh: str | None = None
    notify: tuple[str, ...] = ()
    severity: str = "warning"  # info | warning | critical (ESCALATION_SEVERITIES)
    audience: str | None = None  # who acts; default: the notify list
    action_text: Text | None = None
    contractual: bool = False  # a notice the parties owe each other (in the contract); else the customer's own alerting


ESCALATION_SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Severity:
    """An incident severity (P1, P2...) and what makes an incident that severe."""

    id: str
    definition: Text


@dataclass(frozen=True)
class BusinessImpact:
    loss_per_minute: Decimal
    daily_revenue: Decimal | None = None
    operating_hours: Decimal | None = None


@dataclass(frozen=True)
class Policy:
    """A loaded, validated policy. `source` is the file it came from (for messages)."""

    source: str
    agreement: Agreement
    timezone: str
    window: Window
    services: tuple[Service, ...]
    kpis: tuple[Kpi, ...]
    counting: Counting = field(default_factory=Counting)
    calendars: tuple[Calendar, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    credits: Credits | None = None
    escalation: tuple[EscalationLevel, ...] = ()
    severities: tuple[Severity, ...] = ()
    business_impact: BusinessImpact | None = None
    stated: frozenset[str] = frozenset()  # 'counting.rounding'...: what the file itself says
    hints: tuple = ()  # PolicyProblem: valid, but a newer field would say it better (`slagen validate` shows them)
    unverified: tuple[tuple[str, Text], ...] = ()  # (JSON pointer, note per language) of each object marked `verified: false`
    raw: bytes = field(default=b"", repr=False, compare=False)  # the exact bytes parsed (hashed as an input)

    def says(self, path: str) -> bool:
        """Whether the policy file states this (a default value is not a statement)."""
        return path in self.stated

    def kpi(self, kpi_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == kpi_id)

    def calendar(self, calendar_id: str) -> Calendar:
        if calendar_id == "24x7":
            return ALWAYS_OPEN
        return next(c for c in self.calendars if c.id == calendar_id)


ALWAYS_OPEN = Calendar(id="24x7", timezone="UTC", hours=tuple(((0, 1440),) for _ in range(7)))
