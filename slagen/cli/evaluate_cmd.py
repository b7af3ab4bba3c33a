"""`slagen evaluate`: read a policy and incident files, evaluate one window, print or write."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from slagen.errors import UsageError
from slagen.files import atomic_write


def _instant(text: str, option: str, zone: ZoneInfo) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: write an ISO 8601 date or date-time, e.g. 2026-10-15T12:00+08:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)  # stated in the policy's zone, which the help says
    return value.astimezone(timezone.utc)


@click.command("evaluate")
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@click.option("--incidents", "incident_files", multiple=True, required=True, type=click.Path(dir_okay=False), help="Incident file (CSV, JSON/YAML list, Statuspage JSON, Google Cloud incidents.json). Repeatable.")
@click.option("--incident-format", type=click.Choice(["auto", "csv", "json", "yaml", "statuspage", "gcp"]), default="auto", show_default=True, help="Format of the incident files.")
@click.option("--period", help="Window to evaluate: 2026-10 (month/billing cycle), 2026-Q4 (quarter), 2026-10-31 (last day of a rolling window). Default: the last complete window before --as-of.")
@click.option("--from", "from_", help="Start of an explicit window (ISO 8601; no offset = the policy's zone).")
@click.option("--to", help="End of an explicit window (exclusive).")
@click.option("--as-of", help="The instant the evaluation is made at (default: now). Open incidents are clipped here; a window not yet ended gives the mid-window view.")
@click.option("--input-timezone", help="IANA zone for incident timestamps without a UTC offset (otherwise such timestamps are errors).")
@click.option("--on-bad-record", type=click.Choice(["fail", "skip"]), default="fail", show_default=True, help="fail: stop at the first bad record; skip: leave it out and list it in the result.")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN", help="CSV column for a slagen field, e.g. --map started_at=begin. Repeatable.")
@click.option("--coverage", "coverages", multiple=True, metavar="START/END", help="A stretch of time the incident data is known to cover (for the policy's minimum-data rule). Repeatable.")
@click.option("--prior-credit", "priors", multiple=True, metavar="LABEL=FEE:CREDIT", help="Fee and credit of an earlier window, newest first, for a rolling credit cap, e.g. 2026-09=80000:4000.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
def evaluate_cmd(policy_file, incident_files, incident_format, period, from_, to, as_of, input_timezone, on_bad_record, mappings, coverages, priors, fmt, output):
    """Evaluate a policy against incident data for one window and explain every minute.

    Exit status: 0 every KPI met (or pending mid-window), 3 a KPI missed or has
    insufficient data, 1 bad input, 2 usage error.

    \b
    Examples:
      slagen evaluate examples/dingtalk-enterprise.yaml \\
          --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10
      slagen evaluate policies/github-enterprise-cloud.yaml --period 2023-Q2 \\
          --incidents githubstatus.json --on-bad-record skip --format json -o q2.json
      slagen evaluate examples/dingtalk-enterprise.yaml --incidents live.csv \\
          --as-of 2026-11-15T12:00+08:00          # mid-month: error budget and burn rate
    """
    from decimal import Decimal, InvalidOperation

    from slagen.engine.credits import PriorWindow
    from slagen.engine.evaluate import Coverage, evaluate
    from slagen.engine.windows import explicit_window, last_complete_window, window_for_period
    from slagen.incidents.readers import parse_mapping, read_incidents
    from slagen.policy.load import load_policy

    policy = load_policy(policy_file)
    zone = ZoneInfo(policy.timezone)
    input_zone = None
    if input_timezone:
        try:
            input_zone = ZoneInfo(input_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--input-timezone {input_timezone!r}: not an IANA time zone (e.g. UTC, Asia/Hong_Kong)") from None
    now = _instant(as_of, "--as-of", zone) if as_of else datetime.now(timezone.utc).replace(microsecond=0)
    if (from_ is None) != (to is None):
        raise UsageError("--from and --to go together")
    if period and from_:
        raise UsageError("give --period or --from/--to, not both")
    if from_:
        window = explicit_window(policy, _instant(from_, "--from", zone), _instant(to, "--to", zone))
    elif period:
        window = window_for_period(policy, period)
    else:
        window = last_complete_window(policy, now)
    if now <= window.start:
        raise UsageError(f"--as-of {now.isoformat()} is before the window {window.label} starts ({window.start.isoformat()})")
    mapping = parse_mapping(mappings)
    incidents, skipped, inputs = [], [], []
    for path in incident_files:
        result = read_incidents(path, incident_format, input_zone, on_bad_record, mapping)
        incidents.extend(result.incidents)
        skipped.extend(result.skipped)
        inputs.append({"file": str(path), "records": len(result.incidents), "skipped": len(result.skipped)})
    coverage = None
    if coverages:
        coverage = []
        for item in coverages:
            start, sep, end = item.partition("/")
            if not sep:
                raise UsageError(f"--coverage {item!r}: write START/END")
            coverage.append(Coverage(_instant(start, "--coverage", zone), _instant(end, "--coverage", zone)))
    prior = []
    for item in priors:
        label, _, figures = item.partition("=")
        fee, _, credit = figures.partition(":")
        try:
            prior.append(PriorWindow(label, Decimal(fee), Decimal(credit)))
        except InvalidOperation:
            raise UsageError(f"--prior-credit {item!r}: write LABEL=FEE:CREDIT, e.g. 2026-09=80000:4000") from None
    evaluation = evaluate(policy, incidents, window, now, skipped=tuple(skipped), coverage=tuple(coverage) if coverage is not None else None, prior=tuple(prior), inputs=tuple(inputs))
    if fmt == "json":
        text = json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        from slagen.cli.table import evaluation_table

        text = evaluation_table(evaluation)
    if output:
        atomic_write(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(0 if evaluation.all_met else 3)
