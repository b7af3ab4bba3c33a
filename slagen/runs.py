"""Read a policy and incident files, pick the window, evaluate: what evaluate, report and pack share.

This is the one place that touches input files for an evaluation, so every command records
the same inputs (path, size, SHA-256) and reads them the same way. The engine stays pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import Coverage, evaluate
from slagen.engine.result import Evaluation
from slagen.engine.windows import MeasurementWindow, explicit_window, last_complete_window, previous_windows, window_for_period
from slagen.errors import UsageError
from slagen.files import read_input
from slagen.incidents.readers import read_incidents
from slagen.policy.load import parse_policy
from slagen.policy.model import Policy


@dataclass(frozen=True)
class InputFile:
    """A file an evaluation read, as an auditor needs to identify it."""

    role: str  # policy | incidents
    path: str
    size: int
    sha256: str
    records: int | None = None
    skipped: int | None = None


@dataclass(frozen=True)
class Source:
    """An input file's name (as recorded in results) and its exact bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class RunRequest:
    policy: Path
    incident_files: tuple[Path, ...]
    as_of: datetime  # aware
    period: str | None = None
    explicit: tuple[datetime, datetime] | None = None
    incident_format: str = "auto"
    input_zone: object | None = None  # ZoneInfo for naive timestamps
    on_bad_record: str = "fail"
    mapping: dict = field(default_factory=dict)
    coverage: tuple[Coverage, ...] | None = None
    prior: tuple[PriorWindow, ...] = ()
    history: int = 0  # earlier windows to evaluate for a trend


@dataclass(frozen=True)
class Run:
    policy: Policy
    window: MeasurementWindow
    evaluation: Evaluation
    inputs: tuple[InputFile, ...]
    history: tuple[Evaluation, ...] = ()  # oldest first
    incidents: tuple = ()


def describe(source: Source, role: str, records: int | None = None, skipped: int | None = None) -> InputFile:
    return InputFile(role, source.name, len(source.data), hashlib.sha256(source.data).hexdigest(), records, skipped)


def read_sources(request: RunRequest) -> tuple[Source, tuple[Source, ...]]:
    """The policy and incident files as given, each read once (what is hashed is what is parsed)."""
    policy = Source(str(request.policy), read_input(request.policy, "a policy file"))
    return policy, tuple(Source(str(p), read_input(p, "an incident file")) for p in request.incident_files)


def choose_window(policy: Policy, request: RunRequest) -> MeasurementWindow:
    if request.explicit:
        window = explicit_window(policy, *request.explicit)
    elif request.period:
        window = window_for_period(policy, request.period)
    else:
        window = last_complete_window(policy, request.as_of)
    if request.as_of <= window.start:
        raise UsageError(f"--as-of {request.as_of.isoformat()} is before the window {window.label} starts ({window.start.isoformat()})")
    return window


def run(request: RunRequest, sources: tuple[Source, tuple[Source, ...]] | None = None) -> Run:
    """Load, read, evaluate (and evaluate earlier windows when a trend is asked for).

    `sources` replaces reading the request's files: an audit pack passes its own copies.
    """
    policy_source, incident_sources = sources or read_sources(request)
    policy = parse_policy(policy_source.data, policy_source.name)
    window = choose_window(policy, request)
    incidents, skipped, files = [], [], [describe(policy_source, "policy")]
    for source in incident_sources:
        result = read_incidents(source.name, request.incident_format, request.input_zone, request.on_bad_record, request.mapping, raw=source.data)
        incidents.extend(result.incidents)
        skipped.extend(result.skipped)
        files.append(describe(source, "incidents", len(result.incidents), len(result.skipped)))
    inputs = tuple({"file": f.path, "records": f.records, "skipped": f.skipped, "sha256": f.sha256, "bytes": f.size} for f in files if f.role == "incidents")
    evaluation = evaluate(policy, incidents, window, request.as_of, skipped=tuple(skipped), coverage=request.coverage, prior=request.prior, inputs=inputs)
    history = tuple(
        evaluate(policy, incidents, earlier, request.as_of, coverage=request.coverage, inputs=inputs)
        for earlier in reversed(previous_windows(policy, window, request.history))
    )
    return Run(policy, window, evaluation, tuple(files), history, tuple(incidents))
