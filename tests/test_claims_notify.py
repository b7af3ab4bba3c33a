"""`slagen claims --due-within … --notify`: claims whose deadline is near reach the same
targets as escalations, once per claim, against a real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from tests.localserver import Answer, local_server

ROOT = Path(__file__).resolve().parent.parent
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"
OCTOBER = ROOT / "examples/incidents/dingtalk-2026-10.csv"
SECRET = "whsec-claims-0123"


def _ledger(run_main, tmp_path: Path) -> Path:
    """October recorded: HKD 16,600.00 owed, to be claimed by 2026-11-30."""
    ledger = tmp_path / "ledger.sqlite"
    code, _, err = run_main("evaluate", DINGTALK, "--incidents", OCTOBER, "--period", "2026-10", "--as-of", "2026-11-01T00:30:00+08:00",
                            "--ledger", ledger, "--record", "-o", tmp_path / "october.txt")
    assert code == 3, err  # October missed its KPIs, which is why a credit is owed
    return ledger


def _notify(tmp_path: Path, url: str, retries: int = 0) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(f"slagen_notify: 1\ntargets:\n  - {{id: ops, kind: webhook, url: '{url}/claims', secret_env: CLAIMS_SECRET, retries: {retries}, timeout: 2}}\n")
    return path


def test_a_claim_due_is_sent_once_signed_and_then_remembered(run_main, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_SECRET", SECRET)
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    ledger = _ledger(run_main, tmp_path)
    args = ("claims", "--ledger", ledger, "--as-of", "2026-11-20", "--due-within", "14d")
    with local_server() as server:
        notify = _notify(tmp_path, server.url)
        code, out, err = run_main(*args, "--notify", notify)
        assert code == 3, err  # something is due: the reminder cron's status
        assert "16,600.00" in out and "notify ops (webhook): claim:" in err and "due: sent" in err
        (req,) = server.requests
        assert req.headers["x-slagen-event"] == "claim.due"
        assert req.headers["x-slagen-signature"] == "sha256=" + hmac.new(SECRET.encode(), req.body, hashlib.sha256).hexdigest()
        body = req.json()
        assert body["event"] == "claim.due" and body["claim"]["policy"] == "dingtalk-enterprise-2026" and body["claim"]["window"] == "2026-10"
        assert (body["claim"]["amount"], body["claim"]["currency"], body["claim"]["deadline"], body["claim"]["days_left"]) == ("16600.00", "HKD", "2026-11-30", 10)
        assert body["severity"] == "warning" and body["key"] == f"slagen:dingtalk-enterprise-2026:2026-10:claim:{body['claim']['id']}"
        assert body["title"] == "[claim due] dingtalk-enterprise-2026 2026-10: claim HKD 16,600.00 within 10 day(s)"
        # the cron runs again: nothing new to say
        code, _, err = run_main(*args, "--notify", notify)
        assert code == 3 and len(server.requests) == 1 and "sent" not in err
        # three days before the deadline the claim is critical, but it was announced: still once
        code, _, _ = run_main("claims", "--ledger", ledger, "--as-of", "2026-11-28", "--due-within", "14d", "--notify", notify)
        assert code == 3 and len(server.requests) == 1


def test_a_failed_delivery_is_exit_5_with_the_listing_written_and_sent_next_time(run_main, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_SECRET", SECRET)
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    ledger = _ledger(run_main, tmp_path)
    listing = tmp_path / "due.txt"
    args = ("claims", "--ledger", ledger, "--as-of", "2026-11-28", "--due-within", "14d", "-o", listing)
    with local_server() as server:
        server.default = Answer(500, "down for maintenance")
        code, _, err = run_main(*args, "--notify", _notify(tmp_path, server.url))
        assert code == 5 and "FAILED" in err and "16,600.00" in listing.read_text()
        server.default = Answer(200, "")
        code, _, err = run_main(*args, "--notify", _notify(tmp_path, server.url))
        assert code == 3 and "due: sent" in err
        assert server.requests[-1].json()["severity"] == "critical"  # two days left


def test_dry_run_prints_and_misuse_is_a_usage_error(run_main, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_SECRET", SECRET)
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    ledger = _ledger(run_main, tmp_path)
    with local_server() as server:
        notify = _notify(tmp_path, server.url)
        code, _, err = run_main("claims", "--ledger", ledger, "--as-of", "2026-11-20", "--due-within", "14d", "--notify", notify, "--dry-run")
        assert code == 3 and "POST" in err and not server.requests and not (tmp_path / "state").exists()
        code, _, err = run_main("claims", "--ledger", ledger, "--notify", notify)
        assert code == 2 and "--due-within" in err and err.count("\n") == 1
        code, _, err = run_main("claims", "--ledger", ledger, "--due-within", "14d", "--dry-run")
        assert code == 2 and "--notify" in err
    monkeypatch.delenv("CLAIMS_SECRET")
    code, _, err = run_main("claims", "--ledger", ledger, "--due-within", "14d", "--notify", notify)
    assert code == 1 and "CLAIMS_SECRET" in err and err.count("\n") == 1
