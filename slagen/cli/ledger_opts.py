"""The ledger options of evaluate, report and pack (--ledger, --record, --supersede), and
the two things they do: earlier windows' credits for a rolling cap, and recording.

The work is in `slagen.ledger`; this module only turns options into calls and outcomes
into catalogue sentences on standard error.
"""

from __future__ import annotations

import dataclasses

import click

from slagen.errors import UsageError


def ledger_options(func):
    options = [
        click.option("--ledger", "ledger", envvar="SLAGEN_LEDGER", metavar="PATH|URL",
                     help="The ledger: an SQLite file (made by the first --record) or postgresql://user@host/db. Default: $SLAGEN_LEDGER. "
                          "A rolling credit cap then reads earlier windows' credits from it."),
        click.option("--record", is_flag=True, help="Record the evaluation in the ledger: a complete window once, as final; a window not yet complete as provisional."),
        click.option("--supersede", metavar="REASON", help="With --record: replace a window already recorded as final with different figures; the reason and the old evaluation stay in the history."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def open_ledger(params: dict):
    """The ledger the options name, or None when none is given and none is needed."""
    if params.get("supersede") is not None and not params.get("record"):
        raise UsageError("--supersede goes with --record")
    location = params.get("ledger")
    if params.get("record") and not location:
        raise UsageError("--record needs a ledger: give --ledger PATH (or a postgresql:// URL) or set SLAGEN_LEDGER")
    if not location:
        return None
    from slagen.ledger import Ledger

    return Ledger.open(location, create=bool(params.get("record")))  # only recording makes a ledger


def with_ledger_priors(request, policy, ledger):
    """The request with its rolling-cap priors read from the ledger: the windows before the
    first window asked for, newest first. A --prior-credit flag for a window the ledger
    holds must state the same fee and credit (else it is an error); one for a window the
    ledger lacks fills that gap."""
    rolling = policy.credits.rolling_cap if policy.credits else None
    if ledger is None or rolling is None or rolling.windows < 2:
        return request
    from slagen.engine.credits import PriorWindow
    from slagen.engine.windows import previous_windows
    from slagen.runs import choose_windows

    first = choose_windows(policy, request)[0]
    labels = [w.label for w in previous_windows(policy, first, rolling.windows - 1)]
    held = {p.label: p for p in ledger.prior_windows(policy.agreement.id, labels)}
    flags = {p.label: p for p in request.prior}
    for label, flag in flags.items():
        if label not in labels:
            raise UsageError(f"--prior-credit {label}: not one of the {rolling.windows - 1} windows before {first.label} that the rolling cap counts")
        mine = held.get(label)
        if mine is not None and (mine.fee != flag.fee or mine.credit != flag.credit):
            raise UsageError(f"--prior-credit {label}={flag.fee}:{flag.credit} conflicts with the ledger, which holds {label}={mine.fee}:{mine.credit}; drop the flag or correct the ledger")
    prior = tuple(held.get(label) or flags[label] for label in labels if label in held or label in flags)
    return dataclasses.replace(request, prior=tuple(PriorWindow(p.label, p.fee, p.credit) for p in prior))


def policy_identity(result):
    from slagen.ledger import PolicyIdentity

    source = next(f for f in result.inputs if f.role == "policy")
    return PolicyIdentity(result.policy.agreement.id, result.policy.agreement.version, source.sha256)


def record(ledger, result, evaluations, params: dict, command: str, lang: str, manifest: str | None = None) -> list:
    """Record each evaluation; say what happened on standard error, in the reader's language."""
    from slagen.render.messages import Messages
    from slagen.render.numbers import fmt_money

    m = Messages(lang)
    identity = policy_identity(result)
    outcomes = []
    for ev in evaluations:
        outcome = ledger.record(ev, identity, command=command, supersede=params.get("supersede"), pack_manifest_sha256=manifest)
        outcomes.append(outcome)
        click.echo(m.say(f"ledger.{outcome.action}", policy=identity.id, window=outcome.window, status=m.word(f"ledger.status.{outcome.status}"),
                         reason=params.get("supersede") or ""), err=True)
        if outcome.claim_id is not None and outcome.action != "unchanged" and ev.credits is not None:
            deadline = ev.credits.claim_deadline.isoformat() if ev.credits.claim_deadline else "—"
            click.echo(m.say("ledger.claim", id=outcome.claim_id, amount=fmt_money(ev.credits.amount, ev.credits.currency), deadline=deadline), err=True)
    return outcomes
