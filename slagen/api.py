"""The public Python API: what notebooks, Airflow/Dagster jobs and services call.

Every function here is a thin, typed front to the same code the CLI runs: the CLI builds a
`RunRequest` from options and calls these. Errors are `slagen.SlagenError` subclasses
carrying `file`, `line`, `column` and `record` where known; nothing here prints or exits.
Import it as `import slagen` (`slagen.evaluate(...)`), not from this module.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slagen.errors import UsageError
from slagen.request import LANGS, RunRequest, amount, instant, sample_path

if TYPE_CHECKING:
    from slagen.compare.build import Comparison
    from slagen.engine.result import Evaluation
    from slagen.incidents.model import Incident
    from slagen.pack.verify import Verification
    from slagen.policy.model import Policy

PathLike = str | Path
_RUN = "_slagen_run"  # where an Evaluation made here keeps the run a report is rendered from


@dataclass(frozen=True)
class IncidentFile:
    """An incident file as read: its records, what was skipped, and how it was read (an
    evaluation re-reads the same bytes with the same options, so what is hashed is what is
    counted). Iterating gives the incidents."""

    path: Path
    incidents: tuple[Incident, ...]
    skipped: tuple[dict, ...] = ()
    format: str = "auto"
    timezone: str | None = None
    on_bad_record: str = "fail"
    mapping: Mapping[str, str] = field(default_factory=dict)
    data: bytes = field(default=b"", repr=False)

    def __iter__(self) -> Iterator[Incident]:
        return iter(self.incidents)

    def __len__(self) -> int:
        return len(self.incidents)


@dataclass(frozen=True)
class PackResult:
    """A pack written by `build_pack`: where, the SHA-256 of its manifest (what
    `verify_pack(expect=…)` checks), and the evaluation inside it."""

    path: Path
    manifest_sha256: str
    evaluation: Evaluation


def load_policy(path: PathLike) -> Policy:
    """Read and validate a policy file. Raises `PolicyErrors` listing every problem."""
    from slagen.runs import read_policy

    _, policy = read_policy(Path(path))
    return policy


def read_incidents(path: PathLike, *, format: str = "auto", timezone: str | None = None, on_bad_record: str = "fail",
                   mapping: Mapping[str, str] | None = None) -> IncidentFile:
    """Read one incident file (CSV, JSON/YAML, Statuspage, Google Cloud…; `format="auto"`
    detects it). `timezone` is the IANA zone of timestamps written without an offset;
    `on_bad_record="skip"` leaves bad records out and lists them in `skipped`."""
    from slagen.files import read_input
    from slagen.incidents.readers import read_incidents as read

    zone = _zone(timezone)
    data = read_input(Path(path), "an incident file")
    result = read(str(path), format, zone, on_bad_record, dict(mapping or {}), raw=data)
    return IncidentFile(Path(path), tuple(result.incidents), tuple(result.skipped), format, timezone, on_bad_record, dict(mapping or {}), data)


def evaluate(policy: Policy, incidents: IncidentFile | Iterable[IncidentFile] = (), *, period: str | None = None,
             as_of: str | datetime | None = None, lang: str = "en", samples: Sequence[PathLike] = (),
             start: str | datetime | None = None, end: str | datetime | None = None, history: int = 0,
             prior_credits: Sequence[tuple[str, Decimal | str, Decimal | str]] = (), duplicates: str = "fail") -> Evaluation:
    """Evaluate one window: `period` ("2026-10", "2026-Q4"), or `start`/`end`, or by default
    the last complete window before `as_of` (default: now). Strings without an offset are in
    the policy's zone. `lang` is the language documents rendered from it default to.
    `prior_credits` are (label, fee, credit) of earlier windows, newest first, for a rolling
    credit cap. Returns the `Evaluation` (`.kpis`, `.credits`, `.escalation`, `.trace`)."""
    request, sources = _request(policy, incidents, period, as_of, lang, samples, start, end, history, prior_credits, duplicates)
    if request.period and ".." in request.period:
        raise UsageError(f"period {request.period!r} is a range: use slagen.evaluate_many")
    from slagen.runs import run

    result = run(request, sources=sources, policy=policy)
    return _remember(result.evaluation, result)


def evaluate_many(policy: Policy, incidents: IncidentFile | Iterable[IncidentFile] = (), *, period: str,
                  as_of: str | datetime | None = None, lang: str = "en", samples: Sequence[PathLike] = (),
                  prior_credits: Sequence[tuple[str, Decimal | str, Decimal | str]] = (), duplicates: str = "fail") -> tuple[Evaluation, ...]:
    """Every window of a range ("2026-01..2026-12", "2025-Q1..2026-Q4") in one pass, oldest
    first; windows not yet begun at `as_of` are left out. A rolling credit cap sees the
    credits of the range's earlier windows."""
    if ".." not in period:
        raise UsageError(f"period {period!r}: evaluate_many takes a range such as 2026-01..2026-12")
    request, sources = _request(policy, incidents, period, as_of, lang, samples, None, None, 0, prior_credits, duplicates)
    from slagen.runs import run

    result = run(request, sources=sources, policy=policy, allow_range=True)
    return tuple(_remember(ev, dataclasses.replace(result, evaluation=ev, windows=())) for ev in result.windows)


def render_report(evaluation: Evaluation, path: PathLike, *, lang: str | None = None, format: str | None = None,
                  templates: PathLike | None = None, allow_fallback: bool = False) -> Path:
    """Write the monthly report of an evaluation made by `slagen.evaluate`: PDF (PDF/A-3b,
    the evaluation JSON attached), DOCX or HTML, from `format` or the file suffix. The file
    is replaced atomically; returns its path. A language the policy has no text for is a
    `PolicyErrors` naming each field, unless `allow_fallback` shows the English, marked."""
    from slagen.files import atomic_write, check_output_path
    from slagen.report.render import render_report as render

    result = getattr(evaluation, _RUN, None)
    if result is None:
        raise UsageError("render_report needs an Evaluation returned by slagen.evaluate (it carries the policy and incidents it was made from)")
    target = Path(path)
    fmt = format or {".docx": "docx", ".html": "html", ".htm": "html"}.get(target.suffix.lower(), "pdf")
    check_output_path(target)
    if allow_fallback and result.request is not None:
        result = dataclasses.replace(result, request=dataclasses.replace(result.request, allow_fallback=True))
    atomic_write(target, render(result, fmt, _lang(lang or (result.request.lang if result.request else "en")), _directory(templates)))
    return target


def render_clauses(policy: Policy, path: PathLike, *, lang: str | None = None, format: str | None = None,
                   templates: PathLike | None = None, document_date: date | None = None, allow_fallback: bool = False) -> Path:
    """Write the policy's SLA schedule (md, html, docx, pdf; from `format` or the suffix) in
    `lang` (en, zh-Hans, zh-Hant, en+zh-Hans, en+zh-Hant; default: the agreement's governing
    language). A policy without text in that language is a `PolicyErrors` naming each field,
    unless `allow_fallback` prints the English, marked. Returns the path written."""
    from slagen.clauses.render import render_clauses as render
    from slagen.files import atomic_write, check_output_path

    target = Path(path)
    fmt = format or {".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}.get(target.suffix.lower(), "md")
    check_output_path(target)
    atomic_write(target, render(policy, lang or policy.agreement.governing_language, fmt, _directory(templates), document_date, allow_fallback))
    return target


def compare(policies: Sequence[Policy], scenarios: Sequence[Any] | None = None, **options: Any) -> Comparison:
    """Compare policies side by side and under the same scenarios (default: the built-in
    bad months). `options` are those of `slagen compare` (e.g. `fee=Decimal("10000")`,
    `currency="USD"`). Render the result with `slagen.compare.render.render`."""
    from slagen.compare.build import compare as build, real_data_incidents
    from slagen.compare.scenarios import builtin_scenarios

    chosen = list(scenarios) if scenarios is not None else builtin_scenarios()
    real = {s.id: real_data_incidents(s) for s in chosen if getattr(s, "incidents_file", None) is not None}
    if real:
        options.setdefault("real_incidents", real)
    return build(list(policies), chosen, **options)


def build_pack(request: RunRequest, path: PathLike) -> PackResult:
    """Make an audit pack for a `RunRequest` (a .zip file, or a new directory) with the
    report PDF and DOCX, the evaluation JSON, copies of the inputs and a manifest that
    stores the request itself. Returns where it went and the manifest's SHA-256."""
    from slagen.files import check_output_path
    from slagen.pack.build import make_pack, write_pack

    target = Path(path)
    check_output_path(target, directory_ok=target.suffix.lower() != ".zip")
    pack = make_pack(request)
    write_pack(pack, target)
    return PackResult(target, pack.manifest_sha256, pack.run.evaluation)


def verify_pack(path: PathLike, *, recompute: bool = False, expect: str | None = None, templates: PathLike | None = None) -> Verification:
    """Check a pack against its manifest (`.ok`, `.problems`); `expect` is the manifest
    SHA-256 printed when it was made; `recompute` re-runs the evaluation and re-renders the
    documents from the packed inputs."""
    from slagen.pack.verify import verify_pack as verify

    return verify(Path(path), recompute, expect, _directory(templates))


def _request(policy: Policy, incidents, period, as_of, lang, samples, start, end, history, prior_credits, duplicates):
    from slagen.engine.credits import PriorWindow
    from slagen.runs import Source

    files = (incidents,) if isinstance(incidents, IncidentFile) else tuple(incidents)
    if not all(isinstance(f, IncidentFile) for f in files):
        raise UsageError("incidents: give what slagen.read_incidents returned (one, or a list)")
    if not files and not samples:
        raise UsageError("give incident data (slagen.read_incidents) and/or monitoring sample files")
    how = {(f.format, f.timezone, f.on_bad_record, tuple(sorted(f.mapping.items()))) for f in files}
    if len(how) > 1:
        raise UsageError("incidents: read every incident file with the same format, timezone, on_bad_record and mapping")
    fmt, zone_name, on_bad_record, mapping = next(iter(how)) if how else ("auto", None, "fail", ())
    zone = ZoneInfo(policy.timezone)
    when = _instant(as_of, "as_of", zone) if as_of is not None else datetime.now(timezone.utc).replace(microsecond=0)
    if (start is None) != (end is None):
        raise UsageError("start and end go together")
    if start is not None and period:
        raise UsageError("give period or start/end, not both")
    request = RunRequest(
        policy=Path(policy.source),
        incident_files=tuple(f.path for f in files),
        sample_files=tuple(sample_path(s) for s in samples),
        as_of=when,
        period=period,
        explicit=(_instant(start, "start", zone), _instant(end, "end", zone)) if start is not None else None,
        incident_format=fmt,
        input_zone=_zone(zone_name),
        on_bad_record=on_bad_record,
        mapping=dict(mapping),
        prior=tuple(PriorWindow(label, amount(str(fee), f"prior_credits {label}: fee"), amount(str(credit), f"prior_credits {label}: credit")) for label, fee, credit in prior_credits),
        history=history,
        duplicates=duplicates,
        lang=_lang(lang),
    )
    sources = (Source(policy.source, policy.raw), tuple(Source(str(f.path), f.data) for f in files))
    return request, sources


def _remember(evaluation: Evaluation, result) -> Evaluation:
    """Keep the run with its evaluation (not part of its value or its JSON), so that
    `render_report(evaluation, …)` has the policy, inputs and history it was made from."""
    object.__setattr__(evaluation, _RUN, result)
    return evaluation


def _instant(value: str | datetime, name: str, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(timezone.utc)
    if not isinstance(value, str):
        raise UsageError(f"{name}: give an ISO 8601 text or a datetime, not {type(value).__name__}")
    return instant(value, name, zone)


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"timezone {name!r}: not an IANA time zone (e.g. UTC, Asia/Hong_Kong)") from None


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"lang {lang!r}: choose one of {', '.join(LANGS)}")
    return lang


def _directory(templates: PathLike | None) -> Path | None:
    return Path(templates) if templates is not None else None
