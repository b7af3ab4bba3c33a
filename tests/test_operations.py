"""The operations loop without the network: --period current|previous, --fail-on and the exit
codes, escalation compared per KPI with severity and audience, the validate migration hint,
missing monitoring data named in the table."""

from __future__ import annotations

import json

import pytest

from slagen.cli.outcomes import table as exit_table
from slagen.engine.windows import relative_window

from .conftest import ROOT
from .ops_policy import write_ops_policy
from .engine_helpers import make_policy, t

POLICY = ROOT / "examples/dingtalk-enterprise.yaml"  # replaced by the same policy with severity and audience stated


@pytest.fixture(scope="module", autouse=True)
def _ops_policy(tmp_path_factory):
    global POLICY
    POLICY = write_ops_policy(tmp_path_factory.mktemp("policy"))
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"


@pytest.mark.parametrize("as_of, current, previous", [
    ("2026-10-15T04:00:00+00:00", "2026-10", "2026-09"),
    ("2026-10-31T16:30:00+00:00", "2026-11", "2026-10"),  # 00:30 on 1 Nov in Hong Kong, still 31 Oct in UTC
    ("2026-10-31T16:00:00+00:00", "2026-10", "2026-10"),  # the very instant November starts: current is the month just ended
    ("2026-10-31T15:59:59+00:00", "2026-10", "2026-09"),
])
def test_current_and_previous_windows_are_local_to_the_policy(as_of, current, previous):
    policy = make_policy(tz="Asia/Hong_Kong")
    assert relative_window(policy, "current", t(as_of)).label == current
    assert relative_window(policy, "previous", t(as_of)).label == previous


def test_current_quarter_and_billing_cycle():
    quarter = make_policy(window="{kind: calendar_quarter}")
    assert relative_window(quarter, "current", t("2026-11-20T00:00:00")).label == "2026-Q4"
    cycle = make_policy(window="{kind: billing_cycle, anchor_day: 15}")
    w = relative_window(cycle, "current", t("2026-11-03T00:00:00"))
    assert (w.start, w.end) == (t("2026-10-15T00:00:00"), t("2026-11-15T00:00:00"))


def test_period_current_from_the_command_line_is_the_month_to_date(run_main):
    code, out, _ = run_main("evaluate", POLICY, "--incidents", OCTOBER, "--period", "current", "--as-of", "2026-10-20T15:00:00+08:00",
                            "--format", "json", "--fail-on", "escalation")
    data = json.loads(out)
    assert data["window"]["label"] == "2026-10" and data["window"]["complete"] is False
    # the 7-minute message delay at 14:00 on the 20th: latency missed and its level reached -> 4 (3 without --fail-on escalation)
    assert code == 4 and [r["kpi"] for r in data["escalation"]["by_kpi"]] == ["message-latency"]


@pytest.mark.parametrize("all_met, escalated, fail_on, code", [
    (False, True, "missed", 3), (False, True, "escalation", 4), (False, True, "never", 0),
    (True, False, "escalation", 0), (False, False, "escalation", 3), (True, True, "missed", 0), (True, True, "escalation", 4),
])
def test_fail_on_decides_the_exit_status(all_met, escalated, fail_on, code):
    from slagen.cli.outcomes import evaluation_outcome

    assert evaluation_outcome(all_met, escalated, fail_on).value == code


def test_exit_codes_are_one_table_in_help_and_readme(run_main):
    readme = (ROOT / "README.md").read_text()
    for code in ("0", "1", "2", "3", "4", "5", "70"):
        assert f"| {code} |" in readme or f"| `{code}` |" in readme, code
    for command in ((), ("evaluate",)):
        _, out, _ = run_main(*command, "--help")
        for line in exit_table().splitlines():
            assert " ".join(line.split()) in " ".join(out.split()), line


def test_levels_compare_within_their_kpi_and_the_summary_names_severity_and_audience(tmp_path):
    from slagen.cli.table import evaluation_table
    from slagen.render.messages import Messages
    from slagen.request import RunRequest
    from slagen.runs import run

    outage = tmp_path / "outage.csv"
    outage.write_text("id,service,component,impact,started_at,resolved_at\nOUT-1,dingtalk,app,major_outage,2026-10-06T00:00:00+08:00,2026-10-08T00:00:00+08:00\n")
    request = RunRequest(policy=POLICY, incident_files=(OCTOBER, outage), period="2026-10", as_of=t("2026-10-31T16:30:00+00:00"))
    ev = run(request).evaluation
    out = evaluation_table(ev, Messages("en"))
    summary = out[out.index("Escalation"):].splitlines()
    # 2,880 + 190 min down of 44,640 -> 93.1 % < 95: availability level 1; the latency KPI has its own level 3
    assert summary[1] == "  availability: level 1, warning, for IT operations: Warn IT operations and open a vendor ticket"
    assert summary[2] == "  message-latency: level 3, critical, for Trading desk: Level-3 alert to the trading desk"
    esc = ev.to_dict()["escalation"]
    assert [(r["kpi"], r["level"], r["severity"], r["audience"]) for r in esc["by_kpi"]] == [
        ("availability", 1, "warning", "IT operations"), ("message-latency", 3, "critical", "Trading desk")]
    assert "  availability：級別 1，警告，由IT operations處理：通知IT运维并向供应商提交工单" in evaluation_table(ev, Messages("zh-Hant"))


def _policy_with_escalation(tmp_path, escalation: str):
    text = POLICY.read_text(encoding="utf-8")
    head = text[: text.index("escalation:")]
    tail = text[text.index("business_impact:"):]
    path = tmp_path / "p.yaml"
    path.write_text(head + escalation + "\n" + tail, encoding="utf-8")
    return path


def test_validate_hints_at_the_new_fields_and_the_policy_stays_valid(run_main, tmp_path):
    path = _policy_with_escalation(tmp_path, "escalation:\n  - {level: 1, kpi: availability, below: 95, action: Warn IT, notify: [it-ops]}\n"
                                             "  - {level: 2, kpi: availability, below: 90, action: Legal, severity: critical, audience: Legal}")
    code, out, err = run_main("validate", path)
    assert code == 0 and f"{path}: valid" in out
    hints = [line for line in err.splitlines() if "hint:" in line]
    line = path.read_text().splitlines().index("  - {level: 1, kpi: availability, below: 95, action: Warn IT, notify: [it-ops]}") + 1
    assert hints == [f"{path}:{line}:5: hint: escalation level 1 (availability) states no severity and audience; it is read as severity 'warning', "
                     "audience 'it-ops'. Add `severity: info|warning|critical` and `audience: <who acts>` (levels are now compared within their KPI only)"]
    code, out, _ = run_main("validate", path, "--format", "json")
    assert code == 0 and [h["line"] for h in json.loads(out)["hints"]] == [line]


def test_level_numbers_restart_per_kpi_but_must_rise_within_one(run_main, tmp_path):
    ok = _policy_with_escalation(tmp_path, "escalation:\n  - {level: 1, kpi: availability, below: 95, action: IT, severity: warning, audience: IT}\n"
                                           "  - {level: 1, kpi: message-latency, above: 5m, action: Desk, severity: critical, audience: Desk}\n"
                                           "  - {level: 2, kpi: availability, below: 90, action: Legal, severity: critical, audience: Legal}")
    assert run_main("validate", ok)[0] == 0
    bad = _policy_with_escalation(tmp_path, "escalation:\n  - {level: 2, kpi: availability, below: 95, action: IT, severity: warning, audience: IT}\n"
                                            "  - {level: 1, kpi: availability, below: 90, action: Legal, severity: bogus, audience: Legal}")
    code, out, _ = run_main("validate", bad)
    assert code == 1 and "'bogus' is not one of the allowed values: info, warning, critical" in out


def test_missing_samples_are_named_per_component_next_to_their_kpi(run_cli):
    # tests/data/samples/hand-worked.csv (worked in tests/test_telemetry.py): app lacks 10:04 and 10:05,
    # api the 5-minute period 10:15-10:20, web the minute 10:12; search lacks nothing
    _, out, _ = run_cli("evaluate", ROOT / "tests/data/policies/telemetry.yaml", "--samples", ROOT / "tests/data/samples/hand-worked.csv",
                        "--from", "2026-11-10T10:00:00+00:00", "--to", "2026-11-10T10:20:00+00:00", "--as-of", "2026-12-01T00:00:00+00:00")
    lines = out.splitlines()
    for kpi, component, minutes in (("app-errors", "svc/app", 2), ("api-errors", "svc/api", 5), ("web-probe", "svc/web", 1)):
        row = next(i for i, line in enumerate(lines) if line.startswith(kpi))
        assert lines[row + 1].strip() == f"missing samples: {component}, {minutes} min without data"
    row = next(i for i, line in enumerate(lines) if line.startswith("search-latency"))
    assert "missing samples" not in lines[row + 1]
