"""The evaluation as data at the CLI: reason codes worded per language, ranges of windows,
usage errors for windows a policy does not have, warnings for windows it was not priced on."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from .conftest import ROOT

POLICY = ROOT / "examples/dingtalk-enterprise.yaml"
INCIDENTS = ROOT / "examples/incidents/dingtalk-2026-10.csv"
GITHUB = ROOT / "policies/github-enterprise-cloud.yaml"
AS_OF = ("--as-of", "2026-11-01T00:30:00+08:00")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _reasons(data: dict) -> list[dict]:
    out = [t["reason"] for t in data["incidents"]]
    out += [s["reason"] for s in data["credits"]["steps"]]
    out += [r["reason"] for r in data["escalation"]["reached"]]
    out += [b["reason"] for k in data["kpis"] for b in k["breaches"]]
    out += [n for k in data["kpis"] for n in k["notes"]]
    return out


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_every_reason_is_a_code_with_parameters_and_text_in_the_language(run_cli, lang):
    code, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-10", *AS_OF, "--format", "json", "--lang", lang)
    data = json.loads(out)
    assert code == 3 and data["format_version"] == 2 and data["lang"] == lang
    reasons = _reasons(data)
    assert len(reasons) > 20
    for reason in reasons:
        assert set(reason) == {"code", "params", "text"} and re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", reason["code"]), reason
        assert not reason["text"].startswith(reason["code"]), reason  # worded by the catalogue, never the code(params) fallback
        if lang != "en":
            assert HAN.search(reason["text"]), f"{lang}: {reason['text']!r} has no Chinese"
    # the codes and parameters do not depend on the language
    english = json.loads(run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-10", *AS_OF, "--format", "json")[1])
    strip = lambda rs: [{k: v for k, v in r.items() if k != "text"} for r in rs]  # noqa: E731
    assert strip(_reasons(english)) == strip(reasons)


def test_traditional_chinese_is_not_simplified(run_cli):
    _, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-10", *AS_OF, "--lang", "zh-Hant")
    assert "計入" in out and "排除" in out and "计入" not in out and "维护" not in out
    assert "計劃內維護" in out and "賠償" in out


def test_a_range_of_months_in_one_run(run_cli):
    code, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-08..2026-10", *AS_OF, "--format", "json")
    data = json.loads(out)
    assert code == 3
    assert [w["window"]["label"] for w in data["windows"]] == ["2026-08", "2026-09", "2026-10"]
    assert [Decimal(w["kpis"][0]["downtime_minutes"]) for w in data["windows"]] == [0, 0, 190]
    from jsonschema import Draft202012Validator

    from slagen.policy.schema import load_schema

    assert list(Draft202012Validator(load_schema("evaluation"), format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(data)) == []
    code, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-08..2026-10", *AS_OF)
    rows = [line for line in out.splitlines() if line.startswith("2026-")]
    assert [r.split()[0] for r in rows] == ["2026-08", "2026-09", "2026-10"]
    assert "99.574%" in rows[2] and "HKD 16,600.00" in rows[2] and rows[2].rstrip().endswith("L3")


def test_windows_after_as_of_are_left_out_of_a_range(run_cli):
    _, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-09..2027-03", *AS_OF, "--format", "json")
    assert [w["window"]["label"] for w in json.loads(out)["windows"]] == ["2026-09", "2026-10", "2026-11"]


@pytest.mark.parametrize(("period", "message"), [
    ("2023-05", "this policy's window is calendar_quarter; write YYYY-Qn"),
    ("2023-Q4..2023-Q1", "the range ends before it starts"),
    ("2023-Q1..2023-13", "this policy's window is calendar_quarter"),
])
def test_windows_the_policy_does_not_have_are_usage_errors(run_main, period, message):
    code, _, err = run_main("evaluate", GITHUB, "--incidents", INCIDENTS, "--period", period, "--as-of", "2024-06-01T00:00Z")
    assert code == 2 and message in err and "Traceback" not in err


def test_an_explicit_window_on_quarterly_tiers_warns(run_cli):
    code, _, err = run_cli("evaluate", GITHUB, "--incidents", INCIDENTS, "--from", "2026-10-01", "--to", "2026-10-16", "--as-of", "2026-11-01T00:00Z")
    assert code in (0, 3)
    assert "warning: the policy measures per calendar quarter" in err


def test_documents_cover_one_window(run_main, tmp_path):
    code, _, err = run_main("report", POLICY, "--incidents", INCIDENTS, "--period", "2026-08..2026-10", *AS_OF, "-o", tmp_path / "r.html")
    assert code == 2 and "a report or pack covers one window" in err and not (tmp_path / "r.html").exists()


def test_unknown_codes_are_shown_as_code_and_parameters_never_an_error():
    from slagen.engine.reasons import Reason
    from slagen.render.messages import Messages

    assert Messages("en").text(Reason.of("future.code", minutes=Decimal("1.5"))) == "future.code(minutes=1.5)"


def test_a_house_catalogue_overrides_one_message(tmp_path):
    from slagen.engine.reasons import Reason
    from slagen.render.messages import Messages

    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "en.yaml").write_text('overlap.counted: "shared with {under}"\n')
    house = Messages("en", tmp_path)
    assert house.text(Reason.of("overlap.counted", under="INC-1")) == "shared with INC-1"
    assert house.text(Reason.of("counted.no_cause")) == "counted: no excluded cause recorded"  # the rest stays packaged


def test_a_long_list_of_skipped_records_is_cut_in_the_table_not_in_json(run_cli, tmp_path):
    rows = ["id,component,started_at,resolved_at"] + [f"B{i},app,bad,2026-10-05T10:30:00+08:00" for i in range(30)]
    bad = tmp_path / "many.csv"
    bad.write_text("\n".join(rows) + "\n")
    args = (POLICY, "--incidents", bad, "--period", "2026-10", "--on-bad-record", "skip", *AS_OF)
    _, out, _ = run_cli("evaluate", *args)
    assert "Skipped records (30):" in out and out.count("is not an ISO 8601 date-time") == 20 and "… and 10 more (all of them in --format json)" in out
    _, out, _ = run_cli("evaluate", *args, "--format", "json")
    assert len(json.loads(out)["skipped"]) == 30


def test_a_traditional_chinese_report_has_traditional_labels_and_reasons(run_main, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = run_main("report", POLICY, "--incidents", INCIDENTS, "--period", "2026-10", *AS_OF, "--lang", "zh-Hant", "-o", out)
    assert code == 0, err
    html = out.read_text("utf-8")
    assert 'lang="zh-Hant"' in html and "服務水平報告" in html and "計入：未記錄可排除的原因" in html and "重疊：該時段已在INC-101下計入" in html
    for simplified in ("计入", "排除：计划", "数据质量", "服务补偿计算"):
        assert simplified not in html


def test_the_report_states_the_accounting(run_main, tmp_path):
    out = tmp_path / "r.html"
    code, _, err = run_main("report", POLICY, "--incidents", INCIDENTS, "--period", "2026-10", *AS_OF, "-o", out)
    assert code == 0, err
    # INC-102 shares 10 min with INC-101: shown once, as an overlap line that adds nothing
    html = out.read_text("utf-8")
    assert "<td>Total</td><td></td><td></td><td></td><td>190</td><td>405</td><td>= downtime of Monthly Uptime Percentage: 190 min; excluded: 405 min</td>" in html
    assert "<td>overlap</td><td></td><td></td><td>overlap: this time is already counted under INC-101</td>" in html and "taken once" in html


def test_a_range_feeds_each_window_the_credits_before_it_for_the_rolling_cap(run_cli):
    # October owes 16,600.00; November (INC-111 still open all month) is capped at 50 % = 40,000.00;
    # the rolling cap (100 % of one month's fee, 80,000.00 over 12 windows) sees October's credit
    _, out, _ = run_cli("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "2026-10..2026-11", "--as-of", "2026-12-01T00:00+08:00", "--format", "json")
    october, november = json.loads(out)["windows"]
    steps = {s["rule"]: s["reason"] for s in november["credits"]["steps"]}
    assert october["credits"]["amount"] == "16600.00" and november["credits"]["amount"] == "40000.00"
    assert steps["rolling_cap"]["code"] == "rolling_cap.not_reached"
    assert steps["rolling_cap"]["params"]["used"] == "16600.00" and steps["rolling_cap"]["params"]["room"] == "63400.00"
