"""`upptime`: an Upptime status repository's `history/` folder.

`--incidents path/to/history/` reads the folder's `summary.json` and its `*.yml` site files
(only those two kinds of file, not sub-folders; a folder without `summary.json` is a usage
error). Either file can also be given on its own.

- `summary.json` (a list of sites) gives, per site, `dailyMinutesDown`: minutes down per day
  (`{"2024-02-12": 1440, …}`), which Upptime keeps from its incident issues. Each day with
  minutes is one incident, id `upptime-<slug>-<day>`, component the site's `name` (its
  `slug` is the component's id, so a policy may list either), impact major outage. Upptime
  records how many minutes, not when: slagen places them from 00:00 UTC of that day (Upptime's
  days are UTC days), so a month's or a day's downtime is exact and the time of day is not
  (its finding, upptime.daily, says so). More than 1,440 minutes in a day, a day that is not a date or minutes
  that are not a whole number are bad records naming the site and the day.
- `<slug>.yml` holds only the latest check (`status`, `code`, `responseTime`, `lastUpdated`,
  `startTime`): it is checked and recorded as an input, and gives no incident (the history
  is in `summary.json`; a per-check history is in the repository's git log, which slagen
  reads as a status log: see `status_log`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from slagen.errors import IncidentDataError, UsageError
from slagen.incidents.model import Incident, Outage, ReadResult, finding
from slagen.incidents.timestamps import parse_time
from slagen.incidents.values import JsonNumber, kind, label_id, record_object, shown
from slagen.incidents.values import text as field

ID = "upptime"
SUMMARY = "Upptime history/ folder: summary.json (minutes down per day) and the <slug>.yml site files"
LOAD = "text"
FIELDS: dict[str, str] = {}
STATUSES = ("up", "down", "degraded")


def detect(path: Path, text: str) -> bool:
    return '"dailyMinutesDown"' in text[:200000] or (path.suffix.lower() in (".yml", ".yaml") and "\ngenerator: Upptime" in "\n" + text[:4000])


def folder(path: Path) -> list[Path]:
    """The files `--incidents FOLDER` stands for: summary.json, then the *.yml files by name."""
    summary = path / "summary.json"
    if not summary.is_file():
        raise UsageError(f"{path}: is a directory without summary.json; slagen reads a folder only as an Upptime history/ folder "
                         "(summary.json and <slug>.yml files), otherwise name the incident files")
    return [summary] + sorted(p for p in path.iterdir() if p.suffix.lower() in (".yml", ".yaml") and p.is_file())


def read(path: Path, data: str, options) -> ReadResult:
    if path.suffix.lower() in (".yml", ".yaml"):
        return _site_file(path, data)
    return _summary(path, data, options)


def _site_file(path: Path, text: str) -> ReadResult:
    from slagen.incidents.readers import _load_structured

    file = str(path)
    site = _load_structured(path, text, "yaml")
    if not isinstance(site, dict):
        raise IncidentDataError(file, "file", f"not an Upptime site file: expected keys url, status, lastUpdated…, got {kind(site)}")
    try:
        status = field(site, "status")
        if status not in STATUSES:
            raise ValueError(f"status: {shown(status)} is not up, down or degraded")
        for key in ("lastUpdated", "startTime"):
            if field(site, key):
                parse_time(field(site, key), key, None)
    except ValueError as exc:
        raise IncidentDataError(file, f"line {getattr(site, 'line', 1)}", str(exc)) from None
    return ReadResult(())


def _summary(path: Path, text: str, options) -> ReadResult:
    from slagen.incidents.readers import _load_structured, collector

    file = str(path)
    sites = _load_structured(path, text, "json")
    if not isinstance(sites, list):
        raise IncidentDataError(file, "file", f"not an Upptime summary.json: expected a list of sites, got {kind(sites)}")
    out = collector(file, options)
    for i, site in enumerate(sites, start=1):
        slug = label_id(site.get("slug")) if isinstance(site, dict) else ""
        record = f"site {i}" + (f" ({slug})" if slug else "")
        try:
            site = record_object(site, "an Upptime site")
            name, slug = field(site, "name"), field(site, "slug")
            if not name and not slug:
                raise ValueError("an Upptime site needs 'name' or 'slug'")
            days = site.get("dailyMinutesDown")
            if days is None or (isinstance(days, JsonNumber) and days == "0"):
                continue  # Upptime writes 0 for a site never down
            if not isinstance(days, dict):
                raise ValueError(f"dailyMinutesDown: expected an object of day: minutes, got {kind(days)}")
        except ValueError as exc:
            out.bad(record, str(exc), i)
            continue
        for day, minutes in sorted(days.items()):
            if minutes == "0" and isinstance(minutes, JsonNumber):
                continue  # a day without downtime is no incident
            label = f"{record[:-1]}, {label_id(day) or 'a day'})" if record.endswith(")") else f"{record} ({label_id(day) or 'a day'})"
            out.add(label, lambda day=day, minutes=minutes, site=site: _day(day, minutes, site, f"{file}:{label}"), i)
    return out.result()


def _day(day: Any, minutes: Any, site: dict, source: str) -> Incident:
    if not isinstance(day, str):
        raise ValueError(f"dailyMinutesDown: a day is {kind(day)}")
    try:
        when = date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        when = None
    if when is None or not 1970 <= when.year <= 2999:
        raise ValueError(f"dailyMinutesDown: {shown(day)} is not a day YYYY-MM-DD")
    if not isinstance(minutes, JsonNumber) or not minutes.isdigit():
        raise ValueError(f"dailyMinutesDown[{day}]: {shown(str(minutes)) if isinstance(minutes, str) else kind(minutes)} is not a whole number of minutes")
    count = int(minutes)
    if count > 1440:
        raise ValueError(f"dailyMinutesDown[{day}]: {count} minutes is more than a day has (1,440)")
    name, slug = field(site, "name"), field(site, "slug")
    start = datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    end = start + timedelta(minutes=count)
    outages = (Outage(name or slug, start, end, "major_outage", None, slug or None),) if count else ()
    return Incident(
        id=f"upptime-{slug or name}-{day}",
        started_at=start,
        resolved_at=end,
        outages=outages,
        source=source,
        finding=finding("upptime.daily", minutes=count, day=day),  # worded by the catalogues: the time of day is not recorded
        service=name or None,
        impact="major_outage",
    )


