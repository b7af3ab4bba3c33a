"""`servicenow`: an incident in ServiceNow, created and resolved through the Table API.

    targets:
      - id: itsm
        kind: servicenow
        instance: https://example.service-now.com
        user_env: SN_USER               # basic auth ...
        password_env: SN_PASSWORD
        # token_env: SN_TOKEN           # ... or a bearer token (OAuth)
        assignment_group: IT Vendor Management   # optional fields copied onto the incident
        caller_id: slagen.integration
        category: software

A level reached creates an incident (`POST /api/now/table/incident`) whose `urgency` and
`impact` come from the level's severity (critical 1, warning 2, info 3 by default; map them
with `urgency:` and `impact:`), with `correlation_id` set to the notice's key, so the same
policy, window and KPI never open two incidents: a later level updates it (`PATCH
/api/now/table/incident/{sys_id}`), and clearing resolves it (`state` 6, `close_code`,
`close_notes`; set `resolved_state` and `close_code` to your instance's values). Without the
remembered sys_id the incident is found by `correlation_id` first.
"""

from __future__ import annotations

from slagen.net import DeliveryError
from slagen.notify.targets import env

ID = "servicenow"
_LEVELS = {"type": "object", "additionalProperties": False,
           "properties": {s: {"type": "string", "enum": ["1", "2", "3"]} for s in ("info", "warning", "critical")}}
PROPERTIES = {
    "instance": {"type": "string", "pattern": "^https?://[^\\s/]+/?$", "description": "The instance's base URL, e.g. https://example.service-now.com."},
    "user_env": env("Environment variable holding the user name (basic auth)."),
    "password_env": env("Environment variable holding the password (basic auth)."),
    "token_env": env("Environment variable holding a bearer token (instead of user and password)."),
    "table": {"type": "string", "pattern": "^[a-z0-9_]+$", "description": "The table. Default: incident."},
    "assignment_group": {"type": "string", "description": "Copied onto the incident."},
    "caller_id": {"type": "string", "description": "Copied onto the incident."},
    "category": {"type": "string", "description": "Copied onto the incident."},
    "urgency": {**_LEVELS, "description": "Urgency per severity. Default: critical 1, warning 2, info 3."},
    "impact": {**_LEVELS, "description": "Impact per severity. Default: critical 1, warning 2, info 3."},
    "resolved_state": {"type": "string", "description": "The `state` value that means Resolved on your instance. Default: 6."},
    "close_code": {"type": "string", "description": "The close code a resolution sets. Default: Solved (Permanently)."},
}
REQUIRED = ("instance",)
ONE_OF = (("user_env", "password_env"), ("token_env",))
DEFAULT_LEVELS = {"critical": "1", "warning": "2", "info": "3"}
JSON = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}


def _auth(target) -> dict:
    if target.has_secret("token_env"):
        return {"headers": {**JSON, "Authorization": f"Bearer {target.secret('token_env')}"}}
    return {"headers": JSON, "auth": (target.secret("user_env"), target.secret("password_env"))}


def _base(target) -> str:
    return f"{target.settings['instance'].rstrip('/')}/api/now/table/{target.settings.get('table', 'incident')}"


def fields(target, notice) -> dict:
    """The incident's fields for a level reached (or lowered)."""
    words = notice.words(target.messages)
    severity = notice.level.severity
    out = {
        "short_description": words.title[:160],
        "description": "\n".join(words.lines + [words.context]),
        "urgency": {**DEFAULT_LEVELS, **target.settings.get("urgency", {})}[severity],
        "impact": {**DEFAULT_LEVELS, **target.settings.get("impact", {})}[severity],
        "correlation_id": notice.key,
        "correlation_display": "slagen",
    }
    for name in ("assignment_group", "caller_id", "category"):
        if name in target.settings:
            out[name] = target.settings[name]
    return out


def _result(response, what: str):
    try:
        result = response.json()["result"]
    except (ValueError, KeyError, TypeError):
        raise DeliveryError(f"HTTP {response.status_code} to {what}, but not the Table API's {{\"result\": …}}: {response.text[:120]!r}") from None
    return result


def _find(ctx, target, notice) -> str | None:
    """The sys_id of the open incident with this notice's correlation_id, if any."""
    auth = _auth(target)
    response = ctx.http.send("GET", _base(target), params={"sysparm_query": f"correlation_id={notice.key}^active=true", "sysparm_fields": "sys_id",
                                                          "sysparm_limit": "1"}, **auth)
    found = _result(response, "look up the incident")
    if isinstance(found, list) and found and isinstance(found[0], dict) and found[0].get("sys_id"):
        return str(found[0]["sys_id"])
    return None


def deliver(ctx, target, notice, ref):
    auth = _auth(target)
    if notice.event == "resolved":
        sys_id = ref or _find(ctx, target, notice)
        if sys_id is None:
            return None  # nothing open to resolve
        words = notice.words(target.messages)
        body = {"state": target.settings.get("resolved_state", "6"), "close_code": target.settings.get("close_code", "Solved (Permanently)"),
                "close_notes": "\n".join([words.title, *words.lines])}
        ctx.http.send("PATCH", f"{_base(target)}/{sys_id}", content=ctx.json_bytes(body), **auth)
        return None
    sys_id = ref or _find(ctx, target, notice)
    if sys_id:
        ctx.http.send("PATCH", f"{_base(target)}/{sys_id}", content=ctx.json_bytes(fields(target, notice)), **auth)
        return sys_id
    created = _result(ctx.http.send("POST", _base(target), content=ctx.json_bytes(fields(target, notice)), **auth), "create the incident")
    if not isinstance(created, dict) or not created.get("sys_id"):
        raise DeliveryError("the Table API created no incident (no sys_id in its answer)")
    return str(created["sys_id"])
