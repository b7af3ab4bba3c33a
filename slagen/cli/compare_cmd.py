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
@click.option("--fee", help="Price every vendor at this monthly fee (in --currency), so credits compare like for like. Default: each policy's own fee.")
@click.option("--currency", help="Show every amount in this currency (e.g. USD); policies in other currencies need --fx.")
@click.option("--fx", "fx_file", metavar="FILE", help="Exchange rates: YAML with date, source and rates {HKD: \"0.1282\", ...} (one unit in --currency).")
@click.option("--loss-per-minute", nargs=2, metavar="AMOUNT CUR", help="The buyer's loss per minute of real outage, e.g. 500 USD: the same for every vendor. Default: the scenario's.")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True, help="Language of the comparison (every word from templates/messages/<lang>.yaml).")
@click.option("--history", "history_file", metavar="FILE", help="Replay a real incident history (a history file: incident file + component roles) through every vendor's terms.")
@click.option("--from", "history_from", metavar="YYYY-MM", help="First month of --history.")
@click.option("--to", "history_to", metavar="YYYY-MM", help="Last month of --history.")
@click.option("--weights", "weights_file", metavar="FILE", help="Your weights per row (YAML weights: {row key: weight}): adds a weighted-score row. Without it no score is made.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the -o suffix, else table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--templates", type=click.Path(file_okay=False), help="Your template directory (compare/compare.css; compare/compare.html.j2 extending compare/base.html.j2 to replace blocks such as page_footer).")
@click.option("--no-curve", is_flag=True, help="Leave out the credit curve.")
def compare_cmd(policy_files, scenario_files, fee, currency, fx_file, loss_per_minute, lang, history_file, history_from, history_to, weights_file, fmt, output, templates, no_curve) -> None:
    """Compare vendor SLA terms side by side and under the same bad month.

    Terms: objectives and what they cover, window, allowed downtime, downtime definition,
    response times, each exclusion (excluded / covered / not stated), maintenance, fee
    basis, credit form, schedule per KPI, caps, claim deadline, sole remedy. "Not stated" is
    shown as such; figures a policy marks verified: false carry a † and its note.
    Scenarios: each policy is evaluated on the same hypothetical window by the same engine
    (a quarterly vendor over the quarter containing the month): availability as that vendor
    counts it, every reason, credit in money (days of service at the daily fee), the
    buyer's downtime cost and exposure. Amounts are converted with --fx rates; without
    rates, amounts in different currencies are not marked. No ranking is made unless you
    give --weights.

    \b
    Examples:
      slagen compare policies/*.yaml examples/dingtalk-enterprise.yaml
      slagen compare policies/ examples/dingtalk-enterprise.yaml --currency USD --fx examples/fx/usd-2026-11.yaml -o comparison.pdf
      slagen compare policies/ --fee 10000 --currency USD --fx rates.yaml --loss-per-minute 500 USD
      slagen compare policies/ --history github.history.yaml --from 2021-01 --to 2023-12
      slagen compare policies/ --weights weights.yaml --lang zh-Hans -o c.docx
    """
    from slagen.cli.main import _expand
    from slagen.compare.build import Loss, compare, real_data_incidents
    from slagen.compare.fx import is_currency, load_rates
    from slagen.compare.render import render
    from slagen.compare.scenarios import builtin_scenarios, load_scenario
    from slagen.policy.load import load_policy

    if fmt is None:
        fmt = SUFFIX_FORMAT.get(Path(output).suffix.lower(), "table") if output else "table"
    if fmt in ("pdf", "docx") and (not output or output == STDOUT):
        raise UsageError(f"--format {fmt} writes a binary file: name it with -o FILE")
    if currency is not None:
        currency = currency.upper()
        if not is_currency(currency):
            raise UsageError(f"--currency {currency[:20]!r}: write a three-letter currency code, e.g. USD")
    if fx_file and not currency:
        raise UsageError("--fx FILE goes with --currency: the currency the rates convert into")
    if (history_from or history_to) and not history_file:
        raise UsageError("--from and --to go with --history FILE")
    if history_file and not (history_from and history_to):
        raise UsageError("--history FILE needs --from YYYY-MM and --to YYYY-MM")
    loss = None
    if loss_per_minute:
        amount, cur = loss_per_minute
        if not is_currency(cur.upper()):
            raise UsageError(f"--loss-per-minute {amount} {cur[:20]}: the second value is a currency code, e.g. 500 USD")
        loss = Loss(_amount(amount, "--loss-per-minute"), cur.upper(), "--loss-per-minute")
    rates = load_rates(Path(fx_file), currency) if fx_file else None
    policies = [load_policy(p) for p in _expand(policy_files)]
    if not policies:
        raise UsageError("no policies to compare")
    scenarios = []
    for item in scenario_files or ("builtin",):
        scenarios.extend(builtin_scenarios() if item == "builtin" else [load_scenario(Path(item))])
    history = None
    if history_file:
        from slagen.compare.history import load_history

        history = load_history(Path(history_file), history_from, history_to)
    weights = None
    if weights_file:
        from slagen.compare.weights import load_weights

        weights = load_weights(Path(weights_file))
    real = {s.id: real_data_incidents(s) for s in scenarios if s.incidents_file is not None}
    comparison = compare(policies, scenarios, _amount(fee, "--fee"), currency, loss,
                         curves=not no_curve and fmt not in ("table", "csv", "md"), real_incidents=real, rates=rates, lang=lang,
                         history=history, weights=weights)
    data = render(comparison, fmt, Path(templates) if templates else None)
    atomic_write(STDOUT if output is None else output, data)
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
