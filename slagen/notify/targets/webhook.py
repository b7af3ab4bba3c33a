"""`webhook`: a JSON POST to any URL, signed with HMAC-SHA256.

    targets:
      - id: ops
        kind: webhook
        url: https://hooks.example.com/sla
        secret_env: SLA_HOOK_SECRET     # the HMAC key, from the environment

The body is the notice as JSON (`slagen_notification: 1`, documented in docs/operations.md).
The header `X-Slagen-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact body bytes with
the secret as key; `X-Slagen-Event` is `escalation.raised`, `escalation.lowered`,
`escalation.resolved` or `claim.due` (`slagen claims --due-within … --notify`); `X-Slagen-Key` identifies the policy, window and KPI. Any 2xx is success.
"""

from __future__ import annotations

import hashlib
import hmac

from slagen.notify.targets import URL, URL_ENV, env

ID = "webhook"
PROPERTIES = {
    "url": URL,
    "url_env": URL_ENV,
    "secret_env": env("Environment variable holding the HMAC-SHA256 key that signs each body (X-Slagen-Signature)."),
}
REQUIRED = ("secret_env",)
ONE_OF = (("url",), ("url_env",))


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def deliver(ctx, target, notice, ref):
    body = ctx.json_bytes(notice.document(target.messages))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Slagen-Signature": signature(target.secret("secret_env"), body),
        "X-Slagen-Event": notice.event_name,
        "X-Slagen-Key": notice.key,
    }
    ctx.http.send("POST", target.url, headers=headers, content=body)
    return None
