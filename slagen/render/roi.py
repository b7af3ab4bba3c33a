"""The annual view (slagen.ledger.roi) in words: the terminal table, Markdown-free HTML,
PDF and Word, all from one structure (`roi_document`), so the formats cannot disagree.
Every heading and label comes from the message catalogue of the chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from slagen.render.messages import Messages
from slagen.render.numbers import fmt_money, shown_percent


@dataclass(frozen=True)
class Block:
    heading: str
    rows: tuple[tuple[str, str, str], ...]  # label, value, the windows it came from


@dataclass(frozen=True)
class RoiDocument:
    lang: str
    title: str
    header: tuple[str, str, str]
    blocks: tuple[Block, ...]
    empty: str


def value_text(figure) -> str:
    value = figure.value
    if value is None:
        return "—"
    if figure.unit == "windows":
        return ", ".join(value) if value else "—"
    if figure.unit == "money":
        return fmt_money(value, figure.currency or "")
    if figure.unit == "percent":
        return shown_percent(value, 2) + "%"
    if figure.unit == "minutes":
        return f"{Decimal(value).quantize(Decimal('0.01')):,}"
    return str(value)


def cited(figure) -> str:
    if figure.unit == "windows" or not figure.windows:
        return ""
    return ", ".join(figure.windows)


def roi_document(roi, m: Messages) -> RoiDocument:
    def rows(figures) -> tuple:
        return tuple((m.word(f"roi.figure.{f.id}"), value_text(f), cited(f)) for f in figures)

    blocks = [Block(m.say("roi.vendor", title=v.title, provider=v.provider, policy=v.policy_id, currency=v.currency), rows(v.figures)) for v in roi.vendors]
    if len(roi.vendors) > 1:
        blocks.append(Block(m.word("roi.total"), rows(roi.totals)))
    header = tuple(m.word("roi.head").split("|"))
    return RoiDocument(m.lang, m.say("roi.title", year=roi.year, as_of=roi.as_of.isoformat()), header, tuple(blocks), m.say("roi.none", year=roi.year))


def roi_table(doc: RoiDocument) -> str:
    from slagen.cli.table import _pad, _width

    lines = [doc.title]
    if not doc.blocks:
        return "\n".join(lines + [doc.empty]) + "\n"
    for block in doc.blocks:
        widths = [max(_width(r[i]) for r in block.rows + (doc.header,)) for i in range(2)]
        lines += ["", block.heading]
        for r in (doc.header,) + block.rows:
            lines.append("  ".join([_pad(r[0], widths[0]), _pad(r[1], widths[1], right=True), r[2]]).rstrip())
    return "\n".join(lines) + "\n"


def render_roi(roi, fmt: str, lang: str = "en", templates: Path | None = None) -> bytes:
    """html | pdf | docx bytes; the same inputs give the same bytes (dated by `roi.as_of`)."""
    doc = roi_document(roi, Messages(lang, templates))
    if fmt == "docx":
        return _docx(doc, roi.as_of)
    from slagen.render.templates import environment, render, search_path
    from slagen.text import for_xml, utf8

    html = render(environment(templates), "roi/roi.html.j2", {"doc": doc})
    if fmt == "html":
        return utf8(for_xml(html))
    from slagen.render.pdf import html_to_pdf

    return html_to_pdf(html, search_path(templates), stamp=roi.as_of)


def _docx(doc: RoiDocument, stamp) -> bytes:
    import io
    from datetime import datetime, timezone

    from slagen.render.docx import LANGUAGE_TAG, add_table, stable_zip, style_font_pt, text_width
    from slagen.render.document import Table
    from slagen.report.docx import a4_document
    from slagen.text import xml_safe

    doc = xml_safe(doc)  # control characters and lone surrogates cannot go into XML
    word, section = a4_document(doc.lang)
    word.add_paragraph(doc.title, style="Title")
    if not doc.blocks:
        word.add_paragraph(doc.empty)
    for block in doc.blocks:
        word.add_heading(block.heading, level=1)
        add_table(word, Table(doc.header, block.rows), text_width(section), style_font_pt(word, "Cell Text"), markup=False)  # names are data, never markup; columns sized to their text
    props = word.core_properties
    props.title, props.author, props.last_modified_by, props.language, props.revision = doc.title, "slagen", "slagen", LANGUAGE_TAG.get(doc.lang, doc.lang), 1
    when = stamp.astimezone(timezone.utc).replace(microsecond=0)  # the view's own date, never the clock
    props.created = props.modified = props.last_printed = datetime(when.year, when.month, when.day, tzinfo=timezone.utc)
    out = io.BytesIO()
    word.save(out)
    return stable_zip(out.getvalue())
