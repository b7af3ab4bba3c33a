"""The comparison in Chinese shows the names each policy gives in that language (provider,
KPIs, services, components, title) in every format; where a policy gives none, its English
stands in, marked as the clauses mark it, and the document says which vendors. JSON keeps
the same ids in every language."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache

import pytest

from slagen.compare.build import compare
from slagen.compare.render import render
from slagen.compare.scenarios import builtin_scenarios
from slagen.policy.load import load_policy

from .conftest import ROOT
from .language_checks import docx_text, simplified_characters

BUNDLED = sorted((ROOT / "policies").glob("*.yaml"))
SINGLE = ROOT / "tests/data/policies/dingtalk-single-language.yaml"  # English, and zh-Hans through the older *_zh fields: no zh-Hant
MARK = "〔英文原文〕"


@lru_cache(maxsize=None)
def policies():
    return tuple(load_policy(p) for p in BUNDLED)


@lru_cache(maxsize=None)
def comparison(lang: str):
    return compare(list(policies()), builtin_scenarios(), lang=lang, curves=False)


@lru_cache(maxsize=None)
def rendered(lang: str, fmt: str) -> bytes:
    return render(comparison(lang), fmt)


def names(lang: str) -> list[tuple[str, str]]:
    """(text in `lang`, English) of every KPI and component name (a service's own where it
    has no components) the bundled policies write differently in the two languages."""
    out = []
    for p in policies():
        texts = [k.name_text for k in p.kpis] + [s.name_text for s in p.services if not s.components] + [c.name_text for s in p.services for c in s.components]
        out.extend((t.get(lang), t.get("en")) for t in texts if t is not None and t.get(lang) and t.get(lang) != t.get("en"))
    return out


def without_policy_notes(text: str) -> str:
    """The document without the lines quoting a policy's own 'verified: false' notes (English)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("†"))


def test_bundled_policies_give_chinese_names():
    assert len(names("zh-Hans")) >= 10 and len(names("zh-Hant")) >= 10  # a test that can fail: the names differ from the English


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_comparison_shows_the_policies_chinese_names_in_md_csv_json_html(lang):
    md = without_policy_notes(rendered(lang, "md").decode())
    rows = list(csv.DictReader(io.StringIO(rendered(lang, "csv").decode())))
    data = json.loads(rendered(lang, "json"))
    html = rendered(lang, "html").decode()
    csv_text = "\n".join(r["text"] for r in rows)
    json_text = "\n".join(v for r in data["terms"] for v in r["values"]) + "\n"
    json_text += "\n".join(reason for s in data["scenarios"] for o in s["outcomes"] for reason in o["reasons"])
    shown = names(lang)
    for chinese, english in shown:
        for fmt, text in (("md", md), ("csv", csv_text), ("json", json_text), ("html", html)):
            assert chinese in text, (fmt, chinese)
            if any(english in other for other, _ in shown):  # 'Meet' inside 'Google Meet'
                continue
            assert f"{english} (" not in text and f"% {english}" not in text and f"{english}:" not in text, (fmt, english)
    assert MARK not in md  # every bundled policy names everything in Chinese
    for p in policies():
        title = p.agreement.title_text.get(lang)
        assert any(v["title"] == title and v["label"] == p.agreement.id for v in data["vendors"])
    assert "Monthly Uptime Percentage" not in md + csv_text + json_text  # the English KPI names are not shown


def test_json_keeps_the_same_ids_in_every_language():
    ids = {}
    for lang in ("en", "zh-Hans", "zh-Hant"):
        data = json.loads(rendered(lang, "json"))
        ids[lang] = ([v["label"] for v in data["vendors"]], [r["key"] for r in data["terms"]], [s["id"] for s in data["scenarios"]],
                     sorted(data["credit_curves"]))
    assert ids["en"] == ids["zh-Hans"] == ids["zh-Hant"]
    en = json.loads(rendered("en", "json"))
    hant = json.loads(rendered("zh-Hant", "json"))
    assert [v["provider"] for v in en["vendors"]] == [v["provider"] for v in hant["vendors"]]  # the bundled providers write their names alike
    assert en["vendors"][0]["title"] == "Atlassian Cloud Service Level Agreement (Premium)" and hant["vendors"][0]["title"] == "Atlassian雲端服務等級協議（Premium版）"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_comparison_pdf_and_docx_show_the_chinese_names(lang):
    from pypdf import PdfReader

    pdf = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered(lang, "pdf"))).pages))
    docx = docx_text(rendered(lang, "docx"))
    for chinese, english in names(lang):
        assert re.sub(r"\s+", "", chinese) in pdf, chinese
        assert chinese in docx, chinese
    assert "MonthlyUptimePercentage" not in pdf and "Monthly Uptime Percentage" not in docx


def test_traditional_comparison_has_no_simplified_only_character():
    from pypdf import PdfReader

    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered("zh-Hant", "pdf"))).pages)
    for text in (rendered("zh-Hant", "md").decode(), rendered("zh-Hant", "csv").decode(), rendered("zh-Hant", "json").decode(), pdf, docx_text(rendered("zh-Hant", "docx"))):
        assert simplified_characters(text) == []
    assert simplified_characters(rendered("zh-Hans", "md").decode())  # the check can fail: the Simplified document has them


def test_a_name_without_text_in_the_language_is_shown_in_english_marked():
    single = load_policy(SINGLE)
    slack = load_policy(ROOT / "policies/slack.yaml")
    hant = compare([single, slack], builtin_scenarios()[:1], lang="zh-Hant", curves=False)
    provider = next(r for r in hant.terms if r.key == "provider")
    assert provider.values == (f"{single.agreement.provider.name}{MARK}", "Slack Technologies, LLC")
    kpi = single.kpis[0]
    assert kpi.name_text.get("zh-Hant") is None and f"{kpi.name}{MARK}" in next(r for r in hant.terms if r.key == "objective").values[0]
    assert hant.vendors[0].untranslated and not hant.vendors[1].untranslated
    md = render(hant, "md").decode()
    assert f"以英文原文顯示，並標註{MARK}：{single.agreement.id}。" in md and "slack-2024-06。" not in md
    assert [v["untranslated"] for v in json.loads(render(hant, "json"))["vendors"]] == [True, False]
    # zh-Hans: the older *_zh fields give the Chinese names
    hans = compare([single], builtin_scenarios()[:1], lang="zh-Hans", curves=False)
    assert next(r for r in hans.terms if r.key == "provider").values == ("钉钉",)
    # English: nothing marked, no note
    en = render(compare([single, slack], builtin_scenarios()[:1], lang="en", curves=False), "md").decode()
    assert MARK not in en and "shown as written" not in en


def test_cli_compares_a_policy_lacking_the_language_without_error(run_main, tmp_path):
    out = tmp_path / "c.md"
    code, _, err = run_main("compare", str(SINGLE), str(ROOT / "policies/slack.yaml"), "--lang", "zh-Hant", "-o", str(out))
    assert code == 0, err
    assert f"DingTalk (Singapore) Private Limited{MARK}" in out.read_text(encoding="utf-8")


def test_notes_on_unverified_figures_and_zones_are_in_the_comparisons_language():
    """A policy's note on a figure it marks `verified: false` may be written per language
    (the bundled policies give all three); zones are named as readers name them, not by
    their IANA id."""
    from slagen.compare.build import compare
    from slagen.compare.render import render
    from slagen.compare.scenarios import builtin_scenarios
    from slagen.policy.load import load_policy

    from .conftest import ROOT

    policies = [load_policy(ROOT / "policies/google-workspace.yaml"), load_policy(ROOT / "policies/aws-ec2-region.yaml")]
    text = {lang: render(compare(policies, builtin_scenarios(), lang=lang), "md").decode() for lang in ("en", "zh-Hans", "zh-Hant")}
    assert "Google states no time zone; America/Los_Angeles assumed" in text["en"] and "Pacific Time (UTC−08:00" in text["en"]
    assert "Google未说明时区，按美国太平洋时间（America/Los_Angeles）处理" in text["zh-Hans"] and "美国太平洋时间（UTC−08:00" in text["zh-Hans"]
    assert "示例數字，並非AWS定價" in text["zh-Hant"] and "example figure" not in text["zh-Hant"]
    assert "自然月, America" not in text["zh-Hans"]
    assert "（计算、网络）" in text["zh-Hans"] and "（運算、網絡）" in text["zh-Hant"] and "(compute, network)" in text["en"]  # component roles, worded


def test_a_note_stands_in_marked_only_when_it_is_the_english(tmp_path):
    """A note written only in English stands in a Chinese comparison marked 〔英文原文〕 and its
    vendor is named as untranslated; a note written only in Simplified Chinese is not passed
    off as the English original in a Traditional Chinese one."""
    from slagen.compare.build import compare
    from slagen.compare.render import render
    from slagen.compare.scenarios import builtin_scenarios
    from slagen.policy.load import load_policy

    from .conftest import ROOT

    source = (ROOT / "policies/aws-ec2-region.yaml").read_text()
    note = 'note: {en: "example figure, not AWS pricing", zh-Hans: "示例数字，并非AWS定价", zh-Hant: "示例數字，並非AWS定價"}'
    assert note in source
    english, simplified = tmp_path / "en-note.yaml", tmp_path / "hans-note.yaml"
    english.write_text(source.replace(note, 'note: "example figure, not AWS pricing"'))
    simplified.write_text(source.replace(note, 'note: {zh-Hans: "只有简体"}'))
    hans = compare([load_policy(english)], builtin_scenarios(), lang="zh-Hans")
    assert "example figure, not AWS pricing〔英文原文〕" in render(hans, "md").decode() and hans.vendors[0].untranslated
    hant = render(compare([load_policy(simplified)], builtin_scenarios(), lang="zh-Hant"), "md").decode()
    assert "只有简体" in hant and "只有简体〔英文原文〕" not in hant
