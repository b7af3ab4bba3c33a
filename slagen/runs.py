"""Read a policy and incident files, pick the window, evaluate: what evaluate, report and pack share.

This is the one place that touches input files for an evaluation, so every command records
the same inputs (path, size, SHA-256) and reads them the same way. The engine stays pure.
"""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from typing import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import evaluate
from slagen.engine.index import IncidentIndex
from slagen.engine.result import Evaluation
from slagen.engine.trend import TrendPoint, data_from, from_evaluation
from slagen.engine.reasons import Reason
from slagen.engine.windows import RELATIVE_PERIODS, MeasurementWindow, explicit_window, last_complete_window, previous_windows, relative_window, window_for_period, windows_for_range
from slagen.errors import UsageError
from slagen.files import read_input
from slagen.incidents.readers import read_incidents
from slagen.policy.load import parse_policy
from slagen.policy.model import Policy
from slagen.request import RunRequest  # noqa: F401  (the one description of a run)


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
    data: bytes = b""
    path: Path | None = None  # large inputs (samples) are read from disk, not held in memory


@dataclass(frozen=True)
class Run:
    policy: Policy
    window: MeasurementWindow
    evaluation: Evaluation
    inputs: tuple[InputFile, ...]
    history: tuple[TrendPoint, ...] = ()  # the trend's earlier windows, oldest first: evaluated here or read from the ledger
    incidents: tuple = ()
    warnings: tuple[Reason, ...] = ()  # about the request, e.g. an explicit window on quarterly tiers
    windows: tuple[Evaluation, ...] = ()  # --period A..B: one evaluation per window, oldest first
    request: RunRequest | None = None  # what was asked for (its lang and templates for documents)


def describe(source: Source, role: str, records: int | None = None, skipped: int | None = None) -> InputFile:
    if source.path is None and "://" in source.name:  # samples on object storage, read by Spark: not hashed here
        return InputFile(role, source.name, None, None, records, skipped)
    if source.path is not None:
        with open(source.path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return InputFile(role, source.name, source.path.stat().st_size, digest, records, skipped)
    return InputFile(role, source.name, len(source.data), hashlib.sha256(source.data).hexdigest(), records, skipped)


def sample_sources(request: RunRequest) -> tuple[Source, ...]:
    from slagen.files import check_input_file

    remote = request.engine == "spark"
    for path in request.sample_files:
        if "://" in str(path) and not remote:
            raise UsageError(f"--samples {path}: a URL is read by Spark (--engine spark); DuckDB reads local files")
        if not (remote and "://" in str(path)):
            check_input_file(Path(path), "a samples file")  # a FIFO or device is refused, not handed to DuckDB
    return tuple(Source(str(p)) if remote and "://" in str(p) else Source(str(p), path=Path(p)) for p in request.sample_files)


def read_policy(path: Path) -> tuple[Source, Policy]:
    """The policy file read once and parsed once: what is hashed is what is parsed."""
    source = Source(str(path), read_input(Path(path), "a policy file"))
    return source, parse_policy(source.data, source.name)


def read_incident_sources(request: RunRequest) -> tuple[Source, ...]:
    return tuple(Source(str(p), read_input(p, "an incident file")) for p in request.incident_files)


def read_sources(request: RunRequest) -> tuple[Source, tuple[Source, ...]]:
    """The policy and incident files as given, each read once (what is hashed is what is parsed)."""
    policy = Source(str(request.policy), read_input(request.policy, "a policy file"))
    return policy, read_incident_sources(request)


def is_range(request: RunRequest) -> bool:
    return bool(request.period and ".." in request.period)


def choose_windows(policy: Policy, request: RunRequest) -> list[MeasurementWindow]:
    """Every window a `--period A..B` range names (or the one window of any other request)."""
    if not is_range(request):
        return [choose_window(policy, request)]
    windows = windows_for_range(policy, request.period)
    if request.as_of <= windows[0].start:
        raise UsageError(f"--as-of {request.as_of.isoformat()} is before the window {windows[0].label} starts ({windows[0].start.isoformat()})")
    return [w for w in windows if w.start < request.as_of]


def request_warnings(policy: Policy, request: RunRequest) -> tuple[Reason, ...]:
    """What the user should know about the window they asked for."""
    if request.explicit and policy.window.kind != "calendar_month":
        return (Reason.of("window.explicit_on_policy_window", window_kind=policy.window.kind),)
    return ()


def choose_window(policy: Policy, request: RunRequest) -> MeasurementWindow:
    if request.explicit:
        window = explicit_window(policy, *request.explicit)
    elif request.period in RELATIVE_PERIODS:
        window = relative_window(policy, request.period, request.as_of)  # the scheduler's view: no month to compute in cron
    elif request.period:
        window = window_for_period(policy, request.period)
    else:
        window = last_complete_window(policy, request.as_of)
    if request.as_of <= window.start:
        raise UsageError(f"--as-of {request.as_of.isoformat()} is before the window {window.label} starts ({window.start.isoformat()})")
    return window


def run(request: RunRequest, sources: tuple[Source, tuple[Source, ...]] | None = None, samples: tuple[Source, ...] | None = None,
        progress: Callable[[str], None] | None = None, policy: Policy | None = None, allow_range: bool = False) -> Run:
    """Load, read, evaluate (and evaluate earlier windows when a trend is asked for, or
    every window of a `--period A..B` range, in one process with the policy parsed once).

    `sources` and `samples` replace reading the request's files: an audit pack passes its
    own copies. `policy` is the policy already parsed from `sources` (never parsed twice).
    A `--period A..B` range needs `allow_range` (evaluate); documents cover one window.
    """
    policy_source, incident_sources = sources or read_sources(request)
    samples = sample_sources(request) if samples is None else samples
    if policy is None:
        policy = parse_policy(policy_source.data, policy_source.name)
    if is_range(request) and not allow_range:
        raise UsageError(f"--period {request.period!r}: a range of windows is for `slagen evaluate`; a report or pack covers one window (use --history N for a trend)")
    windows = choose_windows(policy, request)
    window = windows[-1]
    incidents, skipped, files = [], [], [describe(policy_source, "policy")]
    with bulk_objects():
        _read_all(request, incident_sources, incidents, skipped, files)
    files.extend(describe(s, "samples") for s in samples)

    inputs = tuple({"file": f.path, "records": f.records, "skipped": f.skipped, "sha256": f.sha256, "bytes": f.size} for f in files if f.role != "policy")
    telemetry = _telemetry(policy, samples, request)

    index = IncidentIndex(incidents)

    def one(win: MeasurementWindow, **extra) -> Evaluation:
        derived, stats = telemetry(win) if telemetry else ((), ())
        return evaluate(policy, index.near(_reach(policy, win)) + list(derived), win, request.as_of, coverage=request.coverage, inputs=inputs + stats, **extra)

    if len(windows) > 1 or is_range(request):
        many: list[Evaluation] = []
        for win in windows:
            # a rolling credit cap sees the windows of the range before this one (newest
            # first), then whatever --prior-credit gave for the windows before the range
            earlier = tuple(PriorWindow(ev.window_label, ev.credits.fee or Decimal(0), ev.credits.amount) for ev in reversed(many) if ev.credits)
            many.append(one(win, skipped=tuple(skipped), prior=earlier + request.prior))
            if progress:
                progress(win.label)
        return Run(policy, window, many[-1], tuple(files), (), tuple(incidents), request_warnings(policy, request), tuple(many), request)
    evaluation = one(window, skipped=tuple(skipped), prior=request.prior)
    if progress:
        progress(window.label)
    covered_from = data_from(incidents, any(f.role == "samples" for f in files), evaluation.window_start)
    history: list[TrendPoint] = []
    for earlier in reversed(previous_windows(policy, window, request.history)):
        history.extend(from_evaluation(one(earlier, with_trace=False), policy.agreement.effective_date, covered_from))
        if progress:
            progress(earlier.label)
    return Run(policy, window, evaluation, tuple(files), tuple(history), tuple(incidents), request_warnings(policy, request), (), request)


def _reach(policy: Policy, win: MeasurementWindow) -> MeasurementWindow:
    """The span whose incidents a window's evaluation needs: the window, or with a cap per
    year on an exclusion, everything since the year's start (its earlier windows use the cap)."""
    if not any(e.cap_per_year is not None for e in policy.exclusions):
        return win
    from dataclasses import replace

    from slagen.engine.availability import year_start

    return replace(win, start=min(year_start(policy, win), win.start))


def _read_all(request: RunRequest, incident_sources, incidents: list, skipped: list, files: list) -> None:
    seen: dict[str, str] = {}  # incident id -> 'file:record' across all files: none is counted twice
    for source in incident_sources:
        result = read_incidents(source.name, request.incident_format, request.input_zone, request.on_bad_record, request.mapping, raw=source.data,
                                duplicates=request.duplicates, seen=seen)
        incidents.extend(result.incidents)
        skipped.extend(result.skipped)
        files.append(describe(source, "incidents", len(result.incidents), len(result.skipped)))


@contextmanager
def bulk_objects():
    """Pause the cyclic garbage collector while building many long-lived objects, then
    freeze them out of its reach. Incidents hold no reference cycles; without this, every
    collection re-scans 100k incidents and evaluation of a year takes twice as long."""
    enabled = gc.isenabled()
    # what an earlier run froze and has since dropped (a batch of packs in one process) is
    # given back first; without this each pack's cyclic garbage stayed frozen, ~60 MB a pack
    gc.unfreeze()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _telemetry(policy: Policy, samples: tuple[Source, ...], request: RunRequest):
    """A function window -> (incidents from samples, stats), or None without samples."""
    kpis = [k for k in policy.kpis if k.kind == "availability" and k.telemetry is not None]
    if not samples:
        return None
    if not kpis:
        raise UsageError(f"{policy.source}: --samples needs an availability KPI with a 'telemetry' rule; this policy has none")
    if request.engine == "spark":
        from slagen.telemetry.spark import SparkSampleSet

        sample_set = SparkSampleSet(tuple(s.path or s.name for s in samples), request.input_zone, tuple(s.name for s in samples), request.spark_master,
                                    mapping=dict(request.mapping or {}))
    else:
        from slagen.telemetry.samples import SampleSet

        sample_set = SampleSet(tuple(s.path for s in samples), request.input_zone, tuple(s.name for s in samples), dict(request.mapping or {}))

    def for_window(win: MeasurementWindow):
        derived, stats = [], []
        for kpi in kpis:
            incidents, stat = sample_set.downtime(policy, kpi, win, request.as_of)
            derived.extend(incidents)
            stats.append(stat.as_input())
        return tuple(derived), tuple(stats)

    return for_window
