"""Options shared by every command that evaluates (evaluate, report, pack), parsed once.

Strings from the command line become typed values here; the work is done by `slagen.runs`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from slagen.errors import UsageError

from slagen.kinds import INCIDENT_FORMATS  # noqa: E402  (one list, in the registry)


def evaluation_options(func):
    """The incident and window options, in the order help shows them."""
    options = [
        click.option("--incidents", "incident_files", multiple=True, type=click.Path(), help="Incident file (CSV, JSON/YAML list, Statuspage JSON, Google Cloud incidents.json, AWS Health data.json, a status log) or an Upptime history/ folder. Repeatable."),
        click.option("--samples", "sample_files", multiple=True, type=click.Path(dir_okay=False), help="Monitoring samples (CSV or Parquet) for KPIs with a telemetry rule. Repeatable."),
        click.option("--incident-format", type=click.Choice(INCIDENT_FORMATS), default="auto", show_default=True, help="Format of the incident files."),
        click.option("--period", help="Window: 2026-10 (month/billing cycle), 2026-Q4 (quarter), 2026-10-31 (last day of a rolling window); evaluate also takes a range, 2026-01..2026-10; current: the window containing --as-of (month to date, for cron); previous: the one before it. Default: previous, the last complete window before --as-of."),
        click.option("--from", "from_", help="Start of an explicit window (ISO 8601; no offset = the policy's zone)."),
        click.option("--to", help="End of an explicit window (exclusive)."),
        click.option("--as-of", help="The instant the evaluation is made at (default: now). Open incidents are clipped here; a window not yet ended gives the mid-window view."),
        click.option("--input-timezone", help="IANA zone for incident timestamps without a UTC offset (otherwise such timestamps are errors)."),
        click.option("--on-bad-record", type=click.Choice(["fail", "skip"]), default="fail", show_default=True, help="fail: stop at the first bad record; skip: leave it out and list it in the result."),
        click.option("--duplicates", type=click.Choice(["fail", "first"]), default="fail", show_default=True, help="An incident id seen twice, in one file or in two --incidents files: fail: stop, naming both records; first: keep the first and list the others as skipped."),
        click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN", help="Column for a slagen field in incident CSVs, status logs and sample files, e.g. --map started_at=begin, --map timestamp=time. Repeatable."),
        click.option("--coverage", "coverages", multiple=True, metavar="START/END", help="A stretch of time the incident data is known to cover (for the policy's minimum-data rule). Repeatable."),
        click.option("--prior-credit", "priors", multiple=True, metavar="LABEL=FEE:CREDIT", help="Fee and credit of an earlier window, newest first, for a rolling credit cap, e.g. 2026-09=80000:4000."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


from slagen.request import FIRST_YEAR, LAST_YEAR, MAX_AMOUNT, amount, instant  # noqa: E402,F401  (parsed where the API parses them)


def period(text: str) -> str:
    """--period: its year must be one slagen evaluates (the form is checked against the policy's window)."""
    if text in ("current", "previous"):
        return text
    year = text[2:6] if text.startswith("FY") else text[:4]  # FY2025, FY2025-Q1: fiscal periods
    if year.isdecimal() and not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise UsageError(f"--period {text!r}: outside the years {FIRST_YEAR}-{LAST_YEAR} slagen evaluates")
    return text


def incident_paths(given) -> tuple[Path, ...]:
    """The files --incidents names: a folder stands for its Upptime history files (summary.json
    and <slug>.yml, nothing else), every other path for itself."""
    from slagen.incidents.formats import upptime

    out: list[Path] = []
    for p in given:
        path = Path(p)
        out.extend(upptime.folder(path) if path.is_dir() else [path])
    return tuple(out)


def build_request(policy_file: str | Path, zone_name: str, params: dict, history: int = 0):
    """Click parameters -> RunRequest: the only place the CLI describes a run. `zone_name` is
    the policy's zone (for naive option values); `params` may carry lang and templates."""
    from slagen.engine.credits import PriorWindow
    from slagen.engine.evaluate import Coverage
    from slagen.incidents.readers import parse_mapping
    from slagen.request import RunRequest
    from slagen.telemetry.samples import SAMPLE_FIELDS

    zone = ZoneInfo(zone_name)
    input_zone = None
    if params.get("input_timezone"):
        try:
            input_zone = ZoneInfo(params["input_timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--input-timezone {params['input_timezone']!r}: not an IANA time zone (e.g. UTC, Asia/Hong_Kong)") from None
    as_of = instant(params["as_of"], "--as-of", zone) if params.get("as_of") else datetime.now(timezone.utc).replace(microsecond=0)
    from_, to = params.get("from_"), params.get("to")
    period_ = period(params["period"]) if params.get("period") else None
    if (from_ is None) != (to is None):
        raise UsageError("--from and --to go together")
    if period_ and from_:
        raise UsageError("give --period or --from/--to, not both")
    explicit = (instant(from_, "--from", zone), instant(to, "--to", zone)) if from_ else None
    coverage = None
    if params.get("coverages"):
        coverage = []
        for item in params["coverages"]:
            start, sep, end = item.partition("/")
            if not sep:
                raise UsageError(f"--coverage {item!r}: write START/END")
            span = Coverage(instant(start, "--coverage", zone), instant(end, "--coverage", zone))
            if span.end <= span.start:
                raise UsageError(f"--coverage {item!r}: START must be before END")
            coverage.append(span)
        coverage = tuple(coverage)
    prior = []
    for item in params.get("priors") or ():
        label, eq, figures = item.partition("=")
        fee, colon, credit = figures.partition(":")
        if not (label and eq and colon and fee and credit):
            raise UsageError(f"--prior-credit {item!r}: write LABEL=FEE:CREDIT, e.g. 2026-09=80000:4000")
        prior.append(PriorWindow(label, amount(fee, f"--prior-credit {label}: fee"), amount(credit, f"--prior-credit {label}: credit")))
    if not params.get("incident_files") and not params.get("sample_files"):
        raise UsageError("give incident data: --incidents FILE and/or --samples FILE")
    return RunRequest(
        sample_files=tuple(p if "://" in p else Path(p) for p in params.get("sample_files") or ()),  # a URL is for --engine spark
        policy=Path(policy_file),
        incident_files=incident_paths(params.get("incident_files") or ()),
        as_of=as_of,
        period=period_,
        explicit=explicit,
        incident_format=params.get("incident_format") or "auto",
        input_zone=input_zone,
        on_bad_record=params.get("on_bad_record") or "fail",
        duplicates=params.get("duplicates") or "fail",
        mapping=parse_mapping(params.get("mappings") or (), SAMPLE_FIELDS),
        coverage=coverage,
        prior=tuple(prior),
        history=params.get("history") or history,
        lang=params.get("lang") or "en",
        templates=Path(params["templates"]) if params.get("templates") else None,
        allow_fallback=bool(params.get("allow_fallback")),
    )
