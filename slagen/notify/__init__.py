"""Notifications: send the escalation levels an evaluation reached to webhooks, DingTalk,
Slack and ServiceNow, once per change.

    config = load_notify("notify.yaml")              # schema-checked, secrets from the environment
    report = notify(evaluation, config, StateStore(state_dir()))
    report.failed                                     # deliveries that did not succeed (exit 5)

Each target kind is one module in `slagen/notify/targets/` (the registry). The engine knows
nothing of this package; it only reads the `Evaluation`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from slagen.engine.result import Evaluation
from slagen.notify.config import NotifyConfig, Target, check_kpis, load_notify
from slagen.net import DeliveryError, DryRunHttp, Http, json_bytes
from slagen.notify.notice import Notice, changes
from slagen.notify.state import StateStore, state_dir


@dataclass(frozen=True)
class Delivery:
    target: str
    kind: str
    kpi: str
    event: str
    level: int | None
    error: str | None = None  # None: delivered

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        if self.event == "due":
            what = f"{self.kpi} due"  # a claim's deadline is near
        else:
            what = f"{self.kpi} level {self.level} {self.event}" if self.level is not None else f"{self.kpi} resolved"
        return f"notify {self.target} ({self.kind}): {what}: " + ("sent" if self.ok else f"FAILED: {self.error}")


@dataclass(frozen=True)
class Report:
    deliveries: tuple[Delivery, ...]

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if not d.ok)


@dataclass
class Context:
    """What a target module sends with: its HTTP and the clock (DingTalk's signed timestamp)."""

    http: Http
    clock: Callable[[], float] = time.time

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    @staticmethod
    def json_bytes(data) -> bytes:
        return json_bytes(data)


def notify(evaluation: Evaluation, config: NotifyConfig, store: StateStore | None, *, dry_run: bool = False,
           echo: Callable[[str], None] = print, clock: Callable[[], float] = time.time,
           sleep: Callable[[float], None] = time.sleep) -> Report:
    """Send what changed since the last run to every target; record what was delivered.

    With `dry_run`, print each request instead (secrets masked) and record nothing; `store`
    may then be None (every level reached counts as new).
    """
    check_kpis(config, {k.id for k in evaluation.kpis})

    def send(target, ctx, out) -> None:
        sent = store.sent(evaluation.policy_id, evaluation.window_label, target.id) if store is not None else {}
        _send_all(evaluation, target, store, dry_run, ctx, sent, out)

    return _targets(config, store, dry_run, echo, clock, sleep, send)


def _send_all(evaluation, target, store, dry_run, ctx, sent, out) -> None:
    """Every notice one target needs, each recorded as soon as it is delivered."""
    policy, window = evaluation.policy_id, evaluation.window_label
    for notice in changes(evaluation, target, sent):
        level = notice.level.level if notice.level else None
        try:
            ref = target.module.deliver(ctx, target, notice, sent.get(notice.kpi, {}).get("ref"))
        except DeliveryError as exc:
            out.append(Delivery(target.id, target.kind, notice.kpi, notice.event, level, str(exc)))
            continue  # not recorded: the next run sends it again
        out.append(Delivery(target.id, target.kind, notice.kpi, notice.event, level))
        if store is None or dry_run:
            continue
        if notice.level is None:
            store.forget(policy, window, target.id, notice.kpi)
        else:
            entry = {"level": notice.level.level, "severity": notice.level.severity, "as_of": evaluation.as_of.isoformat()}
            if ref:
                entry["ref"] = ref
            store.record(policy, window, target.id, notice.kpi, entry)


def notify_claims(claims, as_of, config: NotifyConfig, store: StateStore | None, *, dry_run: bool = False,
                  echo: Callable[[str], None] = print, clock: Callable[[], float] = time.time,
                  sleep: Callable[[float], None] = time.sleep) -> Report:
    """Send each claim due (from the ledger) to every target, once per claim and deadline."""
    from slagen.notify.claims import due_notices

    def send(target, ctx, out) -> None:
        for claim in claims:
            sent = store.sent(claim.policy_id, claim.window, target.id) if store is not None and not dry_run else {}
            for notice in due_notices((claim,), as_of, sent):
                try:
                    target.module.deliver(ctx, target, notice, None)
                except DeliveryError as exc:
                    out.append(Delivery(target.id, target.kind, notice.kpi, "due", None, str(exc)))
                    continue
                out.append(Delivery(target.id, target.kind, notice.kpi, "due", None))
                if store is not None and not dry_run:
                    store.record(claim.policy_id, claim.window, target.id, notice.kpi,
                                 {"deadline": claim.deadline.isoformat() if claim.deadline else None, "as_of": as_of.isoformat()})

    return _targets(config, store, dry_run, echo, clock, sleep, send)


def _targets(config, store, dry_run, echo, clock, sleep, send) -> Report:
    """`send(target, ctx, deliveries)` for every target, under the store's lock."""
    def each() -> Report:
        out: list[Delivery] = []
        for target in config.targets:
            settings = {"timeout": target.timeout, "retries": target.retries, "backoff": target.backoff, "sleep": sleep,
                        "secrets": tuple(v for k, v in target.secrets.items() if k == "url_env")}
            http = DryRunHttp(echo, **settings) if dry_run else Http(**settings)
            with http:
                send(target, Context(http, clock), out)
        return Report(tuple(out))

    if store is None or dry_run:
        return each()
    with store.locked():
        try:
            return each()
        finally:
            store.save()


__all__ = ["Delivery", "DeliveryError", "NotifyConfig", "Notice", "Report", "StateStore", "Target", "load_notify", "notify", "notify_claims", "state_dir"]
