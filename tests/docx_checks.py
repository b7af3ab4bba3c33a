"""Checks of a DOCX read back, shared by the tests of every document that has one: tables
fit their container and no column is narrower than its longest unbreakable token; every
cross-reference is a REF field to a bookmark that exists."""

from __future__ import annotations

import io
import re

from docx import Document as read_docx
from docx.oxml.ns import qn

from slagen.render.widths import text_width, tokens

PAD = 2 * 85 + 40  # cell margins left and right, plus the 2 pt slack per column
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _sizes(doc) -> dict[str, float]:
    """Paragraph style id -> the font size it sets, through its base styles."""
    from slagen.render.docx import style_font_pt

    return {style.style_id: style_font_pt(doc, style.name) for style in doc.styles if style.type == 1}


def _cell_least(cell, sizes: dict[str, float]) -> int:
    """The widest unbreakable token in a cell (lxml w:tc) at the size and weight it is set
    in, plus padding. Nested tables are checked on their own."""
    least = 0
    for paragraph in cell.findall(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        size = sizes[style.get(f"{W}val")] if style is not None else sizes["Normal"]
        text, bold = "", False
        for run in paragraph.iter(f"{W}r"):
            sz = run.find(f"{W}rPr/{W}sz")
            if sz is not None:
                size = int(sz.get(f"{W}val")) / 2
            bold = bold or run.find(f"{W}rPr/{W}b") is not None
            for child in run:
                text += child.text or "" if child.tag == f"{W}t" else "\n" if child.tag == f"{W}br" else ""
        least = max([least] + [text_width(t, size, bold) for t in tokens(text)])
    return least + PAD if least else 0


def _check_table(table, container: int, where: str, sizes: dict[str, float]) -> int:
    """Checks a table (lxml w:tbl) and the tables inside it; returns how many it checked."""
    grid = [int(c.get(f"{W}w")) for c in table.find(f"{W}tblGrid").findall(f"{W}gridCol")]
    assert table.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed", where
    assert sum(grid) <= container, f"{where}: table {sum(grid)} twips wide in a container of {container}"
    count = 1
    for row in table.findall(f"{W}tr"):
        for i, cell in enumerate(row.findall(f"{W}tc")):
            assert int(cell.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) == grid[i], where
            least = _cell_least(cell, sizes)
            assert grid[i] >= least, f"{where}: column {i} ({grid[i]} twips) narrower than a token of {''.join(cell.itertext())!r}"
            for inner in cell.findall(f"{W}tbl"):
                count += _check_table(inner, grid[i] - 2 * 85, where, sizes)
    return count


def check_tables(doc, where: str, page: int | None = None) -> int:
    section = doc.sections[0]
    page = page or int((section.page_width - section.left_margin - section.right_margin) / 635)
    sizes = _sizes(doc)
    return sum(_check_table(table, page, where, sizes) for table in doc.element.body.findall(f"{W}tbl"))


def refs_and_bookmarks(data: bytes) -> tuple[list[tuple[str, str]], dict[str, str]]:
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




def check_docx(data: bytes, where: str) -> int:
    """Tables and cross-references of one DOCX; returns the number of tables checked."""
    tables = check_tables(read_docx(io.BytesIO(data)), where)
    refs, marks = refs_and_bookmarks(data)
    for target, _shown in refs:
        assert target in marks, f"{where}: REF to {target}, which is no bookmark"
    return tables


def clause_headings(data: bytes) -> list[tuple[str | None, str, str, str]]:
    """Each paragraph numbered at level 0 of a list (the clause headings), in order, as Word
    shows it: (its bookmark, its number: the level text with %1 counted from the level's
    start, what follows the number: " " or a tab, its own text)."""
    doc = read_docx(io.BytesIO(data))
    numbering = doc.part.numbering_part.element
    abstract_of = {n.get(qn("w:numId")): n.find(qn("w:abstractNumId")).get(qn("w:val")) for n in numbering.findall(qn("w:num"))}
    first_level = {}
    for abstract in numbering.findall(qn("w:abstractNum")):
        for lvl in abstract.findall(qn("w:lvl")):
            if lvl.get(qn("w:ilvl")) == "0":
                start, suff = lvl.find(qn("w:start")), lvl.find(qn("w:suff"))
                first_level[abstract.get(qn("w:abstractNumId"))] = (
                    lvl.find(qn("w:numFmt")).get(qn("w:val")),
                    lvl.find(qn("w:lvlText")).get(qn("w:val")),
                    int(start.get(qn("w:val"))) if start is not None else 0,
                    {"space": " ", "nothing": ""}.get(suff.get(qn("w:val")), "\t") if suff is not None else "\t",
                )
    counted: dict[str, int] = {}
    out = []
    for paragraph in doc.element.body.iter(qn("w:p")):
        numpr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if numpr is None or numpr.find(qn("w:ilvl")).get(qn("w:val")) != "0":
            continue
        num_id = numpr.find(qn("w:numId")).get(qn("w:val"))
        fmt, text, start, suffix = first_level[abstract_of[num_id]]
        assert fmt == "decimal", f"clause headings numbered {fmt}"
        counted[num_id] = counted.get(num_id, start - 1) + 1
        mark = paragraph.find(qn("w:bookmarkStart"))
        own = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
        out.append((mark.get(qn("w:name")) if mark is not None else None, text.replace("%1", str(counted[num_id])), suffix, own))
    return out
