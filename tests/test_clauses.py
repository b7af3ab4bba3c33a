"""Clause generator: wording of numbers, every policy in every language and format read back,
numbering that closes up, cross-references, byte-identical output, overrides and errors."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from .conftest import ROOT
from .language_checks import check as check_language, docx_text
from slagen.clauses.build import build
from slagen.clauses.render import render_clauses
from slagen.errors import RenderError
from slagen.policy.load import load_policy, parse_policy
from slagen.policy.model import Tier
from slagen.render.words import Words

POLICIES = sorted((ROOT / "policies").glob("*.yaml")) + [ROOT / "examples/dingtalk-enterprise.yaml"]
LANGS = ("en", "zh-Hans", "zh-Hant", "en+zh-Hans")
# a clause heading's number, as a contract in each language writes it: "3. Definitions", "第3条 定义"
HEADING = {"en": r"(\d+)\.", "zh-Hans": r"第(\d+)条", "zh-Hant": r"第(\d+)條"}


def shown(lang: str, n: int) -> str:
    """Clause n's heading number in `lang`: '3.' / '第3条' / '第3條'."""
    return {"en": f"{n}.", "zh-Hans": f"第{n}条", "zh-Hant": f"第{n}條"}[lang]
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"


@lru_cache(maxsize=None)
def rendered(path: Path, lang: str, fmt: str) -> bytes:
    return render_clauses(load_policy(path), lang, fmt)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout does."""
    return re.sub(r"\s+", "", text)


# --- numbers in words ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, percent, minutes, hours, count",
    [
        ("en", "ninety-nine point nine percent (99.9%)", "fifteen (15) minutes", "seventy-two (72) hours", "twelve (12)"),
        ("zh-Hans", "百分之九十九点九（99.9%）", "十五（15）分钟", "七十二（72）小时", "十二（12）"),
        ("zh-Hant", "百分之九十九點九（99.9%）", "十五（15）分鐘", "七十二（72）小時", "十二（12）"),
    ],
)
def test_numbers_are_worded_as_contracts_word_them(lang, percent, minutes, hours, count):
    w = Words(lang)
    assert w.percent(Decimal("99.9")) == percent
    assert w.duration(timedelta(minutes=15)) == minutes
    assert w.duration(timedelta(hours=72)) == hours
    assert w.count(12) == count


def test_singular_units_large_numbers_and_money():
    w = Words("en")
    assert w.duration(timedelta(minutes=1)) == "one (1) minute"
    assert w.duration(timedelta(days=30)) == "thirty (30) days"
    assert w.duration(timedelta(seconds=90)) == "ninety (90) seconds"
    assert w.count(10000) == "ten thousand (10,000)"
    assert w.percent(Decimal("99.95")) == "ninety-nine point nine five percent (99.95%)"
    assert w.percent(Decimal("100")) == "one hundred percent (100%)"
    assert w.money(Decimal("1234567.5"), "HKD") == "HKD 1,234,567.50"
    assert Words("zh-Hans").count(10000) == "一万（10,000）"
    assert Words("zh-Hant").count(10000) == "一萬（10,000）"


@pytest.mark.parametrize(
    "tier, en, hans, hant",
    [
        (Tier(Decimal("99.0"), True, Decimal("99.9"), False, Decimal(10)), "less than 99.9% but at least 99.0%", "低于99.9%但不低于99.0%", "低於99.9%但不低於99.0%"),
        (Tier(Decimal("99.0"), False, Decimal("99.9"), True, Decimal(10)), "at most 99.9% but more than 99.0%", "不高于99.9%但高于99.0%", "不高於99.9%但高於99.0%"),
        (Tier(Decimal(0), True, Decimal("95.0"), False, Decimal(100)), "less than 95.0%", "低于95.0%", "低於95.0%"),
    ],
)
def test_tier_bands_state_the_engine_boundary_rule(tier, en, hans, hant):
    assert Words("en").band(tier) == en == tier.describe()
    assert Words("zh-Hans").band(tier) == hans
    assert Words("zh-Hant").band(tier) == hant
    # the words agree with the engine's own test at both bounds
    assert tier.contains(tier.upper) == ("at most" in en)
    assert tier.contains(tier.lower) == ("at least" in en or tier.lower == 0)


# --- every policy, every language, every format ------------------------------------------


def _tier_rules(policy):
    return [r for r in (policy.credits.rules if policy.credits else ()) if r.kind in ("tiers", "service_days")]


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", LANGS)
def test_markdown_states_the_policy_and_numbers_consecutively(path, lang):
    policy = load_policy(path)
    text = rendered(path, lang, "md").decode()
    heading = " / ".join(HEADING[part] + " [^/\n]+" for part in lang.split("+"))  # side by side: "3. Measurement / 第3条 计量"
    found = re.findall(rf"^## {heading}$", text, re.M)
    assert len(found) == text.count("\n## ")
    numbers = [int(n) for n in (found if "+" not in lang else [a for a, b in found if a == b])]
    assert numbers == list(range(1, len(found) + 1)) and len(numbers) >= 4
    for part in lang.split("+"):
        w = Words(part)
        for kpi in policy.kpis:
            if kpi.kind == "availability":
                assert w.percent(kpi.objective) in text
            if kpi.target is not None:
                assert w.duration(kpi.target) in text
        for rule in _tier_rules(policy):
            for tier in rule.tiers:
                assert w.band(tier) in text
    # every "Clause n" reference points at a clause that exists
    for n in re.findall(r"Clause (\d+)|第(\d+)[条條]", text):
        assert 1 <= int("".join(n)) <= len(numbers)
    check_language(text, lang)  # a Chinese schedule has no English words; zh-Hant no Simplified character


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", LANGS)
def test_docx_credit_table_and_properties_read_back(path, lang):
    from docx import Document

    from .docx_checks import check_docx

    policy = load_policy(path)
    doc = Document(io.BytesIO(rendered(path, lang, "docx")))
    check_docx(rendered(path, lang, "docx"), f"{path.stem} {lang}")  # tables fit, no word split, REF fields to bookmarks
    assert doc.core_properties.author == "slagen" and doc.core_properties.language == {"en": "en", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}[lang.split("+")[0]]
    assert doc.core_properties.title.startswith(policy.agreement.title_text.get(lang) if lang.startswith("zh") else policy.agreement.title)
    assert doc.core_properties.version == (policy.agreement.version or "")
    assert doc.core_properties.created.date() == policy.agreement.effective_date
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == len(build(policy, lang)[0].clauses)

    def all_tables(tables):
        for table in tables:
            yield table
            for row in table.rows:
                for cell in row.cells:
                    yield from all_tables(cell.tables)

    check_language(docx_text(rendered(path, lang, "docx")), lang)
    rows = {tuple(c.text for c in row.cells) for t in all_tables(doc.tables) for row in t.rows}
    for part in lang.split("+"):
        w = Words(part)
        for rule in _tier_rules(policy):
            for tier in rule.tiers:
                value = f"{w.digits(tier.credit)}%" if rule.kind == "tiers" else w.count(tier.days)
                assert (w.band(tier), value) in rows


def test_docx_uses_real_word_numbering_and_styles():
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(rendered(DINGTALK, "en", "docx")))
    styles = {s.name: s for s in doc.styles}
    for name, level in (("Heading 1", "0"), ("Sub-clause", "1"), ("Clause Item", "2")):
        numpr = styles[name].element.pPr.find(qn("w:numPr"))
        assert numpr is not None and numpr.find(qn("w:ilvl")).get(qn("w:val")) == level
    numbering = doc.part.numbering_part.element.xml
    assert 'w:val="%1.%2"' in numbering and 'w:val="(%3)"' in numbering
    # numbers come from Word, not typed into the text
    subs = [p.text for p in doc.paragraphs if p.style.name == "Sub-clause"]
    assert subs and not any(re.match(r"\d+\.\d+", t) for t in subs)
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "NUMPAGES" in footer and " PAGE " in footer


PDF_POLICIES = [DINGTALK, ROOT / "policies/aws-ec2-region.yaml", ROOT / "policies/google-workspace.yaml", ROOT / "policies/github-enterprise-cloud.yaml"]


# every language on the richest policy, and each other policy in one language (the PDF is the
# same document model the Markdown and DOCX tests read back for every policy and language)
PDF_CASES = [(DINGTALK, lang) for lang in LANGS] + list(zip(PDF_POLICIES[1:], ("en", "zh-Hant", "en+zh-Hant")))


@pytest.mark.parametrize(("path", "lang"), PDF_CASES, ids=lambda v: v.stem if hasattr(v, "stem") else v)
def test_pdf_text_states_tiers_targets_and_deadlines(path, lang):
    from pypdf import PdfReader

    policy = load_policy(path)
    data = rendered(path, lang, "pdf")
    reader = PdfReader(io.BytesIO(data))
    text = squash(pdf_text(data))
    check_language(pdf_text(data), lang)
    pages = len(reader.pages)
    if lang.startswith("zh"):
        assert squash(f"第1{'页' if lang == 'zh-Hans' else '頁'}，共{pages}") in text
    else:
        assert squash(f"Page 1 of {pages}") in text and squash(f"Page {pages} of {pages}") in text
    for part in lang.split("+"):
        w = Words(part)
        for kpi in policy.kpis:
            if kpi.kind == "availability":
                assert squash(w.percent(kpi.objective)) in text
        for rule in _tier_rules(policy):
            for tier in rule.tiers:
                assert squash(w.band(tier)) in text
        deadline = policy.credits.claim_deadline if policy.credits else None
        if deadline is not None and deadline.kind == "days_after_window_end":
            assert squash(w.quantity(deadline.count, "day")) in text
    # the outline: the title, and under it one entry per clause, in order
    outline = reader.outline
    assert len(outline) == 2 and isinstance(outline[1], list)
    docs = build(policy, lang)
    titles = [" ".join(f"{shown(d.lang, c.number)} {c.title}" for d in docs for c in d.clauses if c.key == key) for key in (c.key for c in docs[0].clauses)]
    assert [entry.title for entry in outline[1]] == titles  # "第3条 计量"; side by side "3. Measurement 第3条 计量"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_in_the_pdf_is_real_text_equal_to_the_template(lang):
    """Extracted text equals the template's own sentences: real glyphs with a Unicode map, not boxes."""
    text = squash(pdf_text(rendered(DINGTALK, lang, "pdf")))
    markdown = rendered(DINGTALK, lang, "md").decode()
    template = (ROOT / f"templates/clauses/{lang}/measurement.md.j2").read_text()
    literal = [line for line in template.splitlines() if line and not line.startswith(("{", "#", "-", "|")) and "{" not in line]
    used = [line for line in literal if line in markdown]  # sentences this policy's clauses contain
    assert len(used) >= 3
    for sentence in used:
        assert squash(sentence) in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_same_policy_gives_identical_bytes(fmt):
    policy = load_policy(DINGTALK)
    first = render_clauses(policy, "en+zh-Hans", fmt)
    assert render_clauses(load_policy(DINGTALK), "en+zh-Hans", fmt) == first
    assert b"2026-11" not in first and b"2026-11" not in rendered(DINGTALK, "en", fmt)  # no clock date


def test_document_date_option_changes_only_the_date():
    policy = load_policy(DINGTALK)
    text = render_clauses(policy, "en", "md", document_date=__import__("datetime").date(2026, 3, 1)).decode()
    assert "Effective date: 2026-03-01" in text
    assert text.replace("2026-03-01", "2026-01-01") == rendered(DINGTALK, "en", "md").decode()


# --- clauses follow the features the policy uses ------------------------------------------


def _dingtalk_without(*cuts: str) -> str:
    """The DingTalk policy text with each named key (and everything nested under it) removed."""
    text = DINGTALK.read_text()
    for cut in cuts:
        lines = text[text.index(cut):].splitlines(keepends=True)
        indent = len(cut) - len(cut.lstrip())
        kept = [lines[0]]
        for line in lines[1:]:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            kept.append(line)
        text = text.replace("".join(kept), "", 1)
    return text


def test_removed_features_drop_their_clauses_and_numbering_closes_up():
    contractual = DINGTALK.read_text().replace("contractual: false        #", "contractual: true         #", 1)
    full = build(parse_policy(contractual, "full.yaml"), "en")[0]
    lean = build(parse_policy(_dingtalk_without("escalation:", "business_impact:"), "lean.yaml"), "en")[0]
    keys_full = [c.key for c in full.clauses]
    keys_lean = [c.key for c in lean.clauses]
    assert "escalation" in keys_full and "escalation" not in keys_lean
    assert [c.number for c in lean.clauses] == list(range(1, len(lean.clauses) + 1))
    assert keys_lean == [k for k in keys_full if k != "escalation"]
    # the language clause moved up one number
    assert lean.clauses[-1].key == "language" and lean.clauses[-1].number == full.clauses[-1].number - 1


def test_cross_references_follow_renumbering():
    text = _dingtalk_without("  cap:", "  rolling_cap:", "  minimum_payout:")
    policy = parse_policy(text, "no-limits.yaml")
    doc = build(policy, "en")[0]
    keys = [c.key for c in doc.clauses]
    assert "credit_limits" not in keys
    claims = next(c for c in doc.clauses if c.key == "claims")
    assert claims.number == keys.index("claims") + 1
    credits = next(c for c in doc.clauses if c.key == "service_credits")
    together = next(b.text for b in credits.blocks if "added together" in getattr(b, "text", ""))
    assert together.endswith("subject to this Schedule.")
    full_credits = next(c for c in build(load_policy(DINGTALK), "en")[0].clauses if c.key == "service_credits")
    assert any("subject to Clause 7." in getattr(b, "text", "") for b in full_credits.blocks)


def _html_headings(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2>(.*?)</h2>", html, re.S)]


def _docx_headings(data: bytes) -> list[str]:
    from .docx_checks import clause_headings

    return [re.sub(r"\s+", " ", f"{number}{after}{text}") for _mark, number, after, text in clause_headings(data)]


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en+zh-Hans", "en+zh-Hant", "en"])
def test_chinese_clause_headings_read_as_their_references_in_every_format(lang):
    """A Chinese contract heads its articles "第3条 定义", as its references say "第3条"; the
    English stays "3. Definitions". Side by side, each half has its own: "3. Definitions 第3条 定义"."""
    docs = build(load_policy(DINGTALK), lang)
    titles = [[f"{shown(d.lang, c.number)} {c.title}" for c in d.clauses] for d in docs]
    expected = [" ".join(parts) for parts in zip(*titles)]
    assert expected[2] == {"zh-Hans": "第3条 计量", "zh-Hant": "第3條 計量", "en": "3. Measurement",
                           "en+zh-Hans": "3. Measurement 第3条 计量", "en+zh-Hant": "3. Measurement 第3條 計量"}[lang]
    md = rendered(DINGTALK, lang, "md").decode()
    assert re.findall(r"^## (.*)$", md, re.M) == [" / ".join(parts) for parts in zip(*titles)]
    assert _html_headings(rendered(DINGTALK, lang, "html").decode()) == expected
    pdf = rendered(DINGTALK, lang, "pdf")
    text = squash(pdf_text(pdf))
    assert all(squash(heading) in text for heading in expected)
    from pypdf import PdfReader

    assert [entry.title for entry in PdfReader(io.BytesIO(pdf)).outline[1]] == expected
    # Word numbers the headings itself (第%1条, then a space); the text is the title, and side by side the Chinese half
    assert _docx_headings(rendered(DINGTALK, lang, "docx")) == expected


def _ref_results(data: bytes) -> list[tuple[str, str, str]]:
    """(heading number Word shows, REF result stored, text of the REF's paragraph) for every
    cross-reference field of a DOCX."""
    from docx import Document
    from docx.oxml.ns import qn

    from .docx_checks import clause_headings, refs_and_bookmarks

    numbers = {mark: number for mark, number, _after, _text in clause_headings(data)}
    refs, _marks = refs_and_bookmarks(data)
    body = Document(io.BytesIO(data)).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")) if "REF _Ref_clause_" in "".join(i.text or "" for i in p.iter(qn("w:instrText")))]
    assert refs and texts
    return [(numbers[target], result, "") for target, result in refs] + [("", "", t) for t in texts]


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en+zh-Hans", "en+zh-Hant", "en"])
def test_docx_cross_reference_results_are_what_word_gives_for_the_heading(lang):
    """A `REF \\r` field shows the heading's number with its list level's text, without
    trailing periods: "7" for a heading numbered "7.", "第7条" for one numbered "第7条". The
    stored result (what a reader that does not update fields shows) is that, and the words
    around the field make it read "Clause 7" / "第7条", never "第第7条条" once Word updates it."""
    results = _ref_results(rendered(DINGTALK, lang, "docx"))
    for heading, result, _ in results:
        if heading:
            assert result == heading.rstrip(".")
            assert result == ({"zh-Hans": "第{}条", "zh-Hant": "第{}條"}.get(lang, "{}")).format(re.search(r"\d+", heading).group(0))
    text = "\n".join(t for *_, t in results if t)
    assert not re.search(r"第第|[条條][条條]", text)
    assert re.search(r"第\d+[条條]", text) if lang != "en" else re.search(r"Clause \d+", text)


@pytest.mark.parametrize("lang", ["zh-Hans", "en+zh-Hant"])
def test_chinese_headings_and_references_follow_renumbering(lang):
    """Without exclusions, clause 4 goes: incident response becomes 第4条, credits 第5条, and
    every heading and reference to them says so, in every format."""
    policy = parse_policy(_dingtalk_without("exclusions:"), "no-exclusions.yaml")
    docs = build(policy, lang)
    chinese = docs[-1]
    assert [c.key for c in chinese.clauses][3:5] == ["response_times", "service_credits"]
    hant = chinese.lang == "zh-Hant"
    article = "第4條" if hant else "第4条"
    response, credits = chinese.clauses[3], chinese.clauses[4]
    heading = f"{article} {response.title}"
    assert any(f"{article}所列" in getattr(b, "text", "") for b in credits.blocks)  # a reference to the response clause
    md = render_clauses(policy, lang, "md").decode()
    assert re.search(rf"^## (4\. [^/]+ / )?{heading}$", md, re.M) and f"{article}所列" in md
    html = render_clauses(policy, lang, "html").decode()
    assert heading in _html_headings(html)[3] and '<a class="ref" href="#clause-4">4</a>' in html
    docx = render_clauses(policy, lang, "docx")
    assert _docx_headings(docx)[3].endswith(heading)
    results = _ref_results(docx)
    assert (article if lang == "zh-Hans" else "4.", article if lang == "zh-Hans" else "4", "") in results
    assert all(result == number.rstrip(".") for number, result, _ in results if number)


def test_excluded_and_covered_categories_are_stated_as_the_policy_says():
    # excluded force majeure is listed as such; the covered cyber-attack category is named once,
    # under "counts as Downtime", and never called a Force Majeure Event
    text = rendered(DINGTALK, "en", "md").decode()
    assert "**4.1** Unavailability caused by a Force Majeure Event is not Downtime. The following categories are Force Majeure Events:\n\n- (a) Natural disasters (earthquake" in text
    assert "**4.3** Unavailability caused by the following counts as Downtime and is not excluded as a Force Majeure Event:\n\n- (a) Cyber attacks, including distributed denial-of-service attacks (of any scale)." in text
    assert text.count("Cyber attacks") == 1
    zh = rendered(DINGTALK, "zh-Hans", "md").decode()
    assert "**4.3** 因下列原因导致的不可用计为停机时间，不予除外，亦不属不可抗力事件：\n\n- （一）网络攻击，包括分布式拒绝服务攻击（不论规模大小）。" in zh
    assert zh.count("网络攻击") == 1


def test_sole_remedy_clause_only_when_the_policy_says_so():
    aws = rendered(ROOT / "policies/aws-ec2-region.yaml", "en", "md").decode()
    assert "Sole Remedy" in aws and "sole and exclusive remedy" in aws
    ding = rendered(DINGTALK, "en", "md").decode()
    assert "Sole Remedy" not in ding and "without prejudice to any other right or remedy" in ding
    assert "## " in ding and "Language" in ding  # DingTalk is bilingual
    assert "Language" not in aws  # AWS is English only: no prevailing-language clause


def test_bilingual_prevailing_language_names_the_governing_language():
    text = rendered(DINGTALK, "en+zh-Hans", "md").decode()
    assert "If the versions differ, the English version prevails." in text
    assert "各文本如有不一致，以英文文本为准。" in text


# --- house templates -----------------------------------------------------------------------


def test_user_template_overrides_one_clause_and_keeps_the_rest(tmp_path):
    (tmp_path / "clauses/en").mkdir(parents=True)
    (tmp_path / "clauses/en/escalation.md.j2").write_text("# Governance\n\nThe parties meet monthly; see {{ ref('service_credits') }}.\n")
    (tmp_path / "clauses/page.css").write_text(".sub .num { color: #c00; }\n")
    policy = load_policy(DINGTALK)
    text = render_clauses(policy, "en", "md", templates=tmp_path).decode()
    assert "## 9. Governance" in text and "**9.1** The parties meet monthly; see Clause 6." in text
    # DingTalk's escalation ladder is internal, so the packaged escalation clause writes nothing
    # and the user's Governance clause is one more
    assert text.replace("Governance", "").count("## ") == rendered(DINGTALK, "en", "md").decode().count("## ") + 1
    assert "Measurement Period" in text  # packaged clauses still used
    html = render_clauses(policy, "en", "html", templates=tmp_path).decode()
    assert "#c00" in html


@pytest.mark.parametrize(
    "body, message",
    [
        ("# T\n\n{{ policy.__class__ }}\n", "may not"),
        ("# T\n\n{% for x in %}\n", "escalation.md.j2:3: template syntax error"),
        ("# T\n\n{{ no_such_name }}\n", "'no_such_name' is undefined"),
        ("# T\n\n{{ ref('nonexistent') }}\n", "refers to clause 'nonexistent'"),
        ("No heading here\n", "must start with '# Title'"),
        ("# T\n\n| a | b |\n|---|---|\n| 1 |\n", "has 1 cells, the header has 2"),
    ],
)
def test_broken_user_templates_give_one_clear_error(tmp_path, run_main, body, message):
    (tmp_path / "clauses/en").mkdir(parents=True)
    (tmp_path / "clauses/en/escalation.md.j2").write_text(body)
    with pytest.raises(RenderError, match=re.escape(message)):
        render_clauses(load_policy(DINGTALK), "en", "md", templates=tmp_path)
    out = tmp_path / "out.pdf"
    code, _, err = run_main("clauses", DINGTALK, "--templates", tmp_path, "-o", out)
    assert code == 1 and message in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.pdf*"))


def test_side_by_side_needs_templates_that_line_up(tmp_path):
    (tmp_path / "clauses/zh-Hans").mkdir(parents=True)
    (tmp_path / "clauses/zh-Hans/escalation.md.j2").write_text("# 升级\n\n只有一段。\n")
    with pytest.raises(RenderError, match="escalation.*do not line up"):
        render_clauses(load_policy(DINGTALK), "en+zh-Hans", "md", templates=tmp_path)


def test_pdf_refuses_files_outside_the_template_directories(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (tmp_path / "house/clauses").mkdir(parents=True)
    page = (ROOT / "templates/clauses/base.html.j2").read_text().replace("</head>", f'<link rel="stylesheet" href="file://{secret}"></head>')
    (tmp_path / "house/clauses/page.html.j2").write_text(page)
    with pytest.raises(RenderError, match="refused to fetch file://"):
        render_clauses(load_policy(DINGTALK), "en", "pdf", templates=tmp_path / "house")


# --- the command --------------------------------------------------------------------------


def test_cli_writes_every_format_and_says_where(run_main, tmp_path):
    for suffix in ("md", "html", "docx", "pdf"):
        out = tmp_path / f"sla.{suffix}"
        code, _, err = run_main("clauses", DINGTALK, "--lang", "en+zh-Hans", "-o", out)
        assert code == 0 and f"wrote {out}" in err
        assert out.read_bytes() == rendered(DINGTALK, "en+zh-Hans", suffix)
        assert out.stat().st_mode & 0o777 != 0o600
    code, out, _ = run_main("clauses", DINGTALK)
    assert code == 0 and out.startswith("# DingTalk Enterprise Service Level Agreement")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "pdf"], "name it with -o FILE"),
        (["--date", "1 March"], "YYYY-MM-DD"),
        (["--templates", "/nonexistent-dir"], "not a directory"),
        (["--lang", "fr"], "Invalid value for '--lang'"),
    ],
)
def test_cli_usage_errors_exit_2(run_main, args, message):
    code, _, err = run_main("clauses", DINGTALK, *args)
    assert code == 2 and message in err


def test_cli_invalid_policy_exits_1_with_position(run_main, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DINGTALK.read_text().replace("objective: 99.9", "objective: 199.9"))
    code, _, err = run_main("clauses", bad, "-o", tmp_path / "x.md")
    assert code == 1 and re.search(r"bad\.yaml:\d+:\d+:", err)
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize(
    ("lang", "texts", "suffix"),
    [
        ("en", ["%1.", "%1.%2", "(%3)"], None),
        ("zh-Hans", ["第%1条", "%1.%2", "（%3）"], "space"),
        ("zh-Hant", ["第%1條", "%1.%2", "（%3）"], "space"),
        ("en+zh-Hans", ["%1.", "%1.%2", "(%3)"], None),  # side by side, Word numbers the headings in English
    ],
)
def test_docx_paragraphs_carry_their_list_level_for_every_reader(lang, texts, suffix):
    """Word reads the level from the style; LibreOffice and others only from the paragraph.
    The clause list must not reuse a list id the template already has (its bullets). A
    Chinese heading is numbered 第1条 and followed by a space (a tab after a number wider
    than the hanging indent jumps to the next tab stop); sub-clauses stay 1.1."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(rendered(DINGTALK, lang, "docx")))
    levels = {"Heading 1": "0", "Sub-clause": "1", "Clause Item": "2"}
    for paragraph in doc.paragraphs:
        if paragraph.style.name in levels:
            numpr = paragraph._p.pPr.find(qn("w:numPr"))
            assert numpr.find(qn("w:ilvl")).get(qn("w:val")) == levels[paragraph.style.name]
            num_id = numpr.find(qn("w:numId")).get(qn("w:val"))
    numbering = doc.part.numbering_part.element
    ours = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
    assert len(ours) == 1
    abstract = ours[0].find(qn("w:abstractNumId")).get(qn("w:val"))
    ours = [lvl for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract for lvl in a.findall(qn("w:lvl"))]
    assert [lvl.find(qn("w:lvlText")).get(qn("w:val")) for lvl in ours] == texts
    suff = ours[0].find(qn("w:suff"))
    assert (suff.get(qn("w:val")) if suff is not None else None) == suffix


def test_an_edited_user_template_is_used_in_the_same_process(tmp_path, monkeypatch):
    """Compiled templates are kept for the process (a batch renders many documents), keyed by
    the source's checksum: a template edited between two renders is the edited one, and a
    template that turns into an endless loop is still stopped by the limits."""
    (tmp_path / "clauses/en").mkdir(parents=True)
    clause = tmp_path / "clauses/en/escalation.md.j2"
    policy = load_policy(DINGTALK)
    for word in ("monthly", "weekly"):
        clause.write_text(f"# Governance\n\nThe parties meet {word}.\n")
        assert f"The parties meet {word}." in render_clauses(policy, "en", "md", templates=tmp_path).decode()
    clause.write_text("# Governance\n\n{% for i in range(10**9) %}{% for j in range(10**9) %}{% endfor %}{% endfor %}\n")
    monkeypatch.setenv("SLAGEN_RENDER_SECONDS", "0.5")
    for _ in range(2):  # compiled, then from the cache: limited both times
        with pytest.raises(RenderError):
            render_clauses(policy, "en", "md", templates=tmp_path)
