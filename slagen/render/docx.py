"""Document(s) -> Word .docx with real numbering, heading styles and document properties.

Clauses are `Heading 1` paragraphs and sub-clauses a `Sub-clause` style, both tied to one
Word multi-level list, so Word numbers them itself: the navigation pane lists the clauses
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

from slagen.render.document import Document, Items, Para, Table, item_label, numbered_blocks, runs
from slagen.text import xml_safe

EAST_ASIAN_FONT = {"zh-Hans": "SimSun", "zh-Hant": "PMingLiU"}
NUM_ID = 901  # the clause list (and its abstractNum); far above the template's own lists


def _el(tag: str, **attrs: str) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _define_numbering(doc) -> None:
    """One abstract list: 1. / 1.1 / (a), attached to the clause styles by pStyle."""
    numbering = doc.part.numbering_part.element
    abstract = _el("w:abstractNum", abstractNumId=str(NUM_ID))
    abstract.append(_el("w:multiLevelType", val="multilevel"))
    levels = (("decimal", "%1.", "Heading 1", 0), ("decimal", "%1.%2", "Sub-clause", 0), ("lowerLetter", "(%3)", "Clause Item", 567))
    for ilvl, (fmt, text, style, indent) in enumerate(levels):
        lvl = _el("w:lvl", ilvl=str(ilvl))
        lvl.append(_el("w:start", val="1"))
        lvl.append(_el("w:numFmt", val=fmt))
        lvl.append(_el("w:pStyle", val=style.replace(" ", "")))
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


def _styles(doc, lang: str) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT.get(lang, "SimSun"))
    heading = styles["Heading 1"]
    heading.font.size = Pt(13)
    heading.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
    _number_style(heading, 0)
    sub = styles.add_style("Sub-clause", WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = normal
    sub.paragraph_format.space_after = Pt(6)
    _number_style(sub, 1)
    item = styles.add_style("Clause Item", WD_STYLE_TYPE.PARAGRAPH)
    item.base_style = normal
    item.paragraph_format.space_after = Pt(3)
    _number_style(item, 2)
    note = styles.add_style("Clause Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.italic = True
    note.font.size = Pt(9.5)
    note.paragraph_format.left_indent = Mm(12)
    note.paragraph_format.space_after = Pt(6)
    plain = styles.add_style("Cell Text", WD_STYLE_TYPE.PARAGRAPH)
    plain.base_style = normal
    plain.paragraph_format.space_after = Pt(3)


def write_runs(paragraph, text: str) -> None:
    for piece, bold in runs(text):
        run = paragraph.add_run(piece)
        run.bold = bold or None


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(_el("w:tblHeader", val="true"))


def _plain(paragraph, text: str, bold: bool = False) -> None:
    paragraph.add_run(text).bold = bold or None


def add_table(container, table: Table, width_mm: float = 170, markup: bool = True) -> None:
    """A Word table with a repeated header row; columns sized by their longest text
    (between 6 and 40 characters' worth), so a long 'reason' column gets the room.
    `markup=False` for tables of data (reports): `**` in a cell is text, not bold."""
    grid = container.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    columns = [[str(r[i]) for r in (table.header, *table.rows)] for i in range(len(table.header))]
    floor = [1.55 * (1 + max((len(w) for t in texts for w in t.split()), default=1)) for texts in columns]  # mm: no word split
    wish = [1.55 * min(max(len(t) for t in texts), 60) for texts in columns]
    spare = max(width_mm - sum(floor), 0)
    extra = [max(w - f, 0) for w, f in zip(wish, floor)]
    scale = min(1, width_mm / sum(floor))
    widths = [Mm(f * scale + (spare * e / sum(extra) if sum(extra) else 0)) for f, e in zip(floor, extra)]
    grid.autofit = False
    for cell, text in zip(grid.rows[0].cells, table.header):
        cell.paragraphs[0].style = "Cell Text"
        if markup:
            write_runs(cell.paragraphs[0], f"**{text}**")
        else:
            _plain(cell.paragraphs[0], text, bold=True)
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row):
            cell.paragraphs[0].style = "Cell Text"
            if markup:
                write_runs(cell.paragraphs[0], text)
            else:
                _plain(cell.paragraphs[0], text)
    for column, width in zip(grid.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _single(doc, document: Document) -> None:
    for clause in document.clauses:
        _numbered(doc.add_paragraph(clause.title, style="Heading 1"), 0)
        for _number, block in numbered_blocks(clause):
            if isinstance(block, Para):
                paragraph = doc.add_paragraph(style="Sub-clause" if block.numbered else "Clause Note")
                write_runs(_numbered(paragraph, 1) if block.numbered else paragraph, block.text)
            elif isinstance(block, Items):
                for text in block.items:
                    write_runs(_numbered(doc.add_paragraph(style="Clause Item"), 2), text)
            else:
                add_table(doc, block)
                doc.add_paragraph(style="Cell Text")


def _cell_block(cell, number: str, block, first: bool) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.style = "Cell Text"
    if isinstance(block, Para):
        write_runs(paragraph, (f"**{number}** " if number else "") + block.text)
        if not block.numbered:
            for run in paragraph.runs:
                run.italic = True
    elif isinstance(block, Items):
        for index, text in enumerate(block.items):
            if index:
                paragraph = cell.add_paragraph(style="Cell Text")
            paragraph.paragraph_format.left_indent = Mm(6)
            write_runs(paragraph, f"{item_label(index)} {text}")
    else:
        add_table(cell, block)


def _parallel(doc, docs: list[Document]) -> None:
    for index, clause in enumerate(docs[0].clauses):
        _numbered(doc.add_paragraph("  ".join(d.clauses[index].title for d in docs), style="Heading 1"), 0)
        per_lang = [numbered_blocks(d.clauses[index]) for d in docs]
        grid = doc.add_table(rows=0, cols=len(docs))
        grid.autofit = False
        for position in range(len(per_lang[0])):
            cells = grid.add_row().cells
            for column, blocks in enumerate(per_lang):
                number, block = blocks[position]
                _cell_block(cells[column], number, block, first=True)


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
    doc.add_paragraph(f"{labels}: {first.meta.version or '—'}    {effective}: {first.meta.date.isoformat()}")


def render_docx(docs: list[Document], reference: Path | None = None) -> bytes:
    """The .docx bytes; `reference` is an optional house-style .docx to start from."""
    docs = xml_safe(list(docs))  # control characters and lone surrogates cannot go into XML
    first = docs[0]
    doc = open_reference(reference) if reference else new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    _styles(doc, docs[-1].lang)
    _define_numbering(doc)
    _cover(doc, docs)
    if len(docs) == 1:
        _single(doc, first)
    else:
        _parallel(doc, docs)
    page_footer(doc, first.labels["page"], first.labels["of"], first.labels.get("page_end", ""))
    props = doc.core_properties
    stamp = datetime(first.meta.date.year, first.meta.date.month, first.meta.date.day, tzinfo=timezone.utc)
    props.title = " / ".join(d.meta.title for d in docs)
    props.subject = " / ".join(d.meta.subtitle for d in docs)
    props.version = first.meta.version
    props.author = first.meta.parties[0]
    props.last_modified_by = "slagen"
    props.comments = first.meta.source
    props.language = "+".join(d.lang for d in docs)
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


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and sorted entries ([Content_Types].xml first)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
