"""Document(s) -> HTML through a page template (`clauses/page.html.j2` by default).

The same HTML feeds the PDF, so the browser view and the PDF cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
from markupsafe import Markup, escape

from slagen.render.document import Block, Document, item_label, numbered_blocks, ref_pieces, runs
from slagen.render.templates import render


@dataclass(frozen=True)
class ClauseRow:
    """One clause across languages: its number, titles, and blocks aligned by position."""

    number: int
    titles: tuple[str, ...]
    blocks: tuple[tuple[str, tuple[Block, ...]], ...]
    refs: tuple[dict[str, str], ...] = ()  # per language: reference text ("Clause 7") -> the number it links to
    numbers: tuple[str, ...] = ()  # per language: the number its heading shows ("7.", "第7条")


def inline(text: str, refs: dict[str, str] | None = None) -> Markup:
    """Escape text and turn `**term**` into <strong>term</strong>; with `refs` (a clause's
    cross-references, text -> clause number), the number of each is a link to the clause."""
    out = []
    for piece, bold in runs(text):
        html = Markup("").join(
            Markup('<a class="ref" href="#clause-{}">{}</a>').format(number, sub) if number else escape(sub) for sub, number in ref_pieces(piece, refs or {})
        )
        out.append(Markup("<strong>{}</strong>").format(html) if bold else html)
    return Markup("").join(out)


def install_filters(env: jinja2.Environment) -> None:
    env.filters["inline"] = inline
    env.globals["item_label"] = item_label


def clause_rows(docs: list[Document]) -> list[ClauseRow]:
    rows = []
    for index, clause in enumerate(docs[0].clauses):
        per_lang = [numbered_blocks(d.clauses[index]) for d in docs]
        blocks = tuple((per_lang[0][i][0], tuple(p[i][1] for p in per_lang)) for i in range(len(per_lang[0])))
        numbers = {c.key: str(c.number) for c in docs[0].clauses}
        refs = tuple({text: numbers[key] for text, key in d.clauses[index].refs} for d in docs)
        shown = tuple(d.heading_number(d.clauses[index]) for d in docs)
        rows.append(ClauseRow(clause.number, tuple(d.clauses[index].title for d in docs), blocks, refs, shown))
    return rows


def render_html(env: jinja2.Environment, docs: list[Document], template: str = "clauses/page.html.j2") -> str:
    install_filters(env)
    return render(env, template, {"docs": docs, "rows": clause_rows(docs)})
