"""`dingtalk`: a DingTalk custom group robot (自定义机器人), markdown message, signed.

    targets:
      - id: robot
        kind: dingtalk
        url_env: DT_WEBHOOK_URL         # https://oapi.dingtalk.com/robot/send?access_token=…
        secret_env: DT_SECRET           # the robot's 加签 secret (SEC…)
        at_mobiles: ["13800000000"]     # optional: @ these members
        at_all: false

With a secret, each request adds `timestamp` (milliseconds) and `sign` query parameters:
`sign` = Base64 of HMAC-SHA256 (key: the secret) over "timestamp\\nsecret", URL-encoded.
DingTalk answers HTTP 200 with `{"errcode": N, "errmsg": …}`; only errcode 0 is success.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from slagen.net import DeliveryError
from slagen.notify.targets import URL, URL_ENV, env

ID = "dingtalk"
PROPERTIES = {
    "url": URL,
    "url_env": URL_ENV,
    "secret_env": env("Environment variable holding the robot's signing secret (加签). Without it, the robot must use keyword or IP security."),
    "at_mobiles": {"type": "array", "items": {"type": "string", "pattern": "^\\+?[0-9-]{5,20}$"}, "description": "Mobile numbers to @ (they are also written into the text, as DingTalk requires)."},
    "at_all": {"type": "boolean", "description": "@ everyone in the group. Default: false."},
}
REQUIRED = ()
ONE_OF = (("url",), ("url_env",))


def sign(timestamp_ms: int, secret: str) -> str:
    """Base64 of HMAC-SHA256(secret, f"{timestamp}\\n{secret}") (URL-encoding is the HTTP layer's)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def payload(target, notice) -> dict:
    words = notice.words(target.messages)
    mobiles = list(target.settings.get("at_mobiles", ()))
    text = f"### {words.title}\n\n" + "\n".join(f"- {line}" for line in words.lines) + f"\n\n{words.context}"
    if mobiles:
        text += "\n\n" + " ".join(f"@{m}" for m in mobiles)
    return {"msgtype": "markdown", "markdown": {"title": words.title, "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": bool(target.settings.get("at_all", False))}}


def deliver(ctx, target, notice, ref):
    params = None
    if target.has_secret("secret_env"):
        timestamp = ctx.now_ms()
        params = {"timestamp": str(timestamp), "sign": sign(timestamp, target.secret("secret_env"))}
    response = ctx.http.send("POST", target.url, headers={"Content-Type": "application/json; charset=utf-8"},
                             content=ctx.json_bytes(payload(target, notice)), params=params)
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError(f"HTTP {response.status_code}, not the JSON DingTalk answers with: {response.text[:120]!r}") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg") if isinstance(answer, dict) else None
        raise DeliveryError(f"DingTalk refused the message: errcode {code}: {message}")
    return None
