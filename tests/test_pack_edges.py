"""Packs at the edges: --expect proves the manifest, --recompute re-renders every document and
catches a swapped report even with a re-hashed manifest, limits hold before anything is
inflated or read, and a pack never runs its own templates."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_pack import ARGS, DINGTALK, entries

HOUSE_LABEL = "title: House Style Service Report\n"


@pytest.fixture(scope="module")
def packed(tmp_path_factory) -> tuple[Path, str, Path]:
    """One pack made with house templates, under a name full of format syntax; the manifest
    SHA-256 `slagen pack` printed; the house template directory."""
    from click.testing import CliRunner

    from slagen.cli.main import cli

    folder = tmp_path_factory.mktemp("edges")
    house = folder / "house"
    (house / "report").mkdir(parents=True)
    (house / "report/labels.en.yaml").write_text(HOUSE_LABEL)
    target = folder / "pack-{window}-{label}-%s.zip"  # `pack -o` was a format string: '{window}' was exit 70
    result = CliRunner().invoke(cli, ["pack", str(DINGTALK), *map(str, ARGS), "--templates", str(house), "-o", str(target), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["house", target.name]
    return target, json.loads(result.stdout)[0]["manifest_sha256"], house


def forge(source: Path, target: Path, change: dict[str, bytes]) -> None:
    """Change files in a pack and rewrite the manifest's hashes to match, as a forger would."""
    files = {**entries(source), **change}
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
        entry["bytes"] = len(files[entry["path"]])
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_expect_accepts_the_printed_hash_and_rejects_a_forged_manifest(packed, tmp_path, run_main):
    pack, sha, _ = packed
    code, out, _ = run_main("verify", pack, "--expect", sha.upper())
    assert code == 0 and "the manifest SHA-256 is the expected one" in out
    forged = tmp_path / "forged.zip"
    forge(pack, forged, {"inputs/incidents/dingtalk-2026-10.csv": b"id\n"})
    assert run_main("verify", forged)[0] == 0  # the hashes agree with the forged manifest...
    code, out, _ = run_main("verify", forged, "--expect", sha)
    assert code == 1 and f"not the expected {sha}" in out  # ...but it is not the manifest pack printed
    code, _, err = run_main("verify", pack, "--expect", "abc")
    assert code == 2 and "64 hex digits" in err


def test_recompute_names_a_swapped_report_even_with_a_rehashed_manifest(packed, tmp_path, run_main):
    pack, _, house = packed
    files = entries(pack)
    forged = tmp_path / "swapped.zip"
    forge(pack, forged, {"report.pdf": files["report.pdf"] + b"\n% edited"})
    assert run_main("verify", forged)[0] == 0
    code, out, _ = run_main("verify", forged, "--recompute", "--templates", house, "--format", "json")
    result = json.loads(out)
    # the PDF is named; the untouched DOCX, rendered again with the same house templates, matches
    assert code == 1 and [p["path"] for p in result["problems"]] == ["report.pdf"]
    assert all(p["kind"] == "recompute" and "rendered again" in p["message"] for p in result["problems"])


def test_recompute_with_house_templates_needs_the_same_templates(packed, tmp_path, run_main):
    import shutil

    pack, _, house = packed
    manifest = entries(pack)["manifest.json"].decode()
    assert "report/labels.en.yaml" in manifest  # recorded by hash...
    assert not any(name.startswith("report/") for name in entries(pack))  # ...never packed, never run from the pack
    code, out, _ = run_main("verify", pack, "--recompute")
    assert code == 1 and "give the same directory with --templates DIR" in out
    other = tmp_path / "other"
    shutil.copytree(house, other)
    (other / "report/labels.en.yaml").write_text(HOUSE_LABEL + "subtitle: changed\n")
    code, out, _ = run_main("verify", pack, "--recompute", "--templates", other)
    assert code == 1 and "first difference: report/labels.en.yaml" in out


def test_limits_hold_before_anything_is_inflated(packed, run_main, monkeypatch):
    import slagen.pack.verify as verify

    pack = packed[0]
    monkeypatch.setattr(verify, "MAX_ENTRIES", 3)
    code, _, err = run_main("verify", pack)
    assert code == 1 and "zip entries, more than the 3 a pack may hold" in err
    monkeypatch.setattr(verify, "MAX_ENTRIES", 10_000)
    monkeypatch.setattr(verify, "MAX_TOTAL_BYTES", 1000)
    inflated = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: inflated.append(a) or pytest.fail("inflated"))
    code, _, err = run_main("verify", pack)
    assert code == 1 and "more than the 1,000 a pack may hold; not read" in err and not inflated


def test_a_zip_bomb_entry_is_never_inflated_past_its_declared_size(tmp_path, run_main):
    """An entry whose data inflates to more than its header declares is refused at that size."""
    import io

    body = b"\0" * 1_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({"format": "slagen-pack/1", "files": []}))
        archive.writestr("big.bin", body)
    data = bytearray(buffer.getvalue())
    # lie about the size in both headers: 1,000 bytes instead of 1,000,000
    for marker, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(marker, start)) != -1:
            name_len = int.from_bytes(data[start + (26 if marker == b"PK\x03\x04" else 28):][:2], "little")
            name_at = start + (30 if marker == b"PK\x03\x04" else 46)
            if data[name_at:name_at + name_len] == b"big.bin":
                data[start + offset:start + offset + 4] = (1000).to_bytes(4, "little")
            start += 4
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(bytes(data))
    code, out, err = run_main("verify", bomb)
    assert code == 1 and "big.bin" in out and "Traceback" not in out + err


def test_non_regular_files_are_never_read(tmp_path, run_main, packed):
    fifo = tmp_path / "pack.zip"
    os.mkfifo(fifo)
    code, _, err = run_main("verify", fifo)
    assert code == 2 and "is a FIFO" in err
    folder = tmp_path / "dirpack"
    folder.mkdir()
    for name, data in entries(packed[0]).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "inputs/trap")
    (folder / "inputs/link").symlink_to("/etc/passwd")
    code, out, _ = run_main("verify", folder)
    assert code == 1 and "unsafe: inputs/trap: not a regular file" in out and "unsafe: inputs/link: a symbolic link" in out


def test_a_directory_pack_is_never_written_over_anything_but_an_empty_directory(packed, tmp_path, run_main):
    target = tmp_path / "missing-parent" / "pack"
    code, _, err = run_main("pack", DINGTALK, *ARGS, "-o", target)
    assert code == 2 and "does not exist" in err and not (tmp_path / "missing-parent").exists()
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    code, _, err = run_main("pack", DINGTALK, *ARGS, "-o", link)
    assert code == 2 and "symbolic link" in err


def test_a_directory_pack_is_counted_and_sized_before_anything_is_read(tmp_path, run_main, monkeypatch):
    import slagen.files
    import slagen.pack.verify as verify

    for i in range(5):
        (tmp_path / f"f{i}").write_bytes(b"x" * 600)
    monkeypatch.setattr(slagen.files, "read_input", lambda *a, **k: pytest.fail("read before the limits were checked"))
    monkeypatch.setattr(verify, "MAX_ENTRIES", 3)
    code, _, err = run_main("verify", tmp_path)
    assert code == 1 and "more than the 3 files a pack may hold; nothing read" in err
    monkeypatch.setattr(verify, "MAX_ENTRIES", 10_000)
    monkeypatch.setattr(verify, "MAX_TOTAL_BYTES", 1000)
    code, _, err = run_main("verify", tmp_path)
    assert code == 1 and "more than the 1,000 bytes a pack may hold; nothing read" in err
