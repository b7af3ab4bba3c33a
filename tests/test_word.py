"""Word that survives a lawyer's edit: table widths worked out by hand, every bundled DOCX
read back (no table wider than its container, no column narrower than its longest word,
every cross-reference a REF field to an existing bookmark), a house reference.docx whose
styles stay as they are, lead-ins kept with their tables, meaningful properties."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn

from slagen.clauses.build import LANGS
from slagen.clauses.render import render_clauses
from slagen.policy.load import load_policy
from slagen.render.widths import _level, column_widths, table_layout, text_width, tokens

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
PAD = 2 * 85 + 40  # cell margins left and right, plus the 2 pt slack per column


# --- the width algorithm, by hand ------------------------------------------------------------


def test_text_width_counts_cjk_at_a_full_em_and_latin_by_class():
    # 10 pt = 200 twips per em
    assert text_width("星期一", 10) == 600  # three full-width characters
    assert text_width("Day", 10) == 452  # D wide 1.02 + a 0.62 + y 0.62 = 2.26 em
    assert text_width("Day", 10, bold=True) == 488  # 2.26 × 1.08 = 2.4408 em
    assert text_width("24小时", 10) == 698  # 2 digits 1.24 + 2 CJK 2.0 + one CJK/Latin gap 0.25 = 3.49 em
    assert text_width("09:00–18:00", 10) == 1336  # 8 digits 4.96 + 2 colons 0.72 + en dash (ambiguous) 1.0 = 6.68 em


def test_tokens_are_what_a_line_may_not_break_inside():
    assert tokens("Monday 09:00–18:00") == ["Monday", "09:00–18:00"]
    assert tokens("CNY 120,000.00") == ["CNY", "120,000.00"]
    assert tokens("星期一") == ["星期一"]  # a short CJK run is one word
    assert tokens("每周7日、每日24小时") == ["每周", "7", "日、", "每日", "24", "小时"]  # punctuation stays with what precedes it
    assert tokens("atlassian-cloud-premium-2024 2026-10-05") == ["atlassian-", "cloud-", "premium-2024", "2026-10-05"]
    assert tokens("服务商发现或接获故障通知时") == list("服务商发现或接获故障通知时")  # running text breaks anywhere


def test_columns_get_their_wish_when_it_fits_and_their_longest_token_when_it_does_not():
    header, rows = ("Day", "Hours"), [("Monday", "09:00–18:00")]
    # Day column: max("Day" bold 488, "Monday" 4.12 em = 824) + 210; Hours: max("Hours" bold 700, 1336) + 210
    assert column_widths(header, rows, 9000, 10, 85) == [824 + PAD, 1336 + PAD]
    # 2000 twips cannot hold 1034 + 1546: scaled down to 801.55 / 1198.45, the odd twip to the larger remainder
    assert column_widths(header, rows, 2000, 10, 85) == [802, 1198]


def test_spare_room_goes_first_to_columns_that_need_little():
    # needs beyond the minimum 200, 2000 and 4000 twips, 2000 spare: the first gets its 200,
    # the other two share the remaining 1800 equally
    assert _level([200, 2000, 4000], 2000) == 900
    assert _level([500, 500], 600) == 300


def test_a_table_too_wide_for_its_words_is_set_smaller_before_a_word_breaks():
    # "Wednesday" bold: 5.98 em × 1.08 = 6.4584 em; at 10 pt 1292 + 210 = 1502 > 1400,
    # at 9.5 pt 1227 + 210 = 1437 > 1400, at 9 pt 1163 + 210 = 1373 fits
    assert table_layout(("Wednesday",), [], 1400, 10, 85) == ([1373], 9.0)
    assert table_layout(("Wednesday",), [], 2000, 10, 85) == ([1502], 10)


# --- every bundled DOCX, read back ------------------------------------------------------------


@lru_cache(maxsize=None)
def _october():
    from slagen.cli.options import build_request
    from slagen.runs import run

    params = {"incident_files": (str(OCTOBER),), "period": "2026-10", "as_of": "2026-11-01T00:30:00+08:00"}
    return run(build_request(DINGTALK, load_policy(DINGTALK).timezone, params, 0))


@lru_cache(maxsize=None)
def bundled(name: str) -> bytes:
    """One bundled DOCX, made once per test process: clauses.<lang>, report.<lang>, compare."""
    kind, _, lang = name.partition(".")
    if kind == "clauses":
        return render_clauses(load_policy(DINGTALK), lang, "docx")
    if kind == "report":
        from slagen.report.render import render_report

        return render_report(_october(), "docx", lang)
    from slagen.compare.build import compare
    from slagen.compare.render import render
    from slagen.compare.scenarios import builtin_scenarios

    policies = [load_policy(p) for p in [*sorted((ROOT / "policies").glob("*.yaml")), DINGTALK]]
    return render(compare(policies, builtin_scenarios(), curves=False), "docx")


def _style_pt(doc, paragraph) -> float:
    from slagen.render.docx import style_font_pt

    return style_font_pt(doc, paragraph.style.name)


def _cell_least(doc, cell) -> int:
    """The widest unbreakable token in a cell at the size and weight it is set in, plus padding."""
    least = 0
    for paragraph in cell.paragraphs:
        size = _style_pt(doc, paragraph)
        for run in paragraph.runs:
            if run.font.size is not None:
                size = run.font.size.pt
        bold = any(run.bold for run in paragraph.runs)
        least = max([least] + [text_width(t, size, bold) for t in tokens(paragraph.text)])
    return least + PAD if least else 0


def _check_table(doc, table, container: int, where: str) -> int:
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed", where
    assert sum(grid) <= container, f"{where}: table {sum(grid)} twips wide in a container of {container}"
    count = 0
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            assert int(cell._tc.tcPr.tcW.w) == grid[i], where
            assert grid[i] >= _cell_least(doc, cell), f"{where}: column {i} ({grid[i]} twips) narrower than a token of {cell.text!r}"
            for inner in cell.tables:
                count += _check_table(doc, inner, grid[i] - 2 * 85, where)
    return count + 1


@pytest.mark.parametrize("name", ["clauses." + lang for lang in LANGS] + ["report.en", "report.zh-Hans", "report.zh-Hant", "compare"])
def test_no_table_is_wider_than_its_container_nor_a_column_narrower_than_a_word(name):
    doc = read_docx(io.BytesIO(bundled(name)))
    section = doc.sections[0]
    page = int((section.page_width - section.left_margin - section.right_margin) / 635)
    assert sum(_check_table(doc, table, page, name) for table in doc.tables) >= 1


def _refs_and_bookmarks(data: bytes) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(bookmark, shown result) of each REF field; bookmark name -> text of its paragraph."""
    doc = read_docx(io.BytesIO(data))
    body = doc.element.body
    marks = {}
    for start in body.iter(qn("w:bookmarkStart")):
        paragraph = start.getparent()
        marks[start.get(qn("w:name"))] = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
    refs = []
    for paragraph in body.iter(qn("w:p")):
        state, target, shown = None, None, ""
        for element in paragraph.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t")):
            if element.tag == qn("w:fldChar"):
                kind = element.get(qn("w:fldCharType"))
                if kind == "begin":
                    state, target, shown = "code", None, ""
                elif kind == "separate":
                    state = "result"
                elif kind == "end" and target:
                    refs.append((target, shown))
                    state, target = None, None
            elif element.tag == qn("w:instrText") and state == "code":
                match = re.match(r"\s*REF\s+(\S+)", element.text or "")
                target = match.group(1) if match else None
            elif element.tag == qn("w:t") and state == "result":
                shown += element.text or ""
    return refs, marks


@pytest.mark.parametrize("lang", LANGS)
def test_every_cross_reference_is_a_ref_field_to_a_clause_bookmark_showing_its_number(lang):
    refs, marks = _refs_and_bookmarks(bundled(f"clauses.{lang}"))
    assert len(refs) >= 5  # the DingTalk schedule refers to clauses 3, 4, 5, 6 and 7
    numbers = {name: str(i) for i, name in enumerate(marks, 1)}  # one bookmark per clause heading, in order
    assert all(name.startswith("_Ref_clause_") and len(name) <= 40 for name in marks)
    for target, shown in refs:
        assert target in marks, f"REF to {target}, which is no bookmark"
        assert shown == numbers[target]


def test_the_ref_field_sits_in_the_words_of_the_reference():
    doc = read_docx(io.BytesIO(bundled("clauses.en")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "subject to Clause 7." in text  # the field's result reads as part of the sentence
    hans = read_docx(io.BytesIO(bundled("clauses.zh-Hans")))
    assert re.search(r"第\d+条", "\n".join(p.text for p in hans.paragraphs))
    xml = bundled("clauses.en")
    assert b"REF _Ref_clause_credit_limits \\r \\h" in _document_xml(xml)


def _document_xml(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_a_lead_in_keeps_with_its_table(lang):
    doc = read_docx(io.BytesIO(bundled(f"clauses.{lang}")))
    body = list(doc.element.body.iterchildren())
    tables = 0
    for before, element in zip(body, body[1:]):
        if element.tag == qn("w:tbl"):
            tables += 1
            assert before.tag == qn("w:p") and before.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None, "the paragraph before a table must keep with it"
    assert tables >= 3


@pytest.mark.parametrize("name, language", [("clauses.en", "en"), ("clauses.zh-Hans", "zh-CN"), ("clauses.zh-Hant", "zh-TW"), ("clauses.en+zh-Hans", "en"), ("report.zh-Hans", "zh-CN"), ("report.zh-Hant", "zh-TW")])
def test_document_properties_name_the_tool_and_a_real_language(name, language):
    props = read_docx(io.BytesIO(bundled(name))).core_properties
    assert props.author == "slagen"
    assert props.language == language
    assert "python-docx" not in (props.comments or "")


# --- a house reference.docx --------------------------------------------------------------------


def test_a_house_reference_docx_keeps_its_styles_and_page(tmp_path):
    from docx.shared import Inches, Pt, RGBColor

    house = read_docx()
    house.styles["Normal"].font.name = "Arial"
    house.styles["Normal"].font.size = Pt(12)
    heading = house.styles["Heading 1"]
    heading.font.size = Pt(20)
    heading.font.color.rgb = RGBColor(0xAA, 0x00, 0x00)
    section = house.sections[0]
    section.page_width, section.left_margin, section.right_margin = Inches(8.5), Inches(1), Inches(1)
    (tmp_path / "clauses").mkdir()
    house.save(tmp_path / "clauses" / "reference.docx")
    data = render_clauses(load_policy(DINGTALK), "zh-Hans", "docx", templates=tmp_path)
    doc = read_docx(io.BytesIO(data))
    normal, heading = doc.styles["Normal"], doc.styles["Heading 1"]
    assert (normal.font.name, normal.font.size) == ("Arial", Pt(12))
    assert heading.font.size == Pt(20) and heading.font.color.rgb == RGBColor(0xAA, 0x00, 0x00)
    assert doc.sections[0].page_width == Inches(8.5)
    # tables sized for the house page (6.5 in = 9360 twips) at the house's 12 pt
    assert sum(_check_table(doc, table, 9360, "house") for table in doc.tables) >= 3
    assert any(p.style.name == "Heading 1" for p in doc.paragraphs)
