"""Vendor and monitoring incident formats: one module each, registered here once.

The flat formats (`csv`, `json`, `yaml`: slagen's own field names, see
`slagen.incidents.records`) are read by `slagen.incidents.readers`; every other format is a
module here with:

- `ID`: the `--incident-format` name;
- `SUMMARY`: one line for help and docs;
- `LOAD`: how the file's text is parsed before `read` sees it: "json", "yaml" or "text";
- `FIELDS`: extra `--map` fields the format reads from a CSV (empty for most);
- `detect(path, text) -> bool`: whether `--incident-format auto` picks it (from content);
- `read(path, data, options) -> ReadResult`: every record an `Incident`, or a located bad
  record (`options` carries the zone, bad-record and duplicate policies and the --map);
- a docstring that is its user documentation (docs/incidents.md repeats it with examples).

`slagen.kinds.INCIDENT_FORMATS` (the CLI's choices) is read from `FORMATS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

FLAT = ("csv", "json", "yaml")


@dataclass(frozen=True)
class ReadOptions:
    """What every reader is told besides the data."""

    zone: ZoneInfo | None = None
    on_bad_record: str = "fail"
    duplicates: str = "fail"
    seen: dict[str, str] | None = None
    lines: Callable[[int], int | None] | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)


def _modules() -> tuple[ModuleType, ...]:
    from slagen.incidents.formats import aws_health, gcp, gcp_regions, status_log, statuspage, upptime

    # detection order: the first whose detect() says yes
    return (statuspage, gcp, gcp_regions, aws_health, upptime, status_log)


FORMATS: dict[str, ModuleType] = {m.ID: m for m in _modules()}
EXTRA_FIELDS: dict[str, str] = {name: meaning for m in FORMATS.values() for name, meaning in m.FIELDS.items()}
