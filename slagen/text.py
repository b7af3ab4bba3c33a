"""Text from data (policies, incidents, templates) made safe for where it is written.

- the terminal: control characters, lone surrogates and bidirectional overrides are shown
  as escapes (`\\x1b`, `\\u202e`), so data cannot move the cursor, recolour the screen,
  reorder what is shown or add lines to a one-line error message;
- XML (DOCX) and HTML/PDF: characters XML 1.0 cannot hold (C0 controls other than tab,
  newline and carriage return; U+FFFE/U+FFFF) and lone UTF-16 surrogates become U+FFFD;
- UTF-8 bytes: lone surrogates are written as `\\udc80` escapes instead of failing.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, lone surrogates, bidi embeddings/overrides/isolates, line/paragraph separators
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029\u200e\u200f\u061c]")
_TERMINAL_KEEP_NL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029\u200e\u200f\u061c]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x0D:
        return "\\r"
    if code == 0x09:
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object, keep_newlines: bool = False) -> str:
    """`text` with every character that could act on a terminal shown as an escape."""
    text = str(text)
    return (_TERMINAL_KEEP_NL if keep_newlines else _TERMINAL).sub(_escape, text)


def for_xml(text: str) -> str:
    """`text` with characters XML 1.0 cannot hold (and lone surrogates) replaced by U+FFFD."""
    return _NOT_XML.sub(REPLACEMENT, text) if _NOT_XML.search(text) else text


def utf8(text: str) -> bytes:
    """UTF-8 bytes; a lone surrogate becomes the escape `\\udc80` instead of an error."""
    return text.encode("utf-8", "backslashreplace")


def xml_safe(value):
    """A copy of `value` (dataclasses, tuples, lists, dicts, strings) with every string passed
    through `for_xml`: what a DOCX writer is given can always be written."""
    import dataclasses

    if isinstance(value, str):
        return for_xml(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = xml_safe(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, (tuple, list)):
        items = [xml_safe(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items) if not hasattr(value, "_fields") else type(value)(*items)
    if isinstance(value, dict):
        items = {xml_safe(k): xml_safe(v) for k, v in value.items()}
        if all(a is b for a, b in zip(items.values(), value.values())) and all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items) if type(value) is dict else items
    return value
