"""A policy's clause set in one output format: the library call behind `slagen clauses`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from slagen.clauses.build import build
from slagen.policy.model import Policy
from slagen.render.templates import environment, find_template_file, search_path
from slagen.text import for_xml, utf8

FORMATS = ("md", "html", "docx", "pdf")


def render_clauses(policy: Policy, lang: str, fmt: str, templates: Path | None = None, document_date: date | None = None, allow_fallback: bool = False) -> bytes:
    """Bytes of the clause document. Same policy and options -> same bytes, in every format.

    A language the policy has no text for is an error naming each field; `allow_fallback`
    prints the English there instead, marked on the page."""
    docs = build(policy, lang, templates, document_date, allow_fallback)
    if fmt == "md":
        from slagen.render.markdown import render_markdown

        return utf8(for_xml(render_markdown(docs)))
    if fmt == "docx":
        from slagen.render.docx import render_docx

        reference = find_template_file(search_path(templates), "clauses/reference.docx")  # plain files only, no links
        return render_docx(docs, reference)
    from slagen.render.html import render_html

    html = render_html(environment(templates), docs)
    if fmt == "html":
        return utf8(for_xml(html))
    from slagen.render.pdf import html_to_pdf

    return html_to_pdf(html, search_path(templates))
