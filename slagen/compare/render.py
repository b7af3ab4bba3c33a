"""A Comparison as a terminal table (≤ 100 columns), Markdown, CSV, JSON, HTML, PDF or Word.

No format invents a ranking: each shows the facts and marks the best (▲) and worst (▼)
value within a row where the row has a direction (a higher credit, a lower allowance...).
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from slagen.compare.build import Comparison
from slagen.compare.terms import Row
from slagen.text import for_terminal, for_xml, utf8

WIDTH = 100
BEST, WORST = "▲", "▼"
UNVERIFIED = " †"


def marks(row: Row) -> tuple[set[int], set[int]]:
    """Indices of the best and worst values of a row; none when all equal, undirected, or
    money in different currencies (no exchange rates: never compare bare numbers)."""
    known = [(i, n) for i, n in enumerate(row.numbers) if n is not None]
    if not row.better or len({n for _, n in known}) < 2 or row.unit_problem():
        return set(), set()
    high = max(n for _, n in known)
    low = min(n for _, n in known)
    top = {i for i, n in known if n == high}
    bottom = {i for i, n in known if n == low}
    return (top, bottom) if row.better == "higher" else (bottom, top)


def all_rows(c: Comparison) -> list[Row]:
    from slagen.compare.weights import score_row

    rows = list(c.terms) + c.scenario_rows() + c.history_rows()
    if c.weights:
        rows.append(score_row(c, rows))
    return rows


def label(row: Row, c: Comparison) -> str:
    """The row's label, with why it is not marked when its amounts are in several currencies."""
    currencies = row.unit_problem()
    if not currencies or not row.better:
        return row.label
    return f"{row.label} ({c.words.say('compare.unmarked_currencies', currencies=', '.join(currencies))})"


def cell_mark(row: Row, i: int) -> str:
    return UNVERIFIED if i < len(row.unverified) and row.unverified[i] else ""


def marked(row: Row) -> list[str]:
    best, worst = marks(row)
    return [v + cell_mark(row, i) + (f" {BEST}" if i in best else f" {WORST}" if i in worst else "") for i, v in enumerate(row.values)]


def unverified_notes(c: Comparison) -> list[str]:
    """One line per vendor and note: what the policy says about a figure it marks unverified."""
    seen = {}
    for row in c.terms:
        for i, note in enumerate(row.unverified):
            if note:
                seen.setdefault((c.vendors[i].label, note), None)
    return [c.words.say("compare.unverified_note", vendor=v, note=n) for v, n in seen]


def preamble(c: Comparison, short: bool = False) -> list[str]:
    w = c.words
    lines = [w.say("compare.legend_short" if short else "compare.legend", fee_note=c.fee_note), *c.notes]
    if any(any(r.unverified) for r in c.terms):
        lines.append(w.say("compare.unverified_legend"))
    if c.weights:
        from slagen.compare.weights import score_note

        lines.append(score_note(c))
    return lines


# --- terminal ---------------------------------------------------------------------------


def render_table(c: Comparison, width: int = WIDTH) -> str:
    """Vendors in blocks of columns that fit `width`; long cells wrap inside their column."""
    label_w = 24
    per_block = max(1, (width - label_w) // 25)
    col_w = (width - label_w) // per_block - 2
    out = [line for text in preamble(c, short=True) + unverified_notes(c) for line in _wrap(text, width)] + [""]
    vendors = [v.label for v in c.vendors]
    rows = all_rows(c)
    for start in range(0, len(vendors), per_block):
        idx = list(range(start, min(start + per_block, len(vendors))))
        out.append(_line([c.words.say("compare.term")] + [vendors[i] for i in idx], label_w, col_w))
        out.append("-" * min(width, label_w + len(idx) * (col_w + 2)))
        section = None
        for row in rows:
            if row.section != section:
                section = row.section
                out.append("")
                out.extend(_wrap(f"[{section}]", width))
            values = marked(row)
            out.append(_line([label(row, c)] + [values[i] for i in idx], label_w, col_w))
        out.append("")
    return "\n".join(line.rstrip() for block in out for line in block.split("\n")) + "\n"


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` terminal columns: breaks at spaces, and anywhere in CJK text
    (or a word longer than the line)."""
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if _width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
                line = ""
            for char in word:
                if _width(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines or [""]


def _line(cells: list[str], label_w: int, col_w: int) -> str:
    wrapped = [_wrap(cells[0], label_w - 1)] + [_wrap(c, col_w) for c in cells[1:]]
    height = max(len(w) for w in wrapped)

    def pad(text: str, width: int) -> str:
        return text + " " * max(width - _width(text), 0)

    lines = []
    for n in range(height):
        parts = [pad(wrapped[0][n] if n < len(wrapped[0]) else "", label_w)]
        parts += [pad(w[n] if n < len(w) else "", col_w + 2) for w in wrapped[1:]]
        lines.append("".join(parts))
    return "\n".join(lines)


# --- Markdown, CSV, JSON --------------------------------------------------------------------


def render_markdown(c: Comparison) -> str:
    w = c.words
    out = [f"# {w.say('compare.title')}", ""]
    for line in preamble(c) + unverified_notes(c):
        out += [line, ""]
    section = None
    for row in all_rows(c):
        if row.section != section:
            section = row.section
            out += ["", f"## {section}", "", f"| {w.say('compare.term')} | " + " | ".join(v.label for v in c.vendors) + " |", "|---" * (len(c.vendors) + 1) + "|"]
        out.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", "<br>") for cell in [label(row, c), *marked(row)]) + " |")
    return "\n".join(out) + "\n"


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (or tab/CR) would be a formula."""
    return "'" + value if value.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠") else value


def render_csv(c: Comparison) -> str:
    """One line per term and vendor, so a spreadsheet sorts and filters it: the text as shown,
    the number behind it (a plain number, empty when there is none), its unit, the best/worst
    mark and whether the policy marks the figure unverified, each in a column of its own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "term", "vendor", "text", "value", "unit", "mark", "unverified"])
    for row in all_rows(c):
        best, worst = marks(row)
        for i, vendor in enumerate(c.vendors):
            number = row.numbers[i] if i < len(row.numbers) else None
            unit = row.units[i] if i < len(row.units) and row.units[i] else ""
            note = row.unverified[i] if i < len(row.unverified) and row.unverified[i] else ""
            writer.writerow([_cell(row.section), _cell(label(row, c)), _cell(vendor.label), _cell(row.values[i]),
                             "" if number is None else format(number.normalize(), "f"),
                             unit, "best" if i in best else "worst" if i in worst else "", _cell(note)])
    return buffer.getvalue()


def to_dict(c: Comparison) -> dict:
    def num(value):
        return None if value is None else format(value, "f")

    def row_dict(r: Row) -> dict:
        best, worst = marks(r)
        return {"section": r.section, "term": r.label, "key": r.key, "values": list(r.values), "numbers": [num(n) for n in r.numbers],
                "units": list(r.units), "unverified": list(r.unverified), "best": sorted(best), "worst": sorted(worst)}

    rates = c.rates
    return {
        "format_version": 2,
        "lang": c.lang,
        "fee_note": c.fee_note,
        "notes": list(c.notes),
        "rates": None if rates is None else {"currency": rates.currency, "date": rates.date, "source": rates.source, "file": rates.file,
                                               "rates": {k: num(v) for k, v in rates.rates}},
        "vendors": [{"label": v.label, "title": v.title, "provider": v.provider, "untranslated": v.untranslated, "file": v.file, "currency": v.currency, "monthly_fee": num(v.fee),
                     "policy_currency": v.own_currency, "rate": num(v.rate)} for v in c.vendors],
        "terms": [row_dict(r) for r in c.terms],
        "scenarios": [
            {"id": s.scenario.id, "title": s.scenario.title, "month": s.scenario.month,
             "loss_per_minute": None if s.loss is None else {"amount": num(s.loss.amount), "currency": s.loss.currency},
             "outcomes": [
                {"vendor": v.label, "window": o.window, "window_kind": o.window_kind, "window_is_the_month": o.window_covers_month, "fee_months": num(o.fee_months),
                 "availability": num(o.availability), "counted_minutes": num(o.counted_minutes), "excluded_minutes": num(o.excluded_minutes),
                 "allowed_minutes": num(o.allowed_minutes), "credit": num(o.credit), "credit_amount": num(o.credit_amount), "credit_days": o.credit_days,
                 "daily_fee": num(o.daily_fee), "credit_percent": num(o.credit_percent), "currency": o.currency, "real_outage_minutes": num(o.real_minutes),
                 "downtime_cost": num(o.downtime_cost), "downtime_cost_currency": o.cost_currency, "uncovered_exposure": num(o.uncovered), "reason": o.reason, "reasons": list(o.reasons)}
                for v, o in zip(c.vendors, s.outcomes)]}
            for s in c.scenarios
        ],
        "history": [row_dict(r) for r in c.history_rows()],
        "weights": None if not c.weights else {"file": c.weights_file, "weights": {k: num(v) for k, v in c.weights}, "score": row_dict(all_rows(c)[-1])},
        "credit_curves": {v.label: [[num(a), num(p)] for a, p in curve] for v, curve in zip(c.vendors, c.curves)},
    }


def render_json(c: Comparison) -> str:
    return json.dumps(to_dict(c), indent=2, ensure_ascii=False) + "\n"


# --- chart, HTML/PDF, Word ------------------------------------------------------------------


def curve_chart(c: Comparison):
    from slagen.report.charts import Chart

    return Chart(lambda: _curve_figure(c))


def _curve_figure(c: Comparison):
    from slagen.report.charts import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.6))
    for vendor, curve in zip(c.vendors, c.curves):
        points = [(float(a), float(p)) for a, p in curve if p is not None]
        if points:
            ax.step([a for a, _ in points], [p for _, p in points], where="post", linewidth=1.3, label=vendor.label)
    ax.set_xlabel(c.words.say("compare.curve_x"))
    ax.set_ylabel(c.words.say("compare.curve_y"))
    ax.set_xlim(90, 100)
    ax.grid(True, linewidth=0.3, color="#cccccc")
    ax.legend(fontsize=6.5, frameon=False, ncol=2, loc="upper right")
    return fig


def render_html(c: Comparison, templates: Path | None = None) -> str:
    from slagen.render.templates import environment, render
    from slagen.report.render import svg_data_uri

    env = environment(templates)
    env.filters["svg_data_uri"] = svg_data_uri
    sections: list[tuple[str, list]] = []
    for row in all_rows(c):
        if not sections or sections[-1][0] != row.section:
            sections.append((row.section, []))
        best, worst = marks(row)
        sections[-1][1].append((label(row, c), [(v + cell_mark(row, i), "best" if i in best else "worst" if i in worst else "") for i, v in enumerate(row.values)]))
    chart = curve_chart(c) if c.curves else None
    w = c.words
    text = {k: w.say(f"compare.{k}") for k in ("title", "term", "curve", "curve_caption", "page", "of", "page_end")}
    return render(env, "compare/compare.html.j2", {"vendors": c.vendors, "sections": sections, "fee_note": c.fee_note, "chart": chart,
                                                   "notes": preamble(c), "footnotes": unverified_notes(c), "text": text, "lang": c.lang})


def render_pdf(c: Comparison, templates: Path | None = None) -> bytes:
    from slagen.render.pdf import html_to_pdf
    from slagen.render.templates import search_path

    return html_to_pdf(render_html(c, templates), search_path(templates))


def render_docx(c: Comparison) -> bytes:
    from docx import Document as new_docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    from slagen.render.document import Table
    from slagen.render.docx import LANGUAGE_TAG, add_table, page_footer, stable_zip, style_font_pt, text_width

    w = c.words
    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(12)
    doc.styles["Normal"].font.size = Pt(8)
    cell_style = doc.styles.add_style("Cell Text", 1)
    cell_style.base_style = doc.styles["Normal"]
    if c.lang != "en":
        from docx.oxml.ns import qn

        rpr = doc.styles["Normal"].element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "Noto Sans CJK TC" if c.lang == "zh-Hant" else "Noto Sans CJK SC")
    doc.add_paragraph(w.say("compare.title"), style="Title")
    for line in preamble(c):
        doc.add_paragraph(line)
    for note in unverified_notes(c):
        doc.add_paragraph(note)
    header = (w.say("compare.term"), *[v.label for v in c.vendors])
    sections: dict[str, list[tuple[str, ...]]] = {}
    for row in all_rows(c):
        sections.setdefault(row.section, []).append((label(row, c), *marked(row)))
    for title, rows in sections.items():
        doc.add_heading(title, level=1)
        # columns sized to their text; a column per vendor leaves little room, so down to 6 pt before a word splits
        add_table(doc, Table(header, tuple(rows)), text_width(section), style_font_pt(doc, "Cell Text"), markup=False, smallest=6.0)
    if c.curves:
        doc.add_heading(w.say("compare.curve"), level=1)
        doc.add_picture(io.BytesIO(curve_chart(c).png), width=Mm(250))
        doc.add_paragraph(w.say("compare.curve_caption"))
    page_footer(doc, w.say("compare.page"), w.say("compare.of"), w.say("compare.page_end"))
    props = doc.core_properties
    from datetime import datetime, timezone

    stamp = datetime(2000, 1, 1, tzinfo=timezone.utc)
    props.title = w.say("compare.title")
    props.author = props.last_modified_by = "slagen"
    props.comments = ""  # python-docx's template says "generated by python-docx"
    props.language = LANGUAGE_TAG.get(c.lang, c.lang)  # a real tag: en, zh-CN, zh-TW
    props.revision = 1
    props.created = props.modified = props.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())


def render(c: Comparison, fmt: str, templates: Path | None = None) -> bytes:
    if fmt == "table":
        return for_terminal(render_table(c), keep_newlines=True).encode("utf-8")
    if fmt == "md":
        return utf8(for_xml(render_markdown(c)))
    if fmt == "csv":
        return utf8(for_xml(render_csv(c)))
    if fmt == "json":
        return utf8(render_json(c))
    if fmt == "html":
        return utf8(for_xml(render_html(c, templates)))
    if fmt == "pdf":
        return render_pdf(c, templates)
    from slagen.text import xml_safe

    return render_docx(xml_safe(c))  # control characters and lone surrogates cannot go into XML


