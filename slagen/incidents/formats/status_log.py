"""`status_log`: a log of monitor status changes (CSV), turned into outages.

One row per observation: when it was made, which monitor (component) and the status seen.
Default columns `observed_at`, `component`, `status`; map others with `--map`, e.g. the
Upptime observations exported from its git log:

    slagen evaluate policy.yaml --incidents observations.csv --incident-format status_log \\
        --map component=site

`status` is `up`/`down`/`degraded` or any impact word slagen knows (`operational`,
`major_outage`, `partial_outage`, `degraded_performance`, …); `up` and `operational` mean up.
Other columns are ignored, so repeated "still up" heartbeats are harmless.

Per component, in time order (rows need not be sorted), a run of observations that are not
up is one incident, id `<component>@<first observed_at>`: it starts at the first not-up
observation and ends at the next up observation (still open when the log ends there: it is
clipped at `--as-of`). Inside a run each observation's status holds until the next
observation, so "down at 10:00, degraded at 10:05, up at 10:20" is a major outage of 5 minutes
then a degraded one of 15. Downtime is only as exact as the checks are frequent.

Times need an offset (or `--input-timezone`); an unknown status, an unreadable time or a
missing component is a bad record naming its line.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from slagen.errors import IncidentDataError
from slagen.incidents.model import Incident, Outage, ReadResult, finding, normalise_impact
from slagen.incidents.timestamps import parse_time
from slagen.incidents.values import clean, shown

ID = "status_log"
SUMMARY = "a log of monitor status changes (CSV: observed_at, component, status)"
LOAD = "text"
FIELDS = {
    "observed_at": "status_log: when the monitor observed the status (ISO 8601 with offset)",
    "status": "status_log: the status observed: up, down, degraded or an impact word",
}
UP = ("up", "operational")


def detect(path: Path, text: str) -> bool:
    header = text.lstrip("\ufeff").split("\n", 1)[0].strip().split(",")
    return "observed_at" in header and "status" in header and "started_at" not in header


def read(path: Path, text: str, options) -> ReadResult:
    from slagen.incidents.readers import collector

    file = str(path)
    mapping = options.mapping or {}
    columns = {name: mapping.get(name, name) for name in ("observed_at", "component", "status")}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        missing = [f"{c!r} for {f!r}" for f, c in columns.items() if c not in header]
        if missing:
            raise IncidentDataError(file, "line 1", f"no column {', '.join(missing)}; header has: {shown(', '.join(header), 200)}; map one with --map FIELD=COLUMN")
        at = {f: header.index(c) for f, c in columns.items()}
        out = collector(file, options)
        observations: dict[str, list[tuple[datetime, int, str, int]]] = {}
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            try:
                if len(row) != len(header):
                    raise ValueError(f"row has {len(row)} fields, header has {len(header)}")
                component = clean(row[at["component"]], "component")
                if not component:
                    raise ValueError("missing 'component' (the monitor)")
                when = parse_time(clean(row[at["observed_at"]], "observed_at"), "observed_at", options.zone)
                word = clean(row[at["status"]], "status").lower()
                impact = "up" if word in UP else normalise_impact(word)
                if impact is None or impact == "none":
                    raise ValueError(f"status {shown(word)} is not known; use up, down, degraded or an impact word")
            except ValueError as exc:
                out.bad(f"line {line}", str(exc))
                continue
            observations.setdefault(component, []).append((when, line, impact, line))
    except csv.Error as exc:
        raise IncidentDataError(file, f"line {reader.line_num}", f"CSV syntax error: {exc}") from None
    for component, seen in observations.items():
        seen.sort(key=lambda o: (o[0], o[1]))
        run: list[tuple[datetime, str, int]] = []
        for when, line, impact, _ in seen + [(None, 0, "up", 0)]:
            if impact != "up":
                if not run or run[-1][1] != impact:
                    run.append((when, impact, line))
                continue
            if run:
                out.add(f"line {run[0][2]}", lambda run=tuple(run), end=when, c=component: _incident(c, run, end, f"{file}:line {run[0][2]}"))
                run = []
    return out.result()


def _incident(component: str, run: tuple, end: datetime | None, source: str) -> Incident:
    starts = [r[0] for r in run] + [end]
    outages = tuple(Outage(component, starts[i], starts[i + 1], impact) for i, (_, impact, _) in enumerate(run) if starts[i + 1] is None or starts[i + 1] > starts[i])
    worst = min((o.impact for o in outages), key=("major_outage", "partial_outage", "degraded_performance").index, default=run[0][1])
    return Incident(
        id=f"{component}@{run[0][0].isoformat().replace('+00:00', 'Z')}",
        started_at=run[0][0],
        resolved_at=end,
        outages=outages,
        source=source,
        finding=finding("status_log.run", component=component, impact=worst),
        impact=worst,
        detected_at=run[0][0],
    )
