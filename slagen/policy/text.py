"""Human-readable policy text in each language the policy writes it in.

Every field a document shows (a party's name, a KPI's name, an exclusion's description,
the claim procedure, an escalation action, a severity's definition...) is written either
as one string (English) or as a map `{en: ..., zh-Hans: ..., zh-Hant: ...}`. The older
`*_zh` fields still work and are read as zh-Hans. A document in a language the policy has
no text for is refused with every missing field and its position (`missing_texts`), unless
the caller allows the English to stand in (`--allow-fallback`), which the page then says.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "zh-Hans", "zh-Hant")


@dataclass(frozen=True)
class Text:
    """One field's text per language, with where it was written (for messages)."""

    values: tuple[tuple[str, str], ...]
    field: str = ""  # dotted path for messages: 'kpis[0].name'
    line: int = 0
    column: int = 0

    def get(self, lang: str) -> str | None:
        """The text in this language, or None when the policy does not write it."""
        return next((text for code, text in self.values if code == lang), None)

    def has(self, lang: str) -> bool:
        return self.get(lang) is not None

    @property
    def default(self) -> str:
        """English if written, else the first language written."""
        return self.get("en") or self.values[0][1]

    def __str__(self) -> str:
        return self.default

    def langs(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.values)


def plain(text: str, field: str = "", line: int = 0, column: int = 0) -> Text:
    """A single-language string as Text (English)."""
    return Text((("en", text),), field, line, column)


@dataclass(frozen=True)
class Missing:
    """A field with no text in the language a document asks for."""

    file: str
    line: int
    column: int
    field: str
    lang: str

    @property
    def message(self) -> str:
        return f"{self.field} has no {self.lang} text; write it as {{en: ..., {self.lang}: ...}}, or give --allow-fallback to print the English"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def policy_texts(policy, contract: bool = False) -> list[Text]:
    """Every Text a document of this policy may show. `contract`: leave out what a
    contract never prints (internal escalation levels)."""
    a = policy.agreement
    out: list[Text | None] = [a.title_text, a.provider.name_text, a.customer.name_text]
    for service in policy.services:
        out.append(service.name_text)
        out.extend(c.name_text for c in service.components)
    out.extend(k.name_text for k in policy.kpis)
    out.extend(e.description_text for e in policy.exclusions)
    if policy.credits is not None:
        out.append(policy.credits.claim_procedure_text)
    out.extend(e.action_text for e in policy.escalation if e.contractual or not contract)
    out.extend(s.definition for s in policy.severities)
    out.extend(c.name_text for c in policy.calendars)
    return [t for t in out if t is not None]


def missing_texts(policy, lang: str, contract: bool = False) -> list[Missing]:
    """Each field the policy writes but not in `lang`, in file order."""
    if lang == "en":
        return []
    found = [Missing(policy.source, t.line, t.column, t.field, lang) for t in policy_texts(policy, contract) if not t.has(lang)]
    return sorted(found, key=lambda m: (m.line, m.column))


def pick(text: Text | None, lang: str, fallback: bool = True, default: str = "") -> str:
    """The text in `lang`; the English (or first written) when `fallback`."""
    if text is None:
        return default
    value = text.get(lang)
    if value is None and fallback:
        return text.default
    return value if value is not None else default
