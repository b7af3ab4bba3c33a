"""Checks on a document's extracted text: a Chinese document has no English reason, status or
clause words, and a Traditional Chinese one no Simplified-only character.

The Simplified-only characters come from OpenCC's character table (STCharacters.txt): a
character whose Traditional forms do not include itself, and which is not itself a
Traditional form of another character. OpenCC is used here only, never to produce text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# words the engine's reasons, statuses and the English clause templates use
ENGLISH = re.compile(
    r"\b(excluded|counted|overlap|covered|Downtime|Clause|Measurement Period|Provider|Customer|"
    r"met|missed|closed|minutes?|hours?|days?|(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|percent|Severity|"
    r"Response Time|Resolution Time|Force Majeure|Business Hours|public holidays|time zone|Service Credit|"
    r"Page|HKD|USD|CNY|January|February|March|April|June|July|August|September|October|November|December)\b|Asia/|America/|Europe/"
)


@lru_cache(maxsize=None)
def simplified_only() -> frozenset[str]:
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"

    def table(name: str) -> dict[str, list[str]]:
        rows = (line.split("\t") for line in (folder / name).read_text(encoding="utf-8").splitlines() if "\t" in line)
        return {key: values.split() for key, values in rows}

    traditional = set(table("TSCharacters.txt"))
    return frozenset(k for k, v in table("STCharacters.txt").items() if len(k) == 1 and k not in v and k not in traditional)


def english_words(text: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH.finditer(text)})


def simplified_characters(text: str) -> list[str]:
    chars = simplified_only()
    return sorted({c for c in text if c in chars})


def check(text: str, lang: str) -> None:
    """Assert the text reads as `lang` ('en+zh-Hant': no Simplified character in it)."""
    if lang in ("zh-Hans", "zh-Hant"):
        assert english_words(text) == [], f"English words in a {lang} document"
    if lang.endswith("zh-Hant"):
        assert simplified_characters(text) == [], "Simplified-only characters in a zh-Hant document"


def docx_text(data: bytes) -> str:
    import io

    from docx import Document

    doc = Document(io.BytesIO(data))

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield cell.text
                    yield from cells(cell.tables)

    text = "\n".join([p.text for p in doc.paragraphs] + list(cells(doc.tables)) + [p.text for s in doc.sections for p in s.footer.paragraphs + s.header.paragraphs])
    return text.replace("\u200b", "")  # the invisible break opportunities in long paths
