"""Reason codes: why the engine counted, excluded, credited or escalated, as data.

The engine never writes a sentence. Each decision carries a `Reason`: a stable dotted code
(`excluded.scheduled_maintenance`, `credit.tier`, `breach.response`) and parameters that
are plain values (Decimal, int, str, bool, lists of those). Renderers word a reason in the
reader's language through the message catalogues (`slagen/render/messages.py`), so the same
evaluation reads in English, Simplified or Traditional Chinese.

Parameter names follow one convention so catalogues can format them without guessing:
`*_s` durations in whole seconds, `*_min` minutes (Decimal), `*_pct` percentages (Decimal),
money as Decimal together with a `currency` parameter on the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> "Reason":
        """Build a reason; None-valued parameters are left out, lists become tuples."""
        return cls(code, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items() if v is not None)))

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.params)

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self.params:
            if key == name:
                return value
        return default

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": {k: _json(v) for k, v in self.params}}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def seconds(delta) -> int | Decimal:
    """A timedelta as seconds (the `*_s` parameters): an int when whole, else an exact Decimal."""
    whole = delta.days * 86400 + delta.seconds
    return whole if not delta.microseconds else Decimal(whole) + Decimal(delta.microseconds) / 1_000_000
