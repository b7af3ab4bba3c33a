"""Word that survives a lawyer's edit: table widths worked out by hand, every bundled DOCX
read back (no table wider than its container, no column narrower than its longest word,
every cross-reference a REF field to an existing bookmark), a house reference.docx whose
styles stay as they are, lead-ins kept with their tables, meaningful properties."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn

from slagen.clauses.render import render_clauses
from slagen.policy.load import load_policy
from slagen.render.widths import _level, column_widths, table_layout, text_width, tokens

from .conftest import ROOT
from .docx_checks import PAD, check_docx, check_tables, refs_and_bookmarks

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"


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
    assert tokens("America/Los_Angeles 1/2") == ["America/Los_Angeles", "1/2"]  # a slash holds a word together...
    assert tokens("https://example.com/legal/sla") == ["https://example.com/", "legal/", "sla"]  # ...except in a web address


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


def bundled(name: str) -> bytes:
    """A bundled DOCX (clauses.<lang>, report.<lang>, compare), from the caches the other
    test modules fill, so a worker that ran them renders nothing twice."""
    kind, _, lang = name.partition(".")
    if kind == "clauses":
        from .test_clauses import rendered

        return rendered(DINGTALK, lang, "docx")
    if kind == "report":
        from .test_report import dingtalk

        return dingtalk("docx", lang)
    from .test_compare import rendered

    return rendered("docx")


def test_no_table_in_the_chinese_report_is_wider_than_its_container_nor_a_column_narrower_than_a_word():
    # every policy's clauses in every language are checked where test_clauses reads them
    # back (check_docx), the English report in test_report, the comparison in test_compare
    assert check_docx(bundled("report.zh-Hans"), "report.zh-Hans") >= 5
    # a date never ends a line at its hyphen: non-breaking hyphens, read back as "-"
    assert b"2026</w:t><w:noBreakHyphen/><w:t>10</w:t><w:noBreakHyphen/><w:t>05" in _document_xml(bundled("report.zh-Hans"))
    cells = [c.text for t in read_docx(io.BytesIO(bundled("report.zh-Hans"))).tables for r in t.rows for c in r.cells]
    assert any(c.startswith("2026-10-05") for c in cells)


def test_every_cross_reference_is_a_ref_field_to_a_clause_bookmark_showing_its_number():
    refs, marks = refs_and_bookmarks(bundled("clauses.en+zh-Hans"))
    assert len(refs) >= 10  # the DingTalk schedule refers to clauses 3, 4, 5, 6 and 7, in both columns
    numbers = {name: str(i) for i, name in enumerate(marks, 1)}  # one bookmark per clause heading, in order
    assert all(name.startswith("_Ref_clause_") and len(name) <= 40 for name in marks)
    for target, shown in refs:
        assert target in marks, f"REF to {target}, which is no bookmark"
        assert shown == numbers[target]


def test_the_ref_field_sits_in_the_words_of_the_reference():
    doc = read_docx(io.BytesIO(bundled("clauses.en+zh-Hans")))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Clause 7" in text and "第7条" in text  # the field's result reads as part of the sentence
    xml = _document_xml(bundled("clauses.en+zh-Hans")).decode()
    assert re.search(r"Clause </w:t>", xml) and re.search(r"第</w:t>", xml)  # the words outside, the number inside the field
    assert xml.count("REF _Ref_clause_credit_limits \\r \\h") == 2


def _document_xml(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_the_comparison_of_every_bundled_policy_fits_its_landscape_page():
    # the demo compares all eight bundled policies: a column each, so the widest table
    # (the sources row: URLs and file names) is set small rather than split a word
    from slagen.compare.build import compare
    from slagen.compare.render import render

    policies = [load_policy(p) for p in [*sorted((ROOT / "policies").glob("*.yaml")), DINGTALK]]
    assert check_docx(render(compare(policies, [], curves=False), "docx"), "compare (all)") >= 5


@pytest.mark.parametrize("name", ["clauses.en", "report.zh-Hans"])
def test_a_lead_in_keeps_with_its_table(name):
    doc = read_docx(io.BytesIO(bundled(name)))
    styles = {s.style_id: s for s in doc.styles}
    body = list(doc.element.body.iterchildren())
    tables = 0
    for before, element in zip(body, body[1:]):
        if element.tag == qn("w:tbl") and before.tag == qn("w:p") and "".join(before.itertext()).strip():
            tables += 1
            style = before.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            by_style = style is not None and styles[style.get(qn("w:val"))].paragraph_format.keep_with_next
            assert by_style or before.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None, f"{name}: {''.join(before.itertext())[:60]!r} does not keep with its table"
    assert tables >= 3


@pytest.mark.parametrize("name, language", [("clauses.en+zh-Hans", "en"), ("report.zh-Hans", "zh-CN")])
def test_document_properties_name_the_tool_and_a_real_language(name, language):
    # the clauses of every policy in every language: test_clauses (en, zh-CN, zh-TW)
    props = read_docx(io.BytesIO(bundled(name))).core_properties
    assert props.author == "slagen"
    assert props.language == language
    assert "python-docx" not in (props.comments or "")
    import zipfile

    app = zipfile.ZipFile(io.BytesIO(bundled(name))).read("docProps/app.xml")
    assert b"<Application>slagen</Application>" in app and b"Macintosh" not in app


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
    grid = house.styles["Table Grid"].element  # Word saves "Table Grid" only once a table used it
    grid.getparent().remove(grid)
    (tmp_path / "clauses").mkdir()
    house.save(tmp_path / "clauses" / "reference.docx")
    data = render_clauses(load_policy(DINGTALK), "zh-Hans", "docx", templates=tmp_path)
    doc = read_docx(io.BytesIO(data))
    normal, heading = doc.styles["Normal"], doc.styles["Heading 1"]
    assert (normal.font.name, normal.font.size) == ("Arial", Pt(12))
    assert heading.font.size == Pt(20) and heading.font.color.rgb == RGBColor(0xAA, 0x00, 0x00)
    assert doc.sections[0].page_width == Inches(8.5)
    # tables sized for the house page (6.5 in = 9360 twips) at the house's 12 pt
    assert check_tables(doc, "house", 9360) >= 3
    assert any(p.style.name == "Heading 1" for p in doc.paragraphs)


# --- charts with real glyphs -------------------------------------------------------------------


def _chart(lang: str):
    from datetime import date
    from decimal import Decimal

    from slagen.report.charts import availability_chart, chart_language
    from slagen.report.render import load_labels

    days = [date(2026, 10, d) for d in (1, 2, 3)]
    with chart_language(lang):
        return availability_chart(days[0], days[-1], {days[1]: Decimal(30)}, {d: 1440 for d in days}, Decimal("99.9"), load_labels(lang, None))


@pytest.mark.parametrize("lang, family", [("zh-Hans", "Noto Sans CJK SC"), ("zh-Hant", "Noto Sans CJK TC")])
def test_chart_text_is_drawn_from_a_font_file_with_every_glyph(lang, family, monkeypatch):
    import warnings

    import matplotlib

    # a font cache that knows no CJK family (stale, or built before the fonts were installed)
    # must not matter: the font comes from its file
    monkeypatch.setitem(matplotlib.rcParams, "font.sans-serif", ["DejaVu Sans"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 26085 missing from font(s) DejaVu Sans" fails the test
        chart = _chart(lang)
    assert f"font-family: '{family}'" in chart.svg
    assert chart.png.startswith(b"\x89PNG")


def test_a_chinese_report_without_a_chinese_font_is_one_line_error_and_no_file(run_main, tmp_path, monkeypatch):
    from slagen.report import charts

    monkeypatch.setattr(charts, "_fc_match", lambda family: None)
    monkeypatch.setattr(charts, "CJK_FILES", ())
    charts.cjk_font.cache_clear()
    out = tmp_path / "report.docx"
    try:
        code, _, err = run_main("report", DINGTALK, "--incidents", OCTOBER, "--period", "2026-10", "--lang", "zh-Hant", "-o", out)
    finally:
        charts.cjk_font.cache_clear()
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "Noto Sans CJK TC" in err and "fonts-noto-cjk" in err and "Traceback" not in err
    assert not out.exists()


# --- house page.css and footer -----------------------------------------------------------------


def test_a_house_page_css_is_added_after_the_packaged_one(tmp_path):
    (tmp_path / "clauses").mkdir()
    (tmp_path / "clauses/page.css").write_text(".sub .num { color: #c00; }\n")
    html = render_clauses(load_policy(DINGTALK), "en", "html", templates=tmp_path).decode()
    packaged = html.index("h2 .num { display: inline-block")  # a rule of the packaged sheet, still there
    house = html.index(".sub .num { color: #c00; }")
    assert packaged < house  # later in the sheet: it wins where both set the same property
    assert html.index("@bottom-center { content:") > house > html.index("table.data th")  # common sheet first


def test_the_footer_is_a_block_a_house_page_can_replace(tmp_path):
    (tmp_path / "clauses").mkdir()
    (tmp_path / "clauses/page.html.j2").write_text(
        '{% extends "clauses/base.html.j2" %}\n{% block page_footer %}@bottom-right { content: "Confidential · " counter(page); }{% endblock %}\n'
    )
    html = render_clauses(load_policy(DINGTALK), "en", "html", templates=tmp_path).decode()
    assert '@bottom-right { content: "Confidential · " counter(page); }' in html
    assert "counter(pages)" not in html  # the packaged footer is gone
    assert "Service Credits" in html and "@top-left" in html  # the rest of the page is the packaged one


def test_a_house_reference_docx_footer_is_kept_and_missing_built_in_styles_are_added(tmp_path):
    house = read_docx()
    house.sections[0].footer.paragraphs[0].text = "ACME Legal · Draft"
    for name in ("Title", "Subtitle", "Heading 1"):  # a house file that never used them does not define them
        element = house.styles[name].element
        element.getparent().remove(element)
    (tmp_path / "clauses").mkdir()
    house.save(tmp_path / "clauses/reference.docx")
    doc = read_docx(io.BytesIO(render_clauses(load_policy(DINGTALK), "en", "docx", templates=tmp_path)))
    footer = doc.sections[0].footer
    assert [p.text for p in footer.paragraphs] == ["ACME Legal · Draft"]
    assert "NUMPAGES" not in footer._element.xml
    assert sum(p.style.name == "Heading 1" for p in doc.paragraphs) >= 5


def test_html_and_pdf_references_link_to_the_clause():
    html = render_clauses(load_policy(DINGTALK), "en+zh-Hans", "html").decode()
    assert 'subject to Clause <a class="ref" href="#clause-7">7</a>' in html
    assert '第<a class="ref" href="#clause-7">7</a>条' in html
    assert '<section class="clause" id="clause-7">' in html


def test_a_long_document_path_may_break_after_its_slashes_but_a_files_own_path_stays_clean():
    """LibreOffice split 'deprecated/git|hub-…' in the comparison's sources cell: a long
    relative path gets a zero-width break after each slash before a file name; absolute
    paths and web addresses are left as they are (copied from a cell, they must still work)."""
    from slagen.render.widths import ZWSP, break_codes, tokens

    ref = "github/docs site-policy-deprecated/github-enterprise-service-level-agreement.md (vendor-sla-terms.md §10)"
    assert break_codes(ref) == ref.replace("deprecated/", "deprecated/" + ZWSP)
    assert "deprecated/" in tokens(break_codes(ref)) and "github-" in tokens(break_codes(ref))
    for kept in ("/work/main/examples/incidents/a-rather-long-file-name-2026-10.csv", "https://aws.amazon.com/compute/sla/and/more/pages.html",
                 "America/Los_Angeles", "examples/incidents/dingtalk-2026-10.csv"):
        assert break_codes(kept) == kept


def test_in_a_table_of_data_a_long_absolute_path_breaks_after_its_slashes_and_dates_stay_whole():
    """A user's folders can be as deep as they like (CI clones deeper than a developer): in
    data tables a long path of any kind gets break opportunities after its slashes, and no
    non-breaking hyphen inside it (LibreOffice then stops breaking at the slashes before it);
    a date on its own keeps its non-breaking hyphens."""
    from docx import Document

    from slagen.render.docx import add_text
    from slagen.render.widths import ZWSP, break_codes, tokens

    path = "/check/work/main/examples/incidents/dingtalk-2026-10.csv"
    assert break_codes(path, paths=True) == path.replace("/", "/" + ZWSP).replace(ZWSP, "", 1)
    assert max(len(t) for t in tokens(break_codes(path, paths=True))) == len("dingtalk-2026-10.csv")
    assert break_codes("/short/path.csv", paths=True) == "/short/path.csv"
    sample_id = "samples:messaging-service/message-delivery:2026-11-10T10:01Z:1cfe55d4"  # an id is copied as it is
    assert break_codes(sample_id, paths=True) == sample_id
    assert break_codes("https://example.com/a/very/long/address/that/goes/on/and/on.html", paths=True).count(ZWSP) == 0
    paragraph = Document().add_paragraph()
    add_text(paragraph, "2026-10-05 " + break_codes(path, paths=True))
    xml = paragraph._p.xml
    assert xml.count("<w:noBreakHyphen/>") == 2  # the date's two, none in the path
    assert paragraph.text.replace(ZWSP, "") == "2026-10-05 " + path
    chinese = Document().add_paragraph()  # no spaces in Chinese: a slash in a sentence makes no path of it
    add_text(chinese, "计划停机须于2026-10-13前通知（按月/按季度）")
    assert chinese._p.xml.count("<w:noBreakHyphen/>") == 2
