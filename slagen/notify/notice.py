"""What changed since the last run, as notices: facts from the evaluation, worded per target.

A notice is one KPI's escalation changing for one target: `raised` (a level reached, or a
higher one), `lowered` (a lower level than the one sent) or `resolved` (no level any more).
Its facts come from the engine; its words come from the message catalogue of the target's
language (`notify.*` in templates/messages/<lang>.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slagen.engine.result import EscalationReached, Evaluation, plain

FORMAT = 1  # `slagen_notification` in the webhook body; bumped on any incompatible change


@dataclass(frozen=True)
class Words:
    title: str
    lines: list[str]
    context: str


@dataclass(frozen=True)
class Notice:
    event: str  # raised | lowered | resolved
    evaluation: Evaluation
    kpi: str
    level: EscalationReached | None  # the level now (None: resolved)
    previous: dict | None  # what was sent before: {"level": n, "severity": s}

    @property
    def event_name(self) -> str:
        return f"escalation.{self.event}"

    @property
    def key(self) -> str:
        """Policy, window and KPI: the same alert across runs (ServiceNow's correlation_id)."""
        ev = self.evaluation
        return f"slagen:{ev.policy_id}:{ev.window_label}:{self.kpi}"

    def _kpi_result(self):
        return next((k for k in self.evaluation.kpis if k.id == self.kpi), None)

    def words(self, m) -> Words:
        ev = self.evaluation
        level = self.level
        if level is not None:
            severity = m.word(f"severity.{level.severity}", level.severity)
            title = m.say(f"notify.{self.event}", severity=severity, title=ev.policy_title, kpi=self.kpi, level=level.level,
                          previous=(self.previous or {}).get("level", "—"), window=m.window(ev.window_label))
            action = level.action_zh if m.chinese and level.action_zh else level.action
            lines = [m.say("notify.action", audience=level.audience or "—", action=action), m.say("notify.why", reason=m.text(level.reason))]
        else:
            title = m.say("notify.resolved", title=ev.policy_title, kpi=self.kpi, previous=(self.previous or {}).get("level", "—"), window=m.window(ev.window_label))
            lines = []
        result = self._kpi_result()
        if result is not None:
            lines.append(m.say("notify.kpi_status", kpi=self.kpi, status=m.word(f"kpi_status.{result.status}", result.status)))
        from zoneinfo import ZoneInfo

        local = ev.as_of.astimezone(ZoneInfo(ev.timezone))
        context = m.say("notify.context", window=m.window(ev.window_label), as_of=f"{local:%Y-%m-%d %H:%M} {ev.timezone}",
                        state=m.word("notify.complete" if ev.complete else "notify.to_date"))
        return Words(title, lines, context)

    def document(self, m) -> dict[str, Any]:
        """The webhook body (`slagen_notification: 1`): facts as the evaluation JSON states them, plus the words."""
        ev = self.evaluation
        words = self.words(m)
        result = self._kpi_result()
        level = None
        if self.level is not None:
            r = self.level
            level = {"level": r.level, "id": r.id, "severity": r.severity, "audience": r.audience, "action": r.action, "action_zh": r.action_zh,
                     "notify": list(r.notify), "reason": plain(r.reason, m.text)}
        return {
            "slagen_notification": FORMAT,
            "event": f"escalation.{self.event}",
            "key": self.key,
            "policy": {"id": ev.policy_id, "title": ev.policy_title, "file": ev.policy_file, "provider": ev.provider, "customer": ev.customer},
            "window": {"label": ev.window_label, "start": ev.window_start.isoformat(), "end": ev.window_end.isoformat(), "timezone": ev.timezone,
                       "complete": ev.complete},
            "as_of": ev.as_of.isoformat(),
            "kpi": {"id": self.kpi, "status": result.status if result else None,
                    "actual": plain(result.actual) if result else None, "objective": plain(result.objective) if result else None},
            "level": level,
            "previous": self.previous,
            "lang": m.lang,
            "title": words.title,
            "text": "\n".join([*words.lines, words.context]),
        }


def changes(evaluation: Evaluation, target, sent: dict[str, dict]) -> list[Notice]:
    """The notices `target` needs: per KPI, the highest level it wants now against what was
    last sent to it (`sent`: KPI -> {"level", "severity"} for this policy and window)."""
    out = []
    for result in evaluation.kpis:
        kpi = result.id
        if target.kpis is not None and kpi not in target.kpis:
            continue
        if result.status == "insufficient_data":
            continue  # not knowing is not clearing: nothing is resolved on missing data
        wanted = [r for r in evaluation.escalation.reached if r.kpi == kpi and target.wants(kpi, r.severity)]
        now = max(wanted, key=lambda r: r.level, default=None)  # levels compare within their KPI only
        before = sent.get(kpi)
        if now is not None and (before is None or before.get("level") != now.level):
            event = "raised" if before is None or now.level > before.get("level", 0) else "lowered"
            out.append(Notice(event, evaluation, kpi, now, _previous(before)))
        elif now is None and before is not None:
            out.append(Notice("resolved", evaluation, kpi, None, _previous(before)))
    return out


def _previous(before: dict | None) -> dict | None:
    return None if before is None else {"level": before.get("level"), "severity": before.get("severity")}
