"""Procurement comparison: terms, built-in scenarios and credits worked out by hand; a cause
one policy excludes and another covers; not stated shown as such; every output format."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from functools import lru_cache

import pytest

from slagen.compare.build import Loss, compare
from slagen.compare.render import render, render_table
from slagen.compare.scenarios import builtin_scenarios, parse_scenario
from slagen.errors import PolicyErrors
from slagen.policy.load import load_policy, parse_policy

from .conftest import ROOT

FILES = ["atlassian-cloud-premium", "aws-ec2-region", "google-workspace", "microsoft-teams", "slack", "github-enterprise-cloud"]
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"


@lru_cache(maxsize=None)
def policies():
    return tuple(load_policy(ROOT / f"policies/{name}.yaml") for name in FILES) + (load_policy(DINGTALK),)


@lru_cache(maxsize=None)
def comparison():
    return compare(list(policies()), builtin_scenarios(), curves=False)


def column(label: str) -> int:
    return [v.label for v in comparison().vendors].index(label)


def term(label: str):
    return next(r for r in comparison().terms if r.label == label)


def outcome(scenario: str, vendor: str):
    result = next(s for s in comparison().scenarios if s.scenario.id == scenario)
    return result.outcomes[column(vendor)]


def test_allowed_downtime_by_hand():
    month = dict(zip([v.label for v in comparison().vendors], term("Allowed downtime per 30-day month").values))
    year = dict(zip([v.label for v in comparison().vendors], term("Allowed downtime per 365-day year").values))
    # 99.9 %: 43,200 x 0.001 = 43.2 min; 525,600 x 0.001 = 525.6 min = 8.76 h
    assert month["microsoft-teams-online-services"] == "43.2 min" and year["microsoft-teams-online-services"] == "8.76 h"
    # 99.99 %: 4.32 min a month; 52.56 min = 0.876 h a year
    assert month["aws-ec2-region-2022"] == "4.32 min" and year["aws-ec2-region-2022"] == "0.88 h"
    assert month["slack-2024-06"] == "4.32 min"
    # the strictest objective is marked best, the loosest worst; no overall ranking
    from slagen.compare.render import marks

    best = [comparison().vendors[i].label for i in sorted(marks(term("Allowed downtime per 30-day month"))[0])]
    assert best == ["aws-ec2-region-2022", "slack-2024-06"]


def test_covered_scopes_and_silence():
    covers = term("What the objective covers").values
    assert covers[column("dingtalk-enterprise-2026")] == "Application (app), Open API (api), Messaging (messaging)"
    assert "Instant messaging (app, messaging)" in covers[column("microsoft-teams-online-services")]
    # what a policy does not state is shown as not stated, not as slagen's default
    assert term("Minimum outage").values[column("aws-ec2-region-2022")] == "not stated"
    assert term("Minimum outage").values[column("dingtalk-enterprise-2026")] == "1m"
    assert term("Large-scale cyber attack").values[column("dingtalk-enterprise-2026")] == "covered (counts as downtime)"
    assert term("Large-scale cyber attack").values[column("slack-2024-06")] == "not stated"
    assert term("P1 response").values[column("dingtalk-enterprise-2026")] == "15m (24x7)"
    assert term("P1 response").values[column("microsoft-teams-online-services")] == "not stated"


def test_messaging_outage_credits_by_hand():
    # Teams: 180 of 43,200 min -> 99.5833 %: "less than 99.9% but at least 99.0%" -> 25 % of USD 6,000
    teams = outcome("messaging-3h", "microsoft-teams-online-services")
    assert str(teams.availability.quantize(Decimal("0.0001"))) == "99.5833" and teams.credit == Decimal("1500.00")
    # Slack: quarter Q4 2026 = 92 days = 132,480 min; 10 x (3 x 5,000) x 180 / 132,480 = 203.80
    slack = outcome("messaging-3h", "slack-2024-06")
    assert slack.window == "2026-Q4" and slack.credit == Decimal("203.80")
    # DingTalk: 180 - 43.2 allowed = 136.8 -> 137 started minutes x HKD 100
    ding = outcome("messaging-3h", "dingtalk-enterprise-2026")
    assert ding.credit == Decimal("13700.00") and ding.currency == "HKD"
    # Google Workspace: Chat is messaging; November in Los Angeles has 43,260 min (DST ends 1 Nov)
    google = outcome("messaging-3h", "google-workspace")
    assert google.window == "2026-11" and google.credit_days == 3
    assert (Decimal(43260) - 180) / 43260 * 100 == google.availability
    # AWS region and Atlassian have no messaging in their SLA: nothing counted, nothing paid
    for vendor in ("aws-ec2-region-2022", "atlassian-cloud-premium-2024"):
        o = outcome("messaging-3h", vendor)
        assert o.availability == 100 and o.credit == 0 and o.reason.startswith("not covered")


def test_month_at_98_5_percent_by_hand():
    # a 30-day month at 98.5 % = 648 min down
    assert outcome("month-98.5", "aws-ec2-region-2022").credit == Decimal("3000.00")  # < 99.0, >= 95.0: 30 % of 10,000
    assert outcome("month-98.5", "microsoft-teams-online-services").credit == Decimal("3000.00")  # 50 % of 6,000
    assert outcome("month-98.5", "dingtalk-enterprise-2026").credit == Decimal("40000.00")  # capped at 50 % of 80,000
    github = outcome("month-98.5", "github-enterprise-cloud-legacy")  # 648 of 132,480 quarter minutes
    assert github.window == "2026-Q4" and github.credit == Decimal("6300.00")  # 10 % of 3 x 21,000


def test_force_majeure_excluded_by_one_policy_and_covered_by_another():
    text = DINGTALK.read_text().replace("""  - id: cyber-attack
    category: cyber_attack
    excluded: false""", """  - id: cyber-attack
    category: cyber_attack
    excluded: true""").replace("id: dingtalk-enterprise-2026", "id: vendor-excluding-ddos")
    excluding = parse_policy(text, "excluding.yaml")
    ddos = next(s for s in builtin_scenarios() if s.id == "ddos-4h")
    result = compare([load_policy(DINGTALK), excluding], [ddos], curves=False, loss_per_minute=Loss(Decimal("100"), "HKD", "test"))
    covers, excludes = result.scenarios[0].outcomes
    # 240 min counted: 240 - 43.2 = 196.8 -> 197 x HKD 100
    assert covers.credit == Decimal("19700.00") and "cyber attack is covered by this policy" in covers.reason
    assert excludes.credit == Decimal("0.00") and "240 min excluded: large-scale cyber attack" in excludes.reason
    # one buyer: the same loss whatever the vendor counts
    assert covers.downtime_cost == excludes.downtime_cost == Decimal("24000.00")
    assert excludes.uncovered == excludes.downtime_cost and covers.uncovered == Decimal("4300.00")


def test_terminal_table_fits_100_columns_and_marks_rows():
    text = render_table(comparison())
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "▲" in text and "▼" in text
    for vendor in comparison().vendors:
        assert vendor.label[:16] in text  # long labels wrap inside their column


def test_csv_escapes_formula_cells():
    policy = parse_policy(DINGTALK.read_text().replace("en: DingTalk (Singapore) Private Limited", 'en: "=HYPERLINK(\\"http://x\\")"'), "evil.yaml")
    scenario = parse_scenario(b"slagen_scenario: 1\nid: evil\ntitle: '+cmd|calc'\nevents:\n  - {affects: all, start: '2026-11-03T10:00', duration: 1h}\n", "evil.yaml")
    text = render(compare([policy], [scenario], curves=False), "csv").decode()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+cmd|calc" in cells
    assert not any(cell and cell[:1] in "=+-@" for cell in cells)


@lru_cache(maxsize=None)
def rendered(fmt: str) -> bytes:
    return render(compare(list(policies()), builtin_scenarios()), fmt)


def test_pdf_and_docx_read_back_the_json_numbers():
    from docx import Document
    from pypdf import PdfReader

    data = json.loads(rendered("json"))
    pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered("pdf"))).pages))
    doc = Document(io.BytesIO(rendered("docx")))
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    for scenario in data["scenarios"]:
        for o in scenario["outcomes"]:
            if o["credit"] is not None:
                money = f"{o['currency']} {Decimal(o['credit']):,.2f}"
                assert re.sub(r"\s+", "", money) in pdf
                assert any(cell.startswith(money) for cell in cells), money
    for row in data["terms"]:
        if row["term"] == "Allowed downtime per 30-day month":
            for value in row["values"]:
                assert value.replace(" ", "") in pdf
    assert len(doc.inline_shapes) == 1  # the credit curve
    assert len(data["credit_curves"]["aws-ec2-region-2022"]) == 101
    availability, percent = data["credit_curves"]["aws-ec2-region-2022"][50]
    assert availability == "95.0" and Decimal(percent) == 30


def test_credit_curve_follows_the_tiers():
    from slagen.compare.build import credit_curve

    curve = dict(credit_curve(load_policy(ROOT / "policies/aws-ec2-region.yaml")))
    assert curve[Decimal(100)] == 0
    # boundaries as the tiers say: "less than 99.99% but at least 99.0%" -> 10 %, and so on
    assert curve[Decimal("99.9")] == 10 and curve[Decimal("99.0")] == 10 and curve[Decimal("98.9")] == 30
    assert curve[Decimal("95.0")] == 30 and curve[Decimal("94.9")] == 100


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html", "docx", "pdf"])
def test_outputs_are_byte_identical(fmt):
    assert render(compare(list(policies()), builtin_scenarios()), fmt) == rendered(fmt)


def test_scenario_errors_name_file_line_and_what_is_valid():
    with pytest.raises(PolicyErrors) as err:
        parse_scenario(b"slagen_scenario: 1\nid: x\ntitle: t\nevents:\n  - {affects: all, start: '2026-12-03T10:00', duration: 1h}\n", "s.yaml")
    assert "s.yaml:5" in str(err.value.problems[0]) and "outside the scenario month 2026-11" in str(err.value.problems[0])
    with pytest.raises(PolicyErrors) as err:
        parse_scenario(b"slagen_scenario: 1\nid: x\ntitle: t\nevents:\n  - {affects: all, start: '2026-11-03T10:00', duration: soon}\n", "s.yaml")
    assert "s.yaml:5" in str(err.value.problems[0])
    with pytest.raises(PolicyErrors):
        parse_scenario(b"slagen_scenario: 1\nid: x\ntitle: t\n", "s.yaml")  # no events, availability or incidents


def test_cli_compare(run_main, tmp_path):
    code, out, _ = run_main("compare", ROOT / "policies", DINGTALK)
    assert code == 0 and "Allowed downtime per" in out and "dingtalk-enterprise-202" in out
    code, out, _ = run_main("compare", DINGTALK, ROOT / "policies/slack.yaml", "--fee", "10000", "--currency", "USD", "--fx", ROOT / "examples/fx/usd-2026-11.yaml", "--format", "json")
    data = json.loads(out)
    assert code == 0 and all(v["monthly_fee"] == "10000" and v["currency"] == "USD" for v in data["vendors"])
    # a HKD policy priced in USD without rates: a usage error, not relabelled amounts
    code, _, err = run_main("compare", DINGTALK, "--fee", "10000", "--currency", "USD")
    assert code == 2 and "HKD" in err and "--fx" in err
    bad = tmp_path / "s.yaml"
    bad.write_text("slagen_scenario: 1\nid: x\ntitle: t\navailability: 120\n")
    code, _, err = run_main("compare", DINGTALK, "--scenario", bad)
    assert code == 1 and "s.yaml:4" in err and "between 0 and 100" in err
    assert run_main("compare", DINGTALK, "--format", "pdf")[0] == 2
    assert run_main("compare", DINGTALK, "--fee", "lots")[0] == 2


def test_a_scenario_can_replay_real_incident_data(tmp_path):
    from slagen.compare.build import real_data_incidents
    from slagen.compare.scenarios import load_scenario

    (tmp_path / "data").mkdir()
    (tmp_path / "data/october.csv").write_bytes((ROOT / "examples/incidents/dingtalk-2026-10.csv").read_bytes())
    path = tmp_path / "october.yaml"
    path.write_text("slagen_scenario: 1\nid: october\ntitle: the real October\nmonth: 2026-10\nincidents: {file: data/october.csv}\n")
    scenario = load_scenario(path)  # relative to the scenario file
    result = compare([load_policy(DINGTALK)], [scenario], curves=False, real_incidents={"october": real_data_incidents(scenario)})
    # the same figure `slagen evaluate` gives for October (test_cli_evaluate works it out by hand)
    assert result.scenarios[0].outcomes[0].credit == Decimal("16600.00")
