"""`slagen telemetry-sql`: print stage one of a policy's telemetry KPIs for an SQL engine."""

from __future__ import annotations

from pathlib import Path

import click

from slagen.files import STDOUT, atomic_write
from slagen.telemetry.sql import DIALECTS
from slagen.text import for_terminal, utf8


@click.command("telemetry-sql")
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
              help="SQL dialect: duckdb and spark are what slagen runs (evaluate --engine); trino, bigquery and clickhouse are generated for you to run.")
@click.option("--kpi", "kpi_ids", multiple=True, metavar="ID", help="Only this telemetry KPI (repeatable). Default: every one.")
@click.option("--table", default="samples", show_default=True, help="The table or view holding the samples (ts, component, requests, errors, up, latency_ms).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
def telemetry_sql_cmd(policy_file: str, dialect: str, kpi_ids: tuple[str, ...], table: str, output: str | None) -> None:
    """Print stage one of each telemetry KPI (samples -> down runs and coverage) as SQL.

    One statement per KPI, with two named parameters, window_start and window_end (ISO 8601
    instants with an offset; the window's local midnight and its end, or --as-of if sooner).
    Each row it returns is (kind, ref, first_period, last_period, samples, mask): see
    docs/scale.md. The statement for duckdb or spark is byte for byte the one
    `slagen evaluate --samples … --engine duckdb|spark` runs; its SHA-256 is in the
    evaluation's inputs (sql_sha256) and printed above it here.

    \b
    Examples:
      slagen telemetry-sql policy.yaml --dialect spark
      slagen telemetry-sql policy.yaml --dialect bigquery --kpi api-errors --table mydataset.samples
    """
    from slagen import __version__
    from slagen.errors import UsageError
    from slagen.policy.load import load_policy
    from slagen.telemetry.sql import stage_one

    policy = load_policy(Path(policy_file))
    kpis = [k for k in policy.kpis if k.kind == "availability" and k.telemetry is not None]
    if not kpis:
        raise UsageError(f"{policy_file}: no availability KPI with a 'telemetry' rule")
    unknown = [i for i in kpi_ids if i not in {k.id for k in kpis}]
    if unknown:
        raise UsageError(f"--kpi {unknown[0]!r}: not a telemetry KPI of {policy_file} (it has: {', '.join(k.id for k in kpis)})")
    if not table or not all(part.replace("_", "").isalnum() and part.isascii() for part in table.split(".")):
        raise UsageError(f"--table {table!r}: write a table name of letters, digits and _ (optionally schema.table)")
    parts = []
    for kpi in kpis:
        if kpi_ids and kpi.id not in kpi_ids:
            continue
        query = stage_one(policy, kpi, table)
        rules = kpi.telemetry
        sql = query.sql(dialect)
        parts.append("\n".join([
            f"-- slagen {__version__}: telemetry stage one of KPI {kpi.id} ({rules.rule}, more than {rules.more_than}, periods of {query.period_seconds} s, missing: {rules.missing})",
            f"-- dialect {dialect}; parameters window_start, window_end (ISO 8601 with offset); components in scope: {', '.join(query.refs)}",
            f"-- sha256 of the statement: {query.sha256(dialect)}",
            sql + ";",
        ]))
    atomic_write(STDOUT if output is None else output, utf8("\n\n".join(parts) + "\n"))
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
