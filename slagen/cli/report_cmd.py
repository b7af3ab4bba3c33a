"""`slagen report`: the monthly service level report as PDF, Word or HTML."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from slagen.cli.ledger_opts import ledger_options
from slagen.cli.options import build_request, evaluation_options
from slagen.cli.outcomes import Outcome
from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write, check_output_path, safe_filename
from slagen.text import for_terminal

SUFFIX_FORMAT = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}


@click.command("report")
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@evaluation_options
@click.option("--history", type=click.IntRange(0, 60), default=0, show_default=True, help="Also evaluate this many earlier windows from the same incident files and show the trend (e.g. 11 for a 12-month view).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "html"]), default=None, help="Default: from the -o suffix, else pdf.")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True)
@click.option("--allow-fallback", is_flag=True, help="Where the policy has no text in --lang, show its English text, marked (without this, each such field is an error).")
@click.option("--templates", type=click.Path(file_okay=False), help="Your template directory (report/report.css, report/labels.<lang>.yaml; report/report.html.j2 extending report/base.html.j2 to replace blocks such as page_footer).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (written atomically). Default: <policy>-<period>.<format> in the current directory.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (there is none anyway when standard error is not a terminal).")
@ledger_options
def report_cmd(policy_file: str, history: int, fmt: str | None, lang: str, allow_fallback: bool, templates: str | None, output: str | None, quiet: bool, **params) -> Outcome:
    """Write the monthly service level report for one window: summary, charts, every
    incident with its counted and excluded minutes, response breaches, the credit
    calculation step by step, escalation actions due, data quality and a sign-off block.

    The PDF is PDF/A-3b with the evaluation JSON attached inside it. Exit status 0 whether
    or not KPIs were missed (the report says so); 1 bad input; 2 usage error.

    \b
    Examples:
      slagen report examples/dingtalk-enterprise.yaml \\
          --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10 -o report.pdf
      slagen report examples/dingtalk-enterprise.yaml --incidents incidents.csv \\
          --period 2026-10 --history 11 --lang zh-Hans -o 报告.docx
    """
    from slagen.policy.load import load_policy
    from slagen.report.render import render_report
    from slagen.runs import run

    if fmt is None:
        fmt = SUFFIX_FORMAT.get(Path(output).suffix.lower(), "pdf") if output else "pdf"
    if output and output != STDOUT:
        check_output_path(Path(output))  # refuse an unusable -o before the work, not after it
    policy = load_policy(policy_file)
    request = build_request(policy_file, policy.timezone, {**params, "history": history, "lang": lang, "templates": templates, "allow_fallback": allow_fallback})
    from slagen.cli.ledger_opts import open_ledger, record, with_ledger_priors

    ledger = open_ledger(params)
    request = with_ledger_priors(request, policy, ledger)
    if ledger is not None and history:  # the trend as recorded, "no data" where the ledger has none
        request = dataclasses.replace(request, history=0)
    if history and not quiet and sys.stderr.isatty():
        with click.progressbar(length=history + 1, label="windows", file=sys.stderr) as bar:
            result = run(request, progress=lambda label: bar.update(1))
    else:
        result = run(request)
    if ledger is not None and history:
        from slagen.ledger.trend import ledger_history

        result = dataclasses.replace(result, history=ledger_history(ledger, result.policy, result.window, history))
    if result.warnings:
        from slagen.render.messages import Messages

        for warning in result.warnings:
            click.echo(Messages(lang).text(warning), err=True)
    data = render_report(result, fmt, request.lang, request.templates)
    if output == STDOUT and fmt != "html":
        raise UsageError(f"--format {fmt} writes a binary file: name it with -o FILE")
    target = output if output else Path(f"{Path(policy_file).stem}-{safe_filename(result.window.label)}.{fmt}")
    atomic_write(target, data)
    if params.get("record"):
        record(ledger, result, (result.evaluation,), params, "report", lang)
    if output != STDOUT:
        click.echo(f"wrote {for_terminal(target)}", err=True)
    return Outcome.OK
