"""Templates and house style at the edges: only plain files inside the template directories
are loaded, rendering is bounded in time and size, data never becomes markup, and a house
reference.docx cannot make Word fetch anything."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
SECRET = "TOP-SECRET-MARKER"


@pytest.fixture
def house(tmp_path) -> Path:
    (tmp_path / "house/clauses/en").mkdir(parents=True)
    return tmp_path / "house"


def _clauses(run_main, house: Path, out: Path, fmt: str = "md"):
    return run_main("clauses", DINGTALK, "--templates", house, "--format", fmt, "-o", out)


# --- the loader: plain files inside the directories only ------------------------------------


def test_a_symlinked_template_is_refused_and_never_read(run_main, house, tmp_path):
    outside = tmp_path / "outside.md.j2"
    outside.write_text(f"# {SECRET}\n\nleaked\n")
    (house / "clauses/en/escalation.md.j2").symlink_to(outside)
    code, out, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 1 and "is a symbolic link" in err and SECRET not in out + err
    assert not (tmp_path / "o.md").exists()


def test_a_symlinked_directory_labels_or_reference_is_refused(run_main, tmp_path):
    elsewhere = tmp_path / "elsewhere/en"
    elsewhere.mkdir(parents=True)
    (elsewhere / "escalation.md.j2").write_text(f"# {SECRET}\n")
    house = tmp_path / "house"
    (house / "clauses").mkdir(parents=True)
    (house / "clauses/en").symlink_to(elsewhere)
    code, out, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 1 and "symbolic link" in err and SECRET not in out + err
    (house / "clauses/en").unlink()
    (house / "clauses/reference.docx").symlink_to(ROOT / "pyproject.toml")
    code, _, err = _clauses(run_main, house, tmp_path / "o.docx", "docx")
    assert code == 1 and "reference.docx: is a symbolic link" in err
    (house / "report").mkdir()
    (house / "report/labels.en.yaml").symlink_to(tmp_path / "elsewhere/en/escalation.md.j2")
    code, _, err = run_main("report", DINGTALK, "--incidents", ROOT / "examples/incidents/dingtalk-2026-10.csv", "--period", "2026-10",
                            "--as-of", "2026-11-02T00:00:00Z", "--templates", house, "--format", "html", "-o", tmp_path / "r.html")
    assert code == 1 and "labels.en.yaml: is a symbolic link" in err


def test_a_fifo_template_is_refused_without_hanging(run_main, house, tmp_path):
    os.mkfifo(house / "clauses/en/escalation.md.j2")
    code, _, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 1 and "not a regular file" in err


# --- bounded rendering ----------------------------------------------------------------------


def test_a_loop_that_calls_nothing_is_stopped_by_the_time_budget(run_main, house, tmp_path, monkeypatch):
    import slagen.render.templates as templates

    monkeypatch.setattr(templates, "RENDER_SECONDS", 0.5)
    (house / "clauses/en/escalation.md.j2").write_text("# T\n\n{% set x = range(100000) %}{% for i in x %}{% for j in x %}{% endfor %}{% endfor %}\n")
    code, _, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 1 and "rendering took longer than 0.5 s" in err and "escalation.md.j2" in err
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the alarm is off again


def test_output_size_is_capped(run_main, house, tmp_path, monkeypatch):
    import slagen.render.templates as templates

    monkeypatch.setattr(templates, "MAX_OUTPUT_CHARS", 10_000)
    (house / "clauses/en/escalation.md.j2").write_text("# T\n\n{% for i in range(5000) %}abc{% endfor %}\n")
    code, _, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 1 and "the output is larger than 10,000 characters" in err


# --- data is never markup ---------------------------------------------------------------------

INJECTED = "Evil Corp\n\n# Injected Clause\n\n- (z) injected item\n| a | b |\n> note **bold** ⟦ref:claims⟧ x|y"


def _hostile_policy(tmp_path: Path) -> Path:
    import json

    text = DINGTALK.read_text()
    text = text.replace("      en: DingTalk (Singapore) Private Limited\n", f"      en: {json.dumps(INJECTED)}\n")
    text = text.replace("    name: {en: Monthly Uptime Percentage, zh-Hans: 月度可用率, zh-Hant: 月度可用率}", '    name: "Uptime | Extra cell **B** ⟦ref:nope⟧\\n# H"')
    assert INJECTED[:9] in text and "Extra cell" in text
    path = tmp_path / "injected.yaml"
    path.write_text(text)
    return path


def test_newlines_and_markup_in_policy_text_cannot_make_blocks_cells_bold_or_references(tmp_path):
    from slagen.clauses.build import build
    from slagen.policy.load import load_policy
    from slagen.render.document import Items, Para, Table, runs

    plain = build(load_policy(DINGTALK), "en")[0]
    doc = build(load_policy(_hostile_policy(tmp_path)), "en")[0]
    assert [c.title for c in doc.clauses] == [c.title for c in plain.clauses]  # no new clause
    assert [[type(b) for b in c.blocks] for c in doc.clauses] == [[type(b) for b in c.blocks] for c in plain.clauses]  # no new block
    for clause, before in zip(doc.clauses, plain.clauses):
        for block, old in zip(clause.blocks, before.blocks):
            if isinstance(block, Table):
                assert len(block.header) == len(old.header) and all(len(r) == len(old.header) for r in block.rows)
            if isinstance(block, Items):
                assert len(block.items) == len(old.items)
    text = " ".join(piece for c in doc.clauses for b in c.blocks if isinstance(b, (Para, Items)) for t in ([b.text] if isinstance(b, Para) else b.items)
                    for piece, bold in runs(t) if not bold)
    assert "Evil Corp # Injected Clause - (z) injected item | a | b | > note **bold** ⟦ref:claims⟧ x|y" in text
    bold = [piece for c in doc.clauses for b in c.blocks if isinstance(b, (Para, Items)) for t in ([b.text] if isinstance(b, Para) else b.items) for piece, on in runs(t) if on]
    assert "bold" not in bold and "B" not in bold


def test_injected_policy_renders_in_every_format(run_main, tmp_path):
    policy = _hostile_policy(tmp_path)
    for fmt in ("md", "html", "docx"):
        code, _, err = run_main("clauses", policy, "-o", tmp_path / f"c.{fmt}")
        assert code == 0, err
    from docx import Document

    texts = [p.text for p in Document(tmp_path / "c.docx").paragraphs]
    assert not any(t.strip() == "Injected Clause" for t in texts)
    assert any("Evil Corp # Injected Clause" in t for t in texts)


# --- house reference.docx -------------------------------------------------------------------


def _reference(tmp_path: Path, edit) -> Path:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, edit(name, source.read(name)))
    path = tmp_path / "reference.docx"
    path.write_bytes(out.getvalue())
    return path


def _rel(kind: str, target: str) -> bytes:
    return (f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
            f'Target="{target}" TargetMode="External"/></Relationships>').encode()


@pytest.mark.parametrize("kind,target,ok", [
    ("image", "http://tracker.example/beacon.png", False),
    ("attachedTemplate", "https://evil.example/t.dotm", False),
    ("hyperlink", "https://example.com/", True),
])
def test_reference_docx_external_relationships(run_main, house, tmp_path, kind, target, ok):
    def edit(name, data):
        if name == "word/_rels/document.xml.rels":
            return data.replace(b"</Relationships>", _rel(kind, target))
        return data

    ref = _reference(tmp_path, edit)
    ref.rename(house / "clauses/reference.docx")
    code, _, err = _clauses(run_main, house, tmp_path / "o.docx", "docx")
    if ok:
        assert code == 0, err
    else:
        assert code == 1 and "reference.docx" in err and target in err and "may not make Word fetch" in err
        assert not (tmp_path / "o.docx").exists()


def test_reference_docx_fetching_fields_and_damage_are_located_errors(run_main, house, tmp_path):
    field = b'<w:p><w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://x.example/a.png" \\d </w:instrText></w:r></w:p></w:body>'

    def edit(name, data):
        return data.replace(b"</w:body>", field) if name == "word/document.xml" else data

    ref = _reference(tmp_path, edit)
    ref.rename(house / "clauses/reference.docx")
    code, _, err = _clauses(run_main, house, tmp_path / "o.docx", "docx")
    assert code == 1 and "fetches from elsewhere" in err
    for damaged in (b"not a zip at all", b"PK\x03\x04broken", _zip({"hello.txt": b"a zip, not a Word file"}), _zip({"[Content_Types].xml": b"<Types"})):
        (house / "clauses/reference.docx").write_bytes(damaged)
        code, _, err = _clauses(run_main, house, tmp_path / "o.docx", "docx")
        assert code == 1 and "reference.docx: not a usable reference .docx" in err, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_slagen_helpers_take_large_real_figures(run_main, house, tmp_path):
    """The count cap is for Jinja's own functions and filters; slagen's helpers take real figures
    (ten years of minutes is over five million)."""
    (house / "clauses/en/escalation.md.j2").write_text("# T\n\n{{ w.count(5256000) }} minutes\n")
    code, _, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 0, err
    assert "(5,256,000) minutes" in (tmp_path / "o.md").read_text()


def test_large_data_values_pass_through_filters(run_main, house, tmp_path):
    (house / "clauses/en/escalation.md.j2").write_text("# T\n\n{{ 5256000|string }} {{ 5256000|int }} {{ '%d'|format(5256000) }} {{ '{}'.format(5256000) }}\n")
    code, _, err = _clauses(run_main, house, tmp_path / "o.md")
    assert code == 0 and "5256000 5256000 5256000 5256000" in (tmp_path / "o.md").read_text(), err
