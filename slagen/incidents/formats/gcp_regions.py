"""`gcp_regions`: Google Cloud status `incidents.json` with one component per product and
affected region, `Product/region`; each also matches a policy naming the product. A region is
affected while the updates that set the status name it (the rules and the real file's quirks:
see `gcp`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slagen.incidents.formats import gcp
from slagen.incidents.model import ReadResult

ID = "gcp_regions"
SUMMARY = "Google Cloud status incidents.json, one component per product and region"
LOAD = "json"
FIELDS: dict[str, str] = {}


def detect(path: Path, text: str) -> bool:
    return False  # the same file as gcp: asked for by name


def read(path: Path, data: Any, options) -> ReadResult:
    return gcp.read(path, data, options, regions=True)
