"""`slagen claims`: the credits owed by vendors, their deadlines, and what became of them."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import click

from slagen.cli.outcomes import Outcome
from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write
from slagen.text import for_terminal, utf8


def _ledger_option(func):
    return click.option("--ledger", "ledger", envvar="SLAGEN_LEDGER", metavar="PATH|URL",
                        help="The ledger (SQLite file or postgresql:// URL). Default: $SLAGEN_LEDGER.")(func)


def _lang_option(func):
    return click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True)(func)


def _open(location: str | None):
    from slagen.ledger import Ledger

    if not location:
        raise UsageError("no ledger: give --ledger PATH (or a postgresql:// URL) or set SLAGEN_LEDGER")
    return Ledger.open(location, create=False)  # listing or updating claims never makes a ledger


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: write a date, e.g. 2026-11-20") from None
    if not 1970 <= value.year <= 2999:
        raise UsageError(f"{option} {text!r}: outside the years 1970-2999 slagen evaluates")
    return value


def _as_of(text: str | None) -> datetime | date:
    """--as-of: a date (used as the day in every zone) or an instant with an offset; default now."""
    from slagen.cli.options import FIRST_YEAR, LAST_YEAR

    if text is None:
        return datetime.now(timezone.utc)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        value = _day(text, "--as-of")
    else:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(f"--as-of {text!r}: write a date (2026-11-20) or a date-time with an offset (2026-11-20T09:00+08:00)") from None
        if value.tzinfo is None:
            raise UsageError(f"--as-of {text!r}: give the UTC offset (e.g. +08:00), or a plain date")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UsageError(f"--as-of {text!r}: outside the years {FIRST_YEAR}-{LAST_YEAR} slagen evaluates")
    return value


def _within(text: str | None) -> int | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d{1,4})d?", text.strip())
    if not match:
        raise UsageError(f"--due-within {text!r}: write a number of days, e.g. 14d")
    return int(match.group(1))


def claims_table(claims, m) -> str:
    from slagen.cli.table import _pad
    from slagen.render.numbers import fmt_money

    if not claims:
        return m.word("claims.none") + "\n"
    head = m.word("claims.head").split("|")
    rows = [[str(c.id), c.policy_id, c.window, fmt_money(c.amount, c.currency) + (f" + {c.days}d" if c.days else ""),
             c.deadline.isoformat() if c.deadline else "—", "—" if c.days_left is None else str(c.days_left),
             m.word(f"claim_status.{c.status}"), c.reference or ""] for c in claims]
    from slagen.cli.table import _width

    widths = [max(_width(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(_pad(cell, w, right=i in (3, 5)) for i, (cell, w) in enumerate(zip(r, widths))).rstrip() for r in [head] + rows]
    lost: dict[str, list] = {}
    for c in claims:
        if c.status == "expired":
            lost.setdefault(c.currency, []).append(c.amount)
    for currency, amounts in sorted(lost.items()):
        lines.append(m.say("claims.lost", amount=fmt_money(sum(amounts), currency), count=len(amounts)))
    return "\n".join(lines) + "\n"


def claims_json(claims, within: int | None) -> str:
    from decimal import Decimal

    lost: dict[str, Decimal] = {}
    for c in claims:
        if c.status == "expired":
            lost[c.currency] = lost.get(c.currency, Decimal(0)) + c.amount
    doc = {"claims": [c.as_dict() for c in claims], "expired_lost": {k: format(v, "f") for k, v in sorted(lost.items())}}
    if within is not None:
        doc["due_within_days"] = within
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@click.group("claims", invoke_without_command=True)
@_ledger_option
@click.option("--due-within", "due_within", metavar="DAYS", help="Only owed claims whose deadline is within this many days (e.g. 14d); exit status 3 when there are any (a reminder cron).")
@click.option("--policy", "policy_ids", multiple=True, metavar="ID", help="Only this agreement id. Repeatable.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["owed", "filed", "credited", "rejected", "expired", "cancelled"]), help="Only claims in this state. Repeatable.")
@click.option("--as-of", "as_of", help="Count days left from this date (or date-time with offset). Default: today.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_lang_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
@click.option("--notify", "notify_file", type=click.Path(dir_okay=False), metavar="NOTIFY.yaml",
              help="With --due-within: send each claim due to the targets in this file (as evaluate --notify), once per claim and deadline; exit 5 when a delivery fails.")
@click.option("--dry-run", is_flag=True, help="With --notify: print what would be sent; send nothing, record nothing.")
@click.pass_context
def claims_cmd(ctx, ledger, due_within, policy_ids, statuses, as_of, fmt, lang, output, notify_file, dry_run) -> None:
    """List the claims for service credits in the ledger: amount owed, deadline, days left,
    and whether each is owed, filed, credited, rejected or expired (an owed claim past its
    deadline is expired: money lost, totalled at the end).

    Recording a final evaluation that owes a credit (`--record`) opens its claim.

    \b
    Examples:
      slagen claims --ledger ledger.sqlite
      slagen claims --due-within 14d          # exit 3 when a deadline is near (cron)
      slagen claims --due-within 14d --notify notify.yaml   # and tell the team's chat / ServiceNow
      slagen claims file 3 --ref CASE-8812 --on 2026-11-20
      slagen claims credit 3 --amount 16600 --on 2026-12-15
      slagen claims reject 4 --reason "vendor says the outage was maintenance"
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"ledger": ledger}
        return
    from slagen.render.messages import Messages

    within = _within(due_within)
    if notify_file and within is None:
        raise UsageError("--notify goes with --due-within (it sends the claims whose deadline is near)")
    if dry_run and not notify_file:
        raise UsageError("--dry-run goes with --notify FILE")
    notify_config = None
    if notify_file:
        from slagen.notify import load_notify

        notify_config = load_notify(notify_file)  # a bad file or a missing secret stops here, before anything is written
    when = _as_of(as_of)
    with _open(ledger) as book:
        claims = book.claims(when)
    claims = [c for c in claims if (not policy_ids or c.policy_id in policy_ids) and (not statuses or c.status in statuses)]
    if within is not None:
        claims = [c for c in claims if c.status == "owed" and c.days_left is not None and 0 <= c.days_left <= within]
    text = claims_json(claims, within) if fmt == "json" else claims_table(claims, Messages(lang))
    if fmt != "json" and within is not None and claims:
        text += Messages(lang).say("claims.due", days=within, count=len(claims)) + "\n"
    atomic_write(STDOUT if output is None else output, utf8(text if fmt == "json" else for_terminal(text, keep_newlines=True)))
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
    if notify_config is not None and claims:  # after the output is written: a failed delivery never costs the listing
        from slagen.notify import StateStore, notify_claims, state_dir

        echo = lambda line: click.echo(for_terminal(line), err=True)  # noqa: E731
        report = notify_claims(claims, when, notify_config, None if dry_run else StateStore(state_dir()), dry_run=dry_run, echo=echo)
        for delivery in report.deliveries:
            echo(delivery.line())
        if report.failed:
            return Outcome.DELIVERY
    return Outcome.DUE if within is not None and claims else Outcome.OK


def _changed(claim, lang: str) -> None:
    from slagen.render.messages import Messages

    m = Messages(lang)
    click.echo(for_terminal(m.say("claims.changed", id=claim.id, policy=claim.policy_id, window=claim.window, status=m.word(f"claim_status.{claim.status}"))))


def _location(ctx, ledger):
    return ledger or (ctx.obj or {}).get("ledger")


@claims_cmd.command("file")
@click.argument("claim_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--ref", "reference", required=True, help="The vendor's ticket or case number.")
@click.option("--on", "on", help="The day it was filed (default: today in the policy's zone).")
@_ledger_option
@_lang_option
@click.pass_context
def file_cmd(ctx, claim_id, reference, on, ledger, lang) -> None:
    """Mark a claim as filed with the vendor, with their reference."""
    with _open(_location(ctx, ledger)) as book:
        _changed(book.file_claim(claim_id, reference, _day(on, "--on")), lang)


@claims_cmd.command("credit")
@click.argument("claim_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--amount", required=True, help="What the vendor credited, in the claim's currency.")
@click.option("--on", "on", help="The day of the credit (default: today in the policy's zone).")
@_ledger_option
@_lang_option
@click.pass_context
def credit_cmd(ctx, claim_id, amount, on, ledger, lang) -> None:
    """Mark a claim as credited by the vendor (the amount may differ from what was owed)."""
    from slagen.cli.options import amount as parse_amount

    value = parse_amount(amount, "--amount")
    with _open(_location(ctx, ledger)) as book:
        _changed(book.credit_claim(claim_id, value, _day(on, "--on")), lang)


@claims_cmd.command("reject")
@click.argument("claim_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--reason", required=True, help="Why the vendor rejected it.")
@click.option("--on", "on", help="The day of the rejection (default: today in the policy's zone).")
@_ledger_option
@_lang_option
@click.pass_context
def reject_cmd(ctx, claim_id, reason, on, ledger, lang) -> None:
    """Mark a claim as rejected by the vendor, with their reason."""
    with _open(_location(ctx, ledger)) as book:
        _changed(book.reject_claim(claim_id, reason, _day(on, "--on")), lang)
