"""Scenarios: the same bad window applied to every vendor's policy.

A scenario names what is hit by *role* (messaging, app, api...), not by a vendor's component
names, so "3 h outage of messaging" lands on Slack's Messaging, Teams' Instant messaging
and DingTalk's 消息服务 alike, and on nothing at a vendor whose SLA does not cover
messaging. That difference is the point of a comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo

from slagen.engine.windows import MeasurementWindow, window_containing
from slagen.errors import PolicyErrors, PolicyProblem
from slagen.incidents.model import Incident, Outage
from slagen.policy.model import Policy
from slagen.policy.schema import structural_problems
from slagen.policy import units
from slagen.policy.units import FIRST_YEAR, LAST_YEAR, duration
from slagen.policy.yamlsrc import load_yaml, read_yaml_file

DEFAULT_MONTH = "2026-11"


@dataclass(frozen=True)
class Event:
    affects: tuple[str, ...]  # roles; ("all",) for everything
    start: datetime  # naive: local time in each vendor's zone
    length: timedelta
    impact: str = "major_outage"
    cause: str | None = None
    notice: timedelta | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    month: str = DEFAULT_MONTH
    events: tuple[Event, ...] = ()
    availability: Decimal | None = None
    incidents_file: Path | None = None
    incidents_format: str = "auto"
    on_bad_record: str = "fail"
    loss_per_minute: Decimal | None = None
    source: str = ""
    loss_currency: str | None = None  # None: the comparison's currency


def builtin_scenarios() -> list[Scenario]:
    """The scenario set `slagen compare` uses when no --scenario is given."""
    folder = resources.files("slagen.scenarios")
    return [parse_scenario(entry.read_bytes(), f"builtin:{entry.name}") for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".yaml")]


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(read_yaml_file(path, "a scenario file"), str(path), base=path.parent)


def parse_scenario(text: bytes | str, filename: str, base: Path | None = None) -> Scenario:
    doc = load_yaml(text, filename)
    problems = structural_problems(doc, filename, "scenario")
    if problems:
        raise PolicyErrors(problems)
    data = doc.data

    def fail(pointer: str, message: str) -> PolicyErrors:
        line, column = doc.where(pointer)
        return PolicyErrors([PolicyProblem(filename, line, column, message, pointer)])

    events = []
    for i, raw in enumerate(data.get("events", [])):
        try:
            start = datetime.fromisoformat(raw["start"])
        except ValueError:
            raise fail(f"/events/{i}/start", f"{raw['start']!r} is not a date-time; write e.g. 2026-11-11T10:00") from None
        try:
            length = duration(raw["duration"])
            notice = duration(raw["notice"]) if "notice" in raw else None
        except ValueError as exc:
            key = "duration" if "notice" not in raw or str(raw["duration"]) in str(exc) else "notice"
            raise fail(f"/events/{i}/{key}", str(exc)) from None
        if length <= timedelta(0):
            raise fail(f"/events/{i}/duration", "an outage must last longer than zero")
        affects = ("all",) if raw["affects"] == "all" else tuple(raw["affects"])
        events.append(Event(affects, start, length, raw.get("impact", "major_outage"), raw.get("cause"), notice))
    month = data.get("month", DEFAULT_MONTH)
    if not FIRST_YEAR <= int(month[:4]) <= LAST_YEAR:
        raise fail("/month", f"{month!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    first = date.fromisoformat(month + "-01")
    next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    for i, event in enumerate(events):
        if not (first <= event.start.date() < next_month):
            raise fail(f"/events/{i}/start", f"{event.start:%Y-%m-%d} is outside the scenario month {month}")
    availability = None
    if "availability" in data:
        try:
            availability = units.percent(data["availability"])
        except ValueError:
            raise fail("/availability", f"{str(data['availability'])[:40]!r} is not a percentage between 0 and 100") from None
    loss = None
    loss_currency = None
    if "loss_per_minute" in data:
        raw = data["loss_per_minute"]
        pointer = "/loss_per_minute"
        if isinstance(raw, dict):
            loss_currency = raw["currency"]
            raw = raw["amount"]
            pointer += "/amount"
        try:
            loss = units.money(raw)
        except ValueError as exc:
            raise fail(pointer, f"{exc}; write an amount, e.g. \"8333.33\"") from None
    incidents = data.get("incidents")
    incidents_file = None
    if incidents:
        try:
            incidents_file = confined(incidents["file"], base)
        except ValueError as exc:
            raise fail("/incidents/file", str(exc)) from None
    return Scenario(
        id=data["id"], title=data["title"], month=month, events=tuple(events), availability=availability,
        incidents_file=incidents_file,
        incidents_format=incidents.get("format", "auto") if incidents else "auto",
        on_bad_record=incidents.get("on_bad_record", "fail") if incidents else "fail",
        loss_per_minute=loss, source=filename, loss_currency=loss_currency,
    )


def confined(name: str, base: Path | None) -> Path:
    """The incident file a scenario names: relative to the scenario's directory and inside it.

    Refused (ValueError, never reading the file): absolute paths, '..', a path that leaves the
    directory through a symlink, and anything that is not a regular file. Messages name the
    path as written, never the content of what it points at.
    """
    if base is None:
        raise ValueError("a scenario given without a file has no directory to read incident files from")
    shown = repr(name[:200])
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name or pure.is_absolute() or PureWindowsPath(name).anchor:
        raise ValueError(f"{shown} is an absolute path; name the incident file relative to the scenario's directory")
    if ".." in pure.parts:
        raise ValueError(f"{shown} contains '..'; incident files must be inside the scenario's directory")
    if "\x00" in name:
        raise ValueError(f"{shown} contains a NUL character")
    root = base.resolve()
    path = base / pure
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise ValueError(f"{shown}: no such file in the scenario's directory") from None
    except (OSError, RuntimeError) as exc:  # symlink loops, names too long
        raise ValueError(f"{shown}: cannot be opened ({getattr(exc, 'strerror', None) or 'symlink loop'})") from None
    if not real.is_relative_to(root):
        raise ValueError(f"{shown} leads outside the scenario's directory (through a symlink); incident files must be inside it")
    if not real.is_file():
        raise ValueError(f"{shown} is not a regular file")
    return path


def _components(policy: Policy, affects: tuple[str, ...]) -> list[str]:
    """'service/component' refs hit by an event: by role, falling back to the component id."""
    refs = []
    for service in policy.services:
        for comp in service.components:
            if "all" in affects or set(affects) & (set(comp.roles) or {comp.id}):
                refs.append(f"{service.id}/{comp.id}")
        if not service.components and "all" in affects:
            refs.append(service.id)
    return refs


def scenario_window(policy: Policy, scenario: Scenario) -> MeasurementWindow:
    """The vendor's own window that contains the scenario month's second day."""
    zone = ZoneInfo(policy.timezone)
    anchor = datetime.fromisoformat(scenario.month + "-02T12:00").replace(tzinfo=zone)
    return window_containing(policy, anchor.astimezone(timezone.utc))


def scenario_incidents(policy: Policy, scenario: Scenario, window: MeasurementWindow) -> tuple[tuple[Incident, ...], Decimal]:
    """Incidents as this vendor would record them, and the real outage minutes (vendor-independent)."""
    zone = ZoneInfo(policy.timezone)
    if scenario.availability is not None:
        first = date.fromisoformat(scenario.month + "-01")
        next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        month_minutes = Decimal((datetime.combine(next_month, datetime.min.time(), zone) - datetime.combine(first, datetime.min.time(), zone)).total_seconds()) / 60
        minutes = month_minutes * (100 - scenario.availability) / 100
        events = (Event(("all",), datetime.fromisoformat(scenario.month + "-02T10:00"), timedelta(minutes=float(minutes))),)
    else:
        events = scenario.events
    incidents = []
    spans = []
    for i, event in enumerate(events, 1):
        start = event.start.replace(tzinfo=zone).astimezone(timezone.utc)
        end = start + event.length
        spans.append((start, end))
        refs = _components(policy, event.affects)
        if not refs:
            continue
        incidents.append(Incident(
            id=f"{scenario.id}-{i}", started_at=start, resolved_at=end, source=f"scenario {scenario.id}",
            outages=tuple(Outage(ref, start, end, event.impact) for ref in refs),
            title=scenario.title, cause=event.cause, impact=event.impact,
            notice_at=start - event.notice if event.notice else None,
        ))
    return tuple(incidents), _union_minutes(spans)


def _union_minutes(spans: list[tuple[datetime, datetime]]) -> Decimal:
    total = timedelta(0)
    current = None
    for a, b in sorted(spans):
        if current and a <= current[1]:
            current = (current[0], max(current[1], b))
            continue
        if current:
            total += current[1] - current[0]
        current = (a, b)
    if current:
        total += current[1] - current[0]
    return Decimal(total // timedelta(microseconds=1)) / 60_000_000  # exact: milliseconds of real data count
