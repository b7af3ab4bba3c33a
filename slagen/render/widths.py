"""Table column widths from the text they hold, for Word tables (pure: no docx, no fonts).

Word lays a fixed-layout table out at the widths it is given and breaks whatever does not
fit, inside words and numbers ("Fr/o/m", "285.6/7", "星/期/一"). So widths are worked out
here from the content, the way a browser's automatic table layout does it:

- each column's *minimum* is its longest unbreakable token, its *wish* its longest cell
  on one line, both plus the cell's left and right margins;
- if every wish fits the container, each column gets its wish (the table may be narrower);
- otherwise each column gets its minimum, and the room left over is shared out so that
  columns wishing for little more get all of it (their cells stay on one line) and the
  columns of long text share the rest equally;
- only if the minimums alone do not fit are they scaled down (a token then has to break;
  the tests check no bundled document gets here).

Widths are estimated, not measured: a character's advance is taken from a few classes of
a proportional Latin font (narrow, normal, upper case, wide, a little more in bold), set for
the widest font a reader may substitute (DejaVu Serif, which LibreOffice uses when Times New
Roman is missing; Times itself is narrower), and a full em for
East Asian wide and full-width characters (`unicodedata.east_asian_width` W or F), which
is what CJK fonts draw them at, plus the quarter em Word and LibreOffice put between CJK
text and Latin letters or digits; ambiguous ones (A: – “ ” ×) count full too, as a CJK font
may draw them. The estimates err on the wide side.

Units are twentieths of a point (twips, Word's `dxa`); results are whole twips.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

NARROW = frozenset("fijlrtI.,:;!'|()[]{}`\u2060 ")
WIDE = frozenset("mwMWQGOCDHKNUV@%&—▲▼")
EM = {"narrow": 0.36, "normal": 0.62, "upper": 0.76, "wide": 1.02, "full": 1.0}
AUTOSPACE = 0.25  # em between a CJK character and a Latin letter or digit (autoSpaceDE/DN)
BOLD = 1.08  # bold Latin runs a few percent wider
SLACK = 40  # twips per column for borders and rounding (2 pt)
CJK_WORD = 6  # CJK runs up to this many characters are kept whole (星期一, 严重级别, 计时开始)
_SPACE = re.compile(r"[\s\u200b]+")  # white space, and the zero-width space of break_codes
_CJK_PUNCT = "、，。；：！？（）「」『』《》〈〉【】・"


def is_full_width(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def char_em(ch: str) -> float:
    """A character's advance as a fraction of the font size."""
    if is_full_width(ch) or unicodedata.east_asian_width(ch) == "A":  # ambiguous (– “ ” ×): CJK fonts draw them full
        return EM["full"]
    if ch in NARROW:
        return EM["narrow"]
    if ch in WIDE:
        return EM["wide"]
    if ch.isupper():
        return EM["upper"]
    return EM["normal"]


def text_width(text: str, font_pt: float, bold: bool = False) -> int:
    """Estimated width of `text` on one line, in twips."""
    ems = [char_em(c) for c in text]
    full = sum(e for e in ems if e == EM["full"])
    latin = sum(ems) - full
    kinds = [is_full_width(c) for c in text if not c.isspace()]
    gaps = sum(1 for a, b in zip(kinds, kinds[1:]) if a != b)  # Word and LibreOffice space CJK from Latin and digits
    return round((latin * (BOLD if bold else 1) + full + gaps * AUTOSPACE) * font_pt * 20)


def tokens(text: str) -> list[str]:
    """The pieces of `text` a line may not be broken inside.

    Latin words, numbers, times and amounts are split only at white space ("09:00–18:00",
    "CNY 120,000.00" is two tokens), after a hyphen between letters ("cloud-", "premium-2024")
    and in a web address after a slash before a letter ("example.com/", "terms"). Chinese breaks between characters, but a short run
    (up to CJK_WORD characters between punctuation, spaces or Latin text: 星期一, 严重级别)
    is kept whole, as it is usually one word or term; longer runs are running text and
    contribute single characters. A full-width punctuation mark stays with the character
    before it (no line starts with "，")."""
    out: list[str] = []
    for word in _SPACE.split(text.strip()):
        if not word:
            continue
        out.extend(_split_word(word))
    return out


def _split_word(word: str) -> list[str]:
    pieces: list[str] = []
    run = ""  # the current run, Latin or CJK
    kind = None
    for ch in word:
        this = "cjk" if is_full_width(ch) else "latin"
        if ch in _CJK_PUNCT:
            run += ch  # stays with what precedes it
            pieces.extend(_close(run, kind))
            run, kind = "", None
            continue
        if kind is not None and this != kind:
            pieces.extend(_close(run, kind))
            run = ""
        run += ch
        kind = this
    pieces.extend(_close(run, kind))
    return [p for p in pieces if p]


# "cloud-premium" may break after the hyphen, as Word and LibreOffice break it; "2026-10-05",
# "-5" may not. A web address may also break after a slash ("example.com/", "terms/"); other
# slashes ("America/Los_Angeles", "1/2") are kept whole, as LibreOffice keeps them.
_BREAK_AFTER = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")
_URL_BREAK = re.compile(r"(?:(?<=[^\W\d_]-)|(?<=[^/]/))(?=[^\W\d_])")
_URL = re.compile(r"://|^(?:www\.)?[\w-]+(?:\.[\w-]+)+/")


def _close(run: str, kind: str | None) -> list[str]:
    if kind == "latin":
        return (_URL_BREAK if _URL.search(run) else _BREAK_AFTER).split(run)
    if kind != "cjk" or len(run.rstrip(_CJK_PUNCT)) <= CJK_WORD:
        return [run]
    return list(run[:-2]) + [run[-2:]] if run[-1] in _CJK_PUNCT else list(run)


def column_widths(header: Sequence[str], rows: Sequence[Sequence[str]], available: int, font_pt: float, margin: int, bold_header: bool = True) -> list[int]:
    """Widths (twips) of the columns of a table `available` twips wide at most, whose cells
    have `margin` twips of padding left and right and text of `font_pt` points."""
    count = len(header)
    if count == 0:
        return []
    pad = 2 * margin + SLACK
    least = [0] * count
    wish = [0] * count
    for r, row in enumerate((header, *rows)):
        bold = bold_header and r == 0
        for i, cell in enumerate(row):
            cell = str(cell)
            least[i] = max(least[i], max((text_width(t, font_pt, bold) for t in tokens(cell)), default=0))
            wish[i] = max(wish[i], max((text_width(line, font_pt, bold) for line in cell.splitlines() or [""]), default=0))
    least = [w + pad for w in least]
    wish = [max(w + pad, m) for w, m in zip(wish, least)]
    if sum(wish) <= available:
        return wish
    if sum(least) >= available:
        scale = available / sum(least)
        return _fit([w * scale for w in least], available)
    spare = available - sum(least)
    more = [w - m for w, m in zip(wish, least)]
    level = _level(more, spare)
    return _fit([m + min(x, level) for m, x in zip(least, more)], available)


def _level(more: list[int], spare: int) -> float:
    """The extra L every column gets (or less, if it wishes for less) so the extras add up
    to `spare`: columns that need a little get all of it and do not wrap; the columns of
    long text share what is left equally."""
    left = spare
    needs = sorted(more)
    for index, need in enumerate(needs):
        share = left / (len(needs) - index)
        if need > share:
            return share
        left -= need
    return float(needs[-1]) if needs else 0.0


LONG_CODE = re.compile(r"[0-9A-Fa-f]{40,}")  # digests: set in lines of 32 characters by the renderers
CODE_LINE = 32


ZWSP = "\u200b"  # a break opportunity Word and LibreOffice honour, invisible on the page
# a long file path in running text ("site-policy-deprecated/github-enterprise-sla.md"): a slash
# followed by a segment with a dot; LibreOffice does not break after such a slash by itself.
# Only long relative paths (a document reference) get one: a file's own path (/…, ./…, ~/…)
# stays clean, so that it can be copied from the cell.
LONG_PATH = 48
_PATH_SLASH = re.compile(r"(?<=[^\W\d_]/)(?=[^\s/]*\.[A-Za-z]{1,5}\b)")


def break_codes(text: str, paths: bool = False) -> str:
    """Long hexadecimal digests (SHA-256) in lines of CODE_LINE characters, and a break
    opportunity after the slashes of a file path, so a table can hold either without a word
    breaking wherever the cell ends.

    `paths=True` is for tables of data (a report's input files): there every long path, a
    file's own absolute one too, may break after its slashes. Word and LibreOffice would
    otherwise cut it wherever the column ends ("dingtalk-2026-1|0.csv"), and a user's
    folders can be as deep as they like."""
    text = LONG_CODE.sub(lambda m: "\n".join(m.group(0)[i : i + CODE_LINE] for i in range(0, len(m.group(0)), CODE_LINE)), text)
    return " ".join(_break_path(word, paths) for word in text.split(" "))


def _break_path(word: str, every: bool) -> str:
    if every and len(word) > LONG_PATH and "/" in word and ":" not in word[2:]:  # a file path (C:\… aside), not an id or URL
        return _ANY_SLASH.sub(ZWSP, word)
    if len(word) > LONG_PATH and "://" not in word and not word.startswith(("/", ".", "~")):
        return _PATH_SLASH.sub(ZWSP, word)
    return word


_ANY_SLASH = re.compile(r"(?<=[^\s/]/)(?=[^\s/])")


def least_width(header: Sequence[str], rows: Sequence[Sequence[str]], font_pt: float, margin: int, bold_header: bool = True) -> int:
    """The narrowest the table can be without breaking a token, in twips."""
    pad = 2 * margin + SLACK
    total = 0
    for i in range(len(header)):
        cells = [(str(header[i]), bold_header)] + [(str(row[i]), False) for row in rows]
        total += pad + max((text_width(t, font_pt, bold) for cell, bold in cells for t in tokens(cell)), default=0)
    return total


def table_layout(header: Sequence[str], rows: Sequence[Sequence[str]], available: int, font_pt: float, margin: int, smallest: float = 7.0, bold_header: bool = True) -> tuple[list[int], float]:
    """Column widths and the font size to set them at: the given size if every token fits
    on a line, else the largest size down to `smallest` (in half points) at which they do;
    a table too wide even then keeps `smallest` and has to break its longest tokens."""
    size = font_pt
    while size - 0.5 >= smallest and least_width(header, rows, size, margin, bold_header) > available:
        size -= 0.5
    return column_widths(header, rows, available, size, margin, bold_header), size


def _fit(widths: list[float], total: int) -> list[int]:
    """Whole twips that add up to `total` exactly (largest remainders get the odd twips)."""
    whole = [int(w) for w in widths]
    short = total - sum(whole)
    order = sorted(range(len(widths)), key=lambda i: (whole[i] - widths[i], i))
    for i in order[: max(short, 0)]:
        whole[i] += 1
    return whole
