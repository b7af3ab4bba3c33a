"""HTTP out, one client for notifications (`slagen.notify`) and status-page fetches (`slagen.fetch`): httpx with a timeout, retries with backoff, and
errors re-raised as slagen's own (`DeliveryError`) with no secret in the message.

Retried: timeouts, connection errors, HTTP 5xx and 429 (after `Retry-After`, capped).
Not retried: any other 4xx (the request is wrong; sending it again will not help).
Redirects are not followed (a webhook that moved should be re-configured, not guessed).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from slagen.errors import SlagenError

MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer is treated as failing this run
BODY_SHOWN = 200


class DeliveryError(SlagenError):
    """A notification or fetch that did not succeed, after any retries (exit 5)."""


def redact(url: str) -> str:
    """A URL for messages: scheme, host and path, no query (tokens and signatures live there)."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


@dataclass
class Http:
    """One target's HTTP: `send` returns the httpx.Response of a 2xx (or 304) answer."""

    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    user_agent: str = ""
    attempts: list = field(default_factory=list)  # (method, url, status or error) of each attempt, for reports
    secrets: tuple[str, ...] = ()  # values never shown in a message (a Slack URL's path is its secret)
    _httpx: Any = field(default=None, repr=False)

    def mask(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text

    def send(self, method: str, url: str, *, headers: dict | None = None, content: bytes | None = None, params: dict | None = None,
             auth: tuple[str, str] | None = None, ok_statuses: tuple[int, ...] = ()) -> Any:
        import httpx

        headers = {"User-Agent": self.user_agent or _user_agent(), **(headers or {})}
        if params:  # added to the URL's own query (httpx's params= would replace it: DingTalk's access_token)
            url, params = str(httpx.URL(url).copy_merge_params(params)), None
        last, last_response = "", None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt, last_response))
            last_response = None
            try:
                response = self._client().request(method, url, headers=headers, content=content, auth=auth)
            except httpx.TimeoutException:
                last = f"timed out (no answer within {self.timeout:g} s)"
                self.attempts.append((method, redact(url), "timeout"))
                continue
            except httpx.HTTPError as exc:
                last = f"cannot connect ({type(exc).__name__})"
                self.attempts.append((method, redact(url), "error"))
                continue
            self.attempts.append((method, redact(url), response.status_code))
            if 200 <= response.status_code < 300 or response.status_code in ok_statuses:
                return response
            last = f"HTTP {response.status_code}: {_short(response.text)}"
            if response.status_code == 429 or response.status_code >= 500:
                last_response = response
                continue
            raise DeliveryError(self.mask(f"{method} {redact(url)}: {last}"))
        tries = self.retries + 1
        raise DeliveryError(self.mask(f"{method} {redact(url)}: {last}" + (f" (after {tries} attempts)" if tries > 1 else "")))

    def _client(self):
        """One client per Http (its TLS context is costly to build), closed by `close`."""
        import httpx

        if self._httpx is None:
            self._httpx = httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False)
        return self._httpx

    def close(self) -> None:
        if self._httpx is not None:
            self._httpx.close()
            self._httpx = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _delay(self, attempt: int, response) -> float:
        delay = self.backoff * (2 ** (attempt - 1))
        if response is not None and response.status_code == 429:
            try:
                delay = max(delay, min(float(response.headers.get("Retry-After", "0")), MAX_RETRY_AFTER))
            except ValueError:
                pass
        return delay


class DryRunHttp(Http):
    """Prints each request instead of sending it, and answers as a service that accepted it."""

    def __init__(self, echo: Callable[[str], None], **kwargs):
        super().__init__(**kwargs)
        self.echo = lambda line: echo(self.mask(line))

    def send(self, method, url, *, headers=None, content=None, params=None, auth=None, ok_statuses=()):
        import httpx

        if params:
            url = str(httpx.URL(url).copy_merge_params(params))
        request = httpx.Request(method, url, headers=headers, content=content)
        shown = {k: ("***" if k.lower() == "authorization" else v) for k, v in (headers or {}).items()}
        if auth:
            shown["Authorization"] = "Basic *** (user and password from the environment)"
        self.echo(f"would {method} {redact(str(request.url))}" + (f" (query: {', '.join(sorted(params))})" if params else ""))
        for key, value in shown.items():
            self.echo(f"  {key}: {value}")
        if content:
            self.echo("  " + content.decode("utf-8", "replace"))
        answer = {"result": []} if method == "GET" else {"errcode": 0, "errmsg": "ok", "result": {"sys_id": "dry-run", "number": "dry-run"}}
        return httpx.Response(200, json=answer, request=request)


def json_bytes(data: Any) -> bytes:
    """The exact bytes sent (and signed): compact, UTF-8, key order as built."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return (text[:BODY_SHOWN] + "…") if len(text) > BODY_SHOWN else (text or "(empty body)")


def _user_agent() -> str:
    from slagen import __version__

    return f"slagen/{__version__}"
