"""A numbered legal document as data, parsed from what clause templates write.

Templates write a small Markdown subset, one clause per template:

    # Title                 the clause heading (first line, required)
    A paragraph.            a numbered sub-clause (3.1, 3.2, ...)
    - an item               lettered items (a), (b) of the sub-clause before them
    | a | b |               a table; the first row is the header ('|---|' rows are ignored)
    > a note                an unnumbered paragraph

Blocks are separated by blank lines; `**term**` marks a defined term. Renderers (Markdown,
HTML/PDF, DOCX) all work from this one structure, so the formats cannot disagree.

Text from the data (a provider's name, a KPI's name...) is never markup: templates receive
it through `escape_data` (see slagen.render.templates), which turns line breaks into spaces
and puts an invisible WORD JOINER (U+2060) where a character would otherwise act as markup:
before a block marker at its start, before `|`, around `*` and after `⟦`. The parser treats
a joined `|` as text; `runs()` removes the joiners from what renderers write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slagen.errors import RenderError


@dataclass(frozen=True)
class Para:
    text: str
    numbered: bool = True


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Para | Items | Table


@dataclass(frozen=True)
class Clause:
    key: str
    title: str
    blocks: tuple[Block, ...]
    number: int = 0
    refs: tuple[tuple[str, str], ...] = ()  # (text, clause key) of each cross-reference made in it


@dataclass(frozen=True)
class Meta:
    """What goes on the cover and into document properties; no wall-clock values."""

    title: str
    subtitle: str
    version: str
    date: date
    parties: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Document:
    lang: str
    meta: Meta
    clauses: tuple[Clause, ...]
    labels: dict[str, str] = field(default_factory=dict)
    heading: str = "{n}."  # how a clause heading shows its number: "{n}." -> "3. Definitions", "第{n}条" -> "第3条 定义"

    def heading_number(self, clause: Clause) -> str:
        """The number a clause's heading shows: '3.' / '第3条'."""
        return self.heading.format(n=clause.number)


_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        line = line.strip()
        if text and not (_CJK.match(text[-1]) or _CJK.match(line[:1])):
            text += " "
        text += line
    return text


WJ = "\u2060"  # WORD JOINER: invisible; marks a character from the data as text
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")  # everything str.splitlines() splits at


def escape_data(text: str) -> str:
    """Data as text in a clause template: one line, no block marker, cell separator, bold
    mark or clause reference of its own."""
    text = _LINE_BREAKS.sub(" ", text)
    if "*" in text:
        text = text.replace("*", f"{WJ}*{WJ}")
    if "|" in text:
        text = text.replace("|", f"{WJ}|")
    if "⟦" in text:
        text = text.replace("⟦", f"⟦{WJ}")
    if text.lstrip()[:1] in ("#", "-", ">", "+"):
        text = WJ + text
    return text


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:-1] if inner.endswith("|") and len(inner) > 1 and inner[-2:-1] not in ("\\", WJ) else inner[1:]
    return tuple(cell.strip().replace("\\|", "|") for cell in re.split(f"(?<![\\\\{WJ}])\\|", inner))


def parse_clause(text: str, key: str, template: str) -> Clause | None:
    """Clause markup -> Clause; None when the template wrote nothing (feature not used)."""
    lines = text.strip().splitlines()
    if not lines:
        return None
    if not lines[0].startswith("# "):
        raise RenderError(f"{template}: a clause must start with '# Title', found {lines[0][:60]!r}")
    title = lines[0][2:].strip()
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines[1:] + [""]:
        if line.strip():
            chunk.append(line)
            continue
        if chunk:
            blocks.append(_block(chunk, template))
            chunk = []
    return Clause(key, title, tuple(blocks))


def _block(chunk: list[str], template: str) -> Block:
    first = chunk[0].lstrip()
    if first.startswith("|"):
        rows = [_cells(line) for line in chunk if not re.fullmatch(r"\s*\|[\s:|-]+\|?\s*", line)]
        width = len(rows[0])
        for row in rows[1:]:
            if len(row) != width:
                raise RenderError(f"{template}: table row {row!r} has {len(row)} cells, the header has {width}")
        return Table(rows[0], tuple(rows[1:]))
    if first.startswith("- "):
        items: list[list[str]] = []
        for line in chunk:
            if line.lstrip().startswith("- "):
                items.append([line.lstrip()[2:]])
            else:
                items[-1].append(line)
        return Items(tuple(_join(i) for i in items))
    if first.startswith("> "):
        return Para(_join([line.lstrip().removeprefix(">").strip() for line in chunk]), numbered=False)
    return Para(_join(chunk))


def number_clauses(clauses: list[Clause], ref_word: str) -> tuple[Clause, ...]:
    """Number clauses 1..n in order and resolve `⟦ref:key⟧` markers to 'Clause n' / '第n条'.

    Each clause records the references it makes, as (text, key) in `Clause.refs`, so a
    renderer can make them live (Word REF fields to the clause's bookmark)."""
    numbers = {c.key: i for i, c in enumerate(clauses, 1)}
    made: set[tuple[str, str]] = set()

    def resolve(text: str) -> str:
        def one(match: re.Match) -> str:
            key = match.group(1)
            if key not in numbers:
                raise RenderError(f"a clause refers to clause '{key}', which this policy leaves out; guard the reference with the same condition as that clause (clauses in this document: {', '.join(numbers)})")
            made.add((ref_word.format(n=numbers[key]), key))
            return ref_word.format(n=numbers[key])

        return re.sub(r"⟦ref:([a-z_]+)⟧", one, text)

    out = []
    for clause in clauses:
        made.clear()
        blocks: list[Block] = []
        for block in clause.blocks:
            if isinstance(block, Para):
                blocks.append(Para(resolve(block.text), block.numbered))
            elif isinstance(block, Items):
                blocks.append(Items(tuple(resolve(i) for i in block.items)))
            else:
                blocks.append(Table(tuple(resolve(c) for c in block.header), tuple(tuple(resolve(c) for c in row) for row in block.rows)))
        out.append(Clause(clause.key, resolve(clause.title), tuple(blocks), numbers[clause.key], tuple(sorted(made))))
    return tuple(out)


def numbered_blocks(clause: Clause) -> list[tuple[str, Block]]:
    """Each block with the number it shows: '3.1' for sub-clauses, '' for tables and notes.

    Items take letters within their block; the renderer asks `item_label(i)`.
    """
    out: list[tuple[str, Block]] = []
    sub = 0
    for block in clause.blocks:
        if isinstance(block, Para) and block.numbered:
            sub += 1
            out.append((f"{clause.number}.{sub}", block))
        else:
            out.append(("", block))
    return out


def item_label(index: int, lang: str = "en") -> str:
    """(a), (b), ... (z), (aa): the usual contract lettering; （一）, （二）... in Chinese."""
    if lang != "en":
        import cn2an

        words = cn2an.an2cn(str(index + 1), "low")
        return f"（{words.replace('万', '萬') if lang == 'zh-Hant' else words}）"
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(97 + rem) + letters
    return f"({letters})"


def check_parallel(first: Document, second: Document) -> None:
    """Side-by-side output needs the same clauses and blocks in both languages."""
    a = [(c.key, [type(b).__name__ for b in c.blocks]) for c in first.clauses]
    b = [(c.key, [type(b).__name__ for b in c.blocks]) for c in second.clauses]
    if a != b:
        for (ka, sa), (kb, sb) in zip(a, b):
            if ka != kb or sa != sb:
                raise RenderError(f"clause '{ka}' in {first.lang} and '{kb}' in {second.lang} do not line up ({sa} vs {sb}); the two templates must write the same blocks")
        raise RenderError(f"{first.lang} has {len(a)} clauses and {second.lang} has {len(b)}; the templates must include the same clauses")


SPLIT_BOLD = re.compile(r"\*\*(.+?)\*\*")


def runs(text: str) -> list[tuple[str, bool]]:
    """Text split into (piece, bold) runs at `**` marks."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in SPLIT_BOLD.finditer(text):
        if match.start() > pos:
            out.append((text[pos : match.start()].replace(WJ, ""), False))
        out.append((match.group(1).replace(WJ, ""), True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:].replace(WJ, ""), False))
    return out


def ref_pieces(text: str, refs: dict[str, str], live: str = "{n}") -> list[tuple[str, str | None]]:
    """Text split around the cross-references `refs` (text -> clause key) it contains:
    "subject to Clause 7." -> ("subject to Clause ", None), ("7", "credit_limits"), (".", None).
    The piece a renderer makes live is `live` with the clause's number: the number alone by
    default, the words around it ("Clause", "第", "条") staying text. A Word REF field shows
    its paragraph's number with the text of its list level ("第7条" when headings are
    numbered 第%1条), so there `live` is "第{n}条" and the whole "第7条" is the field."""
    if not refs:
        return [(text, None)] if text else []
    pattern = re.compile("(?:" + "|".join(re.escape(t) for t in sorted(refs, key=len, reverse=True)) + r")(?!\d)")
    out: list[tuple[str, str | None]] = []
    pos = 0
    for match in pattern.finditer(text):
        digits = re.search(r"\d+", match.group(0))
        if digits is None:
            continue
        shown = live.format(n=digits.group(0))
        at = match.group(0).find(shown)
        start, end = (match.start() + at, match.start() + at + len(shown)) if at >= 0 else (match.start() + digits.start(), match.start() + digits.end())
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], refs[match.group(0)]))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
