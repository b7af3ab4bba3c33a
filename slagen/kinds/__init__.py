"""The registry of kinds: every KPI kind, credit form, exclusion category, window kind and
format slagen knows, each registered once.

The JSON Schema's enums, the CLI's choices, the comparison rows and the template selection
are read from here, so a layer cannot forget a kind (`tests/test_registry.py` walks it).
Credit forms and KPI kinds are one module each under `slagen/kinds/credit_forms/` and
`slagen/kinds/kpi_kinds/` (see docs/adding-a-credit-form.md); the simpler kinds are rows of
the tables below.
"""

from __future__ import annotations

from slagen.kinds.credit_forms import CREDIT_FORMS
from slagen.kinds.kpi_kinds import KPI_KINDS as KPI_KIND_MODULES

KPI_KINDS = tuple(KPI_KIND_MODULES)

WINDOW_KINDS = ("calendar_month", "calendar_quarter", "billing_cycle", "rolling_days", "fiscal_quarter", "fiscal_year")

# cause categories an exclusion can name; `force_majeure` marks the ones the clauses group
# under Force Majeure when the policy excludes them
EXCLUSION_CATEGORIES: dict[str, dict] = {
    "natural_disaster": {"force_majeure": True},
    "war": {"force_majeure": True},
    "government_action": {"force_majeure": True},
    "cyber_attack": {"force_majeure": True},
    "customer_caused": {"force_majeure": False},
    "third_party_network": {"force_majeure": False},
    "scheduled_maintenance": {"force_majeure": False},
    "emergency_maintenance": {"force_majeure": False},
    "power_failure": {"force_majeure": True},
    "beta_features": {"force_majeure": False},
    "suspension": {"force_majeure": False},
    "other": {"force_majeure": False},
}

def _incident_formats() -> tuple[str, ...]:
    from slagen.incidents.formats import FLAT, FORMATS

    return ("auto", *FLAT, *FORMATS)


# `--incident-format` choices: the flat formats, then one module each in slagen/incidents/formats/
INCIDENT_FORMATS = _incident_formats()

# where each registry list appears in the policy JSON Schema (enums are filled from here)
SCHEMA_ENUMS = {
    ("properties", "kpis", "items", "properties", "kind"): KPI_KINDS,
    ("properties", "window", "properties", "kind"): WINDOW_KINDS,
    ("properties", "exclusions", "items", "properties", "category"): tuple(EXCLUSION_CATEGORIES),
    ("properties", "credits", "properties", "rules", "items", "properties", "kind"): tuple(CREDIT_FORMS),
}


def fill_schema_enums(schema: dict) -> dict:
    """Write the registry's lists into the schema's enums (the schema file keeps them too,
    for editors that read it directly; a test checks the two agree)."""
    for path, values in SCHEMA_ENUMS.items():
        node = schema
        for key in path:
            node = node[key]
        node["enum"] = list(values)
    return schema
