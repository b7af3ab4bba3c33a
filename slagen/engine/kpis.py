"""What every KPI kind's evaluation gets: the policy, the window's incidents and the run's options."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slagen.engine.reasons import Reason
from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.policy.model import Policy


@dataclass(frozen=True)
class KpiContext:
    policy: Policy
    incidents: tuple
    window: MeasurementWindow
    as_of: datetime
    index: ScopeIndex
    insufficient: Reason | None = None  # the input data covers too little of the window (availability)
    with_trace: bool = True  # False for trend windows: the same figures, no trace line objects
    year_incidents: tuple = ()  # with a cap per year: the incidents since the year's start, for its earlier windows
