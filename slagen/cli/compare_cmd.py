"""`slagen compare`: vendor SLA terms side by side, and what each pays in the same bad month."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write
from slagen.text import for_terminal

FORMATS = ["table", "md", "html", "pdf", "docx", "csv", "json"]
SUFFIX_FORMAT = {".md": "md", ".html": "html", ".pdf": "pdf", ".docx": "docx", ".csv": "csv", ".json": "json", ".txt": "table"}


def _amount(text: str | None, option: str) -> Decimal | None:
    from slagen.cli.options import amount

    return None if text is None else amount(text, option)


@click.command("compare")
@click.argument("policy_files", nargs=-1, required=True, metavar="POLICY...")
@click.option("--scenario", "scenario_files", multiple=True, metavar="FILE", help="Scenario file (repeatable); 'builtin' adds the built-in set. Default: the built-in set.")
@click.option("--fee", help="Price every vendor at this monthly fee, so credits compare like for like. Default: each policy's own fee.")
@click.option("--currency", help="Currency code for --fee (default: each policy's own).")
@click.option("--loss-per-minute", help="Business loss per minute of outage, for downtime cost and uncovered exposure. Default: the scenario's, else each policy's business_impact.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the -o suffix, else table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--templates", type=click.Path(file_okay=False), help="Your template directory (compare/compare.html.j2, compare/compare.css).")
@click.option("--no-curve", is_flag=True, help="Leave out the credit curve.")
def compare_cmd(policy_files, scenario_files, fee, currency, loss_per_minute, fmt, output, templates, no_curve) -> None:
    """Compare vendor SLA terms side by side and under the same bad month.

    Terms: objectives and what they cover, window, allowed downtime, downtime definition,
    response times, each exclusion (excluded / covered / not stated), maintenance, credit
    form, tiers, caps, claim deadline, sole remedy. "Not stated" is shown as such.
    Scenarios: each policy is evaluated on the same hypothetical window by the same engine:
    availability as that vendor counts it, the reason, credit and uncovered exposure.
    No ranking is made; the best and worst value of each row are marked.

    \b
    Examples:
      slagen compare policies/*.yaml examples/dingtalk-enterprise.yaml
      slagen compare policies/ --fee 10000 --currency USD -o comparison.pdf
      slagen compare policies/slack.yaml policies/microsoft-teams.yaml --scenario my-outage.yaml --format csv -o c.csv
    """
    from slagen.cli.main import _expand
    from slagen.compare.build import compare, real_data_incidents
    from slagen.compare.render import render
    from slagen.compare.scenarios import builtin_scenarios, load_scenario
    from slagen.policy.load import load_policy

    if fmt is None:
        fmt = SUFFIX_FORMAT.get(Path(output).suffix.lower(), "table") if output else "table"
    if fmt in ("pdf", "docx") and (not output or output == STDOUT):
        raise UsageError(f"--format {fmt} writes a binary file: name it with -o FILE")
    if currency and not fee:
        raise UsageError("--currency goes with --fee")
    policies = [load_policy(p) for p in _expand(policy_files)]
    if not policies:
        raise UsageError("no policies to compare")
    scenarios = []
    for item in scenario_files or ("builtin",):
        scenarios.extend(builtin_scenarios() if item == "builtin" else [load_scenario(Path(item))])
    real = {s.id: real_data_incidents(s) for s in scenarios if s.incidents_file is not None}
    comparison = compare(policies, scenarios, _amount(fee, "--fee"), currency.upper() if currency else None,
                         _amount(loss_per_minute, "--loss-per-minute"), curves=not no_curve and fmt not in ("table", "csv", "md"), real_incidents=real)
    data = render(comparison, fmt, Path(templates) if templates else None)
    atomic_write(STDOUT if output is None else output, data)
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
