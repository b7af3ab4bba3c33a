"""Notifications against real HTTP servers on 127.0.0.1: exact request shapes, signatures
recomputed here, retries, timeouts, send-on-change across runs, resolution, bad notify files."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from pathlib import Path

import pytest

from slagen.notify import StateStore, load_notify, notify, state_dir
from slagen.notify.targets import TARGET_KINDS
from slagen.runs import RunRequest, run

from .conftest import ROOT
from .ops_policy import write_ops_policy
from .localserver import Answer, local_server

POLICY = ROOT / "examples/dingtalk-enterprise.yaml"  # replaced by the same policy with severity and audience stated


@pytest.fixture(scope="module", autouse=True)
def _ops_policy(tmp_path_factory):
    global POLICY
    POLICY = write_ops_policy(tmp_path_factory.mktemp("policy"))
AS_OF = "2026-10-20T12:00:00+08:00"
HEAD = "id,service,component,impact,cause,started_at,resolved_at\n"
# one outage of the app from 6 Oct 00:00 to 6+days Oct 00:00 (HKT) in a 44,640-minute October:
# 2 days = 2,880 min -> 93.548 % < 95 (level 1, warning, IT operations);
# 4 days = 5,760 min -> 87.097 % < 90 (level 2, critical, Legal)
ENV = {"HOOK_SECRET": "whsec-0123456789", "DT_SECRET": "SEC0123456789abcdef", "SN_USER": "svc.slagen", "SN_PASSWORD": "pa:ss wörd",
       "SN_TOKEN": "tok-123", "SLACK_URL": ""}


def incidents(tmp_path: Path, days: int, cause: str = "") -> Path:
    path = tmp_path / f"live-{days}-{cause or 'none'}.csv"
    path.write_text(HEAD + f"OUT-1,dingtalk,app,major_outage,{cause},2026-10-06T00:00:00+08:00,2026-10-{6 + days:02d}T00:00:00+08:00\n")
    return path


_EVALUATIONS: dict = {}


def evaluation(tmp_path: Path, days: int = 2, cause: str = ""):
    """The evaluation of October to 20 Oct noon with one outage (made once per case: it is immutable)."""
    if (days, cause) not in _EVALUATIONS:
        request = RunRequest(policy=POLICY, incident_files=(incidents(tmp_path, days, cause),), as_of=datetime.fromisoformat(AS_OF), period="current")
        _EVALUATIONS[days, cause] = run(request).evaluation
    return _EVALUATIONS[days, cause]


def config(tmp_path: Path, text: str, env: dict | None = None):
    path = tmp_path / "notify.yaml"
    path.write_text("slagen_notify: 1\ntargets:\n" + text)
    return load_notify(path, {**ENV, **(env or {})})


def test_webhook_posts_the_documented_body_signed_with_hmac_sha256(tmp_path):
    with local_server() as server:
        cfg = config(tmp_path, f"  - {{id: ops, kind: webhook, url: '{server.url}/sla?x=1', secret_env: HOOK_SECRET}}\n")
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"))
    assert [d.ok for d in report.deliveries] == [True]
    (req,) = server.requests
    assert (req.method, req.path, req.query) == ("POST", "/sla", {"x": ["1"]})
    expected = "sha256=" + hmac.new(b"whsec-0123456789", req.body, hashlib.sha256).hexdigest()
    assert req.headers["x-slagen-signature"] == expected
    assert req.headers["x-slagen-event"] == "escalation.raised"
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    body = req.json()
    assert body["slagen_notification"] == 1 and body["event"] == "escalation.raised"
    assert body["key"] == req.headers["x-slagen-key"] == "slagen:dingtalk-enterprise-2026:2026-10:availability"
    assert body["window"] == {"label": "2026-10", "start": "2026-09-30T16:00:00+00:00", "end": "2026-10-31T16:00:00+00:00",
                              "timezone": "Asia/Hong_Kong", "complete": False}
    assert body["kpi"]["id"] == "availability" and body["kpi"]["status"] == "missed"
    assert body["kpi"]["actual"].startswith("93.548387")  # 100 - 2880/44640*100
    level = body["level"]
    assert (level["level"], level["severity"], level["audience"], level["id"]) == (1, "warning", "IT operations", "it-warning")
    assert level["reason"]["code"] == "escalation.below" and level["reason"]["params"]["threshold_pct"] == "95"
    assert body["previous"] is None
    assert body["title"] == "[warning] DingTalk Enterprise Service Level Agreement: availability reached escalation level 1 (2026-10)"


def test_dingtalk_signs_timestamp_and_secret_and_sends_markdown_with_mentions(tmp_path):
    clock = lambda: 1_790_000_000.123  # noqa: E731  (a fixed instant: the signature is checked by hand)
    with local_server() as server:
        server.default = Answer(200, {"errcode": 0, "errmsg": "ok"})
        cfg = config(tmp_path, f"  - {{id: robot, kind: dingtalk, url: '{server.url}/robot/send?access_token=tok', secret_env: DT_SECRET,"
                               " at_mobiles: ['13800000000'], lang: zh-Hans}\n")
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"), clock=clock)
    assert report.failed == ()
    (req,) = server.requests
    assert req.query["access_token"] == ["tok"] and req.query["timestamp"] == ["1790000000123"]
    digest = hmac.new(b"SEC0123456789abcdef", b"1790000000123\nSEC0123456789abcdef", hashlib.sha256).digest()
    assert req.query["sign"] == [base64.b64encode(digest).decode()]
    assert "%2B" in req.raw_query or "%2F" in req.raw_query or "%3D" in req.raw_query  # the Base64 was URL-encoded
    body = req.json()
    assert body["msgtype"] == "markdown" and body["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
    assert body["markdown"]["title"] == "[警告] DingTalk Enterprise Service Level Agreement：availability 达到升级级别 1（2026年10月）"
    assert "由IT operations处理：通知IT运维并向供应商提交工单" in body["markdown"]["text"]
    assert body["markdown"]["text"].endswith("@13800000000")  # DingTalk needs the number in the text too


def test_dingtalk_without_a_secret_sends_no_signature(tmp_path):
    with local_server() as server:
        server.default = Answer(200, {"errcode": 0, "errmsg": "ok"})
        cfg = config(tmp_path, f"  - {{id: robot, kind: dingtalk, url: '{server.url}/robot/send?access_token=tok'}}\n")
        assert notify(evaluation(tmp_path), cfg, None).failed == ()
    assert server.requests[0].query == {"access_token": ["tok"]}


def test_dry_run_masks_credentials_and_secret_urls(tmp_path):
    lines = []
    cfg = config(tmp_path, "  - {id: itsm, kind: servicenow, instance: 'https://example.service-now.com', user_env: SN_USER, password_env: SN_PASSWORD}\n"
                           "  - {id: chat, kind: slack, url_env: SLACK_URL}\n", {"SLACK_URL": "https://hooks.slack.com/services/T0/B0/topsecret"})
    report = notify(evaluation(tmp_path), cfg, None, dry_run=True, echo=lines.append)
    text = "\n".join(lines)
    assert [d.ok for d in report.deliveries] == [True, True]
    assert "would POST https://example.service-now.com/api/now/table/incident" in text
    assert "Authorization: Basic *** (user and password from the environment)" in text
    assert "svc.slagen" not in text and "pa:ss" not in text and "topsecret" not in text and "would POST ***" in text


def test_dingtalk_errcode_is_a_failed_delivery_even_with_http_200(tmp_path):
    with local_server() as server:
        server.default = Answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        cfg = config(tmp_path, f"  - {{id: robot, kind: dingtalk, url: '{server.url}/robot/send?access_token=tok', secret_env: DT_SECRET}}\n")
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"))
    (failed,) = report.failed
    assert "errcode 310000: sign not match" in failed.error
    assert StateStore(tmp_path / "state").sent("dingtalk-enterprise-2026", "2026-10", "robot") == {}  # not recorded: sent again next run


def test_slack_block_kit_and_a_4xx_is_not_retried(tmp_path):
    with local_server() as server:
        cfg = config(tmp_path, "  - {id: chat, kind: slack, url_env: SLACK_URL, retries: 3, backoff: 0}\n", {"SLACK_URL": f"{server.url}/services/T0/B0/secretpath"})
        assert notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "s1")).failed == ()
        server.answer(Answer(400, "invalid_payload"))
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "s2"))
    body = server.requests[0].json()
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    assert body["text"] == body["blocks"][0]["text"]["text"]
    assert "For IT operations: Warn IT operations and open a vendor ticket" in body["blocks"][1]["text"]["text"]
    assert "&lt; 95%" in body["blocks"][1]["text"]["text"]  # '<' escaped for Slack mrkdwn
    assert len(server.requests) == 2  # the 400 was not retried
    (failed,) = report.failed
    assert "HTTP 400: invalid_payload" in failed.error and "secretpath" not in failed.error  # the URL's secret path is masked


def _servicenow(server):
    """A Table API that keeps incidents by sys_id."""
    store: dict[str, dict] = {}

    def handle(req):
        if req.method == "POST" and req.path == "/api/now/table/incident":
            sys_id = f"{len(store) + 1:032x}"
            store[sys_id] = {**req.json(), "sys_id": sys_id}
            return Answer(201, {"result": {"sys_id": sys_id, "number": f"INC00100{len(store):02d}"}})
        if req.method == "PATCH" and req.path.startswith("/api/now/table/incident/"):
            store[req.path.rsplit("/", 1)[1]].update(req.json())
            return Answer(200, {"result": store[req.path.rsplit("/", 1)[1]]})
        if req.method == "GET":
            key = req.query["sysparm_query"][0].split("=", 1)[1].split("^")[0]
            return Answer(200, {"result": [{"sys_id": s} for s, i in store.items() if i.get("correlation_id") == key and i.get("state") != "6"]})
        return Answer(404, {"error": {"message": "no such path"}})

    server.handler = handle
    return store


def test_servicenow_creates_updates_and_resolves_one_incident_per_kpi_and_window(tmp_path):
    with local_server() as server:
        incidents_ = _servicenow(server)
        cfg = config(tmp_path, f"  - {{id: itsm, kind: servicenow, instance: '{server.url}', user_env: SN_USER, password_env: SN_PASSWORD,"
                               " assignment_group: Vendor Management}\n")
        store = StateStore(tmp_path / "state")
        notify(evaluation(tmp_path, 2), cfg, store)
        notify(evaluation(tmp_path, 4), cfg, store)  # level 2: the same incident, updated
        notify(evaluation(tmp_path, 2, "customer_caused"), cfg, store)  # excluded: the level clears
    methods = [(r.method, r.path) for r in server.requests]
    assert methods == [("GET", "/api/now/table/incident"), ("POST", "/api/now/table/incident"),
                       ("PATCH", f"/api/now/table/incident/{1:032x}"), ("PATCH", f"/api/now/table/incident/{1:032x}")]
    auth = server.requests[1].headers["authorization"]
    assert auth == "Basic " + base64.b64encode("svc.slagen:pa:ss wörd".encode()).decode()
    assert server.requests[1].headers["accept"] == "application/json"
    created = server.requests[1].json()
    assert (created["urgency"], created["impact"]) == ("2", "2")  # warning
    assert created["correlation_id"] == "slagen:dingtalk-enterprise-2026:2026-10:availability"
    assert created["assignment_group"] == "Vendor Management"
    assert (server.requests[2].json()["urgency"], server.requests[2].json()["impact"]) == ("1", "1")  # critical
    resolved = server.requests[3].json()
    assert (resolved["state"], resolved["close_code"]) == ("6", "Solved (Permanently)")
    assert len(incidents_) == 1 and incidents_[f"{1:032x}"]["state"] == "6"
    assert store.sent("dingtalk-enterprise-2026", "2026-10", "itsm") == {}


def test_servicenow_bearer_token_and_lookup_by_correlation_when_state_is_lost(tmp_path):
    with local_server() as server:
        _servicenow(server)
        cfg = config(tmp_path, f"  - {{id: itsm, kind: servicenow, instance: '{server.url}', token_env: SN_TOKEN}}\n")
        notify(evaluation(tmp_path, 2), cfg, StateStore(tmp_path / "a"))
        notify(evaluation(tmp_path, 4), cfg, StateStore(tmp_path / "b"))  # a fresh state: found by correlation_id, not duplicated
    assert [r.method for r in server.requests] == ["GET", "POST", "GET", "PATCH"]
    assert all(r.headers["authorization"] == "Bearer tok-123" for r in server.requests)


def test_retries_on_500_with_backoff_then_delivers(tmp_path):
    waits = []
    with local_server() as server:
        server.answer(Answer(500, "boom"), Answer(503, "busy"))
        cfg = config(tmp_path, f"  - {{id: ops, kind: webhook, url: '{server.url}/h', secret_env: HOOK_SECRET, retries: 2, backoff: 0.01}}\n")
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"), sleep=waits.append)
    assert report.failed == () and len(server.requests) == 3
    assert waits == [0.01, 0.02]
    assert server.requests[0].body == server.requests[2].body  # the same signed body each time


def test_429_waits_at_least_retry_after(tmp_path):
    waits = []
    with local_server() as server:
        server.answer(Answer(429, "rate_limited", {"Retry-After": "7"}))
        cfg = config(tmp_path, "  - {id: chat, kind: slack, url_env: SLACK_URL, retries: 1, backoff: 0.01}\n", {"SLACK_URL": f"{server.url}/s"})
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"), sleep=waits.append)
    assert report.failed == () and waits == [7.0] and len(server.requests) == 2


def test_url_env_must_hold_an_http_url(tmp_path):
    from slagen.errors import PolicyErrors

    with pytest.raises(PolicyErrors, match=r"notify.yaml:3:\d+: target 'chat': SLACK_URL does not hold an http\(s\) URL"):
        config(tmp_path, "  - {id: chat, kind: slack, url_env: SLACK_URL}\n", {"SLACK_URL": "hooks.slack.com/services/x"})


def test_a_timeout_is_retried_then_reported(tmp_path):
    with local_server() as server:
        server.default = Answer(200, "late", delay=0.4)
        cfg = config(tmp_path, f"  - {{id: ops, kind: webhook, url: '{server.url}/h', secret_env: HOOK_SECRET, timeout: 0.1, retries: 1, backoff: 0}}\n")
        report = notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"))
    (failed,) = report.failed
    assert "timed out (no answer within 0.1 s) (after 2 attempts)" in failed.error
    assert len(server.requests) == 2


def test_min_severity_and_kpis_filter_what_a_target_gets(tmp_path):
    with local_server() as server:
        cfg = config(tmp_path, f"  - {{id: legal, kind: webhook, url: '{server.url}/h', secret_env: HOOK_SECRET, min_severity: critical}}\n"
                               f"  - {{id: lat, kind: webhook, url: '{server.url}/l', secret_env: HOOK_SECRET, kpis: [message-latency]}}\n")
        store = StateStore(tmp_path / "state")
        assert notify(evaluation(tmp_path, 2), cfg, store).deliveries == ()  # warning only; and no latency level
        (delivery,) = notify(evaluation(tmp_path, 4), cfg, store).deliveries
    assert (delivery.target, delivery.level) == ("legal", 2)
    assert [r.path for r in server.requests] == ["/h"]


# -- the whole loop from the command line ----------------------------------------------

NOTIFY = "slagen_notify: 1\ntargets:\n  - {{id: ops, kind: webhook, url: '{url}/hook', secret_env: HOOK_SECRET, retries: {retries}, backoff: 0}}\n"


@pytest.fixture
def loop(tmp_path, monkeypatch, run_main):
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("HOOK_SECRET", ENV["HOOK_SECRET"])

    def evaluate(server, days, cause="", *extra, retries=0):
        notify_file = tmp_path / "notify.yaml"
        notify_file.write_text(NOTIFY.format(url=server.url, retries=retries))
        return run_main("evaluate", POLICY, "--incidents", incidents(tmp_path, days, cause), "--period", "current", "--as-of", AS_OF,
                        "--notify", notify_file, "--fail-on", "escalation", "-o", tmp_path / "out.txt", *extra)

    return evaluate


def test_cron_loop_sends_once_per_change_and_a_resolution_when_the_level_clears(loop, tmp_path):
    with local_server() as server:
        first = loop(server, 2)
        second = loop(server, 2)  # cron five minutes later: nothing new
        # the later runs through the library, each with the store read afresh from the same directory
        cfg = load_notify(tmp_path / "notify.yaml")
        third = notify(evaluation(tmp_path, 4), cfg, StateStore(tmp_path / "state"))  # level 2 reached
        fourth = notify(evaluation(tmp_path, 2), cfg, StateStore(tmp_path / "state"))  # the incident's end corrected: back to level 1
        fifth = notify(evaluation(tmp_path, 2, "customer_caused"), cfg, StateStore(tmp_path / "state"))  # excluded: the level clears
        sixth = notify(evaluation(tmp_path, 2, "customer_caused"), cfg, StateStore(tmp_path / "state"))
    assert [c[0] for c in (first, second)] == [4, 4]
    assert [len(r.deliveries) for r in (third, fourth, fifth, sixth)] == [1, 1, 1, 0]
    events = [(r.json()["event"], (r.json()["level"] or {}).get("level"), r.json()["previous"]) for r in server.requests]
    assert events == [("escalation.raised", 1, None), ("escalation.raised", 2, {"level": 1, "severity": "warning"}),
                      ("escalation.lowered", 1, {"level": 2, "severity": "critical"}),
                      ("escalation.resolved", None, {"level": 1, "severity": "warning"})]
    assert server.requests[2].json()["title"].endswith("availability is down to escalation level 1, from level 2 (2026-10)")
    assert "notify ops (webhook): availability level 1 raised: sent" in first[2]
    assert "notify" not in second[2]
    assert json.loads((tmp_path / "state" / "notify-state.json").read_text())["sent"] == {}  # nothing left open


def test_failed_delivery_exits_5_with_the_evaluation_written_and_is_sent_again_next_run(loop, tmp_path):
    with local_server() as server:
        server.default = Answer(500, "down for maintenance")
        code, _, err = loop(server, 2)
        assert code == 5
        assert "FAILED: POST http://127.0.0.1" in err and "HTTP 500: down for maintenance" in err
        assert "availability" in (tmp_path / "out.txt").read_text()  # the evaluation was still written
        server.default = Answer(200, "ok")
        report = notify(evaluation(tmp_path, 2), load_notify(tmp_path / "notify.yaml"), StateStore(tmp_path / "state"))  # the next run
    assert [d.ok for d in report.deliveries] == [True]
    assert len(server.requests) == 2  # the failed alert was sent again, once


def test_dry_run_prints_the_requests_and_sends_and_records_nothing(loop, tmp_path):
    with local_server() as server:
        code, _, err = loop(server, 2, "", "--dry-run")
    assert code == 4 and server.requests == []
    assert f"would POST {server.url}/hook" in err and "X-Slagen-Signature: sha256=" in err and '"slagen_notification":1' in err
    assert not (tmp_path / "state" / "notify-state.json").exists()


# -- bad notify files and environments -------------------------------------------------

BAD = [
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: pager, url: 'http://x'}\n", "3:19: 'pager' is not one of the allowed values: webhook, dingtalk, slack, servicenow"),
    ("slagen_notify: 1\ntargets:\n  - id: a\n    kind: webhook\n    secret_env: HOOK_SECRET\n    url: 'http://x'\n    urll: 'http://y'\n",
     "7:5: unknown field 'urll' (did you mean 'url'?)"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, secret_env: HOOK_SECRET}\n", "3:5: give one of url, url_env"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x'}\n", "3:5: missing required field in /targets/0: 'secret_env'"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: servicenow, instance: 'https://x.service-now.com', user_env: SN_USER}\n", "3:5: "),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'ftp://x', secret_env: HOOK_SECRET}\n", "3:33: 'ftp://x' does not have the expected form"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x', secret_env: HOOK_SECRET, timeout: 0}\n", "3:79: 0 is less than or equal to the minimum of 0"),
    ("slagen_notify: 2\ntargets: []\n", "1:16: "),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x', secret_env: NOT_SET_ANYWHERE}\n",
     "3:57: target 'a': environment variable NOT_SET_ANYWHERE (secret_env) is not set or empty"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x', secret_env: HOOK_SECRET}\n  - {id: a, kind: slack, url: 'http://y'}\n",
     "4:10: duplicate target id 'a'"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x', secret_env: HOOK_SECRET, kpis: [availabilty]}\n",
     "3:76: target 'a': KPI 'availabilty' is not in the policy"),
    ("slagen_notify: 1\ntargets:\n  - {id: a, kind: webhook, url: 'http://x', secret_env: HOOK_SECRET\n", "4:1: "),
]


@pytest.mark.parametrize("text, expected", BAD, ids=range(len(BAD)))
def test_bad_notify_file_is_one_located_line_exit_1_and_nothing_is_written(tmp_path, monkeypatch, run_main, text, expected):
    monkeypatch.setenv("HOOK_SECRET", "x")
    monkeypatch.setenv("SN_USER", "u")
    monkeypatch.setenv("SLAGEN_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "notify.yaml"
    path.write_text(text)
    code, out, err = run_main("evaluate", POLICY, "--incidents", incidents(tmp_path, 2), "--period", "current", "--as-of", AS_OF,
                              "--notify", path, "-o", tmp_path / "out.txt")
    assert code == 1, err
    assert f"{path}:{expected}" in err
    assert "Traceback" not in err and not (tmp_path / "out.txt").exists()


def test_dry_run_without_notify_is_a_usage_error(run_main, tmp_path):
    code, _, err = run_main("evaluate", POLICY, "--incidents", incidents(tmp_path, 2), "--dry-run")
    assert code == 2 and "--dry-run goes with --notify" in err


def test_a_broken_state_file_is_named_and_nothing_is_sent(tmp_path):
    from slagen.errors import SlagenError

    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "notify-state.json").write_text("{not json")
    with local_server() as server:
        cfg = config(tmp_path, f"  - {{id: ops, kind: webhook, url: '{server.url}/h', secret_env: HOOK_SECRET}}\n")
        with pytest.raises(SlagenError, match="notify-state.json: not a slagen notification state file"):
            notify(evaluation(tmp_path), cfg, StateStore(tmp_path / "state"))
    assert server.requests == [] and (tmp_path / "state" / "notify-state.json").read_text() == "{not json"


def test_state_directory_follows_slagen_state_dir_then_xdg_state_home_then_home():
    assert state_dir({"SLAGEN_STATE_DIR": "/s", "XDG_STATE_HOME": "/x", "HOME": "/h"}) == Path("/s")
    assert state_dir({"XDG_STATE_HOME": "/x", "HOME": "/h"}) == Path("/x/slagen")
    assert state_dir({"HOME": "/h"}) == Path("/h/.local/state/slagen")


def test_schema_kinds_and_docs_follow_the_registry(run_cli):
    code, out, _ = run_cli("schema", "notify")
    schema = json.loads(out)
    assert schema["$defs"]["target"]["properties"]["kind"]["enum"] == list(TARGET_KINDS) == ["webhook", "dingtalk", "slack", "servicenow"]
    docs = (ROOT / "docs/operations.md").read_text()
    for kind, module in TARGET_KINDS.items():
        assert f"kind: {kind}" in docs, kind
        assert callable(module.deliver) and module.__doc__ and f"kind: {kind}" in module.__doc__
        assert set(module.REQUIRED) <= set(module.PROPERTIES)


def test_every_target_kinds_documented_example_is_in_the_docs_and_valid(tmp_path):
    import textwrap

    docs = (ROOT / "docs/operations.md").read_text()
    env = {"SLA_HOOK_SECRET": "s", "DT_WEBHOOK_URL": "https://oapi.dingtalk.com/robot/send?access_token=t", "DT_SECRET": "SEC1",
           "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x", "SN_USER": "u", "SN_PASSWORD": "p"}
    for kind, module in TARGET_KINDS.items():
        example = textwrap.dedent(module.__doc__.split("\n\n")[1])
        assert example in docs, f"docs/operations.md lacks the {kind} example of its module's docstring"
        path = tmp_path / f"{kind}.yaml"
        path.write_text("slagen_notify: 1\n" + example)
        assert [t.kind for t in load_notify(path, env).targets] == [kind]
