"""`slagen fetch` against real HTTP servers on 127.0.0.1: the Statuspage public API replayed
over several runs, the management API in pages, conditional requests, Google Cloud, and
every failure leaving the archive exactly as it was."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from slagen.fetch import fetch_gcp, fetch_statuspage
from slagen.net import DeliveryError, Http

from .conftest import REAL, ROOT
from .localserver import Answer, local_server

GITHUB = REAL / "githubstatus_incidents_2019-2023.statuspage.json"


def fast_http(**kwargs) -> Http:
    return Http(**{"timeout": 2.0, "retries": 0, "backoff": 0.0, **kwargs})


def incident(ident: str, created: str, updated: str, name: str = "Incident") -> dict:
    return {"id": ident, "name": name, "status": "resolved", "impact": "major", "created_at": created, "updated_at": updated,
            "started_at": created, "resolved_at": updated, "incident_updates": [], "components": []}


PAGE = {"id": "pg1", "name": "Example", "url": "https://status.example.com"}


def test_public_api_answers_merge_by_id_and_the_newest_updated_at_wins(tmp_path):
    archive = tmp_path / "live.json"
    a = incident("a", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", "first words")
    b = incident("b", "2026-10-02T00:00:00Z", "2026-10-02T01:00:00Z")
    a_later = {**a, "name": "postmortem added", "updated_at": "2026-10-03T00:00:00.500+00:00"}
    a_stale = {**a, "name": "a stale cache", "updated_at": "2026-10-01T00:30:00Z"}
    c = incident("c", "2026-10-04T00:00:00Z", "2026-10-04T01:00:00Z")
    with local_server() as server:
        server.answer(Answer(200, {"page": PAGE, "incidents": [b, a]}), Answer(200, {"page": PAGE, "incidents": [c, a_later]}),
                      Answer(200, {"page": PAGE, "incidents": [a_stale]}))
        first = fetch_statuspage(server.url, archive, http=fast_http())
        second = fetch_statuspage(server.url + "/", archive, http=fast_http())
        third = fetch_statuspage(server.url + "/api/v2/incidents.json", archive, http=fast_http())
    assert [r.path for r in server.requests] == ["/api/v2/incidents.json"] * 3
    assert (first.merged.new, second.merged.new, second.merged.updated, third.merged.unchanged) == (2, 1, 1, 1)
    data = json.loads(archive.read_text())
    assert data["page"] == PAGE
    assert [(i["id"], i["name"]) for i in data["incidents"]] == [("c", "Incident"), ("b", "Incident"), ("a", "postmortem added")]  # newest first


def test_conditional_requests_and_a_304_leave_the_archive_alone(tmp_path, monkeypatch):
    archive, state = tmp_path / "live.json", tmp_path / "state"
    body = {"page": PAGE, "incidents": [incident("a", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")]}
    with local_server() as server:
        server.answer(Answer(200, body, {"ETag": '"v1"', "Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT"}), Answer(304))
        fetch_statuspage(server.url, archive, http=fast_http(), state=state)
        before = archive.read_bytes()
        result = fetch_statuspage(server.url, archive, http=fast_http(), state=state)
        assert result.not_modified and archive.read_bytes() == before
        assert server.requests[1].headers["if-none-match"] == '"v1"'
        assert server.requests[1].headers["if-modified-since"] == "Wed, 21 Oct 2026 07:28:00 GMT"
        archive.write_bytes(before.replace(b"Incident", b"Edited"))  # not the archive that fetch wrote: fetch it all
        server.answer(Answer(200, body))
        fetch_statuspage(server.url, archive, http=fast_http(), state=state)
    assert "if-none-match" not in server.requests[2].headers and "if-none-match" not in server.requests[0].headers


FAILURES = [
    (Answer(200, "<html>Service maintenance</html>", {"Content-Type": "text/html"}), "the answer is not JSON (text/html): is this a Statuspage incidents.json?"),
    (Answer(200, {"incidents": "none"}), "not a Statuspage incidents.json"),
    (Answer(200, {"incidents": [{"name": "no id"}]}), "incident 0 has no id; nothing was merged"),
    (Answer(404, "Not Found"), "HTTP 404: Not Found"),
    (Answer(503, "busy"), "HTTP 503: busy (after 2 attempts)"),
    (Answer(200, "late", delay=0.4), "timed out (no answer within 0.1 s) (after 2 attempts)"),
]


@pytest.mark.parametrize("answer, message", FAILURES, ids=["html", "shape", "no-id", "404", "503", "timeout"])
def test_every_failure_is_one_line_exit_5_and_the_archive_is_untouched(tmp_path, monkeypatch, run_main, answer, message):
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    archive = tmp_path / "live.json"
    archive.write_text(json.dumps({"page": PAGE, "incidents": [incident("a", "2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z")]}))
    before = archive.read_bytes()
    with local_server() as server:
        server.default = answer
        code, _, err = run_main("fetch", "statuspage", server.url, "-o", archive, "--retries", "1", "--timeout", "0.1", "--backoff", "0")
    assert code == 5, err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert archive.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["live.json"]


def test_a_broken_archive_is_named_exit_1_and_left_as_it_is(tmp_path, monkeypatch, run_main):
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    archive = tmp_path / "live.json"
    archive.write_text("[1, 2")
    with local_server() as server:
        code, _, err = run_main("fetch", "statuspage", server.url, "-o", archive)
        assert server.requests == []  # checked before anything is fetched
    assert code == 1 and f"{archive}: not JSON" in err and archive.read_text() == "[1, 2"


def test_google_cloud_incidents_merge_by_modified(tmp_path, monkeypatch, run_main):
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    one = {"id": "g1", "begin": "2026-10-01T00:00:00+00:00", "end": "2026-10-01T02:00:00+00:00", "modified": "2026-10-01T02:00:00+00:00",
           "external_desc": "first", "severity": "high", "status_impact": "SERVICE_OUTAGE", "affected_products": [{"title": "Compute", "id": "c"}]}
    two = {**one, "id": "g2", "begin": "2026-10-05T00:00:00+00:00", "end": "2026-10-05T01:00:00+00:00"}
    one_later = {**one, "external_desc": "updated", "modified": "2026-10-02T00:00:00+00:00"}
    archive = tmp_path / "gcp.json"
    with local_server() as server:
        server.answer(Answer(200, [one]), Answer(200, [two, one_later]), Answer(200, {"not": "a list"}))
        assert run_main("fetch", "gcp", server.url + "/incidents.json", "-o", archive)[0] == 0
        code, _, err = run_main("fetch", "gcp", server.url + "/incidents.json", "-o", archive)
        assert code == 0 and "1 new, 1 updated, 0 unchanged; the archive holds 2 incident(s)" in err
        before = archive.read_bytes()
        code, _, err = run_main("fetch", "gcp", server.url + "/incidents.json", "-o", archive)
    assert code == 5 and "not a Google Cloud incidents.json" in err and archive.read_bytes() == before
    assert [(i["id"], i["external_desc"]) for i in json.loads(before)] == [("g2", "first"), ("g1", "updated")]


def test_management_api_needs_a_key_from_the_environment(tmp_path, run_main):
    code, _, err = run_main("fetch", "statuspage", "-", "--page-id", "pg1", "--api-key-env", "NO_SUCH_KEY_SET", "-o", tmp_path / "a.json")
    assert code == 2 and "--api-key-env NO_SUCH_KEY_SET: the environment variable is not set or empty" in err


# -- the real GitHub history, replayed -----------------------------------------------------


@pytest.fixture(scope="module")
def github():
    if not GITHUB.is_file():
        pytest.skip(f"shared real-incident data not found at {GITHUB} (set SLAGEN_SHARED)")
    return json.loads(GITHUB.read_text("utf-8"))


def _evaluate(archive: Path) -> list[tuple]:
    from slagen.runs import RunRequest, run

    request = RunRequest(policy=ROOT / "policies/github-enterprise-cloud.yaml", incident_files=(archive,), period="2023-Q1..2023-Q3",
                         as_of=datetime(2024, 1, 1, tzinfo=timezone.utc), on_bad_record="skip")
    return [(ev.window_label, tuple((k.id, k.status, k.actual, k.downtime_minutes, k.excluded_minutes) for k in ev.kpis),
             ev.credits.amount if ev.credits else None) for ev in run(request, allow_range=True).windows]


def test_github_history_replayed_as_recent_50_then_evaluated_matches_the_file(github, tmp_path):
    """Five scheduled fetches, each seeing only the most recent incidents of its day (100,
    overlapping the day before by 10), then a stale copy of one: the archive holds all 450,
    and evaluate on it gives the numbers it gives on the export itself."""
    incidents = github["incidents"]  # newest first, 450
    assert len(incidents) == 450
    answers = []
    for k in range(5):  # the oldest day first
        end = len(incidents) - 90 * k
        answers.append(incidents[max(end - 100, 0):end])
    stale = {**copy.deepcopy(incidents[-1]), "name": "stale copy", "updated_at": "2019-01-01T00:00:00Z"}  # older than the archived copy
    archive = tmp_path / "githubstatus.json"
    with local_server() as server:
        for recent in answers:
            server.answer(Answer(200, {"page": github["page"], "incidents": recent}))
        server.answer(Answer(200, {"page": github["page"], "incidents": [stale]}))
        with fast_http() as http:
            results = [fetch_statuspage(server.url, archive, http=http) for _ in range(6)]
    assert [r.merged.new for r in results] == [100, 90, 90, 90, 80, 0]  # the last day: [0:90], 10 of them seen the day before
    assert results[-1].merged.unchanged == 1
    data = json.loads(archive.read_text("utf-8"))
    assert [i["id"] for i in data["incidents"]] == [i["id"] for i in incidents]
    assert data["incidents"][-1]["name"] == incidents[-1]["name"]
    assert _evaluate(archive) == _evaluate(GITHUB)


def test_github_history_through_the_management_api_in_pages(github, tmp_path, monkeypatch, run_main):
    incidents = github["incidents"]
    monkeypatch.setenv("SP_KEY", "key-abc")
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))

    def pages(req):
        if req.headers.get("authorization") != "OAuth key-abc":
            return Answer(401, {"error": "unauthorized"})
        page, per = int(req.query["page"][0]), int(req.query["per_page"][0])
        return Answer(200, incidents[(page - 1) * per: page * per])

    archive = tmp_path / "github.json"
    with local_server() as server:
        server.handler = pages
        code, _, err = run_main("fetch", "statuspage", "-", "--page-id", "kctbh9vrtdwd", "--api-key-env", "SP_KEY",
                                "--api-url", server.url + "/v1", "-o", archive)
    assert code == 0, err
    assert [(r.path, r.query["page"], r.query["per_page"]) for r in server.requests] == [
        ("/v1/pages/kctbh9vrtdwd/incidents", [str(n)], ["100"]) for n in range(1, 6)]
    data = json.loads(archive.read_text("utf-8"))
    assert len(data["incidents"]) == 450 and data["page"] == {"id": "kctbh9vrtdwd"}
    assert "450 new, 0 updated, 0 unchanged" in err
