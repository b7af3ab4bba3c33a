"""Outputs (`-o`) and inputs at the edges: only regular files are read or replaced, every OS
error is a one-line message with the path (exit 1 or 2), nothing is half-written, SIGTERM
cleans up, `-o` is literal, and data cannot act on the terminal or break a writer."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
INCIDENTS = ROOT / "examples/incidents/dingtalk-2026-10.csv"
EVAL = ("evaluate", DINGTALK, "--incidents", INCIDENTS, "--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00", "--format", "json")


def _one_line(text: str) -> None:
    assert "Traceback" not in text and "internal error" not in text
    assert len(text.strip().splitlines()) == 1, text


# --- what -o may replace -------------------------------------------------------------------


def test_a_fifo_device_directory_or_socket_is_never_replaced(run_main, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run_main(*EVAL, "-o", fifo)
    assert code == 2 and "pipe: is a FIFO" in err and "regular files" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    code, _, err = run_main(*EVAL, "-o", "/dev/null")
    assert code == 2 and "/dev/null: is a device" in err
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    code, _, err = run_main(*EVAL, "-o", tmp_path)
    assert code == 2 and "is a directory" in err
    import socket

    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        code, _, err = run_main(*EVAL, "-o", sock_path)
    assert code == 2 and "is a socket" in err
    _one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "s"]  # no temp file either


def test_a_symlink_is_refused_and_neither_link_nor_target_changes(run_main, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    code, _, err = run_main(*EVAL, "-o", link)
    assert code == 2 and "is a symbolic link" in err
    assert link.is_symlink() and target.read_text() == "keep me"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere")
    assert run_main(*EVAL, "-o", dangling)[0] == 2 and not (tmp_path / "nowhere").exists()


def test_a_missing_parent_directory_is_an_error_not_created(run_main, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "ev.json"
    code, _, err = run_main(*EVAL, "-o", out)
    assert code == 2 and f"directory {out.parent} does not exist" in err
    assert not (tmp_path / "no").exists()
    code, _, err = run_main("clauses", DINGTALK, "-o", tmp_path / "none" / "x.md")
    assert code == 2 and not (tmp_path / "none").exists()
    file_parent = tmp_path / "f"
    file_parent.write_text("")
    code, _, err = run_main(*EVAL, "-o", file_parent / "ev.json")
    assert code == 2 and "not a directory" in err.lower()


def test_dash_is_standard_output(run_main):
    code, out, err = run_main(*EVAL, "-o", "-")
    assert code == 3 and json.loads(out)["credits"]["amount"] == "16600.00" and "wrote" not in err
    code, _, err = run_main("clauses", DINGTALK, "--format", "pdf", "-o", "-")
    assert code == 2 and "binary file" in err


def test_an_existing_file_keeps_its_mode_when_replaced(run_main, tmp_path):
    out = tmp_path / "ev.json"
    out.write_text("old")
    out.chmod(0o640)
    assert run_main(*EVAL, "-o", out)[0] == 3
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and json.loads(out.read_text())


def test_disk_full_is_exit_1_with_path_and_reason_and_nothing_left(run_main, tmp_path, monkeypatch):
    import slagen.files

    out = tmp_path / "ev.json"
    out.write_text("the previous version")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd):
            self.handle = real_fdopen(fd, "wb")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(slagen.files.os, "fdopen", lambda fd, mode: Full(fd))
    code, _, err = run_main(*EVAL, "-o", out)
    assert code == 1 and f"-o {out}: cannot write (No space left on device)" in err
    _one_line(err)
    assert out.read_text() == "the previous version" and [p.name for p in tmp_path.iterdir()] == ["ev.json"]


def test_file_too_large_is_exit_1_in_a_real_process(tmp_path):
    """RLIMIT_FSIZE makes the kernel refuse the write with EFBIG (Python ignores SIGXFSZ)."""
    import resource

    out = tmp_path / "ev.json"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))

    proc = subprocess.run([sys.executable, "-m", "slagen.cli.main", *map(str, EVAL), "-o", str(out)], capture_output=True, text=True,
                          preexec_fn=limit, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"-o {out}: cannot write (File too large)" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_long_names_work_up_to_the_limit_and_fail_cleanly_beyond(run_main, tmp_path):
    long_ok = tmp_path / ("x" * 250 + ".json")  # the temp name must not add to this
    assert run_main(*EVAL, "-o", long_ok)[0] == 3 and long_ok.is_file()
    too_long = tmp_path / ("y" * 300 + ".json")
    code, _, err = run_main(*EVAL, "-o", too_long)
    assert code == 2 and "File name too long" in err
    _one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == [long_ok.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_permission_denied_is_exit_2(run_main, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = run_main(*EVAL, "-o", locked / "ev.json")
    finally:
        locked.chmod(0o700)
    assert code == 2 and "Permission denied" in err


@pytest.mark.parametrize("name", ["out-{window}.json", "out-{label}-%s-%(x)s-{0}.json", "{"])
def test_output_names_are_literal_never_a_format_string(run_main, tmp_path, name):
    out = tmp_path / name
    assert run_main(*EVAL, "-o", out)[0] == 3 and out.is_file()
    assert run_main("clauses", DINGTALK, "-o", tmp_path / ("c" + name))[0] == 0 and (tmp_path / ("c" + name)).is_file()
    # `pack -o` with format syntax: tests/test_pack_edges.py::packed


# --- SIGTERM -------------------------------------------------------------------------------


def test_sigterm_mid_write_removes_the_temp_file(tmp_path):
    """A real process stopped by SIGTERM after its temp file is written but before the rename."""
    out = tmp_path / "report.json"
    out.write_text("the previous version")
    script = textwrap.dedent(f"""
        import os, sys, time
        import slagen.files
        real_replace = os.replace
        def slow_replace(a, b):
            print("ready", flush=True)
            for _ in range(600):  # short sleeps: the signal may land on a numpy thread, not interrupt one long sleep
                time.sleep(0.1)
        slagen.files.os.replace = slow_replace
        sys.argv = ["slagen", *{[str(a) for a in EVAL]!r}, "-o", {str(out)!r}]
        from slagen.cli.main import main
        main()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert len(list(tmp_path.iterdir())) == 2  # the temp file exists now
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM and "terminated" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"] and out.read_text() == "the previous version"


# --- inputs: regular files only, size-capped before reading ----------------------------------


def test_non_regular_inputs_are_refused_before_reading(run_main, tmp_path):
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", "/dev/zero", "--period", "2026-10")
    assert code == 2 and "/dev/zero: is a device" in err
    fifo = tmp_path / "incidents.csv"
    os.mkfifo(fifo)  # nobody writes to it: reading would hang forever
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", fifo, "--period", "2026-10")
    assert code == 2 and "is a FIFO" in err
    code, _, err = run_main("validate", fifo)
    assert code == 2 and "is a FIFO" in err
    _one_line(err)


def test_inputs_are_size_capped_before_they_are_read(run_main, tmp_path, monkeypatch):
    import slagen.files

    monkeypatch.setattr(slagen.files, "MAX_INPUT_BYTES", 1000)
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", INCIDENTS, "--period", "2026-10")
    assert code == 2 and "is larger than the 1,000 bytes slagen reads" in err


# --- data in terminal output and in every writer ----------------------------------------------

NASTY = "A\x1b[31mB\x07C\x00D\x0bE\ud800F\u202eG"


def test_terminal_escapes_controls_surrogates_and_bidi():
    from slagen.text import for_terminal

    assert for_terminal(NASTY) == "A\\x1b[31mB\\x07C\\x00D\\x0bE\\ud800F\\u202eG"
    assert for_terminal("one\ntwo") == "one\\ntwo"
    assert for_terminal("one\ntwo", keep_newlines=True) == "one\ntwo"
    assert for_terminal("中文 ok") == "中文 ok"


def test_incident_text_with_control_characters_is_escaped_in_the_table(run_main, tmp_path):
    lines = INCIDENTS.read_text().splitlines()
    lines[1] = lines[1].replace("INC-101", "INC-\x1b[2J101") + "\x07"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    code, out, err = run_main("evaluate", DINGTALK, "--incidents", bad, "--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00")
    # incident readers refuse control characters at read time (the record is named, nothing raw is echoed) ...
    assert code == 1 and "U+001B" in err and "\x1b" not in err + out and "\x07" not in err + out
    # ... and what does reach the table from elsewhere is escaped line by line
    from slagen.text import for_terminal

    assert for_terminal("INC-\x1b[2J101\x07") == "INC-\\x1b[2J101\\x07"


def test_writers_cope_with_control_characters_and_lone_surrogates():
    """Word and PDF cannot hold most C0 controls (python-docx raised ValueError: exit 70)."""
    import io
    import zipfile
    from datetime import date

    from slagen.render.document import Clause, Document, Meta, Para, Table
    from slagen.render.docx import render_docx
    from slagen.text import for_xml, utf8

    labels = {"version": "Version", "effective": "Effective", "page": "Page", "of": "of"}
    doc = Document("en", Meta(NASTY, NASTY, "1", date(2026, 1, 1), (NASTY, "B")), (Clause("k", NASTY, (Para(NASTY), Table(("h",), ((NASTY,),))), 1),), labels)
    data = render_docx([doc])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "A\x1b" not in xml and "A\ufffd[31mB\ufffdC\ufffdD\ufffdE\ufffdF\u202eG" in xml
    assert for_xml("tab\tnl\ncr\r") == "tab\tnl\ncr\r"
    assert utf8("a\udc80") == b"a\\udc80"


def test_incident_text_is_never_markup_in_the_report_docx(run_main, tmp_path):
    from docx import Document

    lines = INCIDENTS.read_text().splitlines()
    lines[1] = lines[1].replace("INC-101", "**URGENT**INC-101")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.docx"
    code, _, err = run_main("report", DINGTALK, "--incidents", bad, "--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00", "-o", out)
    assert code == 0, err
    cells = [c for t in Document(out).tables for row in t.rows for c in row.cells if "URGENT" in c.text]
    assert cells and all("**URGENT**INC-101" in c.text for c in cells)
    assert not any(r.bold for c in cells for p in c.paragraphs for r in p.runs)


def test_csv_cells_that_a_spreadsheet_would_run_are_text():
    from slagen.compare.render import _cell

    for value in ("=1+2", " =cmd", "+1", "-1", "@SUM(A1)", "\t=1", "＝1+2", "＠x"):
        assert _cell(value).startswith("'"), value
    assert _cell("99.9%") == "99.9%"


def test_an_empty_output_name_and_non_regular_samples_are_usage_errors(run_main, tmp_path):
    code, _, err = run_main(*EVAL, "-o", "")
    assert code == 2 and "give a file name" in err
    fifo = tmp_path / "samples.csv"
    os.mkfifo(fifo)
    code, _, err = run_main("evaluate", ROOT / "tests/data/policies/telemetry.yaml", "--samples", fifo, "--period", "2026-11")
    assert code == 2 and "is a FIFO" in err
