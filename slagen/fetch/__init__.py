"""Fetch status-page incident histories over HTTP into an archive that `evaluate` reads.

    fetch_statuspage("https://www.githubstatus.com", Path("githubstatus.json"))
    fetch_gcp("https://status.cloud.google.com/incidents.json", Path("gcp.json"))

A Statuspage's public API (`/api/v2/incidents.json`) holds only recent incidents, so a
scheduled fetch merges each answer into the archive (by id, the newest `updated_at` wins)
and the archive builds the whole history; with a page id and an API key the management API
is paged through instead. Requests are conditional (ETag / Last-Modified, remembered in the
state directory beside the notification state), time out, and are retried like
notifications; on any failure the archive is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from slagen.errors import SlagenError, UsageError
from slagen.fetch.archive import GCP, STATUSPAGE, Merged, Shape, dump, merge, read_archive
from slagen.files import atomic_write, check_output_path
from slagen.net import DeliveryError, Http

MANAGEMENT_API = "https://api.statuspage.io/v1"
PER_PAGE = 100
MAX_PAGES = 1000


@dataclass(frozen=True)
class FetchResult:
    archive: Path
    not_modified: bool
    merged: Merged | None
    requests: int

    def line(self) -> str:
        if self.not_modified:
            return f"{self.archive}: not modified since the last fetch; archive unchanged"
        m = self.merged
        return f"{self.archive}: {m.new} new, {m.updated} updated, {m.unchanged} unchanged; the archive holds {m.total} incident(s)"


def statuspage_url(url: str) -> str:
    """A page's address (https://status.example.com) -> its public incidents API."""
    url = url.rstrip("/")
    return url if url.endswith(".json") else f"{url}/api/v2/incidents.json"


def _check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{url!r}: give an http(s) URL")


def _json(response, url: str, what: str):
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        raise DeliveryError(f"{url}: the answer is not JSON ({kind}): is this {what}?") from None


class _Validators:
    """ETag / Last-Modified of the last successful fetch into an archive, kept only while the
    archive is the one that fetch wrote (its SHA-256 matches): otherwise the fetch is full."""

    def __init__(self, directory: Path | None, url: str, archive: Path):
        self.path = None if directory is None else directory / "fetch-state.json"
        self.key = f"{url} -> {archive.resolve()}"

    def _all(self) -> dict:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def headers(self, archive_bytes: bytes | None) -> dict:
        entry = self._all().get(self.key)
        if not isinstance(entry, dict) or archive_bytes is None or entry.get("sha256") != hashlib.sha256(archive_bytes).hexdigest():
            return {}
        out = {}
        if entry.get("etag"):
            out["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            out["If-Modified-Since"] = entry["last_modified"]
        return out

    def remember(self, response, archive_bytes: bytes) -> None:
        if self.path is None:
            return
        data = self._all()
        data[self.key] = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified"),
                          "sha256": hashlib.sha256(archive_bytes).hexdigest()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        except (OSError, SlagenError):
            pass  # the validators only save a download; the archive is what matters


def _archive_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None


def _fetch_one(http: Http, shape: Shape, url: str, archive: Path, state: Path | None, what: str, pick) -> FetchResult:
    check_output_path(archive)
    existing = read_archive(archive, shape)  # a broken archive stops here, untouched
    before = _archive_bytes(archive)
    validators = _Validators(state, url, archive)
    response = http.send("GET", url, headers={"Accept": "application/json", **validators.headers(before)}, ok_statuses=(304,))
    if response.status_code == 304:
        return FetchResult(archive, True, None, 1)
    page, incidents = pick(_json(response, url, what), url)
    merged = merge(shape, existing, incidents, page)
    data = dump(merged.data)
    atomic_write(archive, data)
    validators.remember(response, data)
    return FetchResult(archive, False, merged, 1)


def _statuspage_answer(data, url: str):
    if not isinstance(data, dict) or not isinstance(data.get("incidents"), list):
        raise DeliveryError(f"{url}: not a Statuspage incidents.json (expected {{\"page\": …, \"incidents\": [...]}})")
    return data.get("page"), _with_ids(data["incidents"], url)


def _with_ids(items: list, url: str) -> list[dict]:
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("id"):
            raise DeliveryError(f"{url}: incident {n} has no id; nothing was merged")
    return items


def fetch_statuspage(url: str, archive: Path, *, http: Http | None = None, state: Path | None = None,
                     page_id: str | None = None, api_key: str | None = None, api_url: str = MANAGEMENT_API) -> FetchResult:
    """Merge a Statuspage's incidents into `archive` (public API, or the management API with a key)."""
    http = http or Http()
    archive = Path(archive)
    if page_id is None:
        _check_url(url)
        return _fetch_one(http, STATUSPAGE, statuspage_url(url), archive, state, "a Statuspage incidents.json", _statuspage_answer)
    if not api_key:
        raise UsageError("the management API (--page-id) needs an API key: --api-key-env VAR")
    _check_url(api_url)
    check_output_path(archive)
    existing = read_archive(archive, STATUSPAGE)
    fetched: list[dict] = []
    requests = 0
    for number in range(1, MAX_PAGES + 1):
        page_url = f"{api_url.rstrip('/')}/pages/{page_id}/incidents"
        response = http.send("GET", page_url, params={"page": str(number), "per_page": str(PER_PAGE)},
                             headers={"Accept": "application/json", "Authorization": f"OAuth {api_key}"})
        requests += 1
        items = _json(response, page_url, "the Statuspage management API")
        if not isinstance(items, list):
            raise DeliveryError(f"{page_url}: expected a list of incidents on page {number}")
        fetched.extend(_with_ids(items, page_url))
        if len(items) < PER_PAGE:
            break
    else:
        raise DeliveryError(f"{api_url}: more than {MAX_PAGES} pages; nothing was merged")
    page = (existing or {}).get("page") or {"id": page_id}
    merged = merge(STATUSPAGE, existing, fetched, page)
    atomic_write(archive, dump(merged.data))
    return FetchResult(archive, False, merged, requests)


def _gcp_answer(data, url: str):
    if not isinstance(data, list):
        raise DeliveryError(f"{url}: not a Google Cloud incidents.json (expected a list of incidents)")
    return None, _with_ids(data, url)


def fetch_gcp(url: str, archive: Path, *, http: Http | None = None, state: Path | None = None) -> FetchResult:
    """Merge Google Cloud's incidents.json into `archive` (by id, the newest `modified` wins)."""
    _check_url(url)
    return _fetch_one(http or Http(), GCP, url, Path(archive), state, "Google Cloud's incidents.json", _gcp_answer)


def api_key_from(env_name: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    if not env_name:
        return None
    value = (os.environ if environ is None else environ).get(env_name, "")
    if not value:
        raise UsageError(f"--api-key-env {env_name}: the environment variable is not set or empty")
    return value


__all__ = ["FetchResult", "fetch_gcp", "fetch_statuspage", "statuspage_url"]
