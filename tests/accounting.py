"""The accounting every evaluation must satisfy (issue 12, item 3), shared by the tests.

Per availability KPI: its `counted` trace lines sum exactly to its downtime, its `excluded`
lines to its excluded minutes, `overlap` and `ignored` lines carry 0 minutes, and its daily
figures sum to its downtime. Returns a list of problems (empty when the books balance).
"""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)


def accounting_problems(evaluation) -> list[str]:
    problems = []
    for k in evaluation.kpis:
        if k.kind != "availability":
            continue
        lines = [t for t in evaluation.trace if t.kpi == k.id]
        for t in lines:
            if t.status not in ("counted", "excluded", "overlap", "ignored"):
                problems.append(f"{k.id}: trace line of {t.incident or '(rounding)'} has unknown status {t.status!r}")
            if t.status in ("overlap", "ignored") and t.minutes != 0:
                problems.append(f"{k.id}: {t.status} line of {t.incident} carries {t.minutes} min, expected 0")
        if k.status == "insufficient_data":
            continue
        counted = sum((t.minutes for t in lines if t.status == "counted"), ZERO)
        excluded = sum((t.minutes for t in lines if t.status == "excluded"), ZERO)
        if counted != k.downtime_minutes:
            problems.append(f"{k.id}: counted lines sum to {counted} min, KPI downtime is {k.downtime_minutes} min")
        if excluded != k.excluded_minutes:
            problems.append(f"{k.id}: excluded lines sum to {excluded} min, KPI excluded is {k.excluded_minutes} min")
        daily = sum((m for _, m in k.daily), ZERO)
        if (k.daily or k.downtime_minutes) and daily != k.downtime_minutes:
            problems.append(f"{k.id}: daily minutes sum to {daily} min, KPI downtime is {k.downtime_minutes} min")
    return problems
