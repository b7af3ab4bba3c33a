"""Policy text per language, and clause wording a lawyer accepts, worked out by hand.

Every expected sentence below is written out in full from the policy in the test: the
conventions (full-width punctuation, 「」 in zh-Hant, （一） items, 人民币…元, zones and
holidays by name) and the content rules (each term defined once, nothing the policy does not
say, internal escalation kept out of the contract).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from decimal import Decimal

import pytest

from .conftest import ROOT
from .language_checks import check as check_language, docx_text
from slagen.clauses.build import build
from slagen.clauses.render import render_clauses
from slagen.errors import PolicyErrors, RenderError
from slagen.policy.load import parse_policy
from slagen.render.document import item_label
from slagen.render.words import Words

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"

BASE = """\
slagen: 1
agreement:
  id: acme
  title: {en: Acme Chat SLA, zh-Hans: 爱客聊天服务等级协议, zh-Hant: 愛客聊天服務等級協議}
  provider: {name: {en: Acme Ltd, zh-Hans: 爱客有限公司, zh-Hant: 愛客有限公司}}
  customer: {name: {en: Example Ltd, zh-Hans: 示例有限公司, zh-Hant: 示例有限公司}}
  effective_date: 2026-01-01
  currency: CNY
  fees: {monthly: "120000.00"}
timezone: Asia/Shanghai
window: {kind: WINDOW}
services:
  - id: chat
    name: {en: Chat, zh-Hans: 聊天, zh-Hant: 聊天}
KPIS
credits:
  rules:
    - id: tiers
      kind: tiers
      kpi: uptime
      tiers:
        - {below: 99.9, at_least: 99.0, credit: 10}
        - {below: 99.0, credit: 25}
  claim:
    deadline: {end_of_month_after_window: 1}
"""

ONE_KPI = """\
kpis:
  - {id: uptime, kind: availability, name: {en: Uptime, zh-Hans: 可用率, zh-Hant: 可用率}, scope: [chat], objective: 99.9}
"""


@lru_cache(maxsize=None)
def policy(extra: str = "", kpis: str = ONE_KPI, window: str = "calendar_month"):
    return parse_policy(BASE.replace("WINDOW", window).replace("KPIS\n", kpis) + extra, "acme.yaml")


@lru_cache(maxsize=None)
def md(p, lang: str) -> str:
    return render_clauses(p, lang, "md").decode()


# --- policy text per language ----------------------------------------------------------------


def test_a_text_field_takes_a_map_and_the_older_zh_field_reads_as_zh_hans_with_a_hint():
    p = parse_policy(
        BASE.replace("WINDOW", "calendar_month").replace("KPIS\n", "kpis:\n  - id: uptime\n    kind: availability\n    name: Uptime\n    name_zh: 可用率\n    objective: 99.9\n"),
        "acme.yaml",
    )
    kpi = p.kpis[0]
    assert kpi.name == "Uptime" and kpi.name_zh == "可用率"
    assert kpi.name_text.values == (("en", "Uptime"), ("zh-Hans", "可用率"))
    assert p.agreement.title == "Acme Chat SLA" and p.agreement.title_zh == "爱客聊天服务等级协议"
    assert p.agreement.title_text.get("zh-Hant") == "愛客聊天服務等級協議"
    # line 17 of the file holds 'name_zh:' at column 5
    assert [str(h) for h in p.hints] == ["acme.yaml:19:5: hint: 'name_zh' is read as zh-Hans; write name: {en: ..., zh-Hans: ..., zh-Hant: ...} to give each language"]


def test_the_same_language_twice_is_an_error_at_the_older_field():
    text = BASE.replace("WINDOW", "calendar_month").replace(
        "KPIS\n", "kpis:\n  - id: uptime\n    kind: availability\n    name: {en: Uptime, zh-Hans: 可用率}\n    name_zh: 正常运行率\n    objective: 99.9\n"
    )
    with pytest.raises(PolicyErrors) as err:
        parse_policy(text, "acme.yaml")
    assert str(err.value) == "acme.yaml:19:5: 'name_zh' and 'name: {zh-Hans: ...}' both give the zh-Hans text; keep the map and drop 'name_zh'"


def test_a_map_with_an_unknown_language_is_refused_by_the_schema():
    text = BASE.replace("WINDOW", "calendar_month").replace("KPIS\n", ONE_KPI.replace("zh-Hant: 可用率", "zh-TW: 可用率"))
    with pytest.raises(PolicyErrors) as err:
        parse_policy(text, "acme.yaml")
    assert "acme.yaml:16:" in str(err.value)


def test_a_document_in_a_language_the_policy_lacks_names_every_missing_field(tmp_path, run_main):
    path = tmp_path / "english.yaml"
    path.write_text(BASE.replace("WINDOW", "calendar_month").replace("KPIS\n", ONE_KPI.replace("name: {en: Uptime, zh-Hans: 可用率, zh-Hant: 可用率}", "name: Uptime"))
                    .replace("title: {en: Acme Chat SLA, zh-Hans: 爱客聊天服务等级协议, zh-Hant: 愛客聊天服務等級協議}", "title: Acme Chat SLA"))
    out = tmp_path / "sla.md"
    code, _, err = run_main("clauses", path, "--lang", "zh-Hant", "-o", out)
    assert code == 1 and not out.exists()
    assert err.splitlines() == [
        f"{path}:4:10: agreement.title has no zh-Hant text; write it as {{en: ..., zh-Hant: ...}}, or give --allow-fallback to print the English",
        f"{path}:16:44: kpis[0].name has no zh-Hant text; write it as {{en: ..., zh-Hant: ...}}, or give --allow-fallback to print the English",
    ]
    code, _, err = run_main("clauses", path, "--lang", "zh-Hant", "--allow-fallback", "-o", out)
    text = out.read_text()
    assert code == 0
    assert text.startswith("# Acme Chat SLA〔英文原文〕\n\n**服務等級附件（政策未提供中文文本之處以英文原文顯示，並標註〔英文原文〕）**")
    assert "服務商應確保聊天在每一計量期的Uptime〔英文原文〕不低於百分之九十九點九（99.9%）。" in text
    # with every text given, no mark and no note
    assert "英文原文" not in md(policy(), "zh-Hant")


def test_internal_escalation_text_is_not_required_for_a_contract():
    ladder = "escalation:\n  - {level: 1, kpi: uptime, below: 95, action: Page the on-call engineer, notify: [ops]}\n"
    p = policy(ladder)
    assert p.escalation[0].contractual is False
    text = md(p, "zh-Hans")  # the English-only action is internal: no error, and not printed
    assert "升级" not in text and "Page the on-call" not in text and "ops" not in text


# --- conventions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, cny, hkd, usd",
    [
        ("en", "CNY 120,000.00", "HKD 80,000.00", "USD 1,000.50"),
        ("zh-Hans", "人民币120,000.00元", "港币80,000.00元", "1,000.50美元"),
        ("zh-Hant", "人民幣120,000.00元", "港幣80,000.00元", "1,000.50美元"),
    ],
)
def test_money_as_each_language_writes_it(lang, cny, hkd, usd):
    w = Words(lang)
    assert w.money(Decimal("120000"), "CNY") == cny
    assert w.money(Decimal("79999.995"), "HKD") == hkd  # half-up to the minor unit, as the engine rounds
    assert w.money(Decimal("1000.5"), "USD") == usd


@pytest.mark.parametrize(
    "zone, lang, name",
    [
        ("Asia/Hong_Kong", "en", "Hong Kong Time (UTC+08:00)"),
        ("Asia/Shanghai", "en", "China Standard Time (UTC+08:00)"),
        ("Asia/Shanghai", "zh-Hans", "北京时间（UTC+08:00）"),
        ("Asia/Hong_Kong", "zh-Hant", "香港時間（UTC+08:00）"),
        ("UTC", "en", "Coordinated Universal Time (UTC)"),
        ("America/Los_Angeles", "en", "Pacific Time (UTC−08:00; UTC−07:00 during daylight saving time)"),
        ("America/Los_Angeles", "zh-Hant", "美國太平洋時間（UTC−08:00；夏令時間期間為UTC−07:00）"),
    ],
)
def test_time_zones_are_named_as_a_lawyer_names_them(zone, lang, name):
    assert Words(lang).zone(zone) == name


def test_holidays_are_named_by_the_region_law_names_them():
    assert Words("en").holidays("HK") == "Hong Kong general holidays"
    assert Words("zh-Hans").holidays("HK") == "香港特别行政区公众假期"
    assert Words("zh-Hant").holidays("HK") == "香港特別行政區公眾假期"
    assert Words("zh-Hans").holidays("CN") == "中华人民共和国法定节假日"
    assert Words("zh-Hant").holidays("CN") == "中華人民共和國法定節假日"
    assert Words("en").holidays("DE") == "public holidays of Germany"  # not in the table: CLDR's name


def test_chinese_items_are_numbered_as_chinese_contracts_number_them():
    assert [item_label(i, "zh-Hans") for i in (0, 1, 9, 10)] == ["（一）", "（二）", "（十）", "（十一）"]
    assert [item_label(i) for i in (0, 25, 26)] == ["(a)", "(z)", "(aa)"]


def test_chinese_schedule_uses_full_width_punctuation_and_its_own_quotes():
    hans, hant = md(policy(), "zh-Hans"), md(policy(), "zh-Hant")
    assert "- 版本" not in hans and "- 生效日期：2026-01-01" in hans  # no ASCII colon after a Chinese label
    assert "- （一）“**服务**”指爱客有限公司（“**服务商**”）向示例有限公司（“**客户**”）提供的聊天。" in hans
    assert "- （一）「**服務**」指愛客有限公司（「**服務商**」）向示例有限公司（「**客戶**」）提供的聊天。" in hant
    assert "“" not in hant and "”" not in hant
    assert "（二）“**计量期**”指按北京时间（UTC+08:00）确定的每一自然月。" in hans
    assert "于本附件日期，月度费用为人民币120,000.00元。" in hans
    for text, lang in ((hans, "zh-Hans"), (hant, "zh-Hant")):
        check_language(text, lang)
        assert not any(f"{a}:" in text or f":{a}" in text for a in "。，；）（")  # no ASCII colon beside full-width marks


# --- content --------------------------------------------------------------------------------------

TWO_KPIS = ONE_KPI + "  - {id: api-uptime, kind: availability, name: {en: API Uptime, zh-Hans: 接口可用率, zh-Hant: 介面可用率}, objective: 99.5}\n"


def test_each_defined_term_is_defined_once_with_two_availability_kpis():
    text = md(policy(kpis=TWO_KPIS), "en")
    for term in ("Service Commitment", "Total Minutes", "Downtime", "Fee", "Measurement Period"):
        assert text.count(f"**{term}**") == 1, term
    assert "- (e) **Service Commitment** means each commitment to a minimum availability set out in Clause 2." in text
    assert ("**3.2** **Total Minutes** means the actual number of minutes in the Measurement Period. The Uptime and the API Uptime are each "
            "calculated as (Total Minutes − minutes of Downtime) ÷ Total Minutes × 100.") in text


def test_quarterly_and_rolling_fees_are_what_the_engine_charges():
    assert "- (g) **Fee** means, for a Measurement Period, three (3) times the monthly fee payable for the Service; at the date of this Schedule the monthly fee is CNY 120,000.00." in md(policy(window="calendar_quarter"), "en")
    assert "“**费用**”指就一个计量期而言，服务应付的月度费用的三（3）倍；" in md(policy(window="calendar_quarter"), "zh-Hans")
    rolling = md(policy(window="rolling_days, days: 28"), "en")
    assert "the monthly fee payable for the Service multiplied by the number of days in the Measurement Period and divided by thirty (30)" in rolling


def test_outage_statuses_and_their_weights_are_defined():
    text = md(policy("counting: {impact_weights: {partial_outage: 50}}\n"), "en")
    assert ("- (b) Partial outage (the Service or the component concerned is unavailable to some users or some of its functions are unavailable): "
            "counts as Downtime for fifty percent (50%) of its duration;") in text
    assert "- (c) Degraded performance (the Service or the component concerned is available but slower than usual or returning some errors): does not count as Downtime." in text
    assert "- （二）部分中断（服务或相关组件对部分用户不可用，或其部分功能不可用）：按其持续时间的百分之五十（50%）计为停机时间；" in md(policy("counting: {impact_weights: {partial_outage: 50}}\n"), "zh-Hans")


def test_every_defined_term_is_defined_once_and_used():
    import re

    for lang in ("en", "zh-Hant"):
        body = md(policy(CALENDAR + SEVERITIES, kpis=RESPONSE), lang).split({"en": "## 1. ", "zh-Hant": "## 第1條 "}[lang], 1)[1]
        terms = [t for t in re.findall(r"\*\*([^*]+)\*\*", body) if not re.fullmatch(r"[\d.]+", t)]
        for term in terms:
            assert terms.count(term) == 1 and body.count(term) >= 2, (lang, term)


RESPONSE = ONE_KPI + "  - {id: p1, kind: response_time, severity: P1, target: 30m, calendar: cn-office}\n"
CALENDAR = """\
calendars:
  - id: cn-office
    hours: {mon: ["09:00-18:00"], tue: ["09:00-18:00"], wed: ["09:00-18:00"], thu: ["09:00-18:00"], fri: ["09:00-18:00"]}
    holidays: {country: CN}
    working_dates: [2026-02-14, 2026-02-28]
    closed_dates: [2026-12-31]
"""
SEVERITIES = """\
severities:
  - id: P1
    definition: {en: the Service is unavailable to all users, zh-Hans: 服务对全部用户不可用, zh-Hant: 服務對全部用戶不可用}
"""


def test_calendars_state_make_up_working_days_closed_dates_and_holidays():
    p = policy(CALENDAR, kpis=RESPONSE)
    en, hans = md(p, "en"), md(p, "zh-Hans")
    assert "Business Hours are the following hours in China Standard Time (UTC+08:00), excluding statutory holidays of the People's Republic of China:" in en
    assert "The following dates are working days, with the hours of a Monday: 14 February 2026 and 28 February 2026." in en
    assert "The following dates are not working days: 31 December 2026." in en
    assert "工作时间为按北京时间（UTC+08:00）计算的下列时间，中华人民共和国法定节假日除外：" in hans
    assert "下列日期为工作日（调休上班），工作时间与星期一相同：2026年2月14日、2026年2月28日。" in hans
    assert "下列日期不是工作日：2026年12月31日。" in hans


def test_response_only_policy_never_promises_resolution_and_severities_come_from_the_policy():
    without = md(policy(CALENDAR, kpis=RESPONSE), "en")
    assert "The Provider shall respond to incidents within the following times:" in without and "resolve" not in without and "Resolution" not in without
    assert "- (i) **Severity** means the level of an incident (P1) recorded for it in the incident records." in without
    defined = md(policy(CALENDAR + SEVERITIES, kpis=RESPONSE), "en")
    assert "- (i) **Severity** means the level of an incident (P1) as defined in Clause 4." in defined
    assert "**4.1** Each incident has the Severity whose definition it meets:\n\n- (a) **P1**: the Service is unavailable to all users." in defined
    assert "- （一）「**P1**」" not in md(policy(CALENDAR + SEVERITIES, kpis=RESPONSE), "zh-Hant")
    assert "- （一）**P1**：服務對全部用戶不可用。" in md(policy(CALENDAR + SEVERITIES, kpis=RESPONSE), "zh-Hant")


def test_a_kpi_severity_the_severities_list_lacks_is_an_error():
    with pytest.raises(PolicyErrors) as err:
        policy(CALENDAR + SEVERITIES, kpis=RESPONSE.replace("severity: P1", "severity: P2"))
    assert "acme.yaml:17:45: severity 'P2' is not defined in 'severities'; defined: P1" in str(err.value)


def test_no_invoice_sentence_the_policy_does_not_state():
    for lang in ("en", "zh-Hans", "zh-Hant"):
        text = md(policy(), lang)
        assert "invoice" not in text and "账单" not in text and "賬單" not in text


def test_only_contractual_escalation_is_a_clause_and_never_names_teams():
    ladder = """\
escalation:
  - {level: 1, kpi: uptime, below: 99, action: {en: Internal page, zh-Hans: 内部告警, zh-Hant: 內部告警}, notify: [ops-team]}
  - level: 2
    kpi: uptime
    below: 95
    contractual: true
    action: {en: The Customer may give notice of a review meeting, zh-Hans: 客户可发出检讨会议通知, zh-Hant: 客戶可發出檢討會議通知}
    notify: [legal-team]
"""
    text = md(policy(ladder), "en")
    assert "| 2 | Uptime below 95% | The Customer may give notice of a review meeting |" in text
    assert "Internal page" not in text and "ops-team" not in text and "legal-team" not in text and "| 1 |" not in text
    assert "| 2 | 可用率低於95% | 客戶可發出檢討會議通知 |" in md(policy(ladder), "zh-Hant")


def test_a_reference_to_a_left_out_clause_lists_the_clauses_there_are(tmp_path):
    (tmp_path / "clauses/en").mkdir(parents=True)
    (tmp_path / "clauses/en/claims.md.j2").write_text("# Claims\n\nSee {{ ref('escalation') }}.\n")
    with pytest.raises(RenderError) as err:
        build(policy(), "en", tmp_path)
    assert "refers to clause 'escalation', which this policy leaves out" in str(err.value)
    assert "(clauses in this document: definitions, service_commitment, measurement, service_credits, claims)" in str(err.value)


# --- the bilingual Traditional schedule -------------------------------------------------------------


def test_english_and_traditional_chinese_side_by_side_line_up():
    from slagen.policy.load import load_policy

    p = load_policy(DINGTALK)
    en, hant = build(p, "en+zh-Hant")
    assert [c.key for c in en.clauses] == [c.key for c in hant.clauses]
    data = render_clauses(p, "en+zh-Hant", "docx")
    text = docx_text(data)
    check_language(text, "en+zh-Hant")
    assert "香港時間（UTC+08:00）" in text and "Hong Kong Time (UTC+08:00)" in text and "香港特別行政區公眾假期" in text
    assert "escalation" not in [c.key for c in en.clauses]  # DingTalk's ladder is the customer's own alerting
    assert en.meta.date == date(2026, 1, 1)


def test_a_policy_written_with_the_older_zh_fields_still_gives_its_simplified_schedule():
    from slagen.policy.load import load_policy

    legacy = load_policy(ROOT / "tests/data/policies/dingtalk-single-language.yaml")
    zh_hints = [str(h) for h in legacy.hints if "_zh' is read as zh-Hans" in h.message]
    assert len(zh_hints) == 18 and zh_hints[0].endswith(":16:3: hint: 'title_zh' is read as zh-Hans; write title: {en: ..., zh-Hans: ..., zh-Hant: ...} to give each language")
    text = md(legacy, "zh-Hans")
    assert "服务商：钉钉" in text and "（一）自然灾害（地震、八号或以上台风信号、水灾及非因服务商引起的火灾）；" in text
    with pytest.raises(PolicyErrors) as err:
        build(legacy, "zh-Hant")
    assert str(err.value).splitlines()[0].endswith("dingtalk-single-language.yaml:15:10: agreement.title has no zh-Hant text; write it as {en: ..., zh-Hant: ...}, or give --allow-fallback to print the English")


def test_validate_prints_the_hint_and_still_calls_the_policy_valid(run_main):
    path = ROOT / "tests/data/policies/dingtalk-single-language.yaml"
    code, out, err = run_main("validate", path)
    assert code == 0 and out.splitlines() == [f"{path}: valid"]  # hints go to standard error: the policy is valid
    hints = [line for line in err.splitlines() if "_zh' is read as zh-Hans" in line]
    assert len(hints) == 18
    assert hints[0] == f"{path}:16:3: hint: 'title_zh' is read as zh-Hans; write title: {{en: ..., zh-Hans: ..., zh-Hant: ...}} to give each language"


def test_several_calendars_are_told_apart_by_their_names():
    two = CALENDAR.replace("  - id: cn-office\n", "  - id: cn-office\n    name: {en: Shanghai office hours, zh-Hans: 上海办公时间, zh-Hant: 上海辦公時間}\n") + (
        "  - id: hk-office\n    name: {en: Hong Kong office hours, zh-Hans: 香港办公时间, zh-Hant: 香港辦公時間}\n    timezone: Asia/Hong_Kong\n"
        "    hours: {mon: [\"09:00-17:00\"]}\n    holidays: {country: HK}\n")
    kpis = RESPONSE + "  - {id: p2, kind: response_time, severity: P2, target: 4h, calendar: hk-office}\n"
    text = md(policy(two, kpis=kpis), "zh-Hant")
    assert "工作時間（上海辦公時間）為按北京時間（UTC+08:00）計算的下列時間，中華人民共和國法定節假日除外：" in text
    assert "工作時間（香港辦公時間）為按香港時間（UTC+08:00）計算的下列時間，香港特別行政區公眾假期除外：" in text


def test_the_word_schedule_writes_its_version_line_with_full_width_colons(tmp_path):
    import docx

    from slagen.api import load_policy, render_clauses

    policy = load_policy(ROOT / "examples/dingtalk-enterprise.yaml")
    for lang, line in (("zh-Hans", "版本：2026.1    生效日期：2026-01-01"), ("zh-Hant", "版本：2026.1    生效日期：2026-01-01"),
                       ("en", "Version: 2026.1    Effective date: 2026-01-01")):
        path = render_clauses(policy, tmp_path / f"{lang}.docx", lang=lang)
        assert line in [p.text for p in docx.Document(path).paragraphs], lang


@pytest.mark.parametrize("zone, en, hans, hant", [
    ("Asia/Hong_Kong", "Hong Kong Time (UTC+08:00)", "香港时间（UTC+08:00）", "香港時間（UTC+08:00）"),
    # CLDR's Hong Kong data says 夏令時間 (summer time) for India, which has none
    ("Asia/Kolkata", "India Time (UTC+05:30)", "印度时间（UTC+05:30）", "印度時間（UTC+05:30）"),
    # no Latin city inside Chinese text, no "Unknown Region": the offsets alone
    ("Europe/Kyiv", "Ukraine (Kyiv) Time (UTC+02:00; UTC+03:00 during daylight saving time)", "UTC+02:00；夏令时期间为UTC+03:00", "UTC+02:00；夏令時間期間為UTC+03:00"),
    ("Etc/GMT+5", "UTC−05:00", "UTC−05:00", "UTC−05:00"),
])
def test_zones_are_named_as_readers_name_them(zone, en, hans, hant):
    from slagen.render.places import zone_name

    assert [zone_name(zone, lang) for lang in ("en", "zh-Hans", "zh-Hant")] == [en, hans, hant]
