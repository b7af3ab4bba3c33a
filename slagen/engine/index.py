"""Incidents sorted once by start, so each of many windows looks only at its neighbours.

Evaluating 12 monthly windows of 100,000 incidents would otherwise test every incident
against every window. Closed incidents are found by start time within the longest reach
(start to the latest of resolved, detected, acknowledged); open ones are always included.
The engine still applies its own exact filter to what this returns.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import timedelta

from slagen.engine.windows import MeasurementWindow
from slagen.incidents.model import Incident


class IncidentIndex:
    def __init__(self, incidents: list[Incident] | tuple[Incident, ...]):
        closed = sorted((i for i in incidents if i.resolved_at is not None), key=lambda i: i.started_at)
        self.open = [i for i in incidents if i.resolved_at is None]
        self.closed = closed
        self.starts = [i.started_at for i in closed]
        self.reach = max((max(t for t in (i.resolved_at, i.detected_at, i.acknowledged_at) if t is not None) - i.started_at for i in closed), default=timedelta(0))

    def near(self, window: MeasurementWindow) -> list[Incident]:
        """Every incident that may touch the window (a superset; never misses one)."""
        lo = bisect_left(self.starts, window.start - self.reach)
        hi = bisect_left(self.starts, window.end)
        return self.closed[lo:hi] + self.open

    def __len__(self) -> int:
        return len(self.closed) + len(self.open)


