"""An incident archive that grows with every fetch: merged by incident id, the newest
`updated_at` (Google Cloud: `modified`) of each incident wins.

The archive is the native export `slagen evaluate` already reads: a Statuspage
`{"page": …, "incidents": […]}` or a Google Cloud `incidents.json` list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from slagen.errors import SlagenError
from slagen.files import read_input

OLDEST = datetime(1, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Shape:
    """How one kind of archive holds its incidents."""

    name: str
    updated: str  # the field whose newest value wins
    order: str  # incidents are kept newest first by this field

    def incidents(self, data) -> list | None:
        if self.name == "statuspage":
            return data.get("incidents") if isinstance(data, dict) else None
        return data if isinstance(data, list) else None

    def wrap(self, page, incidents: list):
        if self.name == "statuspage":
            return {"page": page or {}, "incidents": incidents}
        return incidents


STATUSPAGE = Shape("statuspage", "updated_at", "created_at")
GCP = Shape("gcp", "modified", "begin")


@dataclass(frozen=True)
class Merged:
    data: object  # what to write
    new: int
    updated: int
    unchanged: int
    total: int


def read_archive(path: Path, shape: Shape):
    """The archive's current data (None when the file does not exist yet)."""
    if not path.exists():
        return None
    raw = read_input(path, "an incident archive")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SlagenError(f"{path}: not JSON ({exc}); an archive is what `slagen fetch` wrote, left as it is") from None
    items = shape.incidents(data)
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("id") for i in items):
        want = "{\"page\": …, \"incidents\": [...]}" if shape.name == "statuspage" else "a list of incidents"
        raise SlagenError(f"{path}: not a {shape.name} archive (expected {want}, each incident with an id); left as it is")
    return data


def _instant(value) -> datetime:
    if not isinstance(value, str):
        return OLDEST
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return OLDEST
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def merge(shape: Shape, archive, fetched: list[dict], page=None) -> Merged:
    """Archive + fetched incidents: by id, the newest `updated` wins (a tie keeps the archive's)."""
    by_id: dict[str, dict] = {str(i["id"]): i for i in (shape.incidents(archive) or [])} if archive is not None else {}
    new = updated = unchanged = 0
    for incident in fetched:
        key = str(incident["id"])
        old = by_id.get(key)
        if old is None:
            by_id[key] = incident
            new += 1
        elif _instant(incident.get(shape.updated)) > _instant(old.get(shape.updated)):
            by_id[key] = incident
            updated += 1
        else:
            unchanged += 1
    ordered = sorted(by_id.values(), key=lambda i: (_instant(i.get(shape.order)), str(i["id"])), reverse=True)
    if page is None and isinstance(archive, dict):
        page = archive.get("page")
    return Merged(shape.wrap(page, ordered), new, updated, unchanged, len(ordered))


def dump(data) -> bytes:
    """Compact JSON (an archive is read by programs; indenting would triple the time to write it)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
