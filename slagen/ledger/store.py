"""The ledger: evaluations recorded once per window, claims with their deadlines, the
earlier windows a rolling credit cap needs, and the year's figures.

Facts only: amounts are `Decimal`, instants aware UTC, dates local to the policy's zone;
no sentence is written here (the CLI's renderers word the outcomes from the catalogues).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from slagen.engine.credits import PriorWindow
from slagen.engine.result import Evaluation
from slagen.errors import SlagenError, UsageError
from slagen.ledger import schema as t
from slagen.ledger.connect import LedgerError, db_reason, default_location, describe_location, open_engine

ZERO = Decimal(0)


@dataclass(frozen=True)
class PolicyIdentity:
    """Which policy an evaluation applied: its agreement id and version, and the SHA-256
    of the exact file bytes."""

    id: str
    version: str | None
    sha256: str


@dataclass(frozen=True)
class Recorded:
    """What `record` did: recorded | unchanged | replaced (a provisional by a newer run)
    | superseded (a final, with a reason); the row id, and the claim id if one was made."""

    action: str
    window: str
    status: str  # final | provisional
    evaluation_id: int
    claim_id: int | None = None


@dataclass(frozen=True)
class Claim:
    id: int
    policy_id: str
    window: str
    currency: str
    amount: Decimal
    days: int
    deadline: date | None
    status: str  # owed | filed | credited | rejected | cancelled | expired
    days_left: int | None  # deadline - today (local to the policy's zone); negative once passed
    reference: str | None = None
    filed_on: date | None = None
    credited_amount: Decimal | None = None
    credited_on: date | None = None
    rejected_reason: str | None = None
    rejected_on: date | None = None

    def as_dict(self) -> dict:
        from slagen.engine.result import plain

        return {k: plain(v) for k, v in self.__dict__.items()}


def figures_sha256(evaluation: Evaluation) -> str:
    """What makes two evaluations of a window the same: every figure and trace line, not the
    instant it was made at, where the files were read from (an audit pack evaluates its own
    copies under inputs/; a trace line's file and line number), or the input files' hashes
    (a growing incident file gives the same October)."""
    data = evaluation.to_dict()
    for key in ("as_of", "inputs", "skipped"):
        data.pop(key, None)
    data["policy"].pop("file", None)
    for line in data.get("incidents", ()):
        line.pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def _downtime(evaluation: Evaluation) -> Decimal:
    """The window's downtime: the business-impact union when the policy has one, else the
    largest availability KPI's downtime (overlapping KPIs are never summed)."""
    if evaluation.impact is not None:
        return evaluation.impact.downtime_minutes
    return max((k.downtime_minutes for k in evaluation.kpis if k.kind == "availability"), default=ZERO)


def _counted_incidents(evaluation: Evaluation) -> int:
    return len({line.incident for line in evaluation.trace if line.status == "counted" and line.incident})


class Ledger:
    """A ledger in SQLite or PostgreSQL. `Ledger.open(location)` makes or upgrades it;
    `Ledger.open(location, create=False)` opens only one that exists (for reading)."""

    def __init__(self, engine: sa.Engine, location: str, clock: Callable[[], datetime] | None = None):
        self.engine = engine
        self.location = location
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    @classmethod
    def open(cls, location: str | None = None, clock: Callable[[], datetime] | None = None, create: bool = True) -> "Ledger":
        location = location or default_location()
        if not location:
            raise UsageError("no ledger: give --ledger PATH (or a postgresql:// URL) or set SLAGEN_LEDGER")
        return cls(open_engine(str(location), create), str(location), clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # one transaction, database errors as one line ------------------------------------
    def _transaction(self, work, retries: int = 3):
        for attempt in range(retries):
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except IntegrityError:
                if attempt == retries - 1:
                    raise LedgerError(f"ledger {describe_location(self.location)}: another run kept changing this window; try again") from None
                continue  # another process wrote the same window first: read again and decide again
            except SlagenError:
                raise
            except (DBAPIError, SQLAlchemyError) as exc:
                raise LedgerError(f"ledger {describe_location(self.location)}: {db_reason(exc)}") from None

    # recording ------------------------------------------------------------------------
    def record(self, evaluation: Evaluation, policy: PolicyIdentity, *, command: str = "evaluate", supersede: str | None = None,
               pack_manifest_sha256: str | None = None) -> Recorded:
        """Record one evaluation. A complete window is final: recorded once, recorded again
        unchanged (a no-op), or replaced only with `supersede` (a reason, kept with the old
        row in history). A window not yet complete is provisional and each newer
        provisional replaces it, as the final does."""
        if supersede is not None and not supersede.strip():
            raise UsageError("--supersede needs a reason, e.g. --supersede 'vendor corrected INC-104 times'")
        status = "final" if evaluation.complete else "provisional"
        fingerprint = figures_sha256(evaluation)
        now = self.clock()

        def work(connection: sa.Connection) -> Recorded:
            current = connection.execute(sa.select(t.evaluations).where(
                t.evaluations.c.policy_id == policy.id, t.evaluations.c.window_label == evaluation.window_label,
                t.evaluations.c.slot == "current")).mappings().first()
            label = evaluation.window_label
            if current is not None:
                same = current["figures_sha256"] == fingerprint and current["policy_sha256"] == policy.sha256
                if current["status"] == "final":
                    if status == "provisional":
                        raise LedgerError(f"{policy.id} {label}: already recorded as final; a provisional evaluation (as of {evaluation.as_of.isoformat()}) is not recorded over it")
                    if same:
                        self._pack(connection, current["id"], pack_manifest_sha256, now)
                        claim = connection.execute(sa.select(t.claims.c.id).where(t.claims.c.evaluation_id == current["id"])).scalar()
                        return Recorded("unchanged", label, status, current["id"], claim)
                    if supersede is None:
                        raise LedgerError(
                            f"{policy.id} {label}: already recorded as final (recorded {current['recorded_at'].isoformat()}, policy SHA-256 "
                            f"{current['policy_sha256'][:12]}…) with different figures; give --supersede REASON to replace it (the old one is kept in history)")
                elif same and current["as_of"] == evaluation.as_of and supersede is None:
                    self._pack(connection, current["id"], pack_manifest_sha256, now)
                    return Recorded("unchanged", label, status, current["id"])
                connection.execute(t.evaluations.update().where(t.evaluations.c.id == current["id"]).values(
                    slot=None, fate="superseded" if current["status"] == "final" else "replaced"))
            row_id = connection.execute(t.evaluations.insert().values(
                **self._row(evaluation, policy, status, fingerprint, now, command),
                supersedes_id=current["id"] if current is not None else None,
                supersede_reason=supersede if current is not None and current["status"] == "final" else None,
            )).inserted_primary_key[0]
            self._pack(connection, row_id, pack_manifest_sha256, now)
            claim = self._claim_for(connection, evaluation, policy, row_id, now, supersede) if status == "final" else None
            action = "recorded" if current is None else ("superseded" if current["status"] == "final" else "replaced")
            return Recorded(action, label, status, row_id, claim)

        return self._transaction(work)

    @staticmethod
    def _row(ev: Evaluation, policy: PolicyIdentity, status: str, fingerprint: str, now: datetime, command: str) -> dict:
        credits, impact = ev.credits, ev.impact
        zone = ZoneInfo(ev.timezone)
        return dict(
            policy_id=policy.id, policy_version=policy.version, policy_sha256=policy.sha256, policy_title=ev.policy_title, provider=ev.provider,
            window_label=ev.window_label, window_start=ev.window_start, window_end=ev.window_end,
            window_first_day=ev.window_start.astimezone(zone).date(), timezone=ev.timezone,
            status=status, slot="current", as_of=ev.as_of, recorded_at=now, figures_sha256=fingerprint,
            currency=credits.currency if credits else (impact.currency if impact else ""),
            fee=credits.fee if credits else None,
            credit_amount=credits.amount if credits else ZERO, credit_days=credits.days if credits else 0,
            claim_deadline=credits.claim_deadline if credits else None,
            all_met=ev.all_met, missed_kpis=",".join(k.id for k in ev.kpis if k.status in ("missed", "insufficient_data")),
            incidents_counted=_counted_incidents(ev), downtime_minutes=_downtime(ev),
            downtime_cost=impact.downtime_cost if impact else None, uncovered_exposure=impact.uncovered_exposure if impact else None,
            command=command, evaluation_json=json.dumps(ev.to_dict(), sort_keys=True, ensure_ascii=False),
        )

    @staticmethod
    def _pack(connection: sa.Connection, evaluation_id: int, manifest: str | None, now: datetime) -> None:
        if manifest is None:
            return
        known = connection.execute(sa.select(t.packs.c.id).where(t.packs.c.evaluation_id == evaluation_id, t.packs.c.manifest_sha256 == manifest)).first()
        if known is None:
            connection.execute(t.packs.insert().values(evaluation_id=evaluation_id, manifest_sha256=manifest, recorded_at=now))

    def _claim_for(self, connection, ev: Evaluation, policy: PolicyIdentity, row_id: int, now: datetime, supersede: str | None) -> int | None:
        credits = ev.credits
        amount, days = (credits.amount, credits.days) if credits else (ZERO, 0)
        existing = connection.execute(sa.select(t.claims).where(t.claims.c.policy_id == policy.id, t.claims.c.window_label == ev.window_label)).mappings().first()
        if existing is None:
            if amount <= 0 and days <= 0:
                return None
            claim_id = connection.execute(t.claims.insert().values(
                policy_id=policy.id, window_label=ev.window_label, evaluation_id=row_id, timezone=ev.timezone, currency=credits.currency,
                amount_owed=amount, days_owed=days, deadline=credits.claim_deadline, status="owed")).inserted_primary_key[0]
            self._event(connection, claim_id, now, "opened", f"amount={amount} days={days} deadline={credits.claim_deadline}")
            return claim_id
        values = dict(evaluation_id=row_id, amount_owed=amount, days_owed=days, deadline=credits.claim_deadline if credits else existing["deadline"])
        if amount <= 0 and days <= 0 and existing["status"] == "owed":
            values["status"] = "cancelled"
        elif existing["status"] == "cancelled" and (amount > 0 or days > 0):
            values["status"] = "owed"
        connection.execute(t.claims.update().where(t.claims.c.id == existing["id"]).values(**values))
        self._event(connection, existing["id"], now, "amended", f"superseded ({supersede}): amount {existing['amount_owed']} -> {amount}, days {existing['days_owed']} -> {days}")
        return existing["id"]

    @staticmethod
    def _event(connection, claim_id: int, at: datetime, action: str, detail: str) -> None:
        connection.execute(t.claim_events.insert().values(claim_id=claim_id, at=at, action=action, detail=detail))

    # reading --------------------------------------------------------------------------
    def current(self, policy_id: str | None = None) -> list[dict]:
        """The row that stands for each window (oldest window first)."""
        query = sa.select(t.evaluations).where(t.evaluations.c.slot == "current")
        if policy_id is not None:
            query = query.where(t.evaluations.c.policy_id == policy_id)
        query = query.order_by(t.evaluations.c.policy_id, t.evaluations.c.window_start)
        return self._transaction(lambda c: [dict(r) for r in c.execute(query).mappings()])

    def history(self, policy_id: str, window_label: str) -> list[dict]:
        """Every evaluation recorded for a window, oldest first (superseded and replaced ones too)."""
        query = sa.select(t.evaluations).where(t.evaluations.c.policy_id == policy_id, t.evaluations.c.window_label == window_label).order_by(t.evaluations.c.id)
        return self._transaction(lambda c: [dict(r) for r in c.execute(query).mappings()])

    def packs(self, evaluation_id: int) -> list[str]:
        query = sa.select(t.packs.c.manifest_sha256).where(t.packs.c.evaluation_id == evaluation_id).order_by(t.packs.c.id)
        return self._transaction(lambda c: list(c.execute(query).scalars()))

    def prior_windows(self, policy_id: str, labels: Iterable[str]) -> tuple[PriorWindow, ...]:
        """Fee and credit of the named earlier windows (newest first, as given) that the ledger
        holds as final, for a rolling credit cap; windows it does not hold are left out, as
        they would be from --prior-credit flags."""
        labels = list(labels)
        if not labels:
            return ()
        query = sa.select(t.evaluations.c.window_label, t.evaluations.c.fee, t.evaluations.c.credit_amount).where(
            t.evaluations.c.policy_id == policy_id, t.evaluations.c.slot == "current", t.evaluations.c.status == "final",
            t.evaluations.c.window_label.in_(labels))
        found = {r.window_label: r for r in self._transaction(lambda c: list(c.execute(query)))}
        return tuple(PriorWindow(label, found[label].fee or ZERO, found[label].credit_amount) for label in labels if label in found)

    # claims ---------------------------------------------------------------------------
    def claims(self, as_of: datetime | date | None = None, policy_id: str | None = None) -> list[Claim]:
        """Every claim, with days left to its deadline counted from `as_of` (an instant: its
        local date in each policy's zone; or a date as it is); an owed claim past its
        deadline is expired."""
        as_of = as_of or self.clock()
        query = sa.select(t.claims).order_by(t.claims.c.deadline, t.claims.c.id)
        if policy_id is not None:
            query = query.where(t.claims.c.policy_id == policy_id)
        rows = self._transaction(lambda c: list(c.execute(query).mappings()))
        return [self._claim(r, as_of) for r in rows]

    @staticmethod
    def _claim(row, as_of: datetime | date) -> Claim:
        today = as_of.astimezone(ZoneInfo(row["timezone"])).date() if isinstance(as_of, datetime) else as_of
        days_left = (row["deadline"] - today).days if row["deadline"] else None
        status = row["status"]
        if status == "owed" and days_left is not None and days_left < 0:
            status = "expired"
        return Claim(row["id"], row["policy_id"], row["window_label"], row["currency"], row["amount_owed"], row["days_owed"], row["deadline"], status,
                     days_left, row["reference"], row["filed_on"], row["credited_amount"], row["credited_on"], row["rejected_reason"], row["rejected_on"])

    def claim(self, claim_id: int, as_of: datetime | date | None = None) -> Claim:
        row = self._transaction(lambda c: c.execute(sa.select(t.claims).where(t.claims.c.id == claim_id)).mappings().first())
        if row is None:
            raise UsageError(f"claim {claim_id}: no such claim in ledger {describe_location(self.location)} (see `slagen claims`)")
        return self._claim(row, as_of or self.clock())

    def claim_events(self, claim_id: int) -> list[dict]:
        query = sa.select(t.claim_events).where(t.claim_events.c.claim_id == claim_id).order_by(t.claim_events.c.id)
        return self._transaction(lambda c: [dict(r) for r in c.execute(query).mappings()])

    def _change_claim(self, claim_id: int, allowed: tuple[str, ...], action: str, values: dict, detail: str, on: date | None) -> Claim:
        """Move a claim on, as of `on` (default: today in the policy's zone): a claim filed on
        a day before its deadline is not expired, whenever that is entered."""
        now = self.clock()

        def work(connection):
            row = connection.execute(sa.select(t.claims).where(t.claims.c.id == claim_id)).mappings().first()
            if row is None:
                raise UsageError(f"claim {claim_id}: no such claim in ledger {describe_location(self.location)} (see `slagen claims`)")
            day = on or now.astimezone(ZoneInfo(row["timezone"])).date()
            claim = self._claim(row, day)
            values.update({k: day for k, v in values.items() if v is None})
            if claim.status not in allowed:
                why = f" (deadline {claim.deadline.isoformat()} passed)" if claim.status == "expired" else ""
                raise LedgerError(f"claim {claim_id} ({claim.policy_id} {claim.window}) is {claim.status}{why}: it cannot be {action}")
            if day > now.astimezone(ZoneInfo(row["timezone"])).date():
                raise UsageError(f"--on {day.isoformat()}: a date in the future")
            updated = connection.execute(t.claims.update().where(t.claims.c.id == claim_id, t.claims.c.status == row["status"]).values(status=action, **values))
            if updated.rowcount != 1:
                raise LedgerError(f"claim {claim_id}: changed by another run meanwhile; try again")
            self._event(connection, claim_id, now, action, f"{detail} on={day.isoformat()}")
            return self._claim(connection.execute(sa.select(t.claims).where(t.claims.c.id == claim_id)).mappings().first(), now)

        return self._transaction(work, retries=1)

    def file_claim(self, claim_id: int, reference: str, on: date | None = None) -> Claim:
        """The claim was filed with the vendor (`reference`: their ticket), on or before its deadline."""
        if not reference.strip() or len(reference) > 200:
            raise UsageError("--ref: give the vendor's ticket or reference (at most 200 characters)")
        return self._change_claim(claim_id, ("owed",), "filed", {"reference": reference, "filed_on": on}, f"ref={reference}", on)

    def credit_claim(self, claim_id: int, amount: Decimal, on: date | None = None) -> Claim:
        """The vendor credited `amount` (it may differ from what was owed). An owed claim
        credited without being filed first counts as claimed."""
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise UsageError(f"--amount {amount}: give an amount of 0 or more")
        return self._change_claim(claim_id, ("owed", "filed"), "credited", {"credited_amount": amount, "credited_on": on}, f"amount={amount}", on)

    def reject_claim(self, claim_id: int, reason: str, on: date | None = None) -> Claim:
        if not reason.strip():
            raise UsageError("--reason: say why the vendor rejected the claim")
        return self._change_claim(claim_id, ("owed", "filed"), "rejected", {"rejected_reason": reason, "rejected_on": on}, f"reason={reason}", on)
