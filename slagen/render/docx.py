"""Document(s) -> Word .docx with real numbering, heading styles and document properties.

Clauses are `Heading 1` paragraphs and sub-clauses a `Sub-clause` style, both tied to one
Word multi-level list (1. / 1.1 / (a); in Chinese 第1条 / 1.1 / （一）), so Word numbers them itself: the navigation pane lists the clauses
and Insert > Cross-reference offers every numbered clause. Side-by-side documents keep the
numbered headings and put the two languages in a table below each. The zip is rewritten
with fixed timestamps and order so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from slagen.render.document import Document, Items, Para, Table, item_label, numbered_blocks, ref_pieces, runs
from slagen.render.widths import break_codes, table_layout
from slagen.text import xml_safe

EAST_ASIAN_FONT = {"zh-Hans": "SimSun", "zh-Hant": "PMingLiU"}
LANGUAGE_TAG = {"en": "en", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}  # what Word and document properties expect
NUM_ID = 901  # the clause list (and its abstractNum); far above the template's own lists
CELL_MARGIN = 85  # twips (1.5 mm) left and right inside every table cell, stated on each table
DEFAULT_FONT_PT = 11.0  # Word's own default when no style says


def bookmark_name(key: str) -> str:
    """The bookmark on a clause heading; hidden in Word's list (leading _), at most 40 characters."""
    return f"_Ref_clause_{key}"[:40]


def _el(tag: str, **attrs: str) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def level_text(heading: str) -> str:
    """A clause heading's number format as Word's level text: "{n}." -> "%1.", "第{n}条" -> "第%1条"."""
    return heading.replace("{n}", "%1")


def ref_shown(heading: str) -> str:
    """What a `REF … \\r` field to a clause heading numbered `heading` shows: Word gives the
    paragraph's number with the text of its list level, without trailing periods ("{n}." ->
    "7", "第{n}条" -> "第7条"). The words a reference puts around that stay text."""
    return heading.rstrip(".")


def _define_numbering(doc, lang: str = "en", heading: str = "{n}.") -> None:
    """One abstract list: 1. / 1.1 / (a), or 第1条 / 1.1 / （一） in Chinese (headings as
    `heading` says), attached to the clause styles by pStyle. A heading number that is a
    word (第1条) is followed by a space, not a tab: it is wider than the hanging indent."""
    numbering = doc.part.numbering_part.element
    abstract = _el("w:abstractNum", abstractNumId=str(NUM_ID))
    abstract.append(_el("w:multiLevelType", val="multilevel"))
    items = ("chineseCounting", "（%3）") if lang in ("zh-Hans", "zh-Hant") else ("lowerLetter", "(%3)")
    first = level_text(heading)
    levels = (("decimal", first, "Heading 1", 0), ("decimal", "%1.%2", "Sub-clause", 0), (*items, "Clause Item", 567))
    for ilvl, (fmt, text, style, indent) in enumerate(levels):
        lvl = _el("w:lvl", ilvl=str(ilvl))
        lvl.append(_el("w:start", val="1"))
        lvl.append(_el("w:numFmt", val=fmt))
        lvl.append(_el("w:pStyle", val=style.replace(" ", "")))
        if ilvl == 0 and not first.isascii():
            lvl.append(_el("w:suff", val="space"))
        lvl.append(_el("w:lvlText", val=text))
        lvl.append(_el("w:lvlJc", val="left"))
        ppr = _el("w:pPr")
        ppr.append(_el("w:ind", left=str(indent + 680), hanging="680"))
        lvl.append(ppr)
        abstract.append(lvl)
    num = _el("w:num", numId=str(NUM_ID))
    num.append(_el("w:abstractNumId", val=str(NUM_ID)))
    # abstractNum elements must come before num elements
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)


def _set_numbering(ppr, ilvl: int) -> None:
    """numPr in its schema position (python-docx orders it), pointing at the clause list."""
    numpr = ppr.get_or_add_numPr()
    numpr.get_or_add_ilvl().val = ilvl
    numpr.get_or_add_numId().val = NUM_ID


def _number_style(style, ilvl: int) -> None:
    _set_numbering(style.element.get_or_add_pPr(), ilvl)


def _numbered(paragraph, ilvl: int):
    """Also on the paragraph itself: Word takes the level from the style, LibreOffice and
    other readers only from the paragraph; both then show 1. / 1.1 / (a)."""
    _set_numbering(paragraph._p.get_or_add_pPr(), ilvl)
    return paragraph


def _styles(doc, lang: str, house: bool) -> None:
    """The packaged look; with a house reference .docx (`house`), its styles are used as
    they are and only the styles it lacks are added."""
    styles = doc.styles
    normal = styles["Normal"]
    if not house:
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(10.5)
        rpr = normal.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT.get(lang, "SimSun"))
        if lang in ("zh-Hans", "zh-Hant"):  # proofing and line breaking for the Chinese text
            rpr.append(_el("w:lang", eastAsia=LANGUAGE_TAG[lang]))
        heading = styles["Heading 1"]
        heading.font.size = Pt(13)
        heading.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
        heading.paragraph_format.keep_with_next = True
        _number_style(heading, 0)

    missing = [name for name in ("Title", "Subtitle", "Heading 1", "Table Grid") if not any(style.name == name for style in styles)]
    if missing:  # Word saves a built-in style only once the document used it: python-docx's definition
        from copy import deepcopy

        default = new_docx().styles
        for name in missing:
            styles.element.append(deepcopy(default[name].element))

    def add(name: str):
        if any(style.name == name for style in styles):
            return None  # the house's own
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        return style

    if sub := add("Sub-clause"):
        sub.paragraph_format.space_after = Pt(6)
        _number_style(sub, 1)
    if item := add("Clause Item"):
        item.paragraph_format.space_after = Pt(3)
        _number_style(item, 2)
    if note := add("Clause Note"):
        note.font.italic = True
        note.font.size = Pt(9.5)
        note.paragraph_format.left_indent = Mm(12)
        note.paragraph_format.space_after = Pt(6)
    if cell := add("Cell Text"):
        cell.paragraph_format.space_after = Pt(3)


def write_runs(paragraph, text: str, refs: dict[str, str] | None = None, live: str = "{n}", link: bool = True) -> None:
    """`**bold**` runs; with `refs` (a clause's cross-references, text -> clause key), each
    reference's number becomes a REF field to that clause's bookmark, its stored result
    what the field shows once Word updates it: `live` (see `ref_shown`) with today's number.
    "Clause 7": "Clause " and a field whose result is "7"; with headings numbered 第%1条,
    "第7条" is all field. `link=False` leaves out the hyperlink switch."""
    for piece, bold in runs(text):
        for sub, key in ref_pieces(piece, refs or {}, live):
            if key is not None:
                add_field(paragraph, f" REF {bookmark_name(key)} \\r " + ("\\h " if link else ""), sub, bold)
            else:
                add_text(paragraph, sub, bold)


def add_field(paragraph, code: str, result: str, bold: bool = False) -> None:
    """A complex field (begin, instruction, separate, result, end) whose shown result is
    `result` until Word updates it."""

    def run():
        r = paragraph.add_run()
        r.bold = bold or None
        return r

    run()._r.append(_el("w:fldChar", fldCharType="begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    run()._r.append(instr)
    run()._r.append(_el("w:fldChar", fldCharType="separate"))
    shown = run()
    shown.text = result
    run()._r.append(_el("w:fldChar", fldCharType="end"))


def add_bookmark(paragraph, name: str, ident: int) -> None:
    """A bookmark around the whole paragraph (after its properties)."""
    p = paragraph._p
    start = _el("w:bookmarkStart", id=str(ident), name=name)
    ppr = p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(_el("w:bookmarkEnd", id=str(ident)))


def style_font_pt(doc, name: str) -> float:
    """The font size a paragraph style gives its text: its own, its base style's, the
    document defaults' or Word's 11 pt."""
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles["Normal"]
    while style is not None:
        if style.font.size is not None:
            return style.font.size.pt
        style = style.base_style
    size = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:sz"))
    return int(size.get(qn("w:val"))) / 2 if size is not None else DEFAULT_FONT_PT


def text_width(section) -> int:
    """The width between a section's margins, in twips."""
    return int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU -> twips


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(_el("w:tblHeader", val="true"))


_NO_BREAK = re.compile(r"(\n|(?<=\d)-(?=\d))")
# a path break_codes gave break opportunities (zero-width spaces after its slashes): no
# white space and no CJK around them (Chinese text has no spaces between words)
_PATH_WORD = re.compile(r"([^\s\u3000-\u9fff\uff00-\uffef]*\u200b[^\s\u3000-\u9fff\uff00-\uffef]*)")


def add_text(paragraph, text: str, bold: bool = False):
    """One run of `text`: "\n" a line break, and a hyphen between digits (2026-10-05) a
    non-breaking hyphen, so Word and LibreOffice never end a line inside a date. Not inside
    a path that may break after its slashes: there LibreOffice, meeting a non-breaking
    hyphen, no longer breaks at the slashes before it ("…/dingtalk-2026-1|0.csv"). Read back, the run's text is `text` again."""
    run = paragraph.add_run()
    run.bold = bold or None
    for part in _PATH_WORD.split(text):
        pieces = re.split(r"(\n)", part) if _PATH_WORD.fullmatch(part) else _NO_BREAK.split(part)
        for piece in pieces:
            if piece == "\n":
                run.add_break()
            elif piece == "-":
                run._r.append(OxmlElement("w:noBreakHyphen"))
            elif piece:
                run._r.add_t(piece)
    return run


def _plain(paragraph, text: str, bold: bool = False, paths: bool = False) -> None:
    """Data as text; a digest in lines of 32 characters (and paths broken after their
    slashes when `paths`: see `break_codes`)."""
    add_text(paragraph, break_codes(text, paths), bold)


def fix_widths(grid, widths: list[int], margin: int = CELL_MARGIN) -> None:
    """A fixed-layout table of exactly these column widths (twips), with `margin` inside
    each cell left and right: grid, every cell and the table width agree, so Word and
    LibreOffice lay it out the same."""
    grid.autofit = False
    tblpr = grid._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar"):
        for old in tblpr.findall(qn(tag)):
            tblpr.remove(old)
    tblw = _el("w:tblW", w=str(sum(widths)), type="dxa")
    layout = _el("w:tblLayout", type="fixed")
    mar = _el("w:tblCellMar")
    for side in ("left", "right"):
        mar.append(_el(f"w:{side}", w=str(margin), type="dxa"))
    # schema order in tblPr: ... tblW, jc, ..., tblLayout, tblCellMar, tblLook
    anchor = tblpr.find(qn("w:tblStyle"))
    (anchor.addnext if anchor is not None else (lambda e: tblpr.insert(0, e)))(tblw)
    look = tblpr.find(qn("w:tblLook"))
    for element in (layout, mar):
        if look is not None:
            look.addprevious(element)
        else:
            tblpr.append(element)
    for col, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width))
    for row in grid.rows:
        for cell, width in zip(row.cells, widths):
            tcpr = cell._tc.get_or_add_tcPr()
            tcw = tcpr.get_or_add_tcW()
            tcw.type, tcw.w = "dxa", width


def add_table(container, table: Table, available: int, font_pt: float, markup: bool = True, refs: dict[str, str] | None = None, smallest: float = 7.0, live: str = "{n}"):
    """A Word table with a repeated header row, its columns sized from their content
    (`slagen.render.widths`) to fit `available` twips, in a smaller size (not below
    `smallest` points) when the words would not fit otherwise. `markup=False` for tables of
    data (reports): `**` in a cell is text, not bold; `refs` and `live` as `write_runs` takes them."""
    grid = container.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    paths = not markup  # in a table of data, a long path may break after its slashes
    widths, size = table_layout([_shown(t, markup, paths) for t in table.header], [[_shown(t, markup, paths) for t in row] for row in table.rows], available, font_pt, CELL_MARGIN, smallest)
    for cell, text in zip(grid.rows[0].cells, table.header):
        cell.paragraphs[0].style = "Cell Text"
        if markup:
            write_runs(cell.paragraphs[0], f"**{text}**", refs, live)
        else:
            _plain(cell.paragraphs[0], text, bold=True, paths=paths)
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row):
            cell.paragraphs[0].style = "Cell Text"
            if markup:
                write_runs(cell.paragraphs[0], text, refs, live)
            else:
                _plain(cell.paragraphs[0], text, paths=paths)
    fix_widths(grid, widths)
    if size != font_pt:  # a smaller size, so every word and number fits its column
        for row in grid.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
    return grid


def _shown(text: str, markup: bool, paths: bool = False) -> str:
    """A cell's text as it will read (without `**` marks when they are markup)."""
    return "".join(piece for piece, _ in runs(str(text))) if markup else break_codes(str(text), paths)


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _keep_together(grid, rows: int = 15) -> None:
    """A short table stays on one page: every row but the last keeps with the next, and
    no row breaks across pages."""
    if len(grid.rows) > rows:
        return
    for index, row in enumerate(grid.rows):
        row._tr.get_or_add_trPr().append(_el("w:cantSplit", val="true"))
        if index < len(grid.rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    _keep_with_next(paragraph)


def _heading(doc, docs: list[Document], index: int) -> None:
    """A clause heading, numbered by Word (the first language's numbering) and bookmarked for
    the references to it. Side by side, the other language's title follows with its own
    heading number ("3. Definitions  第3条 定义"), the number in it a REF field to the same
    heading, so it follows Word's numbering too; the bookmark ends before it, so the field
    never sits inside the bookmark it refers to."""
    clause = docs[0].clauses[index]
    paragraph = _numbered(doc.add_paragraph(clause.title, style="Heading 1"), 0)
    add_bookmark(paragraph, bookmark_name(clause.key), clause.number)
    for other in docs[1:]:
        number = other.heading_number(other.clauses[index])
        add_text(paragraph, "  ")
        write_runs(paragraph, number, {number: clause.key}, ref_shown(docs[0].heading), link=False)
        add_text(paragraph, f" {other.clauses[index].title}")


def _single(doc, document: Document, width: int) -> None:
    font = style_font_pt(doc, "Cell Text")
    live = ref_shown(document.heading)
    for index, clause in enumerate(document.clauses):
        clauses = dict(clause.refs)
        _heading(doc, [document], index)
        blocks = numbered_blocks(clause)
        for index, (_number, block) in enumerate(blocks):
            leads_in = index + 1 < len(blocks) and isinstance(blocks[index + 1][1], Table)
            if isinstance(block, Para):
                paragraph = doc.add_paragraph(style="Sub-clause" if block.numbered else "Clause Note")
                write_runs(_numbered(paragraph, 1) if block.numbered else paragraph, block.text, clauses, live)
                if leads_in:
                    _keep_with_next(paragraph)
            elif isinstance(block, Items):
                for i, text in enumerate(block.items):
                    paragraph = _numbered(doc.add_paragraph(style="Clause Item"), 2)
                    write_runs(paragraph, text, clauses, live)
                    if leads_in and i == len(block.items) - 1:
                        _keep_with_next(paragraph)
            else:
                _keep_together(add_table(doc, block, width, font, refs=clauses, live=live))
                doc.add_paragraph(style="Cell Text")


def _cell_block(cell, number: str, block, first: bool, width: int, font: float, clauses: dict[str, str], leads_in: bool, lang: str = "en", live: str = "{n}") -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.style = "Cell Text"
    if isinstance(block, Para):
        write_runs(paragraph, (f"**{number}** " if number else "") + block.text, clauses, live)
        if not block.numbered:
            for run in paragraph.runs:
                run.italic = True
    elif isinstance(block, Items):
        for index, text in enumerate(block.items):
            if index:
                paragraph = cell.add_paragraph(style="Cell Text")
            paragraph.paragraph_format.left_indent = Mm(6)
            write_runs(paragraph, f"{item_label(index, lang)} {text}", clauses, live)
    else:
        _keep_together(add_table(cell, block, width, font, refs=clauses, live=live))
        # python-docx put an empty paragraph after the table (Word needs one last in a
        # cell); the empty one this cell started with, before the table, goes
        empty = cell.paragraphs[0]
        if first and not empty.text and len(cell.paragraphs) > 1:
            empty._p.getparent().remove(empty._p)
        cell.paragraphs[-1].style = "Cell Text"
    if leads_in:
        for p in cell.paragraphs:
            _keep_with_next(p)


def _parallel(doc, docs: list[Document], width: int) -> None:
    """One heading per clause, then a borderless table: a row per block, a column per
    language, each column half the text width; tables inside fit their column. Word numbers
    the headings in the first language, so every column's references show that number."""
    column = [width // len(docs)] * len(docs)
    column[-1] += width - sum(column)
    inner = column[0] - 2 * CELL_MARGIN
    font = style_font_pt(doc, "Cell Text")
    live = ref_shown(docs[0].heading)
    for index, clause in enumerate(docs[0].clauses):
        _heading(doc, docs, index)
        per_lang = [numbered_blocks(d.clauses[index]) for d in docs]
        grid = doc.add_table(rows=0, cols=len(docs))
        for position in range(len(per_lang[0])):
            cells = grid.add_row().cells
            leads_in = position + 1 < len(per_lang[0]) and isinstance(per_lang[0][position + 1][1], Table)
            for col, blocks in enumerate(per_lang):
                number, block = blocks[position]
                _cell_block(cells[col], number, block, True, inner, font, dict(docs[col].clauses[index].refs), leads_in, docs[col].lang, live)
        fix_widths(grid, column)


def page_footer(doc, page: str, of: str, end: str) -> None:
    """'Page x of y' built from Word PAGE and NUMPAGES fields, so Word keeps it current."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = 1

    def field(code: str) -> None:
        run = paragraph.add_run()
        run._r.append(_el("w:fldChar", fldCharType="begin"))
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = code
        run._r.append(instr)
        run._r.append(_el("w:fldChar", fldCharType="separate"))
        paragraph.add_run("1")
        paragraph.add_run()._r.append(_el("w:fldChar", fldCharType="end"))

    paragraph.add_run(f"{page} ")
    field(" PAGE ")
    paragraph.add_run(f" {of} ")
    field(" NUMPAGES ")
    if end:
        paragraph.add_run(f" {end}")


def _has_footer(doc) -> bool:
    """Whether the first section's footer already says something (text or a field)."""
    footer = doc.sections[0].footer
    if footer.is_linked_to_previous:
        return False
    xml = footer._element
    return any((t.text or "").strip() for t in xml.iter(qn("w:t"))) or next(xml.iter(qn("w:fldSimple"), qn("w:instrText")), None) is not None


def _cover(doc, docs: list[Document]) -> None:
    for d in docs:
        doc.add_paragraph(d.meta.title, style="Title")
        doc.add_paragraph(d.meta.subtitle, style="Subtitle")
    for d in docs:
        for party in d.meta.parties:
            doc.add_paragraph(party)
    first = docs[0]
    labels = " / ".join(d.labels["version"] for d in docs)
    effective = " / ".join(d.labels["effective"] for d in docs)
    colon = first.labels.get("colon", ": ") if len(docs) == 1 else ": "  # full-width in a Chinese document; side by side, the English
    doc.add_paragraph(f"{labels}{colon}{first.meta.version or '—'}    {effective}{colon}{first.meta.date.isoformat()}")


def render_docx(docs: list[Document], reference: Path | None = None) -> bytes:
    """The .docx bytes; `reference` is an optional house-style .docx to start from."""
    docs = xml_safe(list(docs))  # control characters and lone surrogates cannot go into XML
    first = docs[0]
    doc = open_reference(reference) if reference else new_docx()
    section = doc.sections[0]
    if reference is None:  # a house reference keeps its own page size and margins
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
    _styles(doc, docs[-1].lang, house=reference is not None)
    _define_numbering(doc, first.lang if len(docs) == 1 else "en", first.heading)  # side by side, only the headings are Word-numbered, in the first language
    _cover(doc, docs)
    if len(docs) == 1:
        _single(doc, first, text_width(section))
    else:
        _parallel(doc, docs, text_width(section))
    if not _has_footer(doc):  # a house reference.docx's own footer stays as it is
        page_footer(doc, first.labels["page"], first.labels["of"], first.labels.get("page_end", ""))
    props = doc.core_properties
    stamp = datetime(first.meta.date.year, first.meta.date.month, first.meta.date.day, tzinfo=timezone.utc)
    props.title = " / ".join(d.meta.title for d in docs)
    props.subject = " / ".join(d.meta.subtitle for d in docs)
    props.version = first.meta.version
    props.author = props.last_modified_by = "slagen"  # the tool drafted it; the parties are in the text
    props.comments = first.meta.source
    props.keywords = " / ".join(d.labels.get("subtitle", d.meta.subtitle) for d in docs)
    props.language = LANGUAGE_TAG.get(first.lang, first.lang)  # a real tag; the first language of a side-by-side set
    props.revision = 1
    props.created = props.modified = stamp
    props.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())


MAX_REFERENCE_BYTES = 32 * 1024 * 1024  # the .docx file
MAX_REFERENCE_INFLATED = 128 * 1024 * 1024  # all its parts, inflated
MAX_REFERENCE_PARTS = 2000
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# fields Word evaluates by fetching something: remote pictures and text, DDE
_FETCHING_FIELD = re.compile(rb"(w:instr=\"[^\"]*|<w:instrText[^>]*>[^<]*)\b(INCLUDEPICTURE|INCLUDETEXT|DDEAUTO|DDE|IMPORT)\b", re.IGNORECASE)


def open_reference(path: Path):
    """A house-style reference .docx, checked before python-docx sees it: a size-capped plain
    file, a zip whose parts are counted and size-checked before inflating, and nothing that
    makes Word fetch from elsewhere (external relationships other than hyperlinks: remote
    images, attached templates, frames, OLE links; INCLUDEPICTURE/INCLUDETEXT/DDE fields).
    Anything else is a RenderError naming the file."""
    from slagen.errors import RenderError, UsageError
    from slagen.files import read_input

    try:
        data = read_input(path, "a reference .docx", MAX_REFERENCE_BYTES)
    except UsageError as exc:
        raise RenderError(str(exc)) from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_REFERENCE_PARTS or sum(i.file_size for i in infos) > MAX_REFERENCE_INFLATED:
            raise RenderError(f"{path}: too many or too large parts for a reference .docx")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")) and _FETCHING_FIELD.search(archive.read(info)):
                raise RenderError(f"{path}: {info.filename} has a field that fetches from elsewhere (INCLUDEPICTURE, INCLUDETEXT, DDE); remove it")
        doc = new_docx(io.BytesIO(data))
    except RenderError:
        raise
    except Exception as exc:  # a damaged zip or XML, or not a Word document: python-docx raises many kinds
        raise RenderError(f"{path}: not a usable reference .docx ({type(exc).__name__}: {str(exc)[:200]})") from None
    for part in doc.part.package.iter_parts():
        for rel in part.rels.values():
            if rel.is_external and rel.reltype != HYPERLINK:
                raise RenderError(f"{path}: {part.partname} refers to an external {rel.reltype.rsplit('/', 1)[-1]} at {rel.target_ref[:120]!r}; "
                                  "a reference document may not make Word fetch anything (remote images, templates, frames); remove it")
    return doc


APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>slagen</Application><DocSecurity>0</DocSecurity></Properties>"
)


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and sorted entries ([Content_Types].xml first).
    A Word file's extended properties name slagen as the application, not the "Microsoft
    Macintosh Word" (with page and word counts of an empty page) of python-docx's template."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            body = source.read(name)
            if name == "docProps/app.xml" and b"<Application>Microsoft Macintosh Word</Application>" in body:  # python-docx's; a house file keeps its own
                body = APP_XML
            target.writestr(info, body)
    return out.getvalue()
