"""The policy language: every example validates; every broken file fails at the right place."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from slagen.errors import PolicyErrors
from slagen.policy.load import load_policy, parse_policy
from slagen.policy.schema import load_schema
from slagen.policy.yamlsrc import load_yaml

from .conftest import ROOT

INVALID = sorted((ROOT / "tests" / "data" / "invalid").glob("*.yaml"))
VALID = sorted(ROOT.glob("examples/*.yaml")) + sorted(ROOT.glob("policies/*.yaml")) + sorted((ROOT / "tests/data/valid").glob("*.yaml"))
MINIMAL = (ROOT / "tests/data/valid/minimal.yaml").read_text()


def test_corpus_is_large_enough():
    assert len(INVALID) >= 25
    assert len(list(ROOT.glob("policies/*.yaml"))) >= 5


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_shipped_policies_validate(path, run_cli):
    load_policy(path)
    code, out, _ = run_cli("validate", path)
    assert code == 0, out


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_policy_reports_line_and_message(path, run_cli):
    header = path.read_text().splitlines()[0]
    match = re.match(r"# expect: (\d+): (.+)$", header)
    assert match, f"{path.name} needs a '# expect: LINE: fragment' header"
    line, fragment = int(match.group(1)), match.group(2)
    with pytest.raises(PolicyErrors) as info:
        load_policy(path)
    hits = [p for p in info.value.problems if fragment in p.message]
    assert hits, [str(p) for p in info.value.problems]
    assert hits[0].line == line
    assert hits[0].column >= 1
    code, out, err = run_cli("validate", path)
    assert code == 1
    assert f"{path}:{line}:" in out
    assert "Traceback" not in out + err


def test_json_format_lists_file_line_column_pointer(run_cli):
    path = ROOT / "tests/data/invalid/unknown-scope.yaml"
    code, out, _ = run_cli("validate", "--format", "json", path)
    assert code == 1
    report = json.loads(out)
    (problem,) = report["problems"]
    assert problem["file"] == str(path)
    assert (problem["line"], problem["column"]) == (25, 13)
    assert problem["path"] == "/kpis/0/scope/0"
    assert "svc/web" in problem["message"]


def test_every_error_of_every_file_is_reported(run_cli):
    a = ROOT / "tests/data/invalid/unknown-scope.yaml"
    b = ROOT / "tests/data/invalid/bad-currency.yaml"
    code, out, _ = run_cli("validate", a, b, ROOT / "examples/dingtalk-enterprise.yaml")
    assert code == 1
    assert str(a) in out and str(b) in out


def test_missing_file_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli("validate", tmp_path / "nope.yaml")
    assert code == 2
    assert "no such file" in err


def test_directory_argument_validates_its_yaml_files(run_cli):
    code, out, _ = run_cli("validate", ROOT / "policies")
    assert code == 0
    assert out.count(": valid") == len(list(ROOT.glob("policies/*.yaml")))


@pytest.mark.parametrize("blob", [bytes(range(256)) * 4, b"\xff\xfe\x00a\x00:\x00", b"\x89PNG\r\n\x1a\n\x00\x00", "a: b: c".encode(), b"slagen: 1\n" + b"- x\n" * 3])
def test_binary_or_garbage_input_never_crashes(blob, tmp_path, run_cli):
    path = tmp_path / "bad.yaml"
    path.write_bytes(blob)
    code, out, err = run_cli("validate", path)
    assert code == 1
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", out)


def test_yaml_12_scalars_no_sexagesimal_no_norway():
    doc = load_yaml("a: 17:30\nb: NO\nc: 99.90\nd: 1_000\ne: 2026-01-01\nf: '5'\n", "x.yaml")
    assert doc.data == {"a": "17:30", "b": "NO", "c": Decimal("99.90"), "d": "1_000", "e": "2026-01-01", "f": "5"}
    assert isinstance(doc.data["c"], Decimal)


def test_unquoted_clock_ranges_stay_strings():
    policy = parse_policy(MINIMAL.replace('mon: ["09:00-17:00"]', "mon: [09:00-17:00]"), "x.yaml")
    assert policy.calendar("office").hours[0] == ((540, 1020),)


def test_gaps_allowed_makes_a_gap_valid():
    text = MINIMAL.replace("{below: 99.0, credit: 25}", "{below: 98.0, credit: 25}").replace("kind: tiers\n", "kind: tiers\n      gaps: allowed\n")
    policy = parse_policy(text, "x.yaml")
    tiers = policy.credits.rules[0].tiers
    assert not any(t.contains(Decimal("98.5")) for t in tiers)


def test_tier_bounds_are_inclusive_exactly_as_written():
    github = load_policy(ROOT / "policies/github-enterprise-cloud.yaml")
    ten, twenty_five = github.credits.rules[0].tiers
    assert ten.contains(Decimal("99.9")) and not ten.contains(Decimal("99.0"))
    assert not twenty_five.contains(Decimal("99.0")) and twenty_five.contains(Decimal("98.99"))
    assert ten.describe() == "at most 99.9% but more than 99.0%"


def test_loaded_policy_is_typed_and_immutable():
    policy = load_policy(ROOT / "examples/dingtalk-enterprise.yaml")
    assert policy.kpi("p1-response").target.total_seconds() == 900
    assert policy.kpi("availability").objective == Decimal("99.9")
    # HKD 5,000,000 over 10 operating hours = 600 minutes -> 8,333.33... per minute
    assert policy.business_impact.loss_per_minute.quantize(Decimal("0.01")) == Decimal("8333.33")
    assert policy.credits.rolling_cap.windows == 12
    with pytest.raises(AttributeError):
        policy.timezone = "UTC"  # type: ignore[misc]


def test_percentages_accept_numbers_and_percent_strings():
    policy = parse_policy(MINIMAL.replace("credit: 10}", 'credit: "10%"}'), "x.yaml")
    assert policy.credits.rules[0].tiers[0].credit == Decimal("10")


def _properties(node, path="#"):
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}/{name}", sub
        for key, value in node.items():
            if key != "properties":
                yield from _properties(value, f"{path}/{key}")
        for name, sub in node.get("properties", {}).items():
            yield from _properties(sub, f"{path}/{name}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _properties(item, f"{path}/{i}")


def test_every_schema_property_has_a_description():
    missing = sorted({p for p, sub in _properties(load_schema("policy")) if "description" not in sub and "/if/" not in p})
    assert missing == []


def test_schema_command_prints_the_shipped_schema(run_cli):
    code, out, _ = run_cli("schema")
    assert code == 0
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_docs_field_reference_is_current():
    from slagen.policy.reference import field_reference

    doc = (ROOT / "docs/policy-language.md").read_text()
    assert field_reference() in doc, "regenerate: python -m slagen.policy.reference --write"
