"""The report as an editable Word document, from the same Report the HTML/PDF is made of."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

from docx import Document as new_docx
from docx.shared import Mm, Pt

from slagen.render.docx import add_table, page_footer, stable_zip
from slagen.render.document import Items, Para, Table
from slagen.report.content import Facts, Figure, Report

EAST_ASIAN_FONT = {"zh-Hans": "SimSun", "zh-Hant": "PMingLiU", "en": "SimSun"}


def report_docx(report: Report) -> bytes:
    from docx.oxml.ns import qn

    from slagen.text import xml_safe

    report = xml_safe(report)  # control characters and lone surrogates cannot go into XML
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(9.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT.get(report.lang, "SimSun"))
    cell = doc.styles.add_style("Cell Text", 1)
    cell.base_style = normal
    cell.font.size = Pt(8)
    doc.add_paragraph(report.title, style="Title")
    doc.add_paragraph(report.subtitle, style="Subtitle")
    _facts(doc, report.cover)
    for number, part in enumerate(report.sections, 1):
        doc.add_heading(f"{number}. {part.title}", level=1)
        for block in part.blocks:
            if isinstance(block, Facts):
                _facts(doc, block)
            elif isinstance(block, Figure):
                doc.add_picture(io.BytesIO(block.chart.png), width=Mm(170))
                doc.add_paragraph(block.caption, style="Caption")
            elif isinstance(block, Items):
                for text in block.items:
                    doc.add_paragraph(text, style="List Number")
            elif isinstance(block, Table):
                add_table(doc, block, markup=False)  # incident text is data, never markup
                doc.add_paragraph()
            elif isinstance(block, Para):
                doc.add_paragraph(block.text)
    labels = report.labels
    page_footer(doc, labels["page"], labels["of"], labels.get("page_end", ""))
    if report.provisional:  # a window not complete says so on every page, and above the title
        section.header.paragraphs[0].add_run(report.provisional).bold = True
        doc.paragraphs[0].insert_paragraph_before(report.provisional).runs[0].bold = True
    props = doc.core_properties
    when = date.fromisoformat(report.date)
    stamp = datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    props.title = f"{report.title} — {report.subtitle}"
    props.subject = report.subtitle
    props.author = "slagen"
    props.last_modified_by = "slagen"
    props.language = report.lang
    props.revision = 1
    props.created = props.modified = props.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())


def _facts(doc, facts: Facts) -> None:
    table = doc.add_table(rows=0, cols=2)
    for label, value in facts.pairs:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].paragraphs[0].add_run(value).bold = True
    doc.add_paragraph()
