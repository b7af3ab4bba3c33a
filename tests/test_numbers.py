"""Numbers that validate must evaluate: every numeric field of every bundled policy, set in
turn to extreme values, either gives a located PolicyError or evaluates, compares and words
its clauses without a non-slagen exception. Options and scenario values likewise.

Seeded and sampled so it stays fast in `make test`; `make fuzz` (SLAGEN_FUZZ_EXAMPLES large)
tries every field with every value.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import yaml

from slagen.errors import PolicyErrors, SlagenError, UsageError
from slagen.policy.load import parse_policy

from .conftest import ROOT

POLICIES = sorted(ROOT.glob("policies/*.yaml")) + sorted(ROOT.glob("examples/*.yaml"))
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
INCIDENTS = ROOT / "examples/incidents/dingtalk-2026-10.csv"
EXAMPLES = int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "500"))

_NUM = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DURATION = re.compile(r"(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_PERCENT = re.compile(r"\d{1,3}(\.\d+)?%\Z")
EXTREMES = {
    "number": ["0", "-1", "1", "2", "100", "100.0001", "1e30", "1e-30", "1E-400", "1e400", "0.0000000001",
               "99999999999999999999999999", "1000000", "3660", "-0", ".nan", ".inf"],
    "duration": ["0s", "1s", "59s", "1d", "366d", "3660d", "3661d", "99999999999d"],
    "date": ["0001-01-01", "1969-12-31", "1970-01-01", "2999-12-31", "3000-01-01", "9999-12-31"],
    "percent": ["0%", "100%", "100.0001%", "0.0000000001%", "999%"],
}


def numeric_leaves(text: str):
    """(pointer, start, end, quoted, kind) of every scalar that holds a number, duration, date or percent."""
    out = []

    def walk(node, pointer):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, f"{pointer}/{key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{pointer}/{i}")
        else:
            value, quoted = node.value, node.style not in (None, "")
            kind = ("number" if _NUM.match(value) else "duration" if _DURATION.match(value) else
                    "date" if _DATE.match(value) else "percent" if _PERCENT.match(value) else None)
            if kind:
                out.append((pointer, node.start_mark.index, node.end_mark.index, quoted, kind))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), "")
    return out


def all_mutants():
    for path in POLICIES:
        text = path.read_text(encoding="utf-8")
        for pointer, start, end, quoted, kind in numeric_leaves(text):
            for value in EXTREMES[kind]:
                written = f'"{value}"' if quoted and not value.startswith(".") else value
                yield f"{path.name}{pointer}={value}", text[:start] + written + text[end:]


ALL = list(all_mutants())


def exercise(policy) -> None:
    """What the CLI does with a policy: evaluate a bad and a quiet window, compare, word clauses."""
    from slagen.compare.build import compare, credit_curve
    from slagen.compare.scenarios import builtin_scenarios
    from slagen.engine.evaluate import evaluate
    from slagen.engine.windows import last_complete_window
    from slagen.incidents.model import Incident, Outage

    as_of = datetime(2026, 12, 5, tzinfo=timezone.utc)
    window = last_complete_window(policy, as_of)
    refs = [f"{s.id}/{c.id}" for s in policy.services for c in s.components] or [s.id for s in policy.services]
    start = window.start + timedelta(days=1)
    end = start + timedelta(hours=5)
    incident = Incident("x", start, end, tuple(Outage(r, start, end, "major_outage") for r in refs), "test",
                        severity="P1", detected_at=start, acknowledged_at=start + timedelta(hours=2), latency=timedelta(minutes=9))
    evaluate(policy, [incident], window, as_of).to_dict()
    evaluate(policy, [], window, as_of)
    compare([policy], builtin_scenarios(), curves=False)
    credit_curve(policy)


def test_the_sweep_reaches_every_kind_of_number():
    names = " ".join(name for name, _ in ALL)
    for field in ("/agreement/fees/monthly=", "/agreement/effective_date=", "/objective=", "/target=", "/credits/cap/percent_of_fee=",
                  "/credits/claim/deadline/end_of_month_after_window=", "/business_impact/operating_hours=", "/multiple=", "/period="):
        assert field in names, field
    assert len(ALL) > 1000


def test_every_number_a_policy_accepts_evaluates():
    from slagen.clauses.render import render_clauses

    rng = random.Random(14)
    chosen = ALL if EXAMPLES >= 5000 else rng.sample(ALL, min(len(ALL), max(EXAMPLES // 6, 60)))
    crashes = []
    for i, (name, text) in enumerate(chosen):
        try:
            policy = parse_policy(text, "p.yaml")
        except PolicyErrors as exc:
            assert all(p.line >= 1 and p.column >= 1 for p in exc.problems), name
            continue
        except Exception as exc:  # noqa: BLE001 - the point is to catch anything
            crashes.append(f"load {name}: {type(exc).__name__}: {exc}")
            continue
        try:
            exercise(policy)
            if i % 12 == 0 or EXAMPLES >= 5000:
                render_clauses(policy, "en", "md")
        except SlagenError:
            pass
        except Exception as exc:  # noqa: BLE001
            crashes.append(f"{name}: {type(exc).__name__}: {exc}")
    assert crashes == []


# Each found by the sweep (it crashed evaluation before): now a located error at the value.
@pytest.mark.parametrize("old, new, says", [
    ('monthly: "80000.00"', 'monthly: "99999999999999999999999999"', "too large"),
    ('amount: "100.00"', 'amount: "99999999999999999999999999"', "too large"),
    ('daily_revenue: "5000000"', 'daily_revenue: "99999999999999999999999999"', "too large"),
    ("operating_hours: 10 ", "operating_hours: 1e-30 ", "loss per minute"),
    ("period: 1m", "period: 0s", "longer than zero"),
    ("end_of_month_after_window: 1}", "end_of_month_after_window: 1000000}", "maximum of 120"),
    ("effective_date: 2026-01-01", "effective_date: 9999-12-31", "outside the years 1970-2999"),
    ("effective_date: 2026-01-01", "effective_date: 1969-12-31", "outside the years 1970-2999"),
])
def test_numbers_that_broke_evaluation_are_refused_where_written(old, new, says):
    text = DINGTALK.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    line = changed[: changed.index(new)].count("\n") + 1
    with pytest.raises(PolicyErrors) as info:
        parse_policy(changed, "d.yaml")
    hits = [p for p in info.value.problems if says in p.message]
    assert hits and hits[0].line == line, info.value


@pytest.mark.parametrize("old, new, says", [
    ("multiple: 10", "multiple: 1e30", "maximum of 1000"),
    ("multiple: 10", 'multiple: "99999999999999999999999999"', "does not have the expected form"),
    ("multiple: 10", "multiple: 1001", "maximum of 1000"),
])
def test_fee_multiple_is_bounded(old, new, says):
    text = (ROOT / "policies/slack.yaml").read_text(encoding="utf-8")
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text.replace(old, new, 1), "s.yaml")
    assert any(says in p.message for p in info.value.problems), info.value


def test_claim_deadlines_and_dates_at_the_edges_still_evaluate():
    text = DINGTALK.read_text(encoding="utf-8").replace("end_of_month_after_window: 1}", "end_of_month_after_window: 120}")
    policy = parse_policy(text, "d.yaml")
    from slagen.engine.evaluate import evaluate
    from slagen.engine.windows import window_for_period

    window = window_for_period(policy, "2999-12")
    result = evaluate(policy, [], window, window.end).to_dict()
    assert result["credits"] is not None


# -- options ----------------------------------------------------------------------------------
PERIOD = ("--period", "2026-10", "--as-of", "2026-11-02T00:00:00+00:00")


@pytest.mark.parametrize("args, says", [
    (("--period", "9999-12"), "--period '9999-12': outside the years 1970-2999"),
    (("--period", "0000-01"), "--period '0000-01': outside the years 1970-2999"),
    (("--period", "９９９９-12"), "outside the years 1970-2999"),
    (("--period", "2026-13"), "--period '2026-13'"),
    (("--period", "10000-01"), "--period '10000-01'"),
    (("--as-of", "0001-01-01"), "--as-of '0001-01-01': outside the years"),
    (("--as-of", "9999-12-31T23:59:59-23:59"), "--as-of '9999-12-31T23:59:59-23:59': outside the years"),
    (("--as-of", "10000-01-01"), "--as-of '10000-01-01'"),
    (("--from", "0001-01-01", "--to", "2026-01-01"), "--from '0001-01-01': outside the years"),
    (("--from", "2026-01-01", "--to", "9999-12-31T23:59:59.999999"), "--to '9999-12-31T23:59:59.999999': outside the years"),
    ((*PERIOD, "--coverage", "2026-10-31/2026-10-01"), "START must be before END"),
    ((*PERIOD, "--coverage", "2026-10-01/2026-10-01"), "START must be before END"),
    ((*PERIOD, "--prior-credit", "2026-09=NaN:1"), "fee 'NaN'"),
    ((*PERIOD, "--prior-credit", "2026-09=1:-5"), "credit '-5'"),
    ((*PERIOD, "--prior-credit", "2026-09=1e999999:1"), "fee '1e999999'"),
    ((*PERIOD, "--prior-credit", "2026-09=Infinity:0"), "fee 'Infinity'"),
    ((*PERIOD, "--prior-credit", "=1:1"), "write LABEL=FEE:CREDIT"),
    ((*PERIOD, "--prior-credit", "2026-09=1"), "write LABEL=FEE:CREDIT"),
])
def test_option_values_far_from_sense_are_usage_errors(args, says, run_main):
    code, out, err = run_main("evaluate", DINGTALK, "--incidents", INCIDENTS, *args)
    assert code == 2, err
    assert says in err and "Traceback" not in out + err


@pytest.mark.parametrize("args", [("--fee", "NaN"), ("--fee", "sNaN"), ("--fee", "-0.01"), ("--fee", "1e15"), ("--fee", "Infinity"),
                                  ("--loss-per-minute", "-Infinity", "HKD"), ("--loss-per-minute", "1e999999", "HKD"), ("--fee", "")])
def test_money_options_are_finite_non_negative_and_bounded(args, run_main):
    code, _, err = run_main("compare", DINGTALK, *args, "--format", "md")
    assert code == 2 and args[0] in err and "internal error" not in err


def test_money_options_at_the_bound_work(run_main):
    code, out, err = run_main("compare", DINGTALK, "--fee", "999999999999999.99", "--loss-per-minute", "999999999999999", "HKD", "--format", "md")
    assert code == 0, err
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", INCIDENTS, *PERIOD, "--prior-credit", "2026-09=999999999999999:999999999999999")
    assert code in (0, 3), err


def test_the_years_at_the_ends_of_the_range_evaluate(run_main, tmp_path):
    for args in (("--period", "1970-01", "--as-of", "1970-02-02T00:00Z"), ("--period", "2999-12", "--as-of", "2999-12-31T23:59:59-12:00"),
                 ("--from", "2999-12-30T00:00", "--to", "2999-12-31T23:59:59+00:00", "--as-of", "2999-12-31T23:59:59+00:00")):
        code, _, err = run_main("evaluate", DINGTALK, "--incidents", INCIDENTS, *args)
        assert code in (0, 3), (args, err)


def test_options_module_parses_amounts_exactly():
    from slagen.cli.options import amount

    assert amount("10,000.10", "--fee") == Decimal("10000.10")
    assert amount("0", "--fee") == 0
    for bad in ("nan", "-1", "1e15", "inf", "x"):
        with pytest.raises(UsageError):
            amount(bad, "--fee")


# -- scenarios ---------------------------------------------------------------------------------
def _scenario(tmp_path, file: str):
    path = tmp_path / "s.yaml"
    path.write_text(f"slagen_scenario: 1\nid: x\ntitle: t\nmonth: 2026-10\nincidents: {{file: '{file}'}}\n")
    return path


def test_scenario_incident_files_stay_in_the_scenario_directory(tmp_path, run_main):
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("id,started_at\nTOP-SECRET-LINE,2026-10-01T00:00:00Z\n")
    inside = tmp_path / "scen"
    (inside / "data").mkdir(parents=True)
    (inside / "data" / "escape.csv").symlink_to(secret)
    (inside / "data" / "loop.csv").symlink_to(inside / "data" / "loop.csv")
    (inside / "data" / "ok.csv").write_bytes(INCIDENTS.read_bytes())
    (inside / "data" / "alias.csv").symlink_to(inside / "data" / "ok.csv")  # a symlink that stays inside is fine
    os.mkfifo(inside / "data" / "pipe.csv")
    cases = {
        str(secret): "is an absolute path",
        "../outside/secret.csv": "contains '..'",
        "data/../../outside/secret.csv": "contains '..'",
        "data\\..\\..\\outside\\secret.csv": "contains '..'",
        "data/escape.csv": "leads outside the scenario's directory",
        "data/loop.csv": "cannot be opened",
        "data/pipe.csv": "is not a regular file",
        "data": "is not a regular file",
        "data/missing.csv": "no such file",
    }
    for name, says in cases.items():
        path = _scenario(inside, name)
        code, out, err = run_main("compare", DINGTALK, "--scenario", path, "--format", "md")
        assert code == 1, (name, err)
        assert says in err and "s.yaml:5:" in err, (name, err)
        assert "TOP-SECRET-LINE" not in out + err
    for name in ("data/ok.csv", "data/alias.csv", "./data/ok.csv"):
        code, out, err = run_main("compare", DINGTALK, "--scenario", _scenario(inside, name), "--format", "md")
        assert code == 0, (name, err)


def test_a_scenario_parsed_from_text_names_no_incident_file():
    from slagen.compare.scenarios import parse_scenario

    with pytest.raises(PolicyErrors, match="no directory"):
        parse_scenario(b"slagen_scenario: 1\nid: x\ntitle: t\nincidents: {file: a.csv}\n", "s.yaml")


# -- cost of bad (or big) input -----------------------------------------------------------------
@pytest.mark.parametrize("command", ["evaluate", "report"])  # pack too (checked by hand: 3 s more)
def test_a_run_parses_its_policy_once(command, run_main, tmp_path, monkeypatch):
    from slagen.policy import load

    calls = []
    real = load._parse
    monkeypatch.setattr(load, "_PARSED", {})
    monkeypatch.setattr(load, "_parse", lambda text, name: calls.append(name) or real(text, name))
    out = tmp_path / {"evaluate": "e.json", "report": "r.html", "pack": "p.zip"}[command]
    code, _, err = run_main(command, DINGTALK, "--incidents", INCIDENTS, *PERIOD, "-o", out)
    assert code in (0, 3), err
    assert len(calls) == 1, calls


def test_a_changed_policy_is_parsed_again():
    text = DINGTALK.read_bytes()
    a = parse_policy(text, "a.yaml")
    assert parse_policy(text, "b.yaml").source == "b.yaml" and a.source == "a.yaml"
    changed = parse_policy(text.replace(b"objective: 99.9", b"objective: 99.5", 1), "a.yaml")
    assert changed != a


def test_huge_policies_are_refused_or_read_quickly():
    """5 MB of tiny values stops at the value count (a second, not minutes); 5 MB of text in
    few values is read through libyaml; both give what the pure-Python parser gives."""
    from slagen.policy import yamlsrc

    minimal = (ROOT / "tests/data/valid/minimal.yaml").read_text()
    many = minimal.replace("      - {id: api}\n", "      - {id: api}\n" + "".join(f"      - {{id: c{i}}}\n" for i in range(200_000)))
    with pytest.raises(PolicyErrors, match="more than 50,000 values in one file") as info:
        parse_policy(many.encode(), "many.yaml")
    assert 16_000 < info.value.problems[0].line < 17_000  # where the 50,001st value is
    long = minimal.replace("  title: Minimal SLA\n", "  title: " + "x" * 5_000_000 + "\n")
    assert parse_policy(long.encode(), "long.yaml").agreement.title == "x" * 5_000_000
    for path in POLICIES:  # the fast path composes exactly what the reference path composes
        text = path.read_text(encoding="utf-8")
        assert yamlsrc.load_yaml(text + "#" * (yamlsrc.FAST_FROM + 1), "x") == yamlsrc.load_yaml(text, "x")
    bad = minimal + "# " + "x" * yamlsrc.FAST_FROM + "\nnote: \"a\x07b\"\n"
    with pytest.raises(PolicyErrors, match="control character U[+]0007") as info:
        parse_policy(bad.encode(), "bad.yaml")
    assert (info.value.problems[0].line, info.value.problems[0].column) == (minimal.count("\n") + 2, 9)


def test_skipped_records_are_summarised_in_reports():
    from slagen.report.content import SKIPPED_LISTED, skipped_blocks
    from slagen.render.document import Items, Para, Table

    labels = {"no_skipped": "none", "file": "File", "reason": "Reason", "skipped_summary": "{count} skipped, {listed} listed {nope}",
              "skipped_kind": "Kind", "skipped_count": "N", "skipped_example": "First", "skipped_other": "Other", "skipped_more": "and {count} more"}
    few = [{"file": "a.csv", "record": f"line {i}", "reason": f"resolved_at '{i}' is before started_at"} for i in range(SKIPPED_LISTED)]
    (table,) = skipped_blocks(few, labels)
    assert len(table.rows) == SKIPPED_LISTED
    many = [{"file": "a.csv", "record": f"line {i}", "reason": f"resolved_at 2026-10-05T09:00:{i % 60:02d}+08:00 is before started_at 2026-10-05T10:00:00+08:00"} for i in range(5000)]
    many += [{"file": "a.csv", "record": f"line {i}", "reason": f"impact 'x{i}' is not known"} for i in range(300)]
    many += [{"file": "a.csv", "record": f"line {i}", "reason": f"reason number {i} of its kind{'!' * i}"} for i in range(30)]
    summary, groups, listed, more = skipped_blocks(many, labels)
    assert isinstance(summary, Para) and summary.text == "5,330 skipped, 50 listed {nope}"
    assert isinstance(groups, Table) and groups.rows[0] == ("resolved_at … is before started_at …", "5,000", "a.csv: line 0")
    assert groups.rows[1] == ("impact … is not known", "300", "a.csv: line 0")
    assert len(groups.rows) == 21 and groups.rows[-1][:2] == ("Other", "12")
    assert isinstance(listed, Table) and len(listed.rows) == SKIPPED_LISTED
    assert isinstance(more, Items) and more.items == ("and 5,280 more",)


def test_policies_and_scenarios_are_read_only_from_regular_files(run_main, tmp_path):
    """A FIFO would block and /dev/zero never ends: both are refused before reading."""
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        code, out, err = run_main("validate", path)
        assert code == 2 and "reads regular files only" in err, err
        code, out, err = run_main("compare", DINGTALK, "--scenario", path, "--format", "md")
        assert code == 2 and "reads regular files only" in err, err
        code, out, err = run_main("evaluate", path, "--incidents", INCIDENTS, *PERIOD)
        assert code == 2 and "reads regular files only" in err, err
