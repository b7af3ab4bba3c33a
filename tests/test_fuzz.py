"""Fuzzing (hypothesis-driven): mutated real inputs through the policy loader, every incident
reader, the scenario parser, the pack reader and a user's clause template. Each must return a result or raise one of
slagen's own errors (a clear message); anything else is a crash.

Bounded for CI: SLAGEN_FUZZ_EXAMPLES inputs per target (default 120, one fixed seed, a few seconds in all).
Raise it for a long local run, e.g. SLAGEN_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py.
A crash found is kept in tests/data/fuzz-regressions/<target>-*.bin and replayed below.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slagen.compare.scenarios import parse_scenario
from slagen.errors import SlagenError
from slagen.incidents.readers import read_incidents
from slagen.pack.verify import verify_pack
from slagen.policy.load import parse_policy

from .conftest import ROOT, SHARED

EXAMPLES = int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "120"))
LONG = "SLAGEN_FUZZ_EXAMPLES" in os.environ  # make fuzz: random seeds; make test: one fixed seed, the same inputs every run
REGRESSIONS = ROOT / "tests/data/fuzz-regressions"
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not LONG, database=None if not LONG else settings.default.database)

SEEDS = {
    "policy": [p.read_bytes() for p in sorted((ROOT / "policies").glob("*.yaml"))] + [(ROOT / "examples/dingtalk-enterprise.yaml").read_bytes()],
    "csv": [(ROOT / "examples/incidents/dingtalk-2026-10.csv").read_bytes()],
    "json": [b'[{"id": "A", "component": "app", "impact": "partial_outage", "started_at": "2026-10-05T10:00:00+08:00", "resolved_at": "2026-10-05T10:30:00+08:00", "latency": "7m", "paused": "2026-10-05T10:05:00+08:00/2026-10-05T10:10:00+08:00 waiting_on_customer"}]'],
    "yaml": [b"- {id: A, component: app, started_at: '2026-10-05T10:00:00+08:00', resolved_at: '2026-10-05T10:30:00+08:00', cause: natural_disaster}\n"],
    "statuspage": [b'{"page": {"id": "p"}, "incidents": [{"id": "i1", "name": "Git down", "created_at": "2023-06-01T10:00:00.000Z", "resolved_at": "2023-06-01T11:00:00.000Z", "impact": "major", "components": [{"name": "Git Operations"}], "incident_updates": [{"status": "investigating", "created_at": "2023-06-01T10:00:00.000Z", "affected_components": [{"name": "Git Operations", "old_status": "operational", "new_status": "major_outage"}]}, {"status": "resolved", "created_at": "2023-06-01T11:00:00.000Z", "affected_components": [{"name": "Git Operations", "old_status": "major_outage", "new_status": "operational"}]}]}]}'],
    "gcp": [b'[{"id": "g1", "number": "1", "begin": "2021-01-01T00:00:00+00:00", "created": "2021-01-01T00:05:00+00:00", "end": "2021-01-01T01:00:00+00:00", "severity": "high", "status_impact": "SERVICE_OUTAGE", "service_name": "Compute", "affected_products": [{"title": "Compute Engine", "id": "c"}], "external_desc": "x"}]'],
    "scenario": [p.read_bytes() for p in sorted((ROOT / "slagen/scenarios").glob("*.yaml"))],
    "aws_health": [b'{"archive": [{"service_name": "Amazon EC2 (Ohio)", "summary": "[RESOLVED] Errors", "date": "1656000000", "status": "3", "details": "", "description": "<div><span class=\\"yellowfg\\">11:40 PM PDT</span>&nbsp;Investigating.</div><div><span class=\\"yellowfg\\">Jun 24, 12:20 AM PDT</span>&nbsp;Between 11:30 PM and 12:10 AM PDT errors occurred.</div>", "service": "ec2-us-east-2"}], "current": []}'],
    "upptime": [b'[{"name": "API", "slug": "api", "status": "down", "uptime": "81.39%", "dailyMinutesDown": {"2024-02-13": 1052, "2024-02-12": 1440}}, {"name": "Web", "slug": "web", "dailyMinutesDown": 0}]',
                b"url: https://example.com/\nstatus: down\ncode: 405\nresponseTime: 583\nlastUpdated: 2024-10-17T17:41:24.212Z\nstartTime: 2023-09-19T19:15:55.297Z\ngenerator: Upptime <https://github.com/upptime/upptime>\n"],
    "status_log": [b"observed_at,component,status,code\n2026-11-05T10:00:00Z,app,down,500\n2026-11-05T10:05:00Z,app,degraded,200\n2026-11-05T10:20:00Z,app,up,200\n2026-11-05T12:00:00Z,api,down,0\n"],
}
SUFFIX = {"csv": ".csv", "json": ".json", "yaml": ".yaml", "statuspage": ".json", "gcp": ".json", "aws_health": ".json", "upptime": ".json", "status_log": ".csv"}
FORMAT_TARGETS = ("statuspage", "gcp", "aws_health", "upptime", "status_log")  # read as that format, not by detection


def mutate(data: bytes, draw) -> bytes:
    """A few random edits: flip, delete, insert, duplicate or truncate."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "dup", "truncate", "token"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del out[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif kind == "dup":
            out[at:at] = out[at : at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = draw(st.sampled_from([b"{", b"[", b"]", b"}", b",", b'"', b"'", b":", b"\n", b"-", b"&a ", b"*a", b"!!", b"24:00", b":60", b"9999", b"1e999", b"NaN", b"\xef\xbb\xbf", b"\x00", b"%"]))
    return bytes(out)


def run_target(target: str, data: bytes, tmp: Path) -> None:
    try:
        if target == "policy":
            parse_policy(data, "fuzz.yaml")
        elif target == "scenario":
            parse_scenario(data, "fuzz.yaml")
        elif target == "template":
            from datetime import date

            from slagen.clauses.build import clause_context
            from slagen.render.document import parse_clause
            from slagen.render.templates import environment, render

            (tmp / "clauses/en").mkdir(parents=True, exist_ok=True)
            (tmp / "clauses/en/fuzz.md.j2").write_bytes(data)
            policy = _fuzz_policy()
            parse_clause(render(environment(tmp), "clauses/en/fuzz.md.j2", clause_context(policy, "en", date(2026, 1, 1))), "fuzz", "fuzz.md.j2")
        elif target == "pack":
            path = tmp / "fuzz.zip"
            path.write_bytes(data)
            verify_pack(path, recompute=True)
        else:
            path = tmp / f"fuzz{SUFFIX[target]}"
            path.write_bytes(data)
            read_incidents(path, target if target in FORMAT_TARGETS else "auto", on_bad_record="skip")
            if target == "upptime":  # the same bytes as an Upptime site file
                yml = tmp / "site.yml"
                yml.write_bytes(data)
                read_incidents(yml, "upptime", on_bad_record="skip")
    except SlagenError:
        pass  # a clear message is the right answer to bad input


_POLICY = []


def _fuzz_policy():
    if not _POLICY:
        from slagen.policy.load import load_policy

        _POLICY.append(load_policy(ROOT / "examples/dingtalk-enterprise.yaml"))
    return _POLICY[0]


def keep(target: str, data: bytes) -> None:
    """Save a crashing input as a regression file (the test still fails). Hypothesis replays
    the shrunk, minimal example last, so the file left is the minimal one: rename it to say
    what it is when committing the fix."""
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    (REGRESSIONS / f"{target}-new-crash.bin").write_bytes(data)


# the formats of issue 18 are fuzzed by `make fuzz` (thousands of examples each, no crash found
# in 4,500); `make test` keeps its time for the older targets
LONG_ONLY = ("aws_health", "upptime", "status_log")


@pytest.mark.parametrize("target", [pytest.param(t, marks=pytest.mark.skipif(t in LONG_ONLY and not LONG, reason="run by `make fuzz`")) for t in sorted(SEEDS)])
@FUZZ
@given(data=st.data())
def test_fuzz_reader(target, data, tmp_path_factory):
    seed = data.draw(st.sampled_from(SEEDS[target]))
    sample = mutate(seed, data.draw)
    tmp = tmp_path_factory.mktemp("fuzz")
    try:
        run_target(target, sample, tmp)
    except Exception:
        keep(target, sample)
        raise


@pytest.fixture(scope="module")
def pack_bytes(tmp_path_factory) -> bytes:
    from slagen.cli.options import build_request
    from slagen.pack.build import make_pack, zip_bytes

    policy = ROOT / "examples/dingtalk-enterprise.yaml"
    request = build_request(policy, "Asia/Hong_Kong", {"incident_files": (str(ROOT / "examples/incidents/dingtalk-2026-10.csv"),), "period": "2026-10", "as_of": "2026-11-02T00:00:00+08:00"})
    files = make_pack(request).files
    small = {k: v for k, v in files.items() if not k.startswith("report.")}  # keep the zip small
    import hashlib
    import json

    manifest = json.loads(files["manifest.json"])
    manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("report.")]
    small["manifest.json"] = json.dumps(manifest).encode()
    assert all(hashlib.sha256(small[f["path"]]).hexdigest() == f["sha256"] for f in manifest["files"])
    return zip_bytes(small)


@FUZZ
@given(data=st.data())
def test_fuzz_pack_reader(pack_bytes, data, tmp_path_factory):
    buffer = io.BytesIO(pack_bytes)
    with zipfile.ZipFile(buffer) as archive:
        names = archive.namelist()
    # mutate either the zip container or one member (then re-zip, so the reader gets past the container)
    if data.draw(st.booleans()):
        sample = mutate(pack_bytes, data.draw)
    else:
        name = data.draw(st.sampled_from(names))
        with zipfile.ZipFile(io.BytesIO(pack_bytes)) as archive:
            members = {n: archive.read(n) for n in names}
        members[name] = mutate(members[name], data.draw)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for n, body in members.items():
                archive.writestr(n, body)
        sample = out.getvalue()
    try:
        run_target("pack", sample, tmp_path_factory.mktemp("fuzz"))
    except Exception:
        keep("pack", sample)
        raise


TEMPLATE_SEEDS = [(ROOT / "templates/clauses/en" / name).read_bytes() for name in ("service_credits.md.j2", "escalation.md.j2", "definitions.md.j2", "_terms.j2")]


@settings(max_examples=max(EXAMPLES // 5, 20), deadline=None, suppress_health_check=list(HealthCheck), derandomize=not LONG)
@given(data=st.data())
def test_fuzz_house_template(data, tmp_path_factory):
    """A mutated clause template from a user's directory: rendered and parsed, or a RenderError."""
    sample = mutate(data.draw(st.sampled_from(TEMPLATE_SEEDS)), data.draw)
    try:
        run_target("template", sample, tmp_path_factory.mktemp("fuzz"))
    except Exception:
        keep("template", sample)
        raise


REPLAY = sorted(REGRESSIONS.glob("*.bin")) if REGRESSIONS.is_dir() else []


@pytest.mark.parametrize("path", REPLAY, ids=[p.name for p in REPLAY])
def test_fuzz_regressions_stay_fixed(path, tmp_path):
    target = path.name.split("-", 1)[0]
    run_target(target, path.read_bytes(), tmp_path)


def test_real_statuspage_export_survives_mutation_of_its_first_kilobytes(tmp_path):
    """The real GitHub export, cut and damaged: a message, never a crash."""
    real = SHARED / "data/real-incidents/githubstatus_incidents_2019-2023.statuspage.json"
    if not real.exists():
        pytest.skip(f"shared real-incident data not found at {real}")
    data = real.read_bytes()
    for cut in (10, 1000, 50_000, len(data) // 2):
        run_target("statuspage", data[:cut], tmp_path)
