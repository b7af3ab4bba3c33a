"""A Comparison as a terminal table (≤ 100 columns), Markdown, CSV, JSON, HTML, PDF or Word.

No format invents a ranking: each shows the facts and marks the best (▲) and worst (▼)
value within a row where the row has a direction (a higher credit, a lower allowance...).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

from slagen.compare.build import Comparison
from slagen.compare.terms import Row
from slagen.text import for_terminal, for_xml, utf8

WIDTH = 100
BEST, WORST = "▲", "▼"


def marks(row: Row) -> tuple[set[int], set[int]]:
    """Indices of the best and worst values of a row; none when all equal or undirected."""
    known = [(i, n) for i, n in enumerate(row.numbers) if n is not None]
    if not row.better or len({n for _, n in known}) < 2:
        return set(), set()
    high = max(n for _, n in known)
    low = min(n for _, n in known)
    top = {i for i, n in known if n == high}
    bottom = {i for i, n in known if n == low}
    return (top, bottom) if row.better == "higher" else (bottom, top)


def all_rows(c: Comparison) -> list[Row]:
    return list(c.terms) + c.scenario_rows()


def marked(row: Row) -> list[str]:
    best, worst = marks(row)
    return [v + (f" {BEST}" if i in best else f" {WORST}" if i in worst else "") for i, v in enumerate(row.values)]


# --- terminal ---------------------------------------------------------------------------


def render_table(c: Comparison, width: int = WIDTH) -> str:
    """Vendors in blocks of columns that fit `width`; long cells wrap inside their column."""
    label_w = 24
    per_block = max(1, (width - label_w) // 25)
    col_w = (width - label_w) // per_block - 2
    out = [f"{BEST} best / {WORST} worst in a row, for the customer; {c.fee_note}.", ""]
    vendors = [v.label for v in c.vendors]
    rows = all_rows(c)
    for start in range(0, len(vendors), per_block):
        idx = list(range(start, min(start + per_block, len(vendors))))
        out.append(_line(["term"] + [vendors[i] for i in idx], label_w, col_w))
        out.append("-" * min(width, label_w + len(idx) * (col_w + 2)))
        section = None
        for row in rows:
            if row.section != section:
                section = row.section
                out.append("")
                out.extend(textwrap.wrap(f"[{section}]", width))
            values = marked(row)
            out.append(_line([row.label] + [values[i] for i in idx], label_w, col_w))
        out.append("")
    return "\n".join(line.rstrip() for block in out for line in block.split("\n")) + "\n"


def _line(cells: list[str], label_w: int, col_w: int) -> str:
    wrapped = [textwrap.wrap(cells[0], label_w - 1) or [""]] + [textwrap.wrap(c, col_w, break_on_hyphens=False) or [""] for c in cells[1:]]
    height = max(len(w) for w in wrapped)
    lines = []
    for n in range(height):
        parts = [(wrapped[0][n] if n < len(wrapped[0]) else "").ljust(label_w)]
        parts += [(w[n] if n < len(w) else "").ljust(col_w + 2) for w in wrapped[1:]]
        lines.append("".join(parts))
    return "\n".join(lines)


# --- Markdown, CSV, JSON --------------------------------------------------------------------


def render_markdown(c: Comparison) -> str:
    out = ["# Vendor SLA comparison", "", f"{BEST} best and {WORST} worst value in a row, for the customer; {c.fee_note}. No overall ranking is made.", ""]
    section = None
    for row in all_rows(c):
        if row.section != section:
            section = row.section
            out += ["", f"## {section}", "", "| term | " + " | ".join(v.label for v in c.vendors) + " |", "|---" * (len(c.vendors) + 1) + "|"]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in [row.label, *marked(row)]) + " |")
    return "\n".join(out) + "\n"


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (or tab/CR) would be a formula."""
    return "'" + value if value.lstrip(" ")[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠") else value


def render_csv(c: Comparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "term", *[_cell(v.label) for v in c.vendors]])
    for row in all_rows(c):
        writer.writerow([_cell(row.section), _cell(row.label), *[_cell(v) for v in marked(row)]])
    return buffer.getvalue()


def to_dict(c: Comparison) -> dict:
    def num(value):
        return None if value is None else format(value, "f")

    return {
        "format_version": 1,
        "fee_note": c.fee_note,
        "vendors": [{"label": v.label, "provider": v.provider, "file": v.file, "currency": v.currency, "monthly_fee": num(v.fee)} for v in c.vendors],
        "terms": [{"section": r.section, "term": r.label, "values": list(r.values), "best": sorted(marks(r)[0]), "worst": sorted(marks(r)[1])} for r in c.terms],
        "scenarios": [
            {"id": s.scenario.id, "title": s.scenario.title, "outcomes": [
                {"vendor": v.label, "window": o.window, "availability": num(o.availability), "counted_minutes": num(o.counted_minutes), "excluded_minutes": num(o.excluded_minutes),
                 "credit": num(o.credit), "credit_days": o.credit_days, "credit_percent": num(o.credit_percent), "currency": o.currency, "real_outage_minutes": num(o.real_minutes),
                 "downtime_cost": num(o.downtime_cost), "uncovered_exposure": num(o.uncovered), "reason": o.reason}
                for v, o in zip(c.vendors, s.outcomes)]}
            for s in c.scenarios
        ],
        "credit_curves": {v.label: [[num(a), num(p)] for a, p in curve] for v, curve in zip(c.vendors, c.curves)},
    }


def render_json(c: Comparison) -> str:
    return json.dumps(to_dict(c), indent=2, ensure_ascii=False) + "\n"


# --- chart, HTML/PDF, Word ------------------------------------------------------------------


def curve_chart(c: Comparison):
    from slagen.report.charts import _pyplot, _save

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 3.6))
    for vendor, curve in zip(c.vendors, c.curves):
        points = [(float(a), float(p)) for a, p in curve if p is not None]
        if points:
            ax.step([a for a, _ in points], [p for _, p in points], where="post", linewidth=1.3, label=vendor.label)
    ax.set_xlabel("availability in the vendor's own window (%)")
    ax.set_ylabel("credit (% of the window's fee)")
    ax.set_xlim(90, 100)
    ax.grid(True, linewidth=0.3, color="#cccccc")
    ax.legend(fontsize=6.5, frameon=False, ncol=2, loc="upper right")
    return _save(fig)


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
        sections[-1][1].append((row.label, [(v, "best" if i in best else "worst" if i in worst else "") for i, v in enumerate(row.values)]))
    chart = curve_chart(c) if c.curves else None
    return render(env, "compare/compare.html.j2", {"vendors": c.vendors, "sections": sections, "fee_note": c.fee_note, "chart": chart})


def render_pdf(c: Comparison, templates: Path | None = None) -> bytes:
    from slagen.render.pdf import html_to_pdf
    from slagen.render.templates import search_path

    return html_to_pdf(render_html(c, templates), search_path(templates))


def render_docx(c: Comparison) -> bytes:
    from docx import Document as new_docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    from slagen.render.document import Table
    from slagen.render.docx import add_table, page_footer, stable_zip, style_font_pt, text_width

    doc = new_docx()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(12)
    doc.styles["Normal"].font.size = Pt(8)
    cell_style = doc.styles.add_style("Cell Text", 1)
    cell_style.base_style = doc.styles["Normal"]
    doc.add_paragraph("Vendor SLA comparison", style="Title")
    doc.add_paragraph(f"{BEST} best and {WORST} worst value in a row, for the customer; {c.fee_note}. No overall ranking is made.")
    header = ("term", *[v.label for v in c.vendors])
    sections: dict[str, list[tuple[str, ...]]] = {}
    for row in all_rows(c):
        sections.setdefault(row.section, []).append((row.label, *marked(row)))
    for title, rows in sections.items():
        doc.add_heading(title, level=1)
        # columns sized to their text; a column per vendor leaves little room, so down to 6 pt before a word splits
        add_table(doc, Table(header, tuple(rows)), text_width(section), style_font_pt(doc, "Cell Text"), markup=False, smallest=6.0)
    if c.curves:
        doc.add_heading("Credit curve", level=1)
        doc.add_picture(io.BytesIO(curve_chart(c).png), width=Mm(250))
    page_footer(doc, "Page", "of", "")
    props = doc.core_properties
    from datetime import datetime, timezone

    stamp = datetime(2000, 1, 1, tzinfo=timezone.utc)
    props.title = "Vendor SLA comparison"
    props.author = props.last_modified_by = "slagen"
    props.comments = ""  # python-docx's template says "generated by python-docx"
    props.language = "en"
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


