"""`slagen evaluate`: read a policy and incident files, evaluate one window (or a range), print or write."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slagen.cli.ledger_opts import ledger_options
from slagen.cli.options import build_request, evaluation_options
from slagen.cli.outcomes import Outcome, evaluation_outcome, table as exit_table
from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write
from slagen.notify.targets import TARGET_KINDS
from slagen.text import for_terminal, utf8


@click.command("evaluate", epilog="\b\nExit status:\n" + exit_table())
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@evaluation_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True,
              help="Language of the reasons (table, and reason.text in JSON; codes and parameters are the same in every language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="What aggregates --samples (telemetry stage one): DuckDB in this process, or Spark (pip install 'slagen[spark]', Java 17).")
@click.option("--spark-master", metavar="URL", help="--engine spark: the Spark master (spark://HOST:7077, yarn, k8s://…, local[4]); default: spark-submit's, else local[*].")
@ledger_options
@click.option("--fail-on", type=click.Choice(["missed", "escalation", "never"]), default="missed", show_default=True,
              help="What makes the exit status non-zero for a scheduler: missed: a KPI missed (3); escalation: also any escalation level reached (4); never: only errors.")
@click.option("--notify", "notify_file", type=click.Path(dir_okay=False), metavar="NOTIFY.yaml",
              help=f"Send the escalation levels reached, and their resolution, to the targets in this file ({', '.join(TARGET_KINDS)}), once per change; see docs/operations.md.")
@click.option("--dry-run", is_flag=True, help="With --notify: print what would be sent (secrets masked); send nothing, record nothing.")
def evaluate_cmd(policy_file: str, fmt: str, lang: str, output: str | None, fail_on: str, notify_file: str | None, dry_run: bool, engine: str, spark_master: str | None, **params) -> Outcome:
    """Evaluate a policy against incident data for one window and explain every minute.

    --period A..B evaluates every window from A to B in one run (JSON: {"windows": [...]},
    table: one row per window).

    --period current evaluates the window containing --as-of (month to date) and
    --period previous the one before it, so cron need not compute a month.

    \b
    Examples:
      slagen evaluate examples/dingtalk-enterprise.yaml \\
          --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10
      slagen evaluate policies/github-enterprise-cloud.yaml --period 2023-Q2 \\
          --incidents githubstatus.json --on-bad-record skip --format json -o q2.json
      slagen evaluate policies/github-enterprise-cloud.yaml --period 2019-Q1..2023-Q4 \\
          --incidents githubstatus.json --on-bad-record skip     # one row per quarter
      slagen evaluate examples/dingtalk-enterprise.yaml --incidents live.csv \\
          --as-of 2026-11-15T12:00+08:00          # mid-month: error budget and burn rate
      slagen evaluate policy.yaml --incidents live.json --period current \\
          --fail-on escalation --notify notify.yaml   # every 5 minutes from cron
      slagen evaluate policy.yaml --samples 's3a://bucket/samples/2026-10/*.parquet' --period 2026-10 \\
          --engine spark --spark-master spark://head:7077   # stage one on a Spark cluster
    """
    from slagen.render.messages import Messages
    from slagen.runs import read_incident_sources, read_policy, run

    catalogue = Messages(lang)
    if dry_run and not notify_file:
        raise UsageError("--dry-run goes with --notify FILE")
    notify_config = None
    if notify_file:
        from slagen.notify import load_notify

        notify_config = load_notify(notify_file)  # a bad file or a missing secret stops here, before anything is written
    policy_source, policy = read_policy(Path(policy_file))
    request = build_request(policy_file, policy.timezone, {**params, "lang": lang})
    if engine != "duckdb" or spark_master:
        request = _with_engine(request, engine, spark_master)
    from slagen.cli.ledger_opts import open_ledger, record, with_ledger_priors

    ledger = open_ledger(params)
    request = with_ledger_priors(request, policy, ledger)
    if notify_config:
        from slagen.notify import check_kpis
        from slagen.runs import is_range

        if is_range(request):
            raise UsageError("--notify watches one window (e.g. --period current), not a range")
        check_kpis(notify_config, {k.id for k in policy.kpis})
    result = run(request, sources=(policy_source, read_incident_sources(request)), policy=policy, allow_range=True)
    for warning in result.warnings:
        click.echo(catalogue.text(warning), err=True)
    evaluations = result.windows or (result.evaluation,)
    if fmt == "json":
        from slagen.report.content import evaluation_document

        text = json.dumps(evaluation_document(evaluations, catalogue, as_range=bool(result.windows)), indent=2, ensure_ascii=False) + "\n"
    else:
        from slagen.cli.table import evaluation_table, windows_table

        text = windows_table(evaluations, catalogue, policy) if result.windows else evaluation_table(result.evaluation, catalogue, policy)
    atomic_write(STDOUT if output is None else output, utf8(text))
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
    if params.get("record"):  # after the output is written: a failed write records nothing
        record(ledger, result, evaluations, params, "evaluate", lang)
    outcome = evaluation_outcome(all(ev.all_met for ev in evaluations), any(ev.escalation.reached for ev in evaluations), fail_on)
    if notify_config:  # after the output is written: a failed delivery never costs the evaluation
        from slagen.notify import StateStore, notify, state_dir

        echo = lambda line: click.echo(for_terminal(line), err=True)  # noqa: E731
        report = notify(result.evaluation, notify_config, None if dry_run else StateStore(state_dir()), dry_run=dry_run, echo=echo)
        for delivery in report.deliveries:
            echo(delivery.line())
        if report.failed:
            outcome = Outcome.DELIVERY
    return outcome


def _with_engine(request, engine: str, master: str | None):
    """--engine / --spark-master checked before any file is read: one-line usage errors."""
    from dataclasses import replace

    if master and engine != "spark":
        raise UsageError("--spark-master goes with --engine spark")
    if not request.sample_files:
        raise UsageError(f"--engine {engine} aggregates monitoring samples: give --samples FILE")
    from slagen.telemetry.spark import check_available, check_master

    if master:
        check_master(master)
    check_available()
    return replace(request, engine=engine, spark_master=master)
