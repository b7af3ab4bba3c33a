"""Policy -> numbered clause set in one language, rendered from `templates/clauses/<lang>/`.

Each clause template decides from the policy whether it applies (writing nothing drops the
clause); numbering and cross-references are resolved after, so they stay right whichever
clauses drop out. Figures a template needs but should not compute (allowed downtime per
month and year) are worked out here with Decimal arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from slagen.errors import PolicyErrors, PolicyProblem, RenderError
from slagen.kinds import EXCLUSION_CATEGORIES
from slagen.policy.model import Kpi, Policy
from slagen.policy.text import Text, missing_texts
from slagen.render.document import Document, Meta, check_parallel, number_clauses, parse_clause
from slagen.render.templates import environment, render
from slagen.render.places import offsets
from slagen.render.words import Words

# Clause order. A user template directory may change any clause's text, not this order.
CLAUSES = (
    "definitions",
    "service_commitment",
    "measurement",
    "exclusions",
    "response_times",
    "service_credits",
    "credit_limits",
    "claims",
    "escalation",
    "sole_remedy",
    "language",
)

LANGS = ("en", "zh-Hans", "zh-Hant", "en+zh-Hans", "en+zh-Hant")
# How a clause is numbered: its heading ("3. Definitions", "第3条 定义") and a reference to it
# ("Clause 3", "第3条"). A Chinese heading reads as the references to it do.
def clause_words(lang: str, templates: Path | None = None) -> tuple[str, str]:
    """How `lang` heads a clause and refers to one ("{n}." and "Clause {n}"; "第{n}条" and
    "第{n}条"), from the message catalogue (`clause.heading`, `clause.ref`), so a house
    catalogue can change them too."""
    from slagen.render.messages import Messages

    words = Messages(lang, templates)
    return words.word("clause.heading"), words.word("clause.ref")


FORCE_MAJEURE = tuple(c for c, row in EXCLUSION_CATEGORIES.items() if row["force_majeure"])
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Allowance:
    """Downtime an availability objective allows over a span of `days` days, in minutes."""

    days: int
    minutes: Decimal


def allowances(policy: Policy, kpi: Kpi) -> tuple[Allowance, ...]:
    """Allowed downtime for the window lengths this policy's window can have, then a year."""
    share = (HUNDRED - (kpi.objective or HUNDRED)) / HUNDRED
    kind = policy.window.kind
    if policy.window.fixed_minutes:
        spans = [policy.window.fixed_minutes // 1440]
    elif kind in ("calendar_quarter", "fiscal_quarter"):
        spans = [89, 92] if kind == "fiscal_quarter" else [90, 92]  # a fiscal quarter may hold a February (Feb-Apr: 89 days)
    elif kind == "fiscal_year":
        spans = [365, 366]
    elif kind == "rolling_days":
        spans = [policy.window.days or 30]
    else:
        spans = [30, 31]
    return tuple(Allowance(d, (share * d * 1440).normalize()) for d in spans) + (Allowance(365, (share * 365 * 1440).normalize()),)


def text_picker(lang: str, fallback: bool, escape: bool = True):
    """`t(text, default)` for templates: the policy's text in `lang`; with `fallback`, the
    English marked as such (a policy checked by `missing_texts` never needs it). What it
    returns is data, never markup (`escape_data`), as every policy value in a template is."""
    from slagen.render.document import escape_data
    from slagen.render.messages import Messages

    mark = Messages(lang).word("policy_text.fallback_mark", "")  # after English shown for want of the document's language

    def t(text: Text | None, default: str = "") -> str:
        value = pick(text, default)
        return escape_data(value) if escape else value

    def pick(text: Text | None, default: str) -> str:
        if text is None:
            return default
        value = text.get(lang)
        if value is not None:
            return value
        if not fallback:
            raise RenderError(f"{text.field} has no {lang} text")
        return text.default + mark

    return t


def clause_context(policy: Policy, lang: str, document_date: date, fallback: bool = False) -> dict:
    """Everything a clause template may use. Data only: no clock, no I/O."""
    used_calendars = sorted({k.calendar for k in policy.kpis if k.kind in ("response_time", "resolution_time") and k.calendar != "24x7"})
    t = text_picker(lang, fallback)
    name = text_picker(lang, fallback, escape=False)  # dict values are escaped when a template reads them
    severities = {s.id: s for s in policy.severities}
    return {
        "lang": lang,
        "w": Words(lang),
        "policy": policy,
        "agreement": policy.agreement,
        "document_date": document_date,
        "availability": [k for k in policy.kpis if k.kind == "availability"],
        "latency": [k for k in policy.kpis if k.kind == "latency"],
        "timed": [k for k in policy.kpis if k.kind in ("response_time", "resolution_time", "update_interval")],
        "allowances": {k.id: allowances(policy, k) for k in policy.kpis if k.kind == "availability"},
        "business_calendars": [policy.calendar(c) for c in used_calendars],
        "force_majeure": [e for e in policy.exclusions if e.category in FORCE_MAJEURE],
        "other_exclusions": [e for e in policy.exclusions if e.category not in FORCE_MAJEURE],
        "maintenance": next((e for e in policy.exclusions if e.category == "scheduled_maintenance" and e.excluded), None),
        "credits": policy.credits,
        "escalation": [e for e in policy.escalation if e.contractual],  # internal alerting is never a clause
        "t": t,
        "severities": [severities[s] for s in dict.fromkeys(k.severity for k in policy.kpis if k.severity in severities)],
        "severity_ids": list(dict.fromkeys(k.severity for k in policy.kpis if k.kind in ("response_time", "resolution_time") and k.severity)),
        "resolution": [k for k in policy.kpis if k.kind == "resolution_time"],
        "quarterly": policy.window.kind == "calendar_quarter",
        "zone_has_dst": len(offsets(policy.timezone, document_date.year)) > 1,
        "bilingual": len(policy.agreement.languages) > 1,
        "ref": lambda key: f"⟦ref:{key}⟧",
        "component_names": {f"{s.id}/{c.id}": name(c.name_text, c.name) for s in policy.services for c in s.components},
        "service_names": {s.id: name(s.name_text, s.name) for s in policy.services},
        "kpi_names": {k.id: name(k.name_text, k.name) for k in policy.kpis},
    }


def check_texts(policy: Policy, lang: str) -> None:
    """Refuse a document in a language the policy lacks text for, naming every field."""
    missing = [m for part in lang.split("+") for m in missing_texts(policy, part, contract=True)]
    if missing:
        raise PolicyErrors([PolicyProblem(m.file, m.line, m.column, m.message) for m in missing])


def build_clauses(policy: Policy, lang: str, templates: Path | None = None, document_date: date | None = None, allow_fallback: bool = False) -> Document:
    """The clause set in one language (en, zh-Hans or zh-Hant)."""
    env = environment(templates)
    when = document_date or policy.agreement.effective_date
    context = clause_context(policy, lang, when, allow_fallback)
    clauses = []
    for key in CLAUSES:
        name = f"clauses/{lang}/{key}.md.j2"
        clause = parse_clause(render(env, name, context), key, name)
        if clause is not None:
            clauses.append(clause)
    if not clauses:
        raise RenderError(f"{policy.source}: no clause applies to this policy")
    labels_text = render(env, f"clauses/{lang}/labels.md.j2", context)
    labels = dict(line.split(": ", 1) for line in labels_text.splitlines() if ": " in line)
    if allow_fallback and missing_texts(policy, lang, contract=True):
        labels["subtitle"] += labels.get("fallback_note", "")
    meta = Meta(
        title=labels["title"],
        subtitle=labels["subtitle"],
        version=policy.agreement.version or "",
        date=when,
        parties=(labels["provider"], labels["customer"]),
        source=policy.agreement.source or "",
    )
    heading, ref = clause_words(lang, templates)
    return Document(lang, meta, number_clauses(clauses, ref), labels, heading)


def build(policy: Policy, lang: str, templates: Path | None = None, document_date: date | None = None, allow_fallback: bool = False) -> list[Document]:
    """One document per language: 'en+zh-Hans' gives two that line up clause by clause.

    A language the policy has no text for is an error naming each field, unless
    `allow_fallback`: the English then stands in, marked where it does."""
    if lang not in LANGS:
        raise RenderError(f"language {lang!r}: choose one of {', '.join(LANGS)}")
    if not allow_fallback:
        check_texts(policy, lang)
    docs = [build_clauses(policy, part, templates, document_date, allow_fallback) for part in lang.split("+")]
    if len(docs) == 2:
        check_parallel(docs[0], docs[1])
    return docs
