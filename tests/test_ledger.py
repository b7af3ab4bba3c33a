"""The ledger on SQLite and on a real PostgreSQL cluster (tests/pg.py), same tests for both.

Hand-worked figures (DingTalk example policy: HKD 80,000 a month, HKD 100 per started
minute beyond the allowance of 0.1 % of the month, HKD 2,000 per P1 response breach, cap
50 % of the fee a month, rolling cap one month's fee over 12 months, loss HKD 5,000,000 /
600 min = 8,333.33… a minute):

- 2026-08 (31 d, allowance 44.64 min): INC-081, 500 min -> 455.36 beyond -> 456 × 100 =
  45,600, capped at 40,000. Cost 500 × 8,333.33… = 4,166,666.67.
- 2026-09 (30 d, allowance 43.20 min): INC-091, 300 min -> 256.80 -> 257 × 100 = 25,700.
  Cost 300 × 8,333.33… = 2,500,000.00.
- 2026-10 (the example month): 190 min counted (INC-101 30, 102 10, 104 20, 106 60,
  107 30, 108 10, 111 30: 7 incidents), 145.36 beyond -> 14,600, + 1 P1 breach 2,000 =
  16,600; the rolling cap leaves 80,000 − 40,000 − 25,700 = 14,300. Cost 190 × 8,333.33…
  = 1,583,333.33.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import sqlite3
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from slagen.ledger import HEAD, Ledger, LedgerError, PolicyIdentity, annual_view
from slagen.runs import RunRequest, run

from . import pg
from .conftest import ROOT

POLICY = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
EARLIER = ROOT / "examples/incidents/dingtalk-2026-08-09.csv"
AS_OF = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)  # 2026-11-01 00:30 in Hong Kong
AS_OF_TEXT = "2026-11-01T00:30+08:00"


@pytest.fixture(scope="session")
def pg_cluster():
    reason = pg.skip_reason()
    if reason:
        pytest.skip(reason)
    cluster = pg.Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    return request.getfixturevalue("pg_cluster").new_database()


@functools.lru_cache(maxsize=None)
def evaluation(period: str, incidents: Path = OCTOBER, as_of: datetime = AS_OF, prior=()):
    result = run(RunRequest(policy=POLICY, incident_files=(incidents,), as_of=as_of, period=period, prior=prior))
    identity = PolicyIdentity(result.policy.agreement.id, result.policy.agreement.version, result.inputs[0].sha256)
    return result.evaluation, identity


def record_year(ledger: Ledger) -> None:
    """August and September from the earlier-months file, October from the example, each
    with the rolling cap fed from the ledger, as `--ledger` does."""
    for period, incidents in (("2026-08", EARLIER), ("2026-09", EARLIER), ("2026-10", OCTOBER)):
        labels = {"2026-08": [], "2026-09": ["2026-08"], "2026-10": ["2026-09", "2026-08"]}[period]
        prior = ledger.prior_windows("dingtalk-enterprise-2026", labels)
        ev, identity = evaluation(period, incidents, prior=prior)
        ledger.record(ev, identity)


# recording ----------------------------------------------------------------------------

def test_a_final_window_is_recorded_once_and_again_unchanged(ledger_url):
    ev, identity = evaluation("2026-10")
    with Ledger.open(ledger_url) as ledger:
        first = ledger.record(ev, identity)
        again = ledger.record(ev, identity)
        assert (first.action, first.status, again.action) == ("recorded", "final", "unchanged")
        rows = ledger.history("dingtalk-enterprise-2026", "2026-10")
        assert len(rows) == 1
        row = rows[0]
        assert str(row["credit_amount"]) == "16600.00" and str(row["fee"]) == "80000.00"  # exact, scale kept, on both databases
        assert row["downtime_minutes"] == Decimal(190) and row["incidents_counted"] == 7
        assert row["downtime_cost"] == Decimal("1583333.33")
        assert row["window_start"] == datetime(2026, 9, 30, 16, tzinfo=timezone.utc)  # UTC instant of HK midnight
        assert row["policy_sha256"] == identity.sha256 and row["policy_version"] == "2026.1"
        [claim] = ledger.claims(date(2026, 11, 20))
        assert (claim.id, claim.amount, claim.deadline, claim.days_left, claim.status) == (first.claim_id, Decimal("16600.00"), date(2026, 11, 30), 10, "owed")


def test_different_figures_for_a_final_window_need_supersede_and_stay_in_history(ledger_url):
    ev, identity = evaluation("2026-10")
    later, _ = evaluation("2026-10", as_of=datetime(2026, 11, 1, 16, 30, tzinfo=timezone.utc))  # INC-111 still open: a P1 resolution breach more
    with Ledger.open(ledger_url) as ledger:
        ledger.record(ev, identity)
        with pytest.raises(LedgerError, match="already recorded as final .* --supersede"):
            ledger.record(later, identity)
        outcome = ledger.record(later, identity, supersede="INC-111 was still open")
        assert outcome.action == "superseded"
        old, new = ledger.history("dingtalk-enterprise-2026", "2026-10")
        assert (old["slot"], old["fate"], new["slot"]) == (None, "superseded", "current")
        assert (new["supersedes_id"], new["supersede_reason"]) == (old["id"], "INC-111 was still open")
        assert [e["action"] for e in ledger.claim_events(outcome.claim_id)] == ["opened", "amended"]


def test_a_provisional_window_is_replaced_by_newer_runs_and_by_the_final(ledger_url):
    mid = datetime(2026, 10, 20, 4, tzinfo=timezone.utc)
    ev1, identity = evaluation("2026-10", as_of=mid)
    ev2, _ = evaluation("2026-10", as_of=datetime(2026, 10, 25, 4, tzinfo=timezone.utc))
    final, _ = evaluation("2026-10")
    with Ledger.open(ledger_url) as ledger:
        assert ledger.record(ev1, identity).status == "provisional"
        assert ledger.record(ev1, identity).action == "unchanged"
        assert ledger.record(ev2, identity).action == "replaced"
        assert ledger.claims() == []  # nothing is owed until the window is final
        outcome = ledger.record(final, identity)
        assert (outcome.action, outcome.status) == ("replaced", "final") and outcome.claim_id is not None
        assert [(r["status"], r["fate"]) for r in ledger.history("dingtalk-enterprise-2026", "2026-10")] == [
            ("provisional", "replaced"), ("provisional", "replaced"), ("final", None)]
        with pytest.raises(LedgerError, match="already recorded as final"):
            ledger.record(ev1, identity)


def _record_at_once(url: str, barrier, results) -> None:
    ev, identity = evaluation("2026-10")
    barrier.wait()
    with Ledger.open(url) as ledger:  # both also make the new ledger's schema at once
        results.put(ledger.record(ev, identity).action)


def test_two_processes_recording_the_same_window_at_once_leave_one_row(ledger_url):
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_record_at_once, args=(ledger_url, barrier, results)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in workers) == ["recorded", "unchanged"]
    with Ledger.open(ledger_url) as ledger:
        assert len(ledger.history("dingtalk-enterprise-2026", "2026-10")) == 1
        assert len(ledger.claims()) == 1


def test_a_ledger_made_by_the_first_schema_upgrades_in_place(ledger_url):
    from slagen.ledger import connect, schema

    ev, identity = evaluation("2026-10")
    engine = connect.engine_for(ledger_url)
    with engine.begin() as conn:
        connect.upgrade(conn, "0001")
        row = Ledger._row(ev, identity, "final", "f" * 64, AS_OF, "evaluate")
        eid = conn.execute(schema.evaluations.insert().values(**row)).inserted_primary_key[0]
        conn.execute(schema.claims.insert().values(policy_id=identity.id, window_label="2026-10", evaluation_id=eid, timezone="Asia/Hong_Kong",
                                                   currency="HKD", amount_owed=Decimal("16600.00"), days_owed=0, deadline=date(2026, 11, 30), status="owed"))
        assert connect.current_revision(conn) == "0001"
        assert not sa.inspect(conn).has_table("claim_events")
    engine.dispose()
    with Ledger.open(ledger_url) as ledger:
        with ledger.engine.connect() as conn:
            assert connect.current_revision(conn) == HEAD == "0002"
        [claim] = ledger.claims(date(2026, 11, 1))
        assert claim.amount == Decimal("16600.00")
        assert [e["action"] for e in ledger.claim_events(claim.id)] == ["opened"]  # migration 2 back-fills the history
        assert ledger.record(ev, identity, supersede="recomputed after the upgrade").action == "superseded"  # the old row's figures hash was a placeholder
        filed = ledger.file_claim(claim.id, "CASE-1", date(2026, 11, 20))
        assert filed.status == "filed"


# claims -------------------------------------------------------------------------------

def test_claims_are_filed_credited_rejected_and_expire_as_money_lost(ledger_url):
    with Ledger.open(ledger_url) as ledger:
        record_year(ledger)
        aug, sep, oct_ = ledger.claims(date(2026, 9, 20))
        assert [(c.window, c.amount, c.deadline, c.days_left, c.status) for c in (aug, sep, oct_)] == [
            ("2026-08", Decimal("40000.00"), date(2026, 9, 30), 10, "owed"),
            ("2026-09", Decimal("25700.00"), date(2026, 10, 31), 41, "owed"),
            ("2026-10", Decimal("14300.00"), date(2026, 11, 30), 71, "owed")]
        ledger.file_claim(aug.id, "CASE-8", date(2026, 9, 25))
        ledger.credit_claim(aug.id, Decimal("40000.00"), date(2026, 10, 15))
        ledger.reject_claim(sep.id, "vendor: planned work", date(2026, 10, 20))
        with pytest.raises(LedgerError, match="is rejected: it cannot be credited"):
            ledger.credit_claim(sep.id, Decimal(1), date(2026, 10, 21))
        with pytest.raises(LedgerError, match=r"is expired \(deadline 2026-11-30 passed\)"):
            ledger.file_claim(oct_.id, "LATE", date(2026, 12, 1))
        with pytest.raises(Exception, match="no such claim"):
            ledger.file_claim(999, "X", date(2026, 10, 1))
        statuses = {c.window: c.status for c in ledger.claims(date(2026, 12, 5))}
        assert statuses == {"2026-08": "credited", "2026-09": "rejected", "2026-10": "expired"}


FLAG_RUN: dict = {}


def test_the_rolling_cap_from_the_ledger_equals_the_same_figures_given_as_flags(ledger_url, run_main, tmp_path):
    with Ledger.open(ledger_url) as ledger:
        record_year(ledger)
        assert ledger.prior_windows("dingtalk-enterprise-2026", ["2026-09", "2026-08", "2026-07"]) == (
            ledger.prior_windows("dingtalk-enterprise-2026", ["2026-09"]) + ledger.prior_windows("dingtalk-enterprise-2026", ["2026-08"]))
    common = ("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF_TEXT, "--format", "json")
    flags = ("--prior-credit", "2026-09=80000.00:25700.00", "--prior-credit", "2026-08=80000.00:40000.00")
    code_l, out_l, _ = run_main(*common, "--ledger", ledger_url)
    if "flags" not in FLAG_RUN:  # the same on both databases: run once
        FLAG_RUN["flags"] = run_main(*common, *flags)
        FLAG_RUN["both"] = run_main(*common, "--ledger", ledger_url, *flags)  # the same figures twice: fine
    code_f, out_f, _ = FLAG_RUN["flags"]
    assert (code_l, code_f, FLAG_RUN["both"][0]) == (3, 3, 3)
    from_ledger, from_flags = json.loads(out_l)["credits"], json.loads(out_f)["credits"]
    assert from_ledger == from_flags and from_ledger["amount"] == "14300.00"
    code, _, err = run_main(*common, "--ledger", ledger_url, "--prior-credit", "2026-09=80000:1000")
    assert code == 2 and "conflicts with the ledger, which holds 2026-09=80000.00:25700.00" in err and err.count("\n") == 1


# the annual view ----------------------------------------------------------------------

def test_the_annual_view_of_the_example_year_by_hand(ledger_url):
    with Ledger.open(ledger_url) as ledger:
        record_year(ledger)
        aug, sep, oct_ = ledger.claims(date(2026, 9, 20))
        ledger.file_claim(aug.id, "CASE-8", date(2026, 9, 25))
        ledger.credit_claim(aug.id, Decimal("40000.00"), date(2026, 10, 15))
        ledger.reject_claim(sep.id, "vendor: planned work", date(2026, 10, 20))
        roi = annual_view(ledger, 2026, as_of=datetime(2026, 12, 5, tzinfo=timezone.utc))  # October's claim expired on 30 Nov
    [vendor] = roi.vendors
    f = {x.id: x for x in vendor.figures}
    assert f["windows_recorded"].value == ["2026-08", "2026-09", "2026-10"]
    assert f["months_breached"].value == ["2026-08", "2026-09", "2026-10"]
    assert f["incidents"].value == 1 + 1 + 7 and f["incidents"].windows == {"2026-08": 1, "2026-09": 1, "2026-10": 7}
    assert f["downtime_minutes"].value == Decimal(500 + 300 + 190)
    assert f["minutes_per_incident"].value == Decimal("110.00")  # 990 / 9
    assert f["downtime_cost"].value == Decimal("4166666.67") + Decimal("2500000.00") + Decimal("1583333.33") == Decimal("8250000.00")
    assert f["downtime_cost"].windows == {"2026-08": Decimal("4166666.67"), "2026-09": Decimal("2500000.00"), "2026-10": Decimal("1583333.33")}
    assert f["cost_per_incident"].value == Decimal("916666.67")  # 8,250,000 / 9
    assert f["fees"].value == Decimal("240000")
    assert f["credits_owed"].value == Decimal("80000.00")  # 40,000 + 25,700 + 14,300: the rolling cap's one month's fee
    assert f["credits_claimed"].windows == {"2026-08": Decimal("40000.00"), "2026-09": Decimal("25700.00")}
    assert f["credits_received"].value == Decimal("40000.00") and f["credits_received"].windows == {"2026-08": Decimal("40000.00")}
    assert f["credits_rejected"].value == Decimal("25700.00")
    assert f["credits_expired"].value == Decimal("14300.00") and f["credits_expired"].windows == {"2026-10": Decimal("14300.00")}
    assert f["credits_open"].value == Decimal(0)
    assert round(f["credits_pct_of_fees"].value, 4) == Decimal("33.3333")  # 80,000 / 240,000
    assert round(f["received_pct_of_fees"].value, 4) == Decimal("16.6667")  # 40,000 / 240,000
    assert f["uncovered_exposure"].value == Decimal("8170000.00")  # 8,250,000 − 80,000
    assert f["uncovered_after_claims"].value == Decimal("8210000.00")  # 8,250,000 − 40,000
    totals = {(x.id, x.currency): x for x in roi.totals}
    assert totals[("credits_expired", "HKD")].windows == {"dingtalk-enterprise-2026 2026-10": Decimal("14300.00")}


# the command line: recording, claims, roi, and what goes wrong ------------------------

def test_the_command_line_records_lists_claims_and_prints_the_year(run_main, tmp_path, monkeypatch):
    book = tmp_path / "ledger.sqlite"
    base = ("evaluate", POLICY, "--period", "2026-10", "--as-of", AS_OF_TEXT, "--ledger", book)
    code, _, err = run_main(*base, "--incidents", OCTOBER, "--record", "--lang", "zh-Hans")
    assert code == 3 and "台账：dingtalk-enterprise-2026 2026-10 已记录（最终）" in err and "台账：索赔 1：HKD 16,600.00，截止 2026-11-30" in err
    code, _, err = run_main(*base, "--incidents", OCTOBER, "--record")
    assert code == 3 and "already recorded (final) with the same figures; nothing changed" in err
    code, _, err = run_main(*base[:4], "--as-of", "2026-11-02T00:30+08:00", *base[6:], "--incidents", OCTOBER, "--record")
    assert code == 1 and "give --supersede REASON" in err and err.count("\n") == 1
    code, _, err = run_main(*base[:4], "--as-of", "2026-11-02T00:30+08:00", *base[6:], "--incidents", OCTOBER, "--record", "--supersede", "INC-111 still open")
    assert code == 3 and "the final evaluation superseded (INC-111 still open); the old one is kept in history" in err
    code, _, err = run_main(*base[:4], "--as-of", "2026-11-01T00:30+08:00", *base[6:], "--incidents", OCTOBER, "--record", "--supersede", "back to the first run")
    assert code == 3 and "superseded (back to the first run)" in err
    code, out, _ = run_main("claims", "--ledger", book, "--as-of", "2026-11-20", "--due-within", "14d")
    assert code == 3 and "HKD 16,600.00  2026-11-30         10  owed" in out and "due within 14 day(s): 1 claim(s)" in out
    code, out, _ = run_main("claims", "--ledger", book, "--as-of", "2026-11-10", "--due-within", "14")
    assert code == 0 and out == "no claims in the ledger\n"
    monkeypatch.setenv("SLAGEN_LEDGER", str(book))  # the ledger from the environment, as a cron job sets it
    code, out, _ = run_main("claims", "file", "1", "--ref", "CASE-7", "--on", "2026-11-20")
    assert code == 0 and out == "claim 1 (dingtalk-enterprise-2026 2026-10): filed\n"
    out_file = tmp_path / "claims.json"
    code, _, _ = run_main("claims", "--ledger", book, "--as-of", "2026-12-01", "--format", "json", "-o", out_file)
    [claim] = json.loads(out_file.read_text())["claims"]
    assert (code, claim["status"], claim["reference"], claim["days_left"], claim["amount"]) == (0, "filed", "CASE-7", -1, "16600.00")
    code, out, _ = run_main("roi", "--year", "2026", "--ledger", book, "--as-of", "2026-12-01", "--format", "json")
    figures = {f["id"]: f for f in json.loads(out)["vendors"][0]["figures"]}
    assert figures["credits_claimed"] == {"id": "credits_claimed", "unit": "money", "value": "16600.00", "windows": {"2026-10": "16600.00"}, "currency": "HKD"}
    code, out, _ = run_main("roi", "--year", "2026", "--ledger", book, "--as-of", "2026-12-01", "--lang", "zh-Hant")
    assert code == 0 and "停機成本" in out and "HKD 1,583,333.33  2026-10" in out
    code, out, _ = run_main("roi", "--year", "2025", "--ledger", book)
    assert code == 0 and "no recorded evaluations for 2025" in out


@pytest.mark.parametrize("args, code, message", [
    (("claims", "--ledger", "mysql://u@h/db"), 2, "slagen keeps its ledger in SQLite (a file path) or PostgreSQL"),
    (("claims", "--ledger", "postgresql://nobody@127.0.0.1:9/none"), 1, "ledger postgresql://nobody@127.0.0.1:9/none: connection"),
    (("claims", "--ledger", "{tmp}/missing/ledger.sqlite"), 2, "does not exist (slagen does not create it)"),
    (("claims", "--ledger", "{tmp}"), 2, "is a directory"),
    (("claims", "--ledger", "/dev/null"), 2, "not a regular file"),
    (("claims", "--ledger", "sqlite:///{tmp}/missing/l.sqlite"), 2, "does not exist (slagen does not create it)"),
    (("claims", "--ledger", "postgresql://u@h:port/db"), 2, "not a database URL"),
    (("claims", "--ledger", "{tmp}/not-a-db.sqlite"), 1, "not an SQLite database file"),
    (("claims", "--ledger", "{tmp}/other.sqlite"), 1, "has tables but is not a slagen ledger"),
    (("claims",), 2, "no ledger: give --ledger PATH"),
    (("claims", "--ledger", "{tmp}/l.sqlite", "--due-within", "two weeks"), 2, "--due-within 'two weeks': write a number of days"),
    (("claims", "--ledger", "{tmp}/l.sqlite", "--as-of", "2026-11-31"), 2, "--as-of '2026-11-31': write a date"),
    (("claims", "file", "7", "--ref", "X", "--ledger", "{tmp}/l.sqlite"), 2, "claim 7: no such claim"),
    (("claims", "file", "99999999999999999999", "--ref", "X", "--ledger", "{tmp}/l.sqlite"), 2, "is not in the range 1<=x<=2147483647"),
    (("claims", "file", "7", "--ref", "X" * 201, "--ledger", "{tmp}/l.sqlite"), 2, "at most 200 characters"),
    (("roi", "--year", "2026", "--as-of", "9999-12-31T23:59+00:00", "--ledger", "{tmp}/l.sqlite"), 2, "outside the years 1970-2999"),
    (("claims", "credit", "7", "--amount", "-5", "--ledger", "{tmp}/l.sqlite"), 2, "--amount '-5': write an amount from 0"),
    (("claims", "credit", "7", "--amount", "5", "--on", "yesterday", "--ledger", "{tmp}/l.sqlite"), 2, "--on 'yesterday': write a date"),
    (("claims", "reject", "7", "--reason", " ", "--ledger", "{tmp}/l.sqlite"), 2, "--reason: say why"),
    (("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--record"), 2, "--record needs a ledger"),
    (("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--supersede", "x", "--ledger", "{tmp}/l.sqlite"), 2, "--supersede goes with --record"),
    (("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF_TEXT, "--record", "--supersede", "", "--ledger", "{tmp}/l.sqlite"), 2, "--supersede needs a reason"),
    (("roi", "--year", "26", "--ledger", "{tmp}/l.sqlite"), 2, "26 is not in the range 1970<=x<=2999"),
    # a mistyped ledger path is not an empty ledger: only --record makes one
    (("claims", "--ledger", "{tmp}/typo.sqlite", "--due-within", "14d"), 2, "typo.sqlite: no such ledger; a ledger is made by the first run with --record"),
    (("claims", "file", "1", "--ref", "X", "--ledger", "{tmp}/typo.sqlite"), 2, "no such ledger"),
    (("roi", "--year", "2026", "--ledger", "{tmp}/typo.sqlite"), 2, "no such ledger"),
    (("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--ledger", "{tmp}/typo.sqlite"), 2, "no such ledger"),
    (("claims", "--ledger", "{tmp}/empty.sqlite"), 2, "this database holds no slagen ledger yet"),
])
def test_bad_ledger_input_is_one_line_and_an_exit_code(run_main, tmp_path, args, code, message):
    from slagen.ledger import Ledger

    Ledger.open(str(tmp_path / "l.sqlite")).close()  # an empty ledger, made as --record makes one
    sqlite3.connect(tmp_path / "empty.sqlite").close()  # an empty SQLite file, no ledger in it
    (tmp_path / "not-a-db.sqlite").write_text("hello, I am text, not a database " * 40)
    with sqlite3.connect(tmp_path / "other.sqlite") as other:
        other.execute("CREATE TABLE invoices (id INTEGER)")
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in args]
    got, out, err = run_main(*args)
    assert (got, message in err) == (code, True), err
    assert "Traceback" not in err and (err.count("\n") == 1 or err.startswith("Usage:"))  # click's own usage errors keep its format
    assert not (tmp_path / "typo.sqlite").exists()


def test_a_pack_recorded_keeps_its_manifest_hash(run_main, tmp_path, monkeypatch):
    import slagen.report.render

    # the documents are not what this test checks (test_pack does): stand-in bytes keep it fast
    monkeypatch.setattr(slagen.report.render, "render_report", lambda result, fmt, lang, templates=None: f"{fmt} {result.window.label}".encode())
    book, target = tmp_path / "ledger.sqlite", tmp_path / "pack.zip"
    code, _, err = run_main("evaluate", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF_TEXT, "--ledger", book, "--record")
    assert code == 3 and "recorded (final)" in err
    code, _, err = run_main("pack", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF_TEXT, "-o", target, "--ledger", book, "--record")
    assert code == 0, err
    assert "already recorded (final) with the same figures" in err  # the pack's own copies under inputs/ give the same figures
    manifest = err.split("manifest SHA-256 ")[1].split(")")[0]
    with Ledger.open(str(book)) as ledger:
        [row] = ledger.current()
        assert (row["command"], ledger.packs(row["id"])) == ("evaluate", [manifest])


def test_the_annual_view_of_the_real_github_history(real_data, tmp_path):
    """GitHub's status page 2019-2023, quarterly legacy Enterprise SLA (99.9 %, 10 % / 25 %
    of the quarter's fee, fee USD 21,000 a month): every quarter of 2022 recorded, the year's
    figures equal to the sum of the engine's own quarter figures, worked out here."""
    policy_path = ROOT / "policies/github-enterprise-cloud.yaml"
    history = real_data / "githubstatus_incidents_2019-2023.statuspage.json"
    as_of = datetime(2024, 1, 1, tzinfo=timezone.utc)
    quarters = []
    with Ledger.open(str(tmp_path / "ledger.sqlite")) as ledger:
        for q in ("2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"):
            result = run(RunRequest(policy=policy_path, incident_files=(history,), as_of=as_of, period=q, on_bad_record="skip", incident_format="statuspage"))
            identity = PolicyIdentity(result.policy.agreement.id, result.policy.agreement.version, result.inputs[0].sha256)
            assert ledger.record(result.evaluation, identity).action == "recorded"
            quarters.append(result.evaluation)
        roi = annual_view(ledger, 2022, as_of=as_of)
    [vendor] = roi.vendors
    f = {x.id: x for x in vendor.figures}
    assert f["windows_recorded"].value == ["2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4"]
    assert f["fees"].value == 4 * 3 * Decimal("21000.00")
    owed = {ev.window_label: ev.credits.amount for ev in quarters if ev.credits.amount}
    assert f["credits_owed"].windows == owed and f["credits_owed"].value == sum(owed.values(), Decimal(0))
    for ev in quarters:  # each quarter's credit is its tier of the quarter's fee (63,000): 10 %, 25 % or none
        actual = ev.kpis[0].actual
        expected = Decimal("6300.00") if Decimal("99.0") < actual <= Decimal("99.9") else Decimal("15750.00") if actual < Decimal("99.0") else Decimal(0)
        assert ev.credits.amount == expected, (ev.window_label, actual)
    breached = [ev.window_label for ev in quarters if ev.kpis[0].actual < Decimal("99.9")]
    assert f["months_breached"].value == breached
    assert f["downtime_minutes"].value == sum((ev.kpis[0].downtime_minutes for ev in quarters), Decimal(0)) > 0
    assert f["credits_expired"].value == f["credits_owed"].value  # nobody filed: 30 days after each quarter, all lost by 2024
    assert f["downtime_cost"].value is None and f["downtime_cost"].windows == {}  # the policy states no business impact: not stated, not 0
    # by hand: Q4 2022 (92 days = 132,480 min) lost 145.1254833 min -> 99.89045 % -> 10 % of 3 × 21,000 = 6,300
    q4 = quarters[-1]
    assert abs(q4.kpis[0].actual - (100 - q4.kpis[0].downtime_minutes / 132480 * 100)) < Decimal("1e-20") and Decimal("99.8904") < q4.kpis[0].actual < Decimal("99.8905")
    assert owed == {"2022-Q4": Decimal("6300.00")} and f["credits_pct_of_fees"].value == Decimal("2.5")  # 6,300 / 252,000


def test_the_report_trend_reads_the_ledger_and_knows_months_without_data(run_main, tmp_path):
    book = tmp_path / "ledger.sqlite"
    with Ledger.open(str(book)) as ledger:
        record_year(ledger)
    out = tmp_path / "report.html"
    code, _, err = run_main("report", POLICY, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", AS_OF_TEXT, "--ledger", book, "--history", "3", "-o", out)
    assert code == 0, err
    html = out.read_text()
    # by hand: August 1 − 500 / 44,640 = 98.87992…%, September 1 − 300 / 43,200 = 99.30555…% (cut, never rounded); July: not recorded
    assert ("<tr><td>2026-07</td><td>—</td><td>0</td><td>no data</td></tr><tr><td>2026-08</td><td>98.8799%</td><td>500</td><td>MISSED</td></tr>"
            "<tr><td>2026-09</td><td>99.3055%</td><td>300</td><td>MISSED</td></tr>") in html


def test_a_database_password_never_reaches_the_terminal(run_main):
    code, _, err = run_main("claims", "--ledger", "postgresql://sla:s3cret-pw@127.0.0.1:9/ledger")
    assert code == 1 and "postgresql://sla:***@127.0.0.1:9/ledger" in err and "s3cret" not in err


def test_the_annual_view_as_pdf_and_word(run_main, tmp_path):
    import docx
    import pypdf

    book = tmp_path / "ledger.sqlite"
    with Ledger.open(str(book)) as ledger:
        record_year(ledger)
    pdf, word = tmp_path / "roi.pdf", tmp_path / "roi.docx"
    code, _, err = run_main("roi", "--year", "2026", "--ledger", book, "--as-of", "2026-12-05", "-o", pdf)
    assert code == 0, err
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Annual view 2026" in text and "downtime cost HKD 8,250,000.00 2026-08, 2026-09, 2026-10" in text
    assert "credits expired (lost) HKD 80,000.00 2026-08, 2026-09, 2026-10" in text  # nothing filed: every claim expired by 5 Dec
    code, _, err = run_main("roi", "--year", "2026", "--ledger", book, "--as-of", "2026-12-05", "--lang", "zh-Hans", "-o", word)
    assert code == 0, err
    rows = [[c.text for c in r.cells] for r in docx.Document(word).tables[0].rows]
    assert rows[0] == ["项目", "数值", "来源周期"] and ["应付赔偿", "HKD 80,000.00", "2026-08, 2026-09, 2026-10"] in rows
    first = word.read_bytes()
    run_main("roi", "--year", "2026", "--ledger", book, "--as-of", "2026-12-05", "--lang", "zh-Hans", "-o", word)
    assert word.read_bytes() == first  # same ledger, same bytes: no clock in the document
    code, _, err = run_main("roi", "--year", "2026", "--ledger", book, "--format", "pdf")
    assert code == 2 and "name it with -o FILE" in err


def test_a_range_of_windows_is_recorded_window_by_window(run_main, tmp_path):
    book = tmp_path / "ledger.sqlite"
    code, _, err = run_main("evaluate", POLICY, "--incidents", EARLIER, "--incidents", OCTOBER, "--period", "2026-07..2026-10", "--as-of", AS_OF_TEXT,
                            "--ledger", book, "--record", "--format", "json")
    assert code == 3, err
    with Ledger.open(str(book)) as ledger:
        assert [(r["window_label"], str(r["credit_amount"])) for r in ledger.current()] == [
            ("2026-07", "0.00"), ("2026-08", "40000.00"), ("2026-09", "25700.00"), ("2026-10", "14300.00")]  # the range's own rolling cap, by hand above
        assert [c.window for c in ledger.claims(date(2026, 9, 1))] == ["2026-08", "2026-09", "2026-10"]  # July owes nothing: no claim


def test_money_is_stored_exactly_and_instants_in_utc(ledger_url):
    ev, identity = evaluation("2026-10")
    with Ledger.open(ledger_url) as ledger:
        ledger.record(ev, identity)
        with ledger.engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT credit_amount, downtime_cost, window_start FROM evaluations").one()
            if conn.dialect.name == "postgresql":
                types = dict(conn.exec_driver_sql("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'evaluations' "
                                                  "AND table_schema = current_schema()").all())
                assert (types["credit_amount"], types["fee"], types["window_start"]) == ("numeric", "numeric", "timestamp with time zone")
                assert raw[0] == Decimal("16600.00") and raw[2] == datetime(2026, 9, 30, 16, tzinfo=timezone.utc)
            else:  # SQLite has no exact decimal: the decimal's text, never a float; instants as UTC ISO text
                assert raw == ("16600.00", "1583333.33", "2026-09-30T16:00:00.000000+00:00")
