"""A Run as a report file: HTML, PDF (PDF/A-3b, evaluation JSON attached) or DOCX."""

from __future__ import annotations

import base64
from pathlib import Path

from slagen.errors import RenderError
from slagen.report.content import Report, build_report
from slagen.runs import Run

FORMATS = ("pdf", "docx", "html")
LANGS = ("en", "zh-Hans", "zh-Hant")


def check_texts(policy, lang: str) -> None:
    """Refuse a report in a language the policy lacks text for, one located problem per field."""
    from slagen.errors import PolicyErrors, PolicyProblem
    from slagen.policy.text import missing_texts

    missing = missing_texts(policy, lang)
    if missing:
        raise PolicyErrors([PolicyProblem(m.file, m.line, m.column, m.message + " (report --allow-fallback shows the English)") for m in missing])


def load_labels(lang: str, templates: Path | None) -> dict:
    """report/labels.<lang>.yaml from the first template directory that has it."""
    from slagen.render.templates import layered_mapping

    if lang not in LANGS:
        raise RenderError(f"report language {lang!r}: choose one of {', '.join(LANGS)}")
    labels = layered_mapping(f"report/labels.{lang}.yaml", templates, "labels")
    if labels is None:
        raise RenderError(f"no report/labels.{lang}.yaml found")
    return labels


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_html(report: Report, templates: Path | None) -> str:
    from slagen.render.templates import environment, render

    env = environment(templates)
    env.filters["svg_data_uri"] = svg_data_uri
    return render(env, "report/report.html.j2", {"report": report})


def render_report(run: Run, fmt: str, lang: str = "en", templates: Path | None = None) -> bytes:
    """The report of a run in `fmt`. A language the policy has no text for is an error naming
    each field, unless the run's request allows the English to stand in (marked on the cover)."""
    from slagen.report.charts import chart_language

    if not (run.request is not None and run.request.allow_fallback):
        check_texts(run.policy, lang)

    with chart_language(lang):  # a Chinese report without a Chinese font is an error here, before anything is drawn
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
