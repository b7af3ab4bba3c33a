"""`slack`: a Slack incoming webhook, as Block Kit text.

    targets:
      - id: chat
        kind: slack
        url_env: SLACK_WEBHOOK_URL      # https://hooks.slack.com/services/… is itself a secret

Posts `{"text": <fallback>, "blocks": [header, section, context]}`. Slack answers 200 `ok`;
4xx (`invalid_payload`, `no_text`…) is a failed delivery, 429 is retried after `Retry-After`.
"""

from __future__ import annotations

from slagen.notify.targets import URL, URL_ENV

ID = "slack"
PROPERTIES = {"url": URL, "url_env": URL_ENV}
REQUIRED = ()
ONE_OF = (("url",), ("url_env",))


def _escape(text: str) -> str:
    """Slack mrkdwn: &, < and > are control characters (links, mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(target, notice) -> dict:
    words = notice.words(target.messages)
    lines = "\n".join(_escape(line) for line in words.lines)
    return {
        "text": words.title,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": words.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": lines[:3000]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(words.context)}]},
        ],
    }


def deliver(ctx, target, notice, ref):
    ctx.http.send("POST", target.url, headers={"Content-Type": "application/json; charset=utf-8"}, content=ctx.json_bytes(payload(target, notice)))
    return None
