"""Policy terms of issue 18: each term's clause wording (en, zh-Hans, zh-Hant), comparison row
and loader checks. The engine figures are hand-worked vectors in tests/vectors/.

Clause rendering is the slow part, so two policies that use every new term between them are
rendered once per language and shared by the tests.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from slagen.clauses.render import render_clauses
from slagen.compare.terms import terms_rows
from slagen.errors import IncidentDataError, PolicyErrors
from slagen.policy.load import load_policy, parse_policy

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "tests/vectors/policies/base.yaml").read_text()
P1 = "  - {id: p1, kind: response_time, severity: P1, target: 15m, calendar: 24x7}"

# every new term with its stricter or more unusual option
TERMS = (BASE
         .replace("window: {kind: calendar_month}", "window: {kind: fiscal_year, start_month: 7}")
         .replace("counting: {}", "counting: {affected_percent: {more_than: 10}}")
         .replace(P1, P1 + "\n  - {id: p1u, kind: update_interval, severity: P1, target: 1h}"
                  "\n  - {id: errors, kind: availability, scope: [svc/web], objective: 99.9, telemetry: {rule: average_error_rate, period: 5m}}")
         .replace("exclusions: []", "exclusions:\n  - {id: maint, category: scheduled_maintenance, excluded: true, conditions: {cap_per_year: 10h}}")
         + "    - {id: per10, kind: per_period, kpi: uptime, percent_of_fee: 1, period: 10m}\n"
           "    - {id: hours, kind: hourly_waiver, kpi: uptime, unavailable_more_than: 5m, amount: \"0.50\"}\n"
           "  alternatives:\n    - {rules: [tiers, per10]}\n"
           "  cap: {fee_for_days: 90, percent_of_fee: 50, lower_than_tiers: true}\n"
           "  rolling_cap: {windows: 12, percent_of_period_fees: 10}\n"
           "  minimum_payout: {more_than: \"1.00\"}\n"
           "  claim: {deadline: {business_days_after_window_end: 10}, calendar: office}\n")
# the other options
OTHERS = (BASE.replace("counting: {}", "counting: {affected_percent: weight}")
          + "  minimum_payout: {at_least: \"10.00\"}\n  claim: {deadline: {days_after_incident: 30}}\n")


@lru_cache(maxsize=None)
def policy(which: str):
    return parse_policy(TERMS if which == "terms" else OTHERS, f"{which}.yaml")


@lru_cache(maxsize=None)
def clauses(which: str, lang: str) -> str:
    return render_clauses(policy(which), lang, "md", allow_fallback=True).decode()


@lru_cache(maxsize=None)
def rows() -> dict[str, tuple[str, ...]]:
    return {r.label: r.values for r in terms_rows([policy("terms"), policy("others")])}


def test_strict_minimum_payout_and_the_bundled_aws_policies():
    aws = load_policy(ROOT / "policies/aws-ec2-region.yaml")
    assert aws.credits.minimum_payout == 1 and aws.credits.minimum_payout_exclusive
    assert load_policy(ROOT / "policies/aws-ec2-instance.yaml").credits.minimum_payout_exclusive
    assert "after the limits above, is not more than USD 1.00." in clauses("terms", "en")
    assert "经上述限额调整后的服务补偿总额不超过1.00美元，则该计量期不予补偿" in clauses("terms", "zh-Hans")
    assert "經上述限額調整後的服務補償總額不超過1.00美元，則該計量期不予補償" in clauses("terms", "zh-Hant")
    assert "after the limits above, is less than USD 10.00." in clauses("others", "en")
    assert rows()["Minimum payout"] == ("only credits of more than USD 1.00", "credits of at least USD 10.00")


def test_affected_share_clause_and_comparison_row():
    assert "60 minutes affecting 25% of users is 15 minutes of Downtime" in clauses("others", "en")
    assert "more than ten percent (10%) of the Customer's users; an incident affecting that share or less is not Downtime" in clauses("terms", "en")
    assert "仅影响客户用户超过百分之十（10%）的事件计为停机时间" in clauses("terms", "zh-Hans")
    assert "僅影響客戶用戶超過百分之十（10%）的事件計為停機時間" in clauses("terms", "zh-Hant")
    assert "用戶分鐘" in clauses("others", "zh-Hant")
    assert rows()["Share of users affected"] == ("counts only above 10%", "weights downtime (user-minutes)")


@pytest.mark.parametrize("value", ["0.25x", "150", "-5", "25 %%", "1e1"])
def test_affected_percent_must_be_a_percentage(tmp_path, value):
    from slagen.incidents.readers import read_incidents

    path = tmp_path / "i.csv"
    path.write_text(f"id,started_at,affected_percent\nA,2026-11-05T10:00:00Z,{value}\n")
    with pytest.raises(IncidentDataError, match=r"i.csv:line 2: affected_percent .* is not a percentage from 0 to 100"):
        read_incidents(path)


def test_fiscal_window_clause_and_comparison_row():
    assert "each fiscal year beginning on 1 July" in clauses("terms", "en")
    assert "自每年7月1日起算的财政年度" in clauses("terms", "zh-Hans")
    assert "自每年7月1日起算的財政年度" in clauses("terms", "zh-Hant")
    assert rows()["Measurement window"][0] == "fiscal year (year from July), Coordinated Universal Time (UTC)"


def test_start_month_only_for_fiscal_windows():
    with pytest.raises(PolicyErrors, match="'start_month' only applies to window kinds 'fiscal_quarter' and 'fiscal_year'"):
        parse_policy(BASE.replace("window: {kind: calendar_month}", "window: {kind: calendar_month, start_month: 2}"), "x.yaml")
    with pytest.raises(PolicyErrors, match="start_month"):
        parse_policy(BASE.replace("window: {kind: calendar_month}", "window: {kind: fiscal_quarter}"), "y.yaml")


def test_caps_across_windows_clause_and_comparison_rows():
    en = clauses("terms", "en")
    assert "shall not exceed the Fee for ninety (90) days of service, being the monthly Fee multiplied by 90 and divided by thirty." in en
    assert "apply even where they are lower than a Service Credit stated in Clause" in en
    assert "any twelve (12) consecutive Measurement Periods shall not exceed ten percent (10%) of the Fees for those Measurement Periods" in en
    assert "该等计量期费用的百分之十（10%）" in clauses("terms", "zh-Hans")
    assert "該等計量期費用的百分之十（10%）" in clauses("terms", "zh-Hant")
    assert rows()["Cap per window"][0] == "50% of the window's fee, the fee for 90 days (even below a tier's credit)"
    assert rows()["Rolling cap"][0] == "10% of the period's fees over 12 windows"


def test_cap_per_year_clause_and_comparison_row():
    assert "and only up to ten (10) hours in each year (fiscal year)" in clauses("terms", "en")
    assert "且每年（财政年度）合计不超过十（10）小时，按时间顺序跨计量期累计" in clauses("terms", "zh-Hans")
    assert "且每年（財政年度）合計不超過十（10）小時，按時間順序跨計量期累計" in clauses("terms", "zh-Hant")
    assert rows()["Maintenance cap per year"] == ("10h", "not stated")


def test_cap_per_year_reads_the_years_earlier_incidents_through_the_cli(run_main, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(BASE.replace("exclusions: []", "exclusions:\n  - {id: maint, category: scheduled_maintenance, excluded: true, conditions: {cap_per_year: 2h}}"))
    data = tmp_path / "i.csv"
    data.write_text("id,component,cause,started_at,resolved_at\n"
                    "M1,app,scheduled_maintenance,2026-03-05T10:00:00Z,2026-03-05T11:30:00Z\n"
                    "M2,app,scheduled_maintenance,2026-11-05T10:00:00Z,2026-11-05T11:00:00Z\n")
    code, out, err = run_main("evaluate", path, "--incidents", data, "--period", "2026-11", "--as-of", "2026-12-01T00:00Z", "--format", "json")
    assert code == 0, err
    uptime = next(k for k in json.loads(out)["kpis"] if k["id"] == "uptime")
    # March used 90 of the year's 120 minutes: November excludes 30 and counts 30
    assert (uptime["downtime_minutes"], uptime["excluded_minutes"]) == ("30", "30")
    code, out, err = run_main("evaluate", path, "--incidents", data, "--period", "2026-10..2026-11", "--as-of", "2026-12-01T00:00Z", "--format", "json")
    last = json.loads(out)["windows"][-1]
    assert next(k for k in last["kpis"] if k["id"] == "uptime")["downtime_minutes"] == "30"


def test_claim_clock_clause_and_comparison_row():
    assert "no later than ten (10) Business Days after the last day of the Measurement Period concerned" in clauses("terms", "en")
    assert "相关计量期最后一日后第十（10）个工作日" in clauses("terms", "zh-Hans")
    assert "相關計量期內首個影響享有服務補償之服務的事件結束後三十（30）日內" in clauses("others", "zh-Hant")
    assert rows()["Claim deadline"] == ("10 business days (office) after the window ends", "30 days after the incident")


def test_alternatives_clause_comparison_row_and_wording():
    from slagen.engine.reasons import Reason
    from slagen.render.messages import messages

    assert "The Service Credits under “tiers” and “per10” are alternatives: for a Measurement Period the Customer receives only one of them, the greater, and not the others." \
        in clauses("terms", "en")
    assert "“tiers”、“per10”项下的服务补偿为择一适用" in clauses("terms", "zh-Hans")
    assert "「tiers」、「per10」項下的服務補償為擇一適用" in clauses("terms", "zh-Hant")
    assert rows()["Alternative remedies (one or the other)"] == ("tiers or per10, the better", "not stated")
    text = messages("en").text(Reason.of("alternative.chosen", rule="per10", rules=["tiers", "per10"], pay="better", amount=Decimal("960"), currency="USD"))
    assert text == "alternatives tiers, per10: one is paid, the better: 'per10', USD 960.00"


def test_hourly_waiver_clause_and_credit_form_row():
    assert "For each clock hour in which the Downtime of uptime is more than five (5) minutes, that hour is not charged" in clauses("terms", "en")
    assert "该小时不予计费" in clauses("terms", "zh-Hans") and "該小時不予計費" in clauses("terms", "zh-Hant")
    assert "hours with downtime not charged" in rows()["Credit form"][0]


def test_update_interval_clause_comparison_row_and_statuspage_updates(tmp_path):
    from slagen.incidents.readers import read_incidents

    en = clauses("terms", "en")
    assert "| P1 | Update Interval | one (1) hour | 24 hours a day, 7 days a week |" in en
    assert "the **Update Interval** is the longest time, while the incident is unresolved" in en
    assert "“**通报间隔**”指故障未解决期间" in clauses("terms", "zh-Hans")
    assert "「**通報間隔**」指故障未解決期間" in clauses("terms", "zh-Hant")
    assert rows()["P1 update interval"] == ("1h (24x7)", "not stated")
    path = tmp_path / "sp.json"
    path.write_text(json.dumps({"incident": {"id": "x", "started_at": "2026-11-05T10:00:00Z", "resolved_at": "2026-11-05T12:00:00Z", "incident_updates": [
        {"status": "resolved", "display_at": "2026-11-05T12:00:00Z"}, {"status": "investigating", "display_at": "2026-11-05T10:05:00Z"}]}}))
    (inc,) = read_incidents(path).incidents
    assert [u.hour * 60 + u.minute for u in inc.updates] == [605, 720]


AVERAGED = """timestamp,component,requests,errors
2026-11-10T10:00:00Z,app,100,10
2026-11-10T10:01:00Z,app,100,0
2026-11-10T10:05:00Z,app,50,50
2026-11-10T10:15:00Z,app,1000,1
2026-11-10T10:16:00Z,app,0,0
"""


def test_average_error_rate_counts_each_period_by_its_rate(run_main, tmp_path):
    """S3/R2: availability = 100 % minus the average of the 5-minute error rates."""
    path = tmp_path / "p.yaml"
    path.write_text((ROOT / "tests/data/policies/telemetry.yaml").read_text().replace(
        "telemetry: {rule: error_rate, more_than: 5, period: 1m, missing: unknown}", "telemetry: {rule: average_error_rate, period: 5m}"))
    samples = tmp_path / "s.csv"
    samples.write_text(AVERAGED)
    code, out, err = run_main("evaluate", path, "--samples", samples, "--from", "2026-11-10T10:00:00+00:00", "--to", "2026-11-10T10:20:00+00:00",
                              "--as-of", "2026-12-01T00:00:00+00:00", "--format", "json")
    assert code in (0, 3), err
    data = json.loads(out)
    kpi = next(k for k in data["kpis"] if k["id"] == "app-errors")
    # periods 10:00 (10 of 200 = 5 %), 10:05 (100 %), 10:10 (no requests: 0 %), 10:15 (1 of 1,000 = 0.1 %):
    # 5 x (0.05 + 1 + 0.001) = 5.255 min of 20; the average error rate (5 + 100 + 0 + 0.1) / 4 = 26.275 % -> 73.725 %
    assert Decimal(kpi["downtime_minutes"]) == Decimal("5.255")
    assert Decimal(kpi["actual"]) == Decimal("73.725")
    assert "hourly" not in kpi  # an input of hourly_waiver rules only, not part of the document
    lines = [t for t in data["incidents"] if t["kpi"] == "app-errors" and t["status"] == "counted"]
    assert sorted(Decimal(t["reason"]["params"]["error_pct"]) for t in lines) == [Decimal("0.1"), Decimal(5), Decimal(100)]


def test_average_error_rate_clause_and_refused_threshold():
    assert "availability is one hundred percent less the average of the error rates of all periods" in clauses("terms", "en")
    assert "可用率为百分之百减去所有时段错误率的平均值" in clauses("terms", "zh-Hans")
    assert "可用率為百分之百減去所有時段錯誤率的平均值" in clauses("terms", "zh-Hant")
    with pytest.raises(PolicyErrors, match="average_error_rate has no threshold"):
        parse_policy(TERMS.replace("{rule: average_error_rate, period: 5m}", "{rule: average_error_rate, more_than: 5, period: 5m}"), "t.yaml")
