"""Typed access to the values of one parsed incident record (JSON, YAML, vendor exports).

Every field a reader uses goes through these helpers, so a field of the wrong type (null,
number, true/false, list or object where text or a list is expected) or text slagen will not
carry into documents is a ValueError naming the field, which the reader turns into a
located, skippable bad record. Never an AttributeError or TypeError from deep in a reader.

What text may hold: no C0 control characters (tab, newline and carriage return only in
free-text fields such as titles), no DEL or C1 controls, no lone UTF-16 surrogates (JSON
"\\ud800") and no U+FFFE/U+FFFF: these cannot be written to DOCX/PDF/XML, break terminals
and CSV consumers, and are never part of an id, a time or a component name.

JSON numbers are read as the text they are written as (the readers parse JSON with
`parse_int=JsonNumber` and friends), so an id of 42 is "42" and a 5,000-digit number is text, not a
crash; YAML scalars likewise stay text as written (see `slagen.incidents.yamldata`).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

# Refused in every text field / additionally allowed in free text.
_BAD_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BAD_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_TEXT = 100_000  # characters in one field; a title is a sentence, an id a few characters


class JsonNumber(str):
    """A JSON number kept as the text it is written as (see module doc); text to every reader,
    'a number' to messages."""

    __slots__ = ()


def kind(value: Any) -> str:
    """How a message names a value's JSON type."""
    if isinstance(value, JsonNumber):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def clean(value: str, field: str, free_text: bool = False) -> str:
    """`value` stripped, or ValueError if it holds characters slagen refuses (see module doc)."""
    if len(value) > MAX_TEXT:
        raise ValueError(f"{field}: text of {len(value):,} characters is longer than {MAX_TEXT:,}")
    bad = (_BAD_IN_TEXT if free_text else _BAD_IN_LINE).search(value)
    if bad:
        code = ord(bad.group())
        what = "a lone UTF-16 surrogate" if 0xD800 <= code <= 0xDFFF else "a non-character" if code >= 0xFFFE else "a control character"
        raise ValueError(f"{field}: {what} U+{code:04X} at character {bad.start() + 1} is not allowed in incident data; remove it")
    return value.strip()


def as_text(value: Any, field: str, free_text: bool = False, also: str = "") -> str:
    """A text value ('' for null/missing); anything else is a ValueError naming the field."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value, field, free_text)
    raise ValueError(f"{field}: expected text{also}, got {kind(value)}")


def text(record: Mapping, key: str, label: str | None = None, free_text: bool = False) -> str:
    """record[key] as text ('' when missing or null)."""
    return as_text(record.get(key), label or key, free_text)


def objects(record: Mapping, key: str, label: str | None = None) -> list[Mapping]:
    """record[key] as a list of objects ([] when missing or null)."""
    label = label or key
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{label}: expected a list of objects, got {kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ValueError(f"{label}[{i}]: expected an object, got {kind(item)}")
    return value


def record_object(value: Any, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected {what} object, got {kind(value)}")
    return value


def shown(value: str, limit: int = 60) -> str:
    """A value quoted for a message: repr (so control characters are escaped), shortened."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def label_id(value: Any) -> str:
    """An id for a record label such as 'incident 3 (abc)': '' unless it is short clean text."""
    if isinstance(value, str) and 0 < len(value) <= 80 and not _BAD_IN_LINE.search(value):
        return value.strip()
    return ""
