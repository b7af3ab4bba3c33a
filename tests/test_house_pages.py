"""A house template directory replaces only the page footer of the report and of the
comparison, as it can for the clauses: `report/report.html.j2` or `compare/compare.html.j2`
extends the packaged page (`report/base.html.j2`, `compare/base.html.j2`) and overrides the
`page_footer` block; every other line of every PDF page stays as it was."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import pytest

from slagen.cli.options import build_request
from slagen.compare.build import compare
from slagen.compare.render import render
from slagen.compare.scenarios import builtin_scenarios
from slagen.policy.load import load_policy
from slagen.report.render import render_report
from slagen.runs import run

from .conftest import ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
HOUSE_FOOTER = '@bottom-right { content: "ACME Ltd · Confidential · " counter(page); }'


def house(tmp_path, page: str) -> None:
    """A house directory whose `<page>.html.j2` replaces only the footer."""
    folder, name = page.split("/")
    (tmp_path / folder).mkdir()
    (tmp_path / f"{page}.html.j2").write_text(f'{{% extends "{folder}/base.html.j2" %}}\n{{% block page_footer %}}{HOUSE_FOOTER}{{% endblock %}}\n', encoding="utf-8")


@lru_cache(maxsize=None)
def report_run(provisional: bool = False):
    as_of = "2026-10-20T00:00:00+08:00" if provisional else "2026-11-01T00:30:00+08:00"
    params = {"incident_files": (str(OCTOBER),), "period": "2026-10", "as_of": as_of}
    return run(build_request(DINGTALK, load_policy(DINGTALK).timezone, params, 0))


@lru_cache(maxsize=None)
def comparison(lang: str = "en"):
    return compare([load_policy(ROOT / "policies/slack.yaml"), load_policy(ROOT / "policies/google-workspace.yaml"), load_policy(DINGTALK)],
                   builtin_scenarios()[:2], lang=lang)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages(data: bytes) -> list[list[str]]:
    from pypdf import PdfReader

    return [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(data)).pages]


def assert_only_the_footer_changed(packaged: bytes, housed: bytes, footer) -> None:
    """Page by page: the packaged page has its 'Page n of N' line, the house page its own
    footer line instead, and every other line is the same."""
    before, after = pages(packaged), pages(housed)
    assert len(before) == len(after) >= 2
    for n, (a, b) in enumerate(zip(before, after), 1):
        old, new = footer(n, len(before)), f"ACME Ltd · Confidential · {n}"
        assert old in a and new not in a, (n, a[-3:])
        assert new in b and old not in b, (n, b[-3:])
        a.remove(old)
        b.remove(new)
        assert sorted(a) == sorted(b), n  # the header, the cover and the body are the packaged ones


@pytest.mark.parametrize("provisional", [False, True])
def test_a_house_report_page_replaces_only_the_footer(tmp_path, provisional):
    house(tmp_path, "report/report")
    r = report_run(provisional)
    packaged_html = render_report(r, "html").decode()
    housed_html = render_report(r, "html", templates=tmp_path).decode()
    old = re.search(r"@bottom-center \{ content: [^\n]*counter\(pages\)[^\n]*\}", packaged_html).group(0)
    assert squash(housed_html) == squash(packaged_html.replace(old, HOUSE_FOOTER))  # the page is the packaged page but for the footer
    packaged, housed = render_report(r, "pdf"), render_report(r, "pdf", templates=tmp_path)
    assert_only_the_footer_changed(packaged, housed, lambda n, total: f"Page {n} of {total}")
    if provisional:  # the header block (with its provisional mark) is still on every page
        assert all(any("PROVISIONAL" in line.upper() for line in page) for page in pages(housed)), pages(housed)[0][:3]


@pytest.mark.parametrize("lang", ["en", "zh-Hant"])
def test_a_house_comparison_page_replaces_only_the_footer(tmp_path, lang):
    house(tmp_path, "compare/compare")
    c = comparison(lang)
    packaged_html = render(c, "html").decode()
    housed_html = render(c, "html", tmp_path).decode()
    old = re.search(r"@bottom-center \{ content: [^\n]*counter\(pages\)[^\n]*\}", packaged_html).group(0)
    assert squash(housed_html) == squash(packaged_html.replace(old, HOUSE_FOOTER))
    words = {"en": lambda n, total: f"Page {n} of {total}", "zh-Hant": lambda n, total: f"第 {n} 頁，共 {total} 頁"}
    assert_only_the_footer_changed(render(c, "pdf"), render(c, "pdf", tmp_path), words[lang])


def test_the_packaged_pages_are_the_base_pages_unchanged():
    """report.html.j2 and compare.html.j2 only extend their base, so a house file of the same
    name replaces them without copying the layout."""
    for page, base in (("report/report.html.j2", "report/base.html.j2"), ("compare/compare.html.j2", "compare/base.html.j2")):
        text = (ROOT / "templates" / page).read_text(encoding="utf-8")
        body = re.sub(r"\{#-.*?-#\}", "", text, flags=re.S).strip()
        assert body == f'{{% extends "{base}" %}}'
        source = (ROOT / "templates" / base).read_text(encoding="utf-8")
        for block in ("styles", "page_header", "page_footer", "cover", "sections"):
            assert f"{{% block {block} %}}" in source, (base, block)
