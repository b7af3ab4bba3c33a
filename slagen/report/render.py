"""A Run as a report file: HTML, PDF (PDF/A-3b, evaluation JSON attached) or DOCX."""

from __future__ import annotations

import base64
from pathlib import Path

from slagen.errors import PolicyErrors, RenderError
from slagen.policy.yamlsrc import load_yaml
from slagen.report.content import Report, build_report
from slagen.runs import Run

FORMATS = ("pdf", "docx", "html")
LANGS = ("en", "zh-Hans")


def load_labels(lang: str, templates: Path | None) -> dict:
    """report/labels.<lang>.yaml from the first template directory that has it."""
    from slagen.render.templates import find_template_file, read_template_file, search_path

    if lang not in LANGS:
        raise RenderError(f"report language {lang!r}: choose one of {', '.join(LANGS)}")
    base = None
    for directory in reversed(search_path(templates)):  # packaged first, the user's on top
        path = find_template_file([directory], f"report/labels.{lang}.yaml")  # plain files only, no links
        if path is not None:
            try:
                data = load_yaml(read_template_file(path), str(path)).data
            except PolicyErrors as exc:
                raise RenderError(str(exc.problems[0])) from None
            if not isinstance(data, dict):
                raise RenderError(f"{path}: labels must be a YAML mapping of name: text")
            base = {**(base or {}), **{str(k): "" if v is None else str(v) for k, v in data.items()}}
    if base is None:
        raise RenderError(f"no report/labels.{lang}.yaml found")
    return base


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_html(report: Report, templates: Path | None) -> str:
    from slagen.render.templates import environment, render

    env = environment(templates)
    env.filters["svg_data_uri"] = svg_data_uri
    return render(env, "report/report.html.j2", {"report": report})


def render_report(run: Run, fmt: str, lang: str = "en", templates: Path | None = None) -> bytes:
    report = build_report(run, load_labels(lang, templates), lang, templates)
    if fmt == "docx":
        from slagen.report.docx import report_docx

        return report_docx(report)
    html = report_html(report, templates)
    if fmt == "html":
        from slagen.text import for_xml, utf8

        return utf8(for_xml(html))
    from slagen.render.pdf import html_to_pdf
    from slagen.render.templates import search_path

    return html_to_pdf(html, search_path(templates), attachments=[("evaluation.json", report.evaluation_json, "slagen evaluation (JSON) this report was made from")], pdf_variant="pdf/a-3b", stamp=run.evaluation.as_of)
