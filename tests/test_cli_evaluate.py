"""`slagen evaluate` on the bundled DingTalk example: every exclusion and credit form, by hand."""

from __future__ import annotations

import json
from decimal import Decimal

from .conftest import ROOT

POLICY = ROOT / "examples/dingtalk-enterprise.yaml"
INCIDENTS = ROOT / "examples/incidents/dingtalk-2026-10.csv"
ARGS = (POLICY, "--incidents", INCIDENTS, "--period", "2026-10", "--as-of", "2026-11-01T00:30:00+08:00")


def evaluate_json(run_cli, *extra):
    code, out, err = run_cli("evaluate", *ARGS, "--format", "json", *extra)
    return code, json.loads(out), err


def test_dingtalk_october_by_hand(run_cli):
    code, data, _ = evaluate_json(run_cli)
    assert code == 3  # KPIs missed
    assert data["window"] == {"label": "2026-10", "start": "2026-09-30T16:00:00+00:00", "end": "2026-10-31T16:00:00+00:00",
                              "timezone": "Asia/Hong_Kong", "minutes": 44640, "complete": True}
    kpis = {k["id"]: k for k in data["kpis"]}
    up = kpis["availability"]
    # counted: INC-101+102 run 10:00-10:50 (20 full + 10 full + 20 at 50 %) = 40; INC-104 covered attack 20;
    # INC-106 60 beyond the 4 h maintenance cap; INC-107 30 (24 h notice < 72 h); INC-108 10 (latency 7m > 5m);
    # INC-111 30 (open, clipped at month end) = 190. Excluded: typhoon 120 + maintenance 240 + customer 45 = 405.
    assert Decimal(up["downtime_minutes"]) == 190
    assert Decimal(up["excluded_minutes"]) == 405
    assert Decimal(up["allowed_minutes"]) == Decimal("44.64")
    assert Decimal(up["actual"]) == (Decimal(44640) - 190) / 44640 * 100
    assert up["met"] is False
    assert [b["incident"] for b in kpis["p1-response"]["breaches"]] == ["INC-104"]  # 16 min > 15
    assert kpis["p1-response"]["measured"] == 5  # INC-101 10m, INC-103 10m, INC-104 16m, INC-111 10m, INC-112 25-15 paused = 10m
    assert kpis["p2-response"]["breaches"] == []  # INC-102 acknowledged after 25 min, INC-108 after 5 min: within 4 h of office hours
    assert [b["incident"] for b in kpis["message-latency"]["breaches"]] == ["INC-108"]
    credits = data["credits"]
    # per minute: 190 - 44.64 = 145.36 -> 146 started minutes x HKD 100 = 14,600; one P1 breach x 2,000
    assert credits["amount"] == "16600.00"
    assert credits["claim_deadline"] == "2026-11-30"
    assert data["escalation"]["level"] == 3
    impact = data["impact"]
    # HKD 5,000,000 / 600 min = 8,333.33.. per minute x 190 = 1,583,333.33
    assert impact["downtime_cost"] == "1583333.33"
    assert impact["uncovered_exposure"] == "1566733.33"
    assert data["open_incidents"] == ["INC-111"]
    reasons = {(t["incident"], t["status"]): t["reason"] for t in data["incidents"]}
    assert reasons[("INC-103", "excluded")] == {"code": "excluded.natural_disaster", "params": {"category": "natural_disaster", "rule": "natural-disaster"},
                                               "text": "excluded: natural disaster"}
    assert reasons[("INC-104", "counted")]["code"] == "counted.cause_covered"
    assert "covered by this policy" in reasons[("INC-104", "counted")]["text"]
    assert reasons[("INC-110", "ignored")]["code"] == "ignored.below_minimum"
    assert reasons[("INC-110", "ignored")]["text"].startswith("ignored: outage shorter than the minimum")
    # INC-102 (partial, 50 %) overlaps INC-101 for 10 of its 30 min: an overlap line with 0 minutes
    assert reasons[("INC-102", "overlap")] == {"code": "overlap.counted", "params": {"under": "INC-101"}, "text": "overlap: this time is already counted under INC-101"}
    # the trace is an accounting: counted lines add up to the KPI's downtime, excluded to its excluded minutes
    lines = [t for t in data["incidents"] if t["kpi"] == "availability"]
    assert sum(Decimal(t["minutes"]) for t in lines if t["status"] == "counted") == 190
    assert sum(Decimal(t["minutes"]) for t in lines if t["status"] == "excluded") == 405
    assert all(Decimal(t["minutes"]) == 0 for t in lines if t["status"] in ("overlap", "ignored"))


def test_json_output_validates_against_the_shipped_evaluation_schema(run_cli):
    from jsonschema import Draft202012Validator

    from slagen.policy.schema import load_schema

    _, data, _ = evaluate_json(run_cli)
    errors = list(Draft202012Validator(load_schema("evaluation")).iter_errors(data))
    assert errors == []


def test_table_output_and_output_file(run_cli, tmp_path):
    code, out, _ = run_cli("evaluate", *ARGS)
    assert code == 3
    assert "Credit owed: HKD 16,600.00; claim by 2026-11-30" in out
    assert "INC-106        availability     counted       60.00  counted: beyond the 4h cap" in out
    target = tmp_path / "out" / "ev.json"
    target.parent.mkdir()  # slagen does not create missing directories
    code, out, err = run_cli("evaluate", *ARGS, "--format", "json", "-o", target)
    assert f"wrote {target}" in err
    assert json.loads(target.read_text())["credits"]["amount"] == "16600.00"
    assert [p.name for p in target.parent.iterdir()] == ["ev.json"]  # no temp file left behind


def test_all_met_exits_zero(run_cli, tmp_path):
    quiet = tmp_path / "quiet.csv"
    quiet.write_text("id,component,started_at,resolved_at\nQ,app,2026-10-05T10:00:00+08:00,2026-10-05T10:10:00+08:00\n")
    code, out, _ = run_cli("evaluate", POLICY, "--incidents", quiet, "--period", "2026-10", "--as-of", "2026-11-02T00:00:00+08:00")
    assert code == 0, out


def test_bad_record_exits_1_naming_file_and_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.csv"
    bad.write_text("id,component,started_at,resolved_at\nQ,app,2026-10-05T10:00:00,2026-10-05T10:10:00+08:00\n")
    proc = subprocess.run([sys.executable, "-m", "slagen.cli.main", "evaluate", str(POLICY), "--incidents", str(bad), "--period", "2026-10"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert f"{bad}:line 2: started_at: '2026-10-05T10:00:00' has no UTC offset" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "slagen.cli.main", "evaluate", str(POLICY), "--incidents", str(bad), "--period", "2026-10",
                           "--input-timezone", "Asia/Hong_Kong", "--as-of", "2026-11-02T00:00:00+08:00"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_usage_errors_exit_2(tmp_path):
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "slagen.cli.main", *map(str, args)], capture_output=True, text=True)

    assert run("evaluate", POLICY, "--incidents", tmp_path / "none.csv", "--period", "2026-10").returncode == 2
    proc = run("evaluate", POLICY, "--incidents", INCIDENTS, "--period", "October")
    assert proc.returncode == 2 and "write YYYY-MM" in proc.stderr
    assert run("evaluate", POLICY).returncode == 2  # --incidents missing


def test_rolling_cap_from_prior_credits(run_cli):
    _, data, _ = evaluate_json(run_cli, *[f"--prior-credit=2026-{m:02d}=80000:7000" for m in range(9, 0, -1)], "--prior-credit=2025-12=80000:7000")
    # 10 earlier months used 70,000 of the 80,000 rolling cap: 10,000 left of the 16,600 owed
    assert data["credits"]["amount"] == "10000.00"


def test_mid_month_view_for_operations(run_cli):
    code, data, _ = evaluate_json(run_cli, "--as-of", "2026-10-05T10:45:00+08:00")
    up = next(k for k in data["kpis"] if k["id"] == "availability")
    # by 10:45 on 5 Oct: INC-101 30 min + INC-102 alone 10:30-10:45 at 50 % = 7.5 -> run 10:00-10:45 = 37.5 -> rounded up 38
    assert Decimal(up["downtime_minutes"]) == 38
    assert Decimal(up["budget"]["left_minutes"]) == Decimal("6.64")
    assert data["window"]["complete"] is False
