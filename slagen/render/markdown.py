"""Document(s) -> Markdown text: one language, or two interleaved block by block."""

from __future__ import annotations

from slagen.render.document import Document, Items, Para, Table, item_label, numbered_blocks


def _table(table: Table) -> list[str]:
    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [row(table.header), "|" + "---|" * len(table.header), *(row(r) for r in table.rows), ""]


def _block(number: str, block, out: list[str], lang: str = "en") -> None:
    if isinstance(block, Para):
        out += [f"**{number}** {block.text}" if number else f"> {block.text}", ""]
    elif isinstance(block, Items):
        out += [f"- {item_label(i, lang)}{'' if lang != 'en' else ' '}{text}" for i, text in enumerate(block.items)] + [""]
    else:
        out += _table(block)


def render_markdown(docs: list[Document]) -> str:
    first = docs[0]
    out = [f"# {' / '.join(d.meta.title for d in docs)}", "", f"**{' / '.join(d.meta.subtitle for d in docs)}**", ""]
    for doc in docs:
        labels = doc.labels
        out += [f"- {doc.meta.parties[0]}", f"- {doc.meta.parties[1]}"]
        colon = labels.get("colon", ": ")
        if doc.meta.version:
            out.append(f"- {labels['version']}{colon}{doc.meta.version}")
        out += [f"- {labels['effective']}{colon}{doc.meta.date.isoformat()}", ""]
    for index, clause in enumerate(first.clauses):
        pairs = [numbered_blocks(d.clauses[index]) for d in docs]
        out += [f"## {' / '.join(f'{d.heading_number(d.clauses[index])} {d.clauses[index].title}' for d in docs)}", ""]
        for position in range(len(pairs[0])):
            for doc, blocks in zip(docs, pairs):
                number, block = blocks[position]
                _block(number, block, out, doc.lang)
    return "\n".join(out).rstrip() + "\n"
