"""Monitoring samples -> downtime, checked against minutes worked out by hand.

tests/data/samples/hand-worked.csv covers 10:00-10:20 UTC on 10 November 2026:
- app (error rate > 5 %, 1-minute periods, missing = unknown): 10:00 is exactly 5 % (up),
  10:01 and 10:02 are 6 % (down), 10:04 has no sample and 10:05 no requests (missing,
  reported, not counted): 2 minutes down, 2 missing.
- api (error rate > 5 % averaged over 5-minute periods, missing = down): 10:00-10:05 pools
  to 25/500 = 5 % exactly (up, though one minute alone is 25 %), 10:05-10:10 to 30/500 = 6 %
  (down), 10:10-10:15 to 2 % (up), 10:15-10:20 has no samples (down): 10 minutes.
- web (probe, any failed check, missing = up): 10:07 and 10:08 fail; 10:12 missing: 2 min.
- search (mean latency > 500 ms): 10:03 is exactly 500 (up), 10:04 is 501 (down): 1 min.
"""

from __future__ import annotations

import io
import json
import re
import pytest

from slagen.cli.options import build_request
from slagen.runs import run

from .conftest import ROOT

POLICY = ROOT / "tests/data/policies/telemetry.yaml"
SAMPLES = ROOT / "tests/data/samples/hand-worked.csv"
WINDOW = {"from_": "2026-11-10T10:00:00+00:00", "to": "2026-11-10T10:20:00+00:00", "as_of": "2026-12-01T00:00:00+00:00"}


def evaluate_samples(samples=SAMPLES, policy=POLICY, **extra):
    params = {"sample_files": (str(samples),), **WINDOW, **extra}
    return run(build_request(policy, "UTC", params)).evaluation


def minutes(ev) -> dict[str, str]:
    return {k.id: format(k.downtime_minutes.normalize(), "f") for k in ev.kpis}


def stats(ev) -> dict[str, dict]:
    return {i["kpi"]: i for i in ev.inputs if i.get("kind") == "samples"}


def test_downtime_minutes_by_hand():
    ev = evaluate_samples()
    assert minutes(ev) == {"app-errors": "2", "api-errors": "10", "web-probe": "2", "search-latency": "1"}
    assert ev.window_minutes == 20
    app = next(k for k in ev.kpis if k.id == "app-errors")
    assert app.actual == 90  # (20 - 2) / 20


def test_threshold_exactly_at_5_percent_is_up_and_periods_are_pooled():
    ev = evaluate_samples()
    starts = sorted((t.kpi, t.start.strftime("%H:%M"), t.end.strftime("%H:%M")) for t in ev.trace if t.status == "counted")
    assert ("app-errors", "10:01", "10:03") in starts  # 10:00 at exactly 5 % is not down
    assert ("api-errors", "10:05", "10:10") in starts  # the 6 % period; 10:00-10:05 pools to exactly 5 %
    assert not any(s[0] == "api-errors" and s[1] == "10:00" for s in starts)
    assert ("search-latency", "10:04", "10:05") in starts  # 500 ms exactly is up, 501 is down


def test_missing_samples_follow_the_policy():
    ev = evaluate_samples()
    s = stats(ev)
    assert (s["app-errors"]["missing_periods"], s["app-errors"]["missing_counted_as"]) == (2, "unknown")  # reported
    assert s["api-errors"]["missing_minutes"] == 5 and s["api-errors"]["missing_counted_as"] == "down"
    starts = {(t.kpi, t.start.strftime("%H:%M")) for t in ev.trace if t.status == "counted"}
    assert ("api-errors", "10:15") in starts  # counted as down
    assert s["web-probe"]["missing_periods"] == 1 and ("web-probe", "10:12") not in starts  # counted as up


def test_parquet_gives_the_same_result(tmp_path):
    import duckdb

    parquet = tmp_path / "samples.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{SAMPLES}')) TO '{parquet}' (FORMAT parquet)")
    assert minutes(evaluate_samples(parquet)) == minutes(evaluate_samples())


def test_telemetry_downtime_counts_for_its_own_kpi_only(tmp_path):
    text = POLICY.read_text() + "  - {id: tickets, kind: availability, scope: [svc/app], objective: 99.9}\n"
    policy = tmp_path / "p.yaml"
    policy.write_text(text)
    ev = evaluate_samples(policy=policy)
    assert minutes(ev)["tickets"] == "0" and minutes(ev)["app-errors"] == "2"


def test_whole_month_of_missing_data_is_reported_not_invented(tmp_path):
    ev = run(build_request(POLICY, "UTC", {"sample_files": (str(SAMPLES),), "period": "2026-11", "as_of": "2026-12-01T00:00:00+00:00"})).evaluation
    s = stats(ev)
    # app: 43,200 minutes in November, 18 with data: the rest is unknown, not down
    assert s["app-errors"]["missing_periods"] == 43200 - 18 and minutes(ev)["app-errors"] == "2"
    # api counts missing as down: 8,640 five-minute periods, 3 with data, 1 of them down
    assert minutes(ev)["api-errors"] == str((8640 - 3 + 1) * 5)


def test_naive_timestamps_need_a_zone(tmp_path, run_main):
    naive = tmp_path / "naive.csv"
    naive.write_text(SAMPLES.read_text().replace("Z,", ","))
    code, _, err = run_main("evaluate", POLICY, "--samples", naive, "--from", WINDOW["from_"], "--to", WINDOW["to"], "--as-of", WINDOW["as_of"])
    assert code == 1 and "naive.csv" in err and "no UTC offset" in err
    assert minutes(evaluate_samples(naive, input_timezone="UTC")) == minutes(evaluate_samples())


def test_bad_sample_files_are_named(tmp_path, run_main):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,what\n2026-11-10T10:00:00Z,app\n")
    code, _, err = run_main("evaluate", POLICY, "--samples", wrong, "--from", WINDOW["from_"], "--to", WINDOW["to"], "--as-of", WINDOW["as_of"])
    assert code == 1 and "wrong.csv" in err and "needs the columns timestamp (or ts) and component" in err
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet at all")
    code, _, err = run_main("evaluate", POLICY, "--samples", junk, "--from", WINDOW["from_"], "--to", WINDOW["to"], "--as-of", WINDOW["as_of"])
    assert code == 1 and "junk.parquet" in err and "not a readable Parquet sample file" in err
    code, _, err = run_main("evaluate", ROOT / "examples/dingtalk-enterprise.yaml", "--samples", SAMPLES, "--period", "2026-10")
    assert code == 2 and "needs an availability KPI with a 'telemetry' rule" in err
    code, _, err = run_main("evaluate", POLICY, "--period", "2026-10")
    assert code == 2 and "--incidents FILE and/or --samples FILE" in err


def test_unknown_components_are_reported(tmp_path):
    extra = tmp_path / "extra.csv"
    extra.write_text(SAMPLES.read_text() + "2026-11-10T10:00:00Z,billing,100,50,,\n")
    s = stats(evaluate_samples(extra))
    assert s["app-errors"]["unknown_components"] == ["billing"]


def test_cli_json_carries_the_sample_statistics(run_main):
    code, out, _ = run_main("evaluate", POLICY, "--samples", SAMPLES, "--from", WINDOW["from_"], "--to", WINDOW["to"], "--as-of", WINDOW["as_of"], "--format", "json")
    data = json.loads(out)
    assert code == 3 and {i["kpi"] for i in data["inputs"] if i.get("kind") == "samples"} == {"app-errors", "api-errors", "web-probe", "search-latency"}
    assert data["inputs"][0]["sha256"] and data["inputs"][0]["file"].endswith("hand-worked.csv")


@pytest.mark.parametrize("rule, extra", [("latency", ""), ("error_rate", "more_than: 100, "), ("error_rate", "period: 7m, ")])
def test_telemetry_policy_errors(rule, extra, tmp_path):
    from slagen.errors import PolicyErrors
    from slagen.policy.load import parse_policy

    text = POLICY.read_text().replace("telemetry: {rule: latency, more_than: 500, period: 1m}", f"telemetry: {{rule: {rule}, {extra}missing: up}}")
    with pytest.raises(PolicyErrors) as err:
        parse_policy(text, "t.yaml")
    assert err.value.problems[0].line == 40  # the search-latency KPI's telemetry line


def test_clauses_and_report_state_the_telemetry_rules(tmp_path):
    from slagen.clauses.render import render_clauses
    from slagen.policy.load import load_policy
    from slagen.report.render import render_report

    policy = load_policy(POLICY)
    en = render_clauses(policy, "en", "md").decode()
    assert "is Downtime if more than five percent (5%) of the requests to API Requests in that period fail. A period without monitoring data counts as Downtime." in en
    assert "is Downtime if any monitoring check of web in that period fails" in en
    assert "exceeds five hundred (500) milliseconds" in en
    zh = render_clauses(policy, "en+zh-Hans", "md", allow_fallback=True).decode()  # the two languages line up (the policy has English names only)
    assert "失败请求超过请求总数的百分之五（5%）" in zh
    result = run(build_request(POLICY, "UTC", {"sample_files": (str(SAMPLES),), **WINDOW}))
    html = render_report(result, "html").decode()
    assert "Monitoring samples (per KPI and window)" in html and "<td>api-errors</td><td>error rate over 5% per 5 min</td>" in html


# -- what the samples showed: a finding (code + parameters), worded by the catalogues -------

def findings(ev) -> dict[tuple[str, str], tuple]:
    """(KPI, local start HH:MM) -> (code, params) of each counted line's finding."""
    return {(t.kpi, t.start.strftime("%H:%M")): (t.finding.code, t.finding.args) for t in ev.trace if t.status == "counted"}


def test_sample_incidents_carry_findings_worked_by_hand_and_no_english_title():
    from decimal import Decimal

    ev = evaluate_samples()
    assert findings(ev) == {
        ("app-errors", "10:01"): ("samples.error_rate", {"periods": 2, "period_s": 60, "threshold_pct": Decimal(5)}),  # 10:01, 10:02 at 6 %
        ("api-errors", "10:05"): ("samples.error_rate", {"periods": 1, "period_s": 300, "threshold_pct": Decimal(5)}),  # 30/500 = 6 %
        ("api-errors", "10:15"): ("samples.missing", {"periods": 1, "period_s": 300, "missing": "down"}),  # no samples, missing: down
        ("web-probe", "10:07"): ("samples.probe", {"periods": 2, "period_s": 60, "threshold_pct": Decimal(0)}),  # any failed check
        ("search-latency", "10:04"): ("samples.latency", {"periods": 1, "period_s": 60, "latency_ms": Decimal(500)}),  # 501 ms
    }
    assert {t.source for t in ev.trace} == {str(SAMPLES)}  # the files, no words
    s = stats(ev)
    assert (s["api-errors"]["rule"], s["api-errors"]["more_than"], s["search-latency"]["rule"], s["search-latency"]["more_than"]) == ("error_rate", "5", "latency", "500")


@pytest.mark.parametrize("lang, words", [
    ("en", ["error rate over 5% in 2 periods of 1m", "error rate over 5% in 1 period of 5m", "no samples in 1 period of 5m (missing counts as down)",
            "failed probe checks in 2 periods of 1m", "mean latency over 500 ms in 1 period of 1m"]),
    ("zh-Hans", ["错误率超过5%的时段共2个（每个1分钟）", "错误率超过5%的时段共1个（每个5分钟）", "无监控样本的时段共1个（每个5分钟），缺失数据按停机计",
                 "有监控检测失败的时段共2个（每个1分钟）", "平均响应时间超过500毫秒的时段共1个（每个1分钟）"]),
    ("zh-Hant", ["錯誤率超過5%的時段共2個（每個1分鐘）", "錯誤率超過5%的時段共1個（每個5分鐘）", "無監控樣本的時段共1個（每個5分鐘），缺失數據按停機計",
                 "有監控檢測失敗的時段共2個（每個1分鐘）", "平均響應時間超過500毫秒的時段共1個（每個1分鐘）"]),
])
def test_findings_are_worded_in_each_language_in_json_and_table(lang, words, run_main):
    from jsonschema import Draft202012Validator

    from slagen.policy.schema import load_schema

    args = ("evaluate", POLICY, "--samples", SAMPLES, "--from", WINDOW["from_"], "--to", WINDOW["to"], "--as-of", WINDOW["as_of"], "--lang", lang)
    code, out, _ = run_main(*args, "--format", "json")
    data = json.loads(out)
    assert code == 3 and list(Draft202012Validator(load_schema("evaluation")).iter_errors(data)) == []
    lines = [t for t in data["incidents"] if t["status"] == "counted"]
    assert [t["finding"]["text"] for t in lines] == words  # per KPI, in time order
    assert lines[0]["finding"]["code"] == "samples.error_rate" and lines[0]["finding"]["params"] == {"periods": 2, "period_s": 60, "threshold_pct": "5"}
    code, out, _ = run_main(*args)
    assert all(f"\n    {w}\n" in out for w in words), out  # under each incident's line of the table


def test_average_error_rate_findings_state_each_period_rate(tmp_path):
    """api as average_error_rate: each 5-minute period with failed requests counts its own rate:
    10:00-10:05 25/500 = 5 %, 10:05-10:10 30/500 = 6 %, 10:10-10:15 10/500 = 2 %; 10:15-10:20 missing."""
    from slagen.engine.reasons import Reason
    from slagen.render.messages import messages

    policy = tmp_path / "avg.yaml"
    policy.write_text(POLICY.read_text().replace("telemetry: {rule: error_rate, more_than: 5, period: 5m, missing: down}",
                                                 "telemetry: {rule: average_error_rate, period: 5m, missing: down}"))
    found = {k: v for k, v in findings(evaluate_samples(policy=policy)).items() if k[0] == "api-errors"}
    assert {k[1]: (code, str(p.get("error_pct", "—")), p["period_s"]) for k, (code, p) in found.items()} == {
        "10:00": ("samples.average_error_rate", "5.00", 300), "10:05": ("samples.average_error_rate", "6.00", 300),
        "10:10": ("samples.average_error_rate", "2.00", 300), "10:15": ("samples.missing", "—", 300)}
    six = Reason.of(*found[("api-errors", "10:05")][:1], **found[("api-errors", "10:05")][1])
    assert messages("en").text(six) == "error rate 6.00% in a period of 5m"
    assert messages("zh-Hans").text(six) == "该5分钟时段的错误率为6.00%"
    assert messages("zh-Hant").text(six) == "該5分鐘時段的錯誤率為6.00%"


def _translated_policy(tmp_path):
    """The telemetry policy with its own texts in Chinese too, so a Chinese report needs no fallback."""
    text = POLICY.read_text()
    for old, new in [
        ("title: Telemetry test policy", "title: {en: Telemetry test policy, zh-Hans: 监控测试协议, zh-Hant: 監控測試協議}\n  languages: [en, zh-Hans, zh-Hant]"),
        ("provider: {name: Vendor}", "provider: {name: {en: Vendor, zh-Hans: 供应商, zh-Hant: 供應商}}"),
        ("customer: {name: Customer}", "customer: {name: {en: Customer, zh-Hans: 客户, zh-Hant: 客戶}}"),
        ("{id: api, name: API Requests}", "{id: api, name: {en: API Requests, zh-Hans: 接口请求, zh-Hant: 介面請求}}"),
        ("  - id: app-errors\n", "  - id: app-errors\n    name: {en: App errors, zh-Hans: 应用错误率, zh-Hant: 應用錯誤率}\n"),
        ("  - id: api-errors\n", "  - id: api-errors\n    name: {en: API errors, zh-Hans: 接口错误率, zh-Hant: 介面錯誤率}\n"),
        ("  - id: web-probe\n", "  - id: web-probe\n    name: {en: Web probe, zh-Hans: 网页探测, zh-Hant: 網頁探測}\n"),
        ("  - id: search-latency\n", "  - id: search-latency\n    name: {en: Search latency, zh-Hans: 搜索延迟, zh-Hant: 搜尋延遲}\n"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "telemetry-zh.yaml"
    path.write_text(text)
    return path


# the words of the English findings and rules, which must not reach a Chinese report
FINDING_WORDS = re.compile(r"\b(error|rate|periods?|samples?|missing|counts|down|failed|probe|checks?|mean|latency|over|in|of|ms|averaged)\b", re.I)


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_reports_of_samples_have_no_english_findings(lang, tmp_path):
    from pypdf import PdfReader

    from slagen.report.render import render_report

    from .language_checks import check, docx_text

    policy = _translated_policy(tmp_path)
    result = run(build_request(policy, "UTC", {"sample_files": (str(SAMPLES),), **WINDOW}))
    first = {"zh-Hans": "错误率超过5%的时段共2个（每个1分钟）", "zh-Hant": "錯誤率超過5%的時段共2個（每個1分鐘）"}[lang]
    rule = {"zh-Hans": "错误率超过5%，每5分钟", "zh-Hant": "錯誤率超過5%，每5分鐘"}[lang]
    for fmt in ("pdf", "docx"):
        data = render_report(result, fmt, lang)
        text = docx_text(data) if fmt == "docx" else "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        squashed = re.sub(r"\s+", "", text)
        assert first in squashed and rule in squashed, fmt
        check(text, lang)
        assert "2026-11-1010:00至2026-11-1010:20" in squashed, fmt  # the window is named in Chinese, not "… to …"
        # what is the user's own (paths, file names, incident ids) is not wording
        for own in (str(ROOT) + "/", str(tmp_path) + "/", "tests/data/samples/hand-worked.csv", "hand-worked.csv", "telemetry-zh.yaml", "samples:svc/"):
            text = re.sub(r"\s*".join(map(re.escape, own.replace(" ", ""))), " ", text)
        assert sorted({m.group(0) for m in FINDING_WORDS.finditer(text)}) == [], fmt
        assert not re.search(r"\bto\b|\bcycle\b", text), fmt


def test_english_report_words_the_findings(tmp_path):
    from slagen.report.render import render_report

    from .language_checks import docx_text

    result = run(build_request(POLICY, "UTC", {"sample_files": (str(SAMPLES),), **WINDOW}))
    text = docx_text(render_report(result, "docx", "en"))
    assert "error rate over 5% in 2 periods of 1m\nhand-worked.csv" in text
    assert "no samples in 1 period of 5m (missing counts as down)\nhand-worked.csv" in text
    assert "mean latency over 500 ms per 1 min" in text and "any failed probe check per 1 min" in text
