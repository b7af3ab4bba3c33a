"""`slagen evaluate`: read a policy and incident files, evaluate one window, print or write."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from slagen.cli.options import build_request, evaluation_options
from slagen.files import STDOUT, atomic_write
from slagen.text import for_terminal, utf8


@click.command("evaluate")
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@evaluation_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
def evaluate_cmd(policy_file: str, fmt: str, output: str | None, **params) -> None:
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
    from slagen.policy.load import load_policy
    from slagen.runs import run

    policy = load_policy(policy_file)
    evaluation = run(build_request(policy_file, policy.timezone, params)).evaluation
    if fmt == "json":
        text = json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        from slagen.cli.table import evaluation_table

        text = evaluation_table(evaluation)
    atomic_write(STDOUT if output is None else output, utf8(text))
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
    sys.exit(0 if evaluation.all_met else 3)
