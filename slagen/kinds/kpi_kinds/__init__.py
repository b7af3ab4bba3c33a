"""KPI kinds: one module each, registered here once.

A KPI kind module has:
- `ID`: the `kind` a policy writes (`kpis[].kind`);
- `UNIT`: what its `actual` is — "percent" (availability) or "minutes" (the worst measured);
- `evaluate(context, kpi) -> (KpiResult, trace lines)`: the KPI over one window;
- a docstring that is its user documentation, with a policy example.
The schema's `kind` enum, the credit forms' allowed KPI kinds and how tables and reports
show a KPI's figures follow from here.
"""

from __future__ import annotations

from types import ModuleType


def _modules() -> tuple[ModuleType, ...]:
    from slagen.kinds.kpi_kinds import availability, latency, resolution_time, response_time, update_interval

    return (availability, response_time, resolution_time, latency, update_interval)


KPI_KINDS: dict[str, ModuleType] = {m.ID: m for m in _modules()}


def in_percent(kind: str) -> bool:
    """Whether a KPI kind's figure is a percentage (availability) or minutes (the worst measured)."""
    return KPI_KINDS[kind].UNIT == "percent"
