"""Interval arithmetic on integer milliseconds, keeping which incidents cover each part.

Overlapping outages are a union, never a sum: `merge` unions plain intervals; the
availability engine cuts its own segments into elementary pieces (`availability._pieces`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def ms(instant: datetime) -> int:
    delta = instant - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(value: int) -> datetime:
    from datetime import timedelta

    return EPOCH + timedelta(milliseconds=value)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: object  # whatever the caller needs back (a segment record)


def merge(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of (start, end) pairs as sorted, non-touching runs."""
    out: list[list[int]] = []
    for start, end in sorted(pieces):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))
