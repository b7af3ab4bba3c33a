"""The public Python API (docs/api.md): its surface, its examples, and the one RunRequest."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import slagen
from slagen.request import RunRequest

ROOT = Path(__file__).resolve().parent.parent
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"


def test_the_issue_one_liner_prints_the_credit():
    code = ("import slagen; e = slagen.evaluate(slagen.load_policy('examples/dingtalk-enterprise.yaml'), "
            "slagen.read_incidents('examples/incidents/dingtalk-2026-10.csv'), period='2026-10', "
            "as_of='2026-11-02T00:00:00+08:00'); print(e.credits.amount)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout == "16600.00\n"


def test_public_surface_is_what_all_lists():
    for name in slagen.__all__:
        assert getattr(slagen, name) is not None, name
    public = {n for n in dir(slagen) if not n.startswith("_")}
    # submodules imported so far are reachable as attributes, but they are not the API
    import types

    extra = {n for n in public - set(slagen.__all__) if not isinstance(getattr(slagen, n), types.ModuleType)}
    assert extra <= {"annotations", "TYPE_CHECKING", "Any"}, extra
    with pytest.raises(AttributeError):
        slagen.no_such_thing  # noqa: B018
    # every exception is one hierarchy
    for name in ("UsageError", "PolicyError", "PolicyErrors", "IncidentDataError", "EvaluationError", "RenderError", "OutputError"):
        assert issubclass(getattr(slagen, name), slagen.SlagenError)


def test_docs_examples_run_in_order(tmp_path, monkeypatch):
    """Every ```python block of docs/api.md, in one namespace, from a copy of the repo's layout."""
    for name in ("examples", "policies"):
        (tmp_path / name).mkdir()
        for item in (ROOT / name).iterdir():
            if item.name != "out":
                (tmp_path / name / item.name).symlink_to(item)
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs/api.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    namespace: dict = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"docs/api.md block {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"docs/api.md python block {i + 1} fails: {type(exc).__name__}: {exc}") from exc
    assert (tmp_path / "examples/out/availability-12-months.png").stat().st_size > 1000
    assert (tmp_path / "examples/out/dingtalk-2026-10.zip").is_file()


def _full_request() -> RunRequest:
    from slagen.engine.credits import PriorWindow
    from slagen.engine.evaluate import Coverage
    from zoneinfo import ZoneInfo

    return RunRequest(
        policy=DINGTALK,
        incident_files=(OCTOBER,),
        as_of=datetime(2026, 11, 1, 16, 0, tzinfo=timezone.utc),  # no period: the last complete window
        incident_format="csv",
        input_zone=ZoneInfo("Asia/Hong_Kong"),
        on_bad_record="skip",
        mapping={"title": "title"},
        coverage=(Coverage(datetime(2026, 9, 30, 16, tzinfo=timezone.utc), datetime(2026, 10, 31, 16, tzinfo=timezone.utc)),),
        prior=(PriorWindow("2026-09", Decimal("120000.00"), Decimal("0.00")),),
        history=2,
        duplicates="first",
        lang="zh-Hant",
        allow_fallback=True,
    )


def test_request_survives_the_manifest_and_its_command_line(tmp_path):
    """request -> manifest -> request is identical (with the window it resolved to named),
    and the manifest's command line parsed by the CLI builds the same request again."""
    import json
    import zipfile

    from slagen.cli.options import build_request
    from slagen.cli.pack_cmd import pack_cmd

    request = _full_request().for_window("2026-10")
    assert request.period == "2026-10" and _full_request().period is None
    pack = slagen.build_pack(_full_request(), tmp_path / "p.zip")
    manifest = json.loads(zipfile.ZipFile(pack.path).read("manifest.json"))
    assert RunRequest.from_record(manifest["request"]) == request
    argv = shlex.split(manifest["command"])
    assert argv[:2] == ["slagen", "pack"]
    ctx = pack_cmd.make_context("pack", argv[2:])
    params = dict(ctx.params)
    policy_files = params.pop("policy_files")
    for name in ("output", "jobs", "quiet", "fmt"):
        params.pop(name)
    again = build_request(policy_files[0], "Asia/Hong_Kong", params)
    assert again == request
    assert slagen.verify_pack(pack.path, expect=pack.manifest_sha256).ok  # recompute: tests/test_pack.py


@pytest.mark.parametrize("change, why", [
    ({"history": 61}, "history"), ({"history": True}, "history"), ({"lang": "fr"}, "lang"),
    ({"as_of": "2026-11-01T00:00:00"}, "offset"), ({"mapping": {"a": 1}}, "mapping"), ({"as_of": 5}, "ISO"),
])
def test_a_bad_record_is_refused_with_the_reason(change, why):
    record = {**_full_request().to_record(), **change}
    with pytest.raises((ValueError, TypeError), match=why):
        RunRequest.from_record(record)


def test_errors_are_located(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text(DINGTALK.read_text(encoding="utf-8").replace("timezone: Asia/Hong_Kong", "timezone: Mars/Base", 1), encoding="utf-8")
    with pytest.raises(slagen.PolicyErrors) as caught:
        slagen.load_policy(bad)
    assert caught.value.file == str(bad) and caught.value.line >= 1 and caught.value.column >= 1
    rows = tmp_path / "i.csv"
    rows.write_text("id,service,component,started_at,resolved_at\nA,dingtalk,app,2026-10-01T00:00:00+08:00,2026-10-01T01:00:00+08:00\nB,dingtalk,app,nope,\n")
    with pytest.raises(slagen.IncidentDataError) as caught:
        slagen.read_incidents(rows)
    assert caught.value.file == str(rows) and caught.value.line == 3 and "line 3" in caught.value.record


def test_api_misuse_is_a_usage_error(tmp_path):
    policy = slagen.load_policy(DINGTALK)
    october = slagen.read_incidents(OCTOBER)
    with pytest.raises(slagen.UsageError, match="evaluate_many"):
        slagen.evaluate(policy, october, period="2026-01..2026-10", as_of="2026-11-02")
    with pytest.raises(slagen.UsageError, match="range"):
        slagen.evaluate_many(policy, october, period="2026-10")
    with pytest.raises(slagen.UsageError, match="read_incidents"):
        slagen.evaluate(policy, [str(OCTOBER)], period="2026-10")
    with pytest.raises(slagen.UsageError, match="lang"):
        slagen.evaluate(policy, october, period="2026-10", as_of="2026-11-02", lang="fr")
    with pytest.raises(slagen.UsageError, match="together"):
        slagen.evaluate(policy, october, start="2026-10-01")
    from slagen.engine.result import Evaluation
    from dataclasses import replace

    ev = slagen.evaluate(policy, october, period="2026-10", as_of="2026-11-02")
    with pytest.raises(slagen.UsageError, match="slagen.evaluate"):
        slagen.render_report(replace(ev), tmp_path / "r.pdf")
    target = tmp_path / "keep.pdf"
    target.write_bytes(b"mine")
    with pytest.raises(slagen.UsageError):
        slagen.render_report(ev, target, lang="fr")
    assert target.read_bytes() == b"mine"
    assert isinstance(ev, Evaluation)


def test_cli_builds_requests_and_maps_exit_codes_in_one_place():
    """No CLI module other than options.py builds a RunRequest; only main.py exits."""
    for module in (ROOT / "slagen/cli").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        if module.name != "options.py":
            assert "RunRequest(" not in text, module.name
        if module.name != "main.py":
            assert "sys.exit" not in text and "ctx.exit" not in text, module.name


def test_a_spark_request_with_a_url_survives_its_record():
    """The engine and an object-storage URL are part of the description (a Path would fold '//')."""
    from dataclasses import replace

    request = replace(_full_request(), sample_files=("s3a://bucket/samples/*.parquet",), engine="spark", spark_master="local[2]")
    again = RunRequest.from_record(request.to_record())
    assert again == request and again.sample_files == ("s3a://bucket/samples/*.parquet",)
    assert "--engine spark --spark-master 'local[2]'" in request.command_line("evaluate")
    with pytest.raises(ValueError, match="engine"):
        RunRequest.from_record({**request.to_record(), "engine": "presto"})
