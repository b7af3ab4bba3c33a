"""The registry of kinds is the one home of each concept: every layer follows from it.

A kind that lacks its schema enum entry, its clause wording in a language, its catalogue
messages or its comparison wording fails here, not in a user's run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slagen.kinds import EXCLUSION_CATEGORIES, INCIDENT_FORMATS, KPI_KINDS, SCHEMA_ENUMS, WINDOW_KINDS
from slagen.kinds.credit_forms import CREDIT_FORMS
from slagen.policy.schema import load_schema
from slagen.render.messages import LANGS, Messages

ROOT = Path(__file__).resolve().parent.parent


def _at(schema: dict, path: tuple) -> dict:
    for key in path:
        schema = schema[key]
    return schema


@pytest.mark.parametrize("path", list(SCHEMA_ENUMS), ids=lambda p: p[-3] if len(p) > 3 else p[-2])
def test_the_schema_file_and_the_registry_agree(path):
    """Editors read the schema file directly: its enums must be the registry's."""
    on_disk = json.loads((ROOT / "slagen/schemas/policy.schema.json").read_text("utf-8"))
    assert _at(on_disk, path)["enum"] == list(SCHEMA_ENUMS[path])
    assert _at(load_schema("policy"), path)["enum"] == list(SCHEMA_ENUMS[path])


@pytest.mark.parametrize("form_id", list(CREDIT_FORMS))
def test_every_credit_form_is_complete(form_id):
    form = CREDIT_FORMS[form_id]
    assert form.ID == form_id and form.__doc__ and "kind: " + form_id in form.__doc__, "a docstring with a policy example"
    assert form.KPI_KINDS <= set(KPI_KINDS) and form.COMPARISON
    for lang in LANGS:
        assert (ROOT / f"templates/clauses/{lang}/credit_forms/{form_id}.md.j2").is_file(), f"clause wording of {form_id} in {lang}"
        messages = Messages(lang)
        for code in form.CODES:
            assert messages.has(code), f"{lang} catalogue has no message for {code}"
    vectors = " ".join(p.read_text("utf-8") for p in (ROOT / "tests/vectors").glob("*.yaml")) if (ROOT / "tests/vectors").is_dir() else ""
    assert f"kind: {form_id}" in vectors, f"no engine vector in tests/vectors/ uses the {form_id} credit form"


@pytest.mark.parametrize("lang", LANGS)
def test_every_exclusion_category_and_window_kind_has_words_in_every_language(lang):
    messages = Messages(lang)
    for category in EXCLUSION_CATEGORIES:
        assert messages.has(f"category.{category}"), category
    for kind in WINDOW_KINDS:
        assert messages.has(f"window_kind.{kind}"), kind


def test_every_exclusion_category_is_a_comparison_row():
    """The comparison once knew 11 categories and the schema 12: 'other' vanished."""
    from slagen.compare.terms import terms_rows
    from slagen.policy.load import load_policy

    rows = terms_rows([load_policy(ROOT / "examples/dingtalk-enterprise.yaml")])
    labels = {r.label.lower() for r in rows if r.section == "Exclusions"}
    for category in EXCLUSION_CATEGORIES:
        assert Messages("en").category(category).lower() in labels


def test_cli_incident_formats_come_from_the_registry():
    from slagen.cli.options import INCIDENT_FORMATS as cli_formats

    assert cli_formats is INCIDENT_FORMATS


@pytest.mark.parametrize("lang", LANGS[1:])
def test_every_message_exists_in_every_language(lang):
    english = set(Messages("en").catalogue)
    assert english - set(Messages(lang).catalogue) == set()


@pytest.mark.parametrize("lang", LANGS)
def test_every_exclusion_category_and_kpi_kind_has_contract_wording(lang):
    """The clauses name categories and KPI kinds in `_terms.j2`; a kind without its legal
    wording would fall out of a contract."""
    terms = (ROOT / f"templates/clauses/{lang}/_terms.j2").read_text("utf-8")
    for category in EXCLUSION_CATEGORIES:
        assert f'"{category}":' in terms, f"{lang}: no clause wording for exclusion category {category}"
    for kind in ("response_time", "resolution_time"):
        assert f'"{kind}":' in terms, f"{lang}: no clause wording for KPI kind {kind}"
