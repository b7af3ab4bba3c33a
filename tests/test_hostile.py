"""Hostile and broken input: every file in tests/data/hostile/ gets one clear message naming
the file and line or record, the documented exit status, no traceback and no output file.

The corpus is written by tests/data/hostile/make_corpus.py; expect.json says for each file
which command reads it and what it must answer.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

HOSTILE = ROOT / "tests/data/hostile"
CASES = json.loads((HOSTILE / "expect.json").read_text())
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
PERIOD = ("--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00")

_opened: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], (str, bytes, Path)):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # records every file the process opens, to prove what is never read


def _corpus():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus()


def test_the_corpus_is_large_and_complete():
    assert len(CASES) >= 60
    on_disk = {p.name for p in HOSTILE.iterdir()} - {"expect.json", "make_corpus.py", "README.md", "__pycache__"}
    assert on_disk | CORPUS.GENERATED == {c["file"] for c in CASES}
    for name in on_disk:  # the committed files are what the generator writes today
        assert (HOSTILE / name).read_bytes() == CORPUS.files[name], name


def run_case(case: dict, run_main, tmp_path: Path):
    path = HOSTILE / case["file"]
    if case["file"] in CORPUS.GENERATED:
        path = tmp_path / case["file"]
        path.write_bytes(CORPUS.files[case["file"]])
    kind = case["run"]
    out = tmp_path / "out" / "result.bin"
    out.parent.mkdir()
    if kind == "validate":
        return run_main("validate", path), None
    if kind == "evaluate":
        return run_main("evaluate", DINGTALK, "--incidents", path, *PERIOD, "--format", "json", "-o", out), out
    if kind == "scenario":
        return run_main("compare", DINGTALK, "--scenario", path, "--format", "md", "-o", out), out
    if kind == "verify":
        return run_main("verify", path), None
    house = tmp_path / "house"
    if kind == "template":
        (house / "clauses/en").mkdir(parents=True)
        shutil.copy(path, house / "clauses/en/escalation.md.j2")
        return run_main("clauses", DINGTALK, "--templates", house, "--format", "pdf", "-o", out), out
    if kind == "page":
        (house / "clauses").mkdir(parents=True)
        shutil.copy(path, house / "clauses/page.html.j2")
        return run_main("clauses", DINGTALK, "--templates", house, "--format", "pdf", "-o", out), out
    assert kind == "labels"
    (house / "report").mkdir(parents=True)
    shutil.copy(path, house / "report/labels.en.yaml")
    incidents = ROOT / "examples/incidents/dingtalk-2026-10.csv"
    return run_main("report", DINGTALK, "--incidents", incidents, *PERIOD, "--templates", house, "--format", "html", "-o", out), out


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_hostile_file(case, run_main, tmp_path):
    _opened.clear()
    (code, stdout, stderr), out = run_case(case, run_main, tmp_path)
    text = stdout + stderr
    allowed = case["exit"] if isinstance(case["exit"], list) else [case["exit"]]
    assert code in allowed, text
    assert "Traceback" not in text and "internal error" not in text
    assert case["says"] in text
    assert case["where"] in text
    if code == 1:
        assert case["file"] in text or case["run"] in ("template", "page", "labels")  # the file is named
        if out is not None:
            assert not out.exists(), "no output on failure"
            assert not list(out.parent.iterdir()), "no temp file left behind"
    if code in (0, 3) and out is not None:
        assert out.exists()
        if case["file"] == "csv-formula-cells.csv":  # kept as the text it is, never evaluated
            assert "=cmd|' /C calc'!A0" in json.loads(out.read_text())["incidents"][0]["incident"]
    if case["run"] == "page":
        assert not any(p.startswith("/etc/passwd") for p in _opened), "a file outside the allow-list was read"


def test_ten_megabyte_single_lines(run_main, tmp_path):
    csv_file = tmp_path / "long.csv"
    csv_file.write_bytes((HOSTILE / "csv-header-only.csv").read_bytes() + b"X" * 10_000_000 + b"\n")
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", csv_file, *PERIOD)
    assert code == 1 and "long.csv:line 2" in err and "field larger than field limit" in err
    policy = tmp_path / "long.yaml"
    policy.write_bytes(b'title: "' + b"x" * 10_000_000 + b'"\n')
    code, out, _ = run_main("validate", policy)
    assert code == 1 and "long.yaml:1:1: file is larger than 5 MB" in out


@pytest.mark.skipif(not os.environ.get("SLAGEN_LONG"), reason="long (about 10 s): run by `make fuzz`")
def test_100k_rows_with_one_bad_row_in_the_middle(run_main, tmp_path):
    header = (HOSTILE / "csv-header-only.csv").read_bytes()
    rows = [f"INC-{i},dingtalk,app,P3,major_outage,,2026-10-05T10:00:00+08:00,,,2026-10-05T10:00:01+08:00,,,,row {i}\n" for i in range(100_000)]
    rows[50_000] = rows[50_000].replace("2026-10-05T10:00:01+08:00", "2026-10-05T09:00:00+08:00")
    big = tmp_path / "big.csv"
    big.write_bytes(header + "".join(rows).encode())
    out = tmp_path / "o.json"
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", big, *PERIOD, "-o", out)
    assert code == 1 and "big.csv:line 50002" in err and "before started_at" in err and not out.exists()
    # skipping is a choice the user makes, and the skip is reported
    code, _, _ = run_main("evaluate", DINGTALK, "--incidents", big, *PERIOD, "--on-bad-record", "skip", "--format", "json", "-o", out)
    data = json.loads(out.read_text())
    assert code in (0, 3) and len(data["skipped"]) == 1 and data["skipped"][0]["record"] == "line 50002"


def test_an_existing_output_survives_a_failed_run(run_main, tmp_path):
    out = tmp_path / "sla.pdf"
    out.write_bytes(b"the signed version")
    house = tmp_path / "house/clauses/en"
    house.mkdir(parents=True)
    (house / "escalation.md.j2").write_text("# T\n\n{{ nope }}\n")
    code, _, _ = run_main("clauses", DINGTALK, "--templates", tmp_path / "house", "-o", out)
    assert code == 1 and out.read_bytes() == b"the signed version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["house", "sla.pdf"]
