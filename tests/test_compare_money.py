"""Procurement that decides: money in one currency, every credit form in money, one buyer's
loss, windows on one basis, readable terms, languages, weights, a real history replayed.

Every figure is worked out by hand in the comment beside it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from functools import lru_cache

import pytest

from slagen.compare.build import Loss, compare, credit_curve, price
from slagen.compare.fx import parse_rates
from slagen.compare.render import marks, render, render_table, unverified_notes
from slagen.compare.scenarios import builtin_scenarios
from slagen.errors import PolicyErrors, UsageError
from slagen.policy.load import load_policy

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
RATES = ROOT / "examples/fx/usd-2026-11.yaml"
RATES_TEXT = 'date: 2026-11-20\nsource: "test rates"\nrates:\n  HKD: "0.12825"\n  CNY: "0.1385"\n'


def pol(name: str):
    return load_policy(ROOT / f"policies/{name}.yaml") if name != "dingtalk" else load_policy(DINGTALK)


def scenario(sid: str):
    return next(s for s in builtin_scenarios() if s.id == sid)


@lru_cache(maxsize=None)
def usd_messaging():
    """DingTalk (HKD), Teams (USD), Slack (USD, quarterly), Google Workspace (USD, days) in USD, 3 h of messaging, USD 500/min."""
    rates = parse_rates(RATES_TEXT, "rates.yaml", "USD")
    return compare([pol("dingtalk"), pol("microsoft-teams"), pol("slack"), pol("google-workspace")], [scenario("messaging-3h")], currency="USD",
                   rates=rates, loss_per_minute=Loss(Decimal(500), "USD", "test"), curves=False)


def out(c, vendor: str):
    i = [v.label for v in c.vendors].index(vendor)
    return c.scenarios[0].outcomes[i]


def test_conversion_multiplies_every_amount_and_rounds_once_in_the_target_currency():
    c = usd_messaging()
    ding = out(c, "dingtalk-enterprise-2026")
    # 180 min - 43.2 allowed = 136.8 -> 137 started minutes x HKD 100 x 0.12825 = USD 1,757.025 -> 1,757.03 (half-up, once).
    # Rounding the per-minute rate first (USD 12.83) would give 1,757.71; rounding HKD 13,700.00 first gives the same 1,757.03.
    assert ding.currency == "USD" and ding.credit == Decimal("1757.03")
    vendor = c.vendors[0]
    assert vendor.rate == Decimal("0.12825") and vendor.fee == Decimal("80000.00") * Decimal("0.12825")  # USD 10,260 a month
    terms = {r.key: r for r in c.terms}
    assert terms["minimum_payout"].values[0] == "USD 1.28 (HKD 10.00 × 0.12825)"  # 1.2825 shown to the cent, the exact figure kept
    assert terms["minimum_payout"].numbers[0] == Decimal("1.2825000")
    assert "USD 12.83 (HKD 100.00 × 0.12825) per started 1m" in terms["schedule"].values[0]
    assert any("test rates" in n and "1 HKD = 0.12825 USD" in n for n in c.notes)


def test_service_days_are_valued_at_the_daily_fee_on_the_curve_and_in_the_marks():
    google = out(usd_messaging(), "google-workspace")
    # November 2026 in Los Angeles: 30 days, 43,260 min (DST ends 1 Nov). 180 min -> 99.5839 % -> 3 days of service.
    # Daily fee = USD 3,600 / 30 days = 120; 3 days = USD 360.00 = 10 % of the month's fee.
    assert google.credit_days == 3 and google.daily_fee == Decimal(120) and google.credit == Decimal("360.00")
    assert google.credit_percent == Decimal(10)
    # the curve in money: 99.5 % -> 3 days = 10 %; 98.0 % -> 7 days = 840 / 3,600 = 23.33 %; 94.0 % -> 15 days (cap 15) = 50 %
    curve = dict(credit_curve(pol("google-workspace")))
    assert curve[Decimal("99.5")] == Decimal(10) and curve[Decimal("94.0")] == Decimal(50)
    assert curve[Decimal("98.0")].quantize(Decimal("0.01")) == Decimal("23.33") and curve[Decimal("99.9")] == 0
    # in the row's marks it is money like any other: 360.00 beats Slack's 203.80
    row = next(r for r in usd_messaging().scenario_rows() if r.key == "messaging-3h/credit")
    best, worst = marks(row)
    labels = [v.label for v in usd_messaging().vendors]
    assert labels.index("slack-2024-06") in worst and labels.index("dingtalk-enterprise-2026") in best  # 1,757.03 > 1,500 > 360 > 203.80


def test_the_buyer_loses_the_same_whatever_the_vendor_and_exposure_is_loss_minus_credit():
    c = usd_messaging()
    teams, ding, slack = (out(c, v) for v in ("microsoft-teams-online-services", "dingtalk-enterprise-2026", "slack-2024-06"))
    # 180 real minutes x USD 500 = USD 90,000 for every vendor
    assert teams.downtime_cost == ding.downtime_cost == slack.downtime_cost == Decimal("90000.00")
    assert teams.credit == Decimal("1500.00") and teams.uncovered == Decimal("88500.00")  # 25 % of 6,000
    assert ding.uncovered == Decimal("88242.97")  # 90,000 - 1,757.03
    # a loss in HKD is converted at the same rate: HKD 1,000/min x 0.12825 = USD 128.25 x 180 = USD 23,085.00
    rates = parse_rates(RATES_TEXT, "rates.yaml", "USD")
    hkd = compare([pol("microsoft-teams")], [scenario("messaging-3h")], currency="USD", rates=rates, loss_per_minute=Loss(Decimal(1000), "HKD", "t"), curves=False)
    assert hkd.scenarios[0].outcomes[0].downtime_cost == Decimal("23085.00")
    assert any("USD 128.25 (HKD 1,000.00 × 0.12825) per minute" in n for n in hkd.notes)


def test_a_quarterly_vendor_in_a_monthly_scenario_is_evaluated_over_its_quarter_and_says_so():
    c = usd_messaging()
    slack = out(c, "slack-2024-06")
    # 2026-Q4 in UTC: 92 days = 132,480 min; 180 down -> 99.8641 %; 10 x USD 15,000 (3 months) x 180 / 132,480 = 203.804 -> 203.80
    assert slack.window == "2026-Q4" and not slack.window_covers_month and slack.fee_months == 3
    assert slack.credit == Decimal("203.80") and slack.availability.quantize(Decimal("0.0001")) == Decimal("99.8641")
    rows = {r.key: r for r in c.scenario_rows()}
    i = [v.label for v in c.vendors].index("slack-2024-06")
    assert "2026-Q4: the calendar quarter containing 2026-11, its other months clean" in rows["messaging-3h/availability"].values[i]
    # per month-equivalent: 203.80 / 3 = 67.93; allowed 0.01 % of 132,480 = 13.248 min in the quarter, 4.416 a month
    assert rows["messaging-3h/credit_month_eq"].values[i] == "USD 67.93"
    assert rows["messaging-3h/allowed_window"].numbers[i] == Decimal("13.248") and rows["messaging-3h/allowed_month_eq"].numbers[i] == Decimal("4.416")


def test_atlassian_pays_each_product_on_its_own_fee():
    # 45 min on Jira and Confluence (both 'app'): each 99.8958 % -> 10 % of its own fee: 240 + 160 = USD 400 = 10 % of 4,000, not 20 %
    c = compare([pol("atlassian-cloud-premium")], [scenario("app-45m")], curves=False)
    o = c.scenarios[0].outcomes[0]
    assert o.credit == Decimal("400.00") and o.credit_percent == Decimal(10)
    assert len([r for r in o.reasons if "Monthly Uptime Percentage" in r]) == 2  # each product's event, labelled with its KPI
    schedule = next(r for r in c.terms if r.key == "schedule").values[0]
    assert schedule.startswith("Monthly Uptime Percentage (Jira): less than 99.9%") and "| Monthly Uptime Percentage (Confluence):" in schedule
    # with a common fee the products keep their shares (60 % / 40 %), so 45 min is still 10 %
    common = compare([pol("atlassian-cloud-premium")], [scenario("app-45m")], fee=Decimal(10000), curves=False)
    assert common.scenarios[0].outcomes[0].credit == Decimal("1000.00")


def test_every_reason_is_listed():
    # maintenance-5h: DingTalk excludes noticed maintenance within its cap; each trace line and credit step is a line
    c = compare([pol("dingtalk")], [scenario("maintenance-5h"), scenario("messaging-3h")], curves=False)
    ding = c.scenarios[1].outcomes[0]
    assert ding.reasons[0].startswith("messaging-3h-1: 180 min counted")
    assert any(r.startswith("per-minute: 136.80 min beyond the allowance") for r in ding.reasons)
    assert ding.reasons[-1] == "credit owed: HKD 13,700.00"


def test_without_rates_nothing_is_marked_across_currencies_and_the_row_says_why():
    c = compare([pol("dingtalk"), pol("microsoft-teams")], [scenario("messaging-3h")], curves=False)
    row = next(r for r in c.scenario_rows() if r.key == "messaging-3h/credit")
    assert marks(row) == (set(), set()) and row.unit_problem() == ("HKD", "USD")
    text = render(c, "md").decode()
    assert "| Credit in money (not marked: amounts in HKD, USD and no exchange rates (--fx)) |" in text and "No exchange rates given" in text
    pct = next(r for r in c.scenario_rows() if r.key == "messaging-3h/credit_pct")
    assert marks(pct) != (set(), set())  # a share of each one's own fee compares


def test_csv_has_separate_value_unit_and_mark_columns_with_plain_numbers():
    rows = list(csv.DictReader(io.StringIO(render(usd_messaging(), "csv").decode())))
    credit = [r for r in rows if r["term"] == "Credit in money"]
    ding = next(r for r in credit if r["vendor"] == "dingtalk-enterprise-2026")
    assert ding["value"] == "1757.03" and ding["unit"] == "USD" and ding["mark"] == "best" and ding["text"] == "USD 1,757.03"
    assert sorted(credit, key=lambda r: Decimal(r["value"]))[0]["vendor"] == "slack-2024-06"
    google = next(r for r in rows if r["term"] == "Credit schedule" and r["vendor"] == "google-workspace")
    assert "Cloud Identity" in google["unverified"] and "†" not in google["text"]


def test_unverified_policy_fields_are_marked_with_their_note():
    c = usd_messaging()
    schedule = next(r for r in c.terms if r.key == "schedule")
    i = [v.label for v in c.vendors].index("google-workspace")
    assert "inferred for Workspace" in schedule.unverified[i]
    assert any("google-workspace: the 3/7/15-day table" in n for n in unverified_notes(c))
    md = render(c, "md").decode()
    assert "† the policy marks this figure" in md and "3 days (≈ USD 360.00 in a 30-day month); less" in md


def test_comparison_in_chinese_takes_every_word_from_the_catalogue():
    c = compare([pol("dingtalk"), pol("slack")], [scenario("messaging-3h")], currency="USD", rates=parse_rates(RATES_TEXT, "r.yaml", "USD"), lang="zh-Hans", curves=False)
    md = "\n".join(line for line in render(c, "md").decode().splitlines() if not line.startswith("†"))  # notes quote the policy
    assert md.startswith("# 供应商SLA比较") and "按该供应商计算的可用性" in md and "包含 2026-11 的" in md and "汇率日期 2026-11-20" in md
    assert "## 工作日消息服务全面中断 3 小时" in md  # a built-in scenario's title from the catalogue
    for english in ("not stated", "Availability as counted", "Credit schedule", "Allowed downtime", "excluded", "outage of messaging"):
        assert english not in md
    hant = compare([pol("slack")], [scenario("messaging-3h")], lang="zh-Hant", curves=False)
    assert "未說明" in render(hant, "md").decode()


def test_weights_add_a_documented_score_row(tmp_path):
    from slagen.compare.weights import parse_weights

    c = usd_messaging()
    weights = parse_weights("weights:\n  objective: 1\n  messaging-3h/credit: 3\n", "w.yaml")
    scored = compare([pol("dingtalk"), pol("microsoft-teams"), pol("slack"), pol("google-workspace")], [scenario("messaging-3h")], currency="USD",
                     rates=parse_rates(RATES_TEXT, "rates.yaml", "USD"), loss_per_minute=Loss(Decimal(500), "USD", "t"), curves=False, weights=weights)
    data = json.loads(render(scored, "json"))
    score = data["weights"]["score"]
    # objective: Slack 99.99 best (100), the three at 99.9 worst (0). Credit: DingTalk 1,757.03 = 100, Slack 203.80 = 0,
    # Teams (1,500 - 203.80) / (1,757.03 - 203.80) = 83.45. Slack: (100 x 1 + 0 x 3) / 4 = 25.0; Teams: 83.45 x 3 / 4 = 62.6; DingTalk 75.0
    assert score["values"] == ["75.0", "62.6", "25.0", "7.5"]  # Google: (360 - 203.80) / 1,553.23 = 10.06 x 3 / 4 = 7.54
    assert "weighted_score" == score["key"]
    assert not any(r["key"] == "weighted_score" for r in json.loads(render(c, "json"))["terms"])  # no weights, no score


@pytest.mark.parametrize("text, message", [
    ("weights: {nonsense: 1}\n", "w.yaml:1:21: 'nonsense' is not a row of this comparison"),
    ("weights:\n  objective: -2\n", "w.yaml:2:14: weight of 'objective' is -2: a weight must be above zero"),
    ("weights:\n  provider: 1\n", "w.yaml:2:13: 'provider' has no best or worst"),
    ("weights:\n  objective: lots\n", "w.yaml:2:14: weight of 'objective': 'lots' is not a number"),
    ("weigths: {objective: 1}\n", "w.yaml:1:1: a weights file is weights:"),
])
def test_bad_weights_name_file_and_line(text, message):
    from slagen.compare.weights import check_weights, parse_weights

    with pytest.raises(PolicyErrors) as err:
        check_weights(parse_weights(text, "w.yaml"), usd_messaging())
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize("text, message", [
    ('date: 2026-11-20\nsource: s\nrates:\n  HKD: "-0.1"\n', "r.yaml:4:8: rate for HKD: '-0.1' is not a non-negative amount"),
    ('date: 2026-11-20\nsource: s\nrates:\n  HKD: 0\n', "r.yaml:4:8: rate for HKD is 0: a rate must be above zero"),
    ('date: 2026-11-20\nsource: s\nrates:\n  HKD: "1/8"\n', "r.yaml:4:8: rate for HKD: '1/8' is not an amount"),
    ('date: 2026-11-20\nsource: s\nrates:\n  hkd: "0.1"\n', "r.yaml:4:8: 'hkd' is not a currency code"),
    ('date: someday\nsource: s\nrates: {HKD: "0.1"}\n', "r.yaml:1:7: 'someday' is not a date"),
    ('source: s\nrates: {HKD: "0.1"}\n', "r.yaml:1:1: missing 'date'"),
    ('date: 2026-11-20\nsource: s\nrates: {HKD: "0.1"}\nrate: {CNY: 1}\n', "r.yaml:4:7: unknown key 'rate'"),
])
def test_bad_rates_files_name_file_and_line(text, message):
    with pytest.raises(PolicyErrors) as err:
        parse_rates(text, "r.yaml", "USD")
    assert str(err.value).startswith(message), str(err.value)


def test_a_missing_rate_is_an_error_in_the_rates_file_and_no_rates_a_usage_error(run_main, tmp_path):
    rates = tmp_path / "rates.yaml"
    rates.write_text('date: 2026-11-20\nsource: s\nrates:\n  CNY: "0.1385"\n')
    code, _, err = run_main("compare", DINGTALK, "--currency", "USD", "--fx", rates)
    assert code == 1 and f"{rates}:4:1: no rate for HKD (needed by {DINGTALK})" in err and "Traceback" not in err
    with pytest.raises(UsageError, match="--currency USD needs --fx FILE with a rate for HKD"):
        price([pol("dingtalk")], "USD")
    code, _, err = run_main("compare", DINGTALK, "--currency", "USD", "--fx", rates, "--loss-per-minute", "5", "JPY")
    assert code == 1 and "no rate for HKD" in err
    assert run_main("compare", DINGTALK, "--loss-per-minute", "5", "dollars")[0] == 2
    assert run_main("compare", DINGTALK, "--fx", rates)[0] == 2  # rates need --currency
    code, _, err = run_main("compare", ROOT / "policies/slack.yaml", "--currency", "USD", "--fx", rates, "--loss-per-minute", "5", "HKD")
    assert code == 1 and "no rate for HKD (needed by --loss-per-minute)" in err


def test_scenario_loss_carries_its_currency(tmp_path):
    from slagen.compare.scenarios import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text("slagen_scenario: 1\nid: s\ntitle: t\nloss_per_minute: {amount: \"1000\", currency: HKD}\n"
                    "events:\n  - {affects: all, start: '2026-11-03T10:00', duration: 1h}\n")
    s = load_scenario(path)
    c = compare([pol("microsoft-teams")], [s], currency="USD", rates=parse_rates(RATES_TEXT, "r.yaml", "USD"), curves=False)
    assert c.scenarios[0].outcomes[0].downtime_cost == Decimal("7695.00")  # 60 min x HKD 1,000 x 0.12825
    bare = tmp_path / "b.yaml"
    bare.write_text("slagen_scenario: 1\nid: b\ntitle: t\nloss_per_minute: \"10\"\nevents:\n  - {affects: all, start: '2026-11-03T10:00', duration: 1h}\n")
    with pytest.raises(UsageError, match="loss_per_minute has no currency and the policies are in HKD, USD"):
        compare([pol("dingtalk"), pol("slack")], [load_scenario(bare)], curves=False)


HISTORY = """slagen_history: 1
title: GitHub status page
incidents: {file: github.json, format: statuspage, on_bad_record: skip}
roles:
  Git Operations: [git]
  API Requests: [api]
  Issues: [app]
  Pull Requests: [app]
  Webhooks: [webhooks]
"""


@pytest.fixture(scope="module")
def github_history(tmp_path_factory):
    from .conftest import REAL

    source = REAL / "githubstatus_incidents_2019-2023.statuspage.json"
    if not source.is_file():
        pytest.skip(f"shared real-incident data not found at {REAL} (set SLAGEN_SHARED)")
    folder = tmp_path_factory.mktemp("history")
    shutil.copyfile(source, folder / "github.json")
    (folder / "github.history.yaml").write_text(HISTORY)
    return folder / "github.history.yaml"


def test_history_replay_of_a_real_month_by_hand(github_history):
    from slagen.compare.history import load_history

    history = load_history(github_history, "2022-10", "2022-10")
    c = compare([pol("microsoft-teams"), pol("google-workspace")], [], currency="USD", loss_per_minute=Loss(Decimal(100), "USD", "t"),
                curves=False, history=history)
    h = c.history
    # October 2022: the only outage on a mapped component is qd7z2cytghrd, Issues partial_outage
    # 2022-10-26 00:52:13.611 -> 02:34:09.244 UTC = 6,115.633 s = 101.92721666 min (app -> Teams' Instant
    # messaging, Google's Gmail; partial outages count in full by default).
    assert h.real_minutes == Decimal("6115.633") / 60
    # Teams: 44,640 min in October -> 99.7717 % -> less than 99.9 but at least 99.0: 25 % of 6,000 = 1,500.00
    # Google (Los Angeles, October 2022 has 31 days, no DST change): 3 days at 3,600 / 31 = 348.387 -> 348.39
    assert h.windows == (1, 1) and h.breached == (1, 1)
    assert h.credits == (Decimal("1500.00"), Decimal("348.39"))
    # the buyer: 101.92721666 min x USD 100 = 10,192.72, the same for both; exposure = loss - credit
    assert h.cost == (Decimal("10192.72"), Decimal("10192.72"))
    assert h.exposure == (Decimal("8692.72"), Decimal("9844.33"))
    rows = {r.key: r for r in c.history_rows()}
    assert rows["history/breached"].values[0] == "1 of 1 (calendar month)" and rows["history/credits"].values[1] == "USD 348.39"


def test_history_replay_over_three_years_from_the_cli(github_history, run_main):
    code, out, err = run_main("compare", ROOT / "policies/microsoft-teams.yaml", ROOT / "policies/slack.yaml", "--scenario", ROOT / "slagen/scenarios/app-45m.yaml",
                              "--history", github_history, "--from", "2021-01", "--to", "2023-12", "--loss-per-minute", "100", "USD", "--format", "json")
    assert code == 0, err
    history = {r["key"]: r for r in json.loads(out)["history"]}
    teams, slack = history["history/breached"]["values"]
    assert teams.endswith("of 36 (calendar month)") and slack.endswith("of 12 (calendar quarter)")
    credits = [Decimal(n) for n in history["history/credits"]["numbers"]]
    assert credits[0] >= Decimal("1500.00")  # at least October 2022
    assert run_main("compare", ROOT / "policies/slack.yaml", "--history", github_history)[0] == 2  # needs --from/--to
    assert run_main("compare", ROOT / "policies/slack.yaml", "--history", github_history, "--from", "2023-12", "--to", "2023-01")[0] == 2


def test_bad_history_file_names_file_and_line(tmp_path):
    from slagen.compare.history import load_history

    path = tmp_path / "h.yaml"
    path.write_text("slagen_history: 1\nincidents: {file: ../elsewhere.json}\nroles:\n  Issues: 3\n")
    with pytest.raises(PolicyErrors) as err:
        load_history(path, "2022-01", "2022-02")
    text = str(err.value)
    assert f"{path}:2:" in text and "'..'" in text and f"{path}:4:11: roles of 'Issues'" in text


def test_every_credit_form_values_itself_in_money_and_words_its_schedule():
    from slagen.kinds.credit_forms import CREDIT_FORMS
    from slagen.render.messages import LANGS, Messages

    for s in builtin_scenarios():
        assert all(Messages(lang).has(f"compare.scenario.{s.id}") for lang in LANGS), s.id
    for form in CREDIT_FORMS.values():
        assert form.PAYS in ("money", "days") and callable(form.money) and callable(form.schedule), form.ID
        for lang in LANGS:
            assert Messages(lang).has(f"compare.form.{form.ID}"), (form.ID, lang)
    # a service-days form pays days: 3 days at USD 120 a day; a money form pays its amount
    assert CREDIT_FORMS["service_days"].money(None, 3, Decimal(120)) == Decimal(360)
    assert CREDIT_FORMS["per_period"].money(Decimal("1757.025"), None, Decimal(120)) == Decimal("1757.025")


def test_word_comparison_in_traditional_chinese_reads_back():
    from docx import Document

    c = compare([pol("dingtalk"), pol("slack")], [scenario("messaging-3h")], currency="USD", rates=parse_rates(RATES_TEXT, "r.yaml", "USD"),
                lang="zh-Hant", curves=False)
    doc = Document(io.BytesIO(render(c, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "供應商SLA比較" in text and "匯率日期 2026-11-20（來源：test rates）" in text
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "USD 1,757.03 ▲" in cells and "賠償金額" in cells


def test_the_bundled_policies_and_dingtalk_compare_in_usd_and_without_rates_mark_nothing_across_currencies():
    import re

    names = ["atlassian-cloud-premium", "aws-ec2-instance", "aws-ec2-region", "github-enterprise-cloud", "google-workspace", "microsoft-teams", "slack", "dingtalk"]
    policies = [pol(n) for n in names]
    scenarios = [scenario("month-98.5")]
    rates = parse_rates(RATES.read_bytes(), str(RATES), "USD")
    usd = compare(policies, scenarios, currency="USD", rates=rates, loss_per_minute=Loss(Decimal(500), "USD", "t"), curves=False)
    md = render(usd, "md").decode()
    assert "Rates of 2026-11-20 (Example rates for the slagen demo" in md and "1 HKD = 0.1282 USD" in md
    # every amount is in USD; HKD appears only as the original beside its converted figure
    for match in re.finditer(r"HKD [\d,.]+", md):
        assert re.search(r"USD [\d,.]+ \(HKD [\d,.]+ × 0\.1282\)", md[max(0, match.start() - 40): match.end() + 12]), md[match.start() - 40: match.end() + 12]
    assert {v.currency for v in usd.vendors} == {"USD"}
    rows = list(usd.terms) + usd.scenario_rows()
    assert all(not r.unit_problem() for r in rows)
    credit = next(r for r in rows if r.key == "month-98.5/credit")
    # DingTalk at 98.5 %: capped at 50 % of HKD 80,000 x 0.1282 = USD 5,128.00; GitHub 10 % of 3 x 21,000 = 6,300.00 (best)
    assert credit.numbers[-1] == Decimal("5128.00") and marks(credit)[0] == {names.index("github-enterprise-cloud")}
    own = compare(policies, scenarios, curves=False)
    for row in list(own.terms) + own.scenario_rows():
        if row.unit_problem():
            assert marks(row) == (set(), set()), row.label
    assert any(r.unit_problem() for r in own.scenario_rows())


def test_chinese_terminal_table_fits_100_columns_counting_wide_characters():
    import unicodedata

    c = compare([pol("dingtalk"), pol("slack"), pol("google-workspace"), pol("microsoft-teams")], [scenario("messaging-3h")], lang="zh-Hans", curves=False)
    lines = render_table(c).splitlines()
    assert max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines) <= 100
    assert any(line.startswith("赔偿金额") for line in lines)
