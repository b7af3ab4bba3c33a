"""Audit packs: contents and manifest, identical bytes, verify catches every tampering
(changed byte, removed file, added file, zip slip), --recompute, batch over policies."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
ARGS = ("--incidents", OCTOBER, "--period", "2026-10", "--as-of", "2026-11-01T00:30:00+08:00")


@pytest.fixture(scope="module")
def pack_zip(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from slagen.cli.main import cli

    target = tmp_path_factory.mktemp("pack") / "dingtalk.zip"
    result = CliRunner().invoke(cli, ["pack", str(DINGTALK), *map(str, ARGS), "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_pack_holds_report_evaluation_inputs_and_a_manifest(pack_zip):
    files = entries(pack_zip)
    assert set(files) == {"manifest.json", "manifest-sha256.txt", "evaluation.json", "report.pdf", "report.docx",
                          "inputs/policy/dingtalk-enterprise.yaml", "inputs/incidents/dingtalk-2026-10.csv"}
    assert files["inputs/policy/dingtalk-enterprise.yaml"] == DINGTALK.read_bytes()
    assert files["inputs/incidents/dingtalk-2026-10.csv"] == OCTOBER.read_bytes()
    manifest = json.loads(files["manifest.json"])
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest() and entry["bytes"] == len(files[name])
    assert manifest["slagen_version"] and manifest["tzdata_version"]
    assert manifest["command"] == f"slagen pack {DINGTALK} --incidents {OCTOBER} --period 2026-10 --as-of 2026-10-31T16:30:00+00:00"
    # the evaluation names the packed copies, so it can be re-run from the pack alone
    evaluation = json.loads(files["evaluation.json"])
    assert evaluation["policy"]["file"] == "inputs/policy/dingtalk-enterprise.yaml"
    assert evaluation["inputs"][0]["file"] == "inputs/incidents/dingtalk-2026-10.csv"
    assert evaluation["credits"]["amount"] == "16600.00"
    # BagIt-style checksums for a verifier without slagen
    lines = files["manifest-sha256.txt"].decode().splitlines()
    assert f"{hashlib.sha256(files['report.pdf']).hexdigest()}  report.pdf" in lines


def test_same_inputs_give_an_identical_zip(pack_zip, tmp_path, run_main):
    again = tmp_path / "again.zip"
    code, _, _ = run_main("pack", DINGTALK, *ARGS, "-o", again)
    assert code == 0 and again.read_bytes() == pack_zip.read_bytes()


def test_intact_pack_verifies_and_recomputes(pack_zip, run_main):
    code, out, _ = run_main("verify", pack_zip, "--recompute")
    assert code == 0 and "intact: 6 files match the manifest; the evaluation recomputes identically" in out


def test_one_changed_byte_fails_naming_the_file(pack_zip, tmp_path, run_main):
    files = entries(pack_zip)
    pdf = bytearray(files["report.pdf"])
    pdf[len(pdf) // 2] ^= 0x01
    files["report.pdf"] = bytes(pdf)
    tampered = tmp_path / "t.zip"
    rezip(tampered, files)
    code, out, _ = run_main("verify", tampered)
    assert code == 1 and "changed: report.pdf" in out and out.count("changed:") == 1


@pytest.mark.parametrize("change, expected", [
    (lambda f: f.pop("inputs/incidents/dingtalk-2026-10.csv"), "missing: inputs/incidents/dingtalk-2026-10.csv"),
    (lambda f: f.__setitem__("notes.txt", b"added later"), "extra: notes.txt"),
    (lambda f: f.__setitem__("../../evil.sh", b"rm -rf /"), "unsafe: ../../evil.sh"),
    (lambda f: f.__setitem__("/etc/cron.d/x", b"x"), "unsafe: /etc/cron.d/x"),
    (lambda f: f.pop("manifest.json"), "missing: manifest.json"),
])
def test_removed_added_and_escaping_files_fail(pack_zip, tmp_path, run_main, change, expected):
    files = entries(pack_zip)
    change(files)
    tampered = tmp_path / "t.zip"
    rezip(tampered, files)
    code, out, _ = run_main("verify", tampered, "--format", "text")
    assert code == 1 and expected in out
    assert not (tmp_path.parent / "evil.sh").exists()


def test_recompute_catches_an_evaluation_edited_together_with_its_manifest(pack_zip, tmp_path, run_main):
    files = entries(pack_zip)
    evaluation = json.loads(files["evaluation.json"])
    evaluation["credits"]["amount"] = "0.00"
    files["evaluation.json"] = (json.dumps(evaluation, indent=2, ensure_ascii=False) + "\n").encode()
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "evaluation.json":
            entry["sha256"] = hashlib.sha256(files["evaluation.json"]).hexdigest()
            entry["bytes"] = len(files["evaluation.json"])
    files["manifest.json"] = json.dumps(manifest).encode()
    forged = tmp_path / "forged.zip"
    rezip(forged, files)
    assert run_main("verify", forged)[0] == 0  # hashes agree with the forged manifest...
    code, out, _ = run_main("verify", forged, "--recompute")
    assert code == 1 and "recompute: evaluation.json" in out and "/credits/amount" in out  # ...the re-run does not


def test_directory_pack_verifies_and_detects_tampering(tmp_path, run_main):
    target = tmp_path / "pack-dir"
    code, _, _ = run_main("pack", DINGTALK, *ARGS, "-o", target)
    assert code == 0 and (target / "manifest.json").is_file()
    assert run_main("verify", target, "--recompute")[0] == 0
    (target / "evaluation.json").write_text("{}")
    code, out, _ = run_main("verify", target, "--format", "json")
    problems = json.loads(out)["problems"]
    assert code == 1 and problems == [{"path": "evaluation.json", "kind": "changed", "message": problems[0]["message"]}]
    # an existing non-empty directory is never overwritten
    code, _, err = run_main("pack", DINGTALK, *ARGS, "-o", target)
    assert code == 2 and "already exists" in err


def test_not_a_pack(tmp_path, run_main):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    code, _, err = run_main("verify", junk)
    assert code == 1 and "not a readable zip file" in err
    assert run_main("verify", tmp_path / "nothing.zip")[0] == 2


def test_batch_packs_every_policy_with_a_summary(tmp_path, run_main):
    code, out, err = run_main("pack", DINGTALK, ROOT / "policies/aws-ec2-region.yaml", *ARGS, "-o", tmp_path, "--jobs", "2")
    assert code == 0
    assert (tmp_path / "dingtalk-enterprise-2026-10.zip").is_file()
    assert (tmp_path / "aws-ec2-region-2026-10-01-cycle.zip").is_file()
    assert "dingtalk-enterprise  2026-10" in out and "HKD 16,600.00" in out and "aws-ec2-region" in out
    assert err.count("wrote ") == 2
    code, out, _ = run_main("pack", DINGTALK, tmp_path / "missing.yaml", *ARGS, "-o", tmp_path / "b", "--format", "json")
    rows = json.loads(out)
    assert code == 1 and "error" in rows[1] and "no such file" in rows[1]["error"] and rows[0]["pack"].endswith(".zip")


def test_pack_with_monitoring_samples_recomputes(tmp_path, run_main):
    policy = ROOT / "tests/data/policies/telemetry.yaml"
    samples = ROOT / "tests/data/samples/hand-worked.csv"
    target = tmp_path / "t.zip"
    code, _, _ = run_main("pack", policy, "--samples", samples, "--from", "2026-11-10T10:00:00Z", "--to", "2026-11-10T10:20:00Z",
                          "--as-of", "2026-12-01T00:00:00Z", "-o", target, "-q")
    files = entries(target)
    assert code == 0 and files["inputs/samples/hand-worked.csv"] == samples.read_bytes()
    manifest = json.loads(files["manifest.json"])
    assert manifest["samples"] == [{"file": "inputs/samples/hand-worked.csv", "original": str(samples)}]
    assert "--samples " + str(samples) in manifest["command"]
    code, out, _ = run_main("verify", target, "--recompute")
    assert code == 0 and "recomputes identically" in out
