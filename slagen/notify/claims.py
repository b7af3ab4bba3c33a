"""Claims whose deadline is near, as notices for the same targets as escalations.

`slagen claims --due-within 14d --notify notify.yaml` sends one `claim.due` notice per owed
claim, once per claim and deadline (the state store remembers it), to every target of the
notify file: the webhook body (`slagen_notification: 1`, `event: claim.due`), a DingTalk or
Slack message, a ServiceNow incident (urgency and impact from the severity: `critical` when
at most 3 days are left, else `warning`). Facts come from the ledger's claim; words from the
`notify.claim_*` entries of the target's catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slagen.notify.notice import FORMAT, Words

URGENT_DAYS = 3  # at most this many days left: critical


@dataclass(frozen=True)
class ClaimLevel:
    """What a target reads of a notice's level (ServiceNow maps urgency from the severity)."""

    severity: str
    level: int = 1


@dataclass(frozen=True)
class ClaimNotice:
    claim: Any  # slagen.ledger.store.Claim
    as_of: date
    event: str = "due"

    @property
    def event_name(self) -> str:
        return "claim.due"

    @property
    def kpi(self) -> str:
        """Where a delivery line and the state store file it: the claim, by its ledger id."""
        return f"claim:{self.claim.id}"

    @property
    def level(self) -> ClaimLevel:
        return ClaimLevel("critical" if (self.claim.days_left or 0) <= URGENT_DAYS else "warning")

    @property
    def key(self) -> str:
        c = self.claim
        return f"slagen:{c.policy_id}:{c.window}:claim:{c.id}"

    def words(self, m) -> Words:
        c = self.claim
        from slagen.render.numbers import money_in

        amount = money_in(m.lang)(c.amount, c.currency)
        title = m.say("notify.claim_due", policy=c.policy_id, window=c.window, amount=amount, days=c.days_left)
        lines = [m.say("notify.claim_deadline", deadline=c.deadline.isoformat() if c.deadline else "—", days=c.days_left),
                 m.say("notify.claim_how", id=c.id)]
        return Words(title, lines, m.say("notify.claim_context", as_of=self.as_of.isoformat()))

    def document(self, m) -> dict[str, Any]:
        c = self.claim
        words = self.words(m)
        return {
            "slagen_notification": FORMAT,
            "event": self.event_name,
            "key": self.key,
            "claim": {"id": c.id, "policy": c.policy_id, "window": c.window, "amount": str(c.amount), "currency": c.currency, "days": c.days,
                      "deadline": c.deadline.isoformat() if c.deadline else None, "days_left": c.days_left, "status": c.status},
            "as_of": self.as_of.isoformat(),
            "severity": self.level.severity,
            "lang": m.lang,
            "title": words.title,
            "text": "\n".join([*words.lines, words.context]),
        }


def due_notices(claims, as_of: date, sent: dict[str, dict]) -> list[ClaimNotice]:
    """The claims not yet announced to a target (`sent`: its state entries by notice kpi),
    or announced with another deadline."""
    out = []
    for claim in claims:
        notice = ClaimNotice(claim, as_of)
        before = sent.get(notice.kpi)
        deadline = claim.deadline.isoformat() if claim.deadline else None
        if before is None or before.get("deadline") != deadline:
            out.append(notice)
    return out
