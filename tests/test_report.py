"""Monthly report: the PDF, DOCX and HTML read back equal the evaluation JSON; excluded
incidents with their reasons; one outline entry per section; identical bytes on re-run."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from functools import lru_cache

import pytest

from slagen.cli.options import build_request
from slagen.render.numbers import fmt_money, shown_percent
from slagen.policy.load import load_policy
from slagen.report.render import render_report
from slagen.runs import run

from .conftest import REAL, ROOT

DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
AS_OF = "2026-11-01T00:30:00+08:00"
GITHUB = ROOT / "tests/data/policies/github-style-monthly.yaml"
GITHUB_DATA = REAL / "githubstatus_incidents_2019-2023.statuspage.json"


def make_run(policy=DINGTALK, incidents=OCTOBER, period="2026-10", as_of=AS_OF, history=0, **extra):
    params = {"incident_files": (str(incidents),), "period": period, "as_of": as_of, **extra}
    return run(build_request(policy, load_policy(policy).timezone, params, history))


@lru_cache(maxsize=None)
def dingtalk(fmt: str, lang: str = "en") -> bytes:
    return render_report(make_run(), fmt, lang)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def expected_figures(ev: dict) -> list[str]:
    """Every KPI value, credit amount and claim deadline, as the report must show them."""
    out = []
    for k in ev["kpis"]:
        if k["kind"] == "availability":
            out.append(f"{shown_percent(Decimal(k['actual']))}%")
        elif k["actual"] is not None:
            value = Decimal(k["actual"]).quantize(Decimal("0.01"))
            out.append(f"{value:,}".removesuffix(".00") + " min")
    if ev["credits"]:
        out.append(fmt_money(Decimal(ev["credits"]["amount"]), ev["credits"]["currency"]))
        if ev["credits"]["claim_deadline"]:
            out.append(ev["credits"]["claim_deadline"])
    return out


def test_dingtalk_report_pdf_states_what_the_evaluation_says():
    from pypdf import PdfReader

    data = dingtalk("pdf")
    reader = PdfReader(io.BytesIO(data))
    attached = reader.attachments["evaluation.json"][0]
    ev = json.loads(attached)
    # the JSON inside the PDF is the evaluation itself: figures worked out by hand in test_cli_evaluate
    assert ev["kpis"][0]["downtime_minutes"] == "190" and ev["credits"]["amount"] == "16600.00"
    text = squash(pdf_text(data))
    figures = expected_figures(ev)
    assert "99.5743%" in figures and "HKD16,600.00" in [squash(f) for f in figures] and "2026-11-30" in figures
    for figure in figures:
        assert squash(figure) in text, figure
    # excluded incidents with the rule and the reason
    for incident, reason in (("INC-103", "excluded: natural disaster"), ("INC-109", "excluded: customer-caused"), ("INC-105", "excluded: scheduled maintenance with 96h notice")):
        assert squash(incident) in text and squash(reason) in text
    # credit calculation step by step, escalation action due, data quality with the input hash
    assert squash("146 period(s) of 1m (started periods count in full) × HKD 100.00 = HKD 14,600.00") in text
    assert squash("Level-3 alert to the trading desk") in text
    assert squash(ev["inputs"][0]["sha256"][:40]) in text
    assert squash("Page 1 of") in text


def test_pdf_outline_has_one_entry_per_section_and_is_pdf_a():
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(dingtalk("pdf")))
    outline = reader.outline
    assert outline[0].title == "Service Level Report"
    sections = [entry.title for entry in outline[1]]
    assert sections == ["1. Executive summary", "2. Availability", "3. Incidents", "4. Response and resolution times",
                        "5. Service credit calculation", "6. Escalation actions due", "7. Data quality", "8. Sign-off"]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp) and re.search(r"pdfaid:conformance[^A-Z]*B", xmp)


def test_docx_report_states_the_same_figures_with_headings_and_chart():
    from docx import Document

    data = dingtalk("docx")
    ev = json.loads(json.dumps(make_run().evaluation.to_dict()))
    text = docx_text(data)
    for figure in expected_figures(ev):
        assert figure in text, figure
    assert "excluded: natural disaster" in text
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Executive summary" and len(headings) == 8
    assert len(doc.inline_shapes) >= 1  # the availability chart, as an image
    assert doc.core_properties.created.isoformat().startswith("2026-11-01")
    from .docx_checks import check_docx

    assert check_docx(data, "report.en") >= 5  # tables fit the page, no word split


def test_html_and_pdf_come_from_one_template_with_vector_charts():
    html = dingtalk("html").decode()
    assert html.count("<h2>") == 8 and "data:image/svg+xml;base64," in html
    assert "Service Level Report" in html and "INC-103" in html


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_two_runs_give_identical_bytes(fmt):
    assert render_report(make_run(), fmt) == dingtalk(fmt)


def test_chinese_report_uses_chinese_labels_and_real_glyphs():
    text = squash(pdf_text(dingtalk("pdf", "zh-Hans")))
    assert "服务等级报告" in text and "管理摘要" in text and "应得服务补偿" in text
    assert "法务部启动赔偿谈判" not in text  # level 2 (below 90 %) is not reached in October
    assert "向交易部门发出三级警报" in text  # the policy's Chinese action for level 3
    assert "第1页，共" in text


def test_trend_needs_history_and_shows_each_window():
    report = render_report(make_run(history=2), "html").decode()
    assert report.count("data:image/svg+xml") == 2
    for label in ("2026-08", "2026-09", "2026-10"):
        assert f"<td>{label}</td>" in report


@pytest.mark.skipif(not GITHUB_DATA.exists(), reason=f"shared real-incident data not found at {REAL}")
def test_github_style_report_on_real_statuspage_data():
    result = make_run(GITHUB, GITHUB_DATA, "2023-06", "2024-01-01T00:00:00+00:00", on_bad_record="skip")
    ev = json.loads(json.dumps(result.evaluation.to_dict()))
    text = squash(pdf_text(render_report(result, "pdf")))
    docx = docx_text(render_report(result, "docx"))
    for figure in expected_figures(ev):
        assert squash(figure) in text and figure in docx, figure
    # Git Operations in June 2023: 43.6 counted minutes > 43.2 allowed, shown cut, not rounded up
    git = next(k for k in ev["kpis"] if k["id"] == "git")
    assert shown_percent(Decimal(git["actual"])) == "99.8990" and git["status"] == "missed"
    # records the reader skipped are listed in the data-quality section, not dropped
    assert ev["skipped"] and squash(ev["skipped"][0]["reason"][:30]) in text


def test_report_cli_writes_and_names_the_file(run_main, tmp_path):
    out = tmp_path / "r.docx"
    code, _, err = run_main("report", DINGTALK, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF, "-o", out)
    assert code == 0 and f"wrote {out}" in err and out.read_bytes() == dingtalk("docx")


def test_report_cli_bad_incident_file_names_the_line_and_writes_nothing(run_main, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(OCTOBER.read_text().replace("2026-10-05T10:30:00+08:00", "2026-10-05T25:30:00+08:00", 1))
    out = tmp_path / "r.pdf"
    code, _, err = run_main("report", DINGTALK, "--incidents", bad, "--period", "2026-10", "--as-of", AS_OF, "-o", out)
    assert code == 1 and re.search(r"bad\.csv:line \d+", err) and not out.exists()
    code, _, err = run_main("report", DINGTALK, "--incidents", OCTOBER, "--period", "2026-10", "-o", tmp_path)
    assert code == 2


def test_report_labels_can_be_overridden(tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report/labels.en.yaml").write_text("title: Vendor Performance Pack\n")
    html = render_report(make_run(), "html", templates=tmp_path).decode()
    assert "<h1>Vendor Performance Pack</h1>" in html and "Executive summary" in html
