"""`slagen roi`: the year per vendor and in total, every figure citing its windows."""

from __future__ import annotations

import json
import sys
from decimal import Decimal

import click

from slagen.files import STDOUT, atomic_write
from slagen.text import for_terminal, utf8


def _value(figure, m) -> str:
    from slagen.render.numbers import fmt_money, shown_percent

    value = figure.value
    if value is None:
        return "—"
    if figure.unit == "windows":
        return ", ".join(value) if value else "—"
    if figure.unit == "money":
        return fmt_money(value, figure.currency or "")
    if figure.unit == "percent":
        return shown_percent(value, 2) + "%"
    if figure.unit == "minutes":
        return f"{Decimal(value).quantize(Decimal('0.01')):,}"
    return str(value)


def _cited(figure) -> str:
    if figure.unit == "windows" or not figure.windows:
        return ""
    return ", ".join(figure.windows)


def roi_table(roi, m) -> str:
    from slagen.cli.table import _pad, _width

    lines = [m.say("roi.title", year=roi.year, as_of=roi.as_of.isoformat() if hasattr(roi.as_of, "isoformat") else roi.as_of)]
    if not roi.vendors:
        return "\n".join(lines + [m.say("roi.none", year=roi.year)]) + "\n"
    head = m.word("roi.head").split("|")

    def block(title: str, figures) -> list[str]:
        rows = [[m.word(f"roi.figure.{f.id}"), _value(f, m), _cited(f)] for f in figures]
        widths = [max(_width(r[i]) for r in rows + [head]) for i in range(2)]
        out = ["", title]
        for r in [head] + rows:
            out.append("  ".join([_pad(r[0], widths[0]), _pad(r[1], widths[1], right=True), r[2]]).rstrip())
        return out

    for v in roi.vendors:
        lines += block(m.say("roi.vendor", title=v.title, provider=v.provider, policy=v.policy_id, currency=v.currency), v.figures)
    if len(roi.vendors) > 1:
        lines += block(m.word("roi.total"), roi.totals)
    return "\n".join(lines) + "\n"


@click.command("roi")
@click.option("--year", type=click.IntRange(1970, 2999), required=True, help="The year: windows whose first local day falls in it.")
@click.option("--policy", "policy_ids", multiple=True, metavar="ID", help="Only this agreement id (the policy's agreement.id). Repeatable.")
@click.option("--ledger", "ledger", envvar="SLAGEN_LEDGER", metavar="PATH|URL", help="The ledger (SQLite file or postgresql:// URL). Default: $SLAGEN_LEDGER.")
@click.option("--as-of", "as_of", help="Claims' state (expired or not) on this date or date-time with offset. Default: now.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
def roi_cmd(year, policy_ids, ledger, as_of, fmt, lang, output) -> None:
    """The annual view from the ledger, per vendor and in total: incidents and downtime
    (frequency and duration), downtime cost, fees, credits owed / claimed / received /
    rejected / expired, credits as a share of fees, uncovered exposure, windows breached.
    Every figure lists the windows it came from (JSON: each window's contribution).

    \b
    Examples:
      slagen roi --year 2026 --ledger ledger.sqlite
      slagen roi --year 2026 --policy dingtalk-enterprise-2026 --format json -o roi-2026.json
    """
    from datetime import datetime, time, timezone

    from slagen.cli.claims_cmd import _as_of, _open
    from slagen.ledger import annual_view
    from slagen.render.messages import Messages

    when = _as_of(as_of)
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(12), timezone.utc)  # a date: its middle, so every zone's date is the day given (±12 h)
    with _open(ledger) as book:
        roi = annual_view(book, year, tuple(policy_ids), when)
    text = json.dumps(roi.as_dict(), indent=2, ensure_ascii=False) + "\n" if fmt == "json" else for_terminal(roi_table(roi, Messages(lang)), keep_newlines=True)
    atomic_write(STDOUT if output is None else output, utf8(text))
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
    sys.exit(0)
