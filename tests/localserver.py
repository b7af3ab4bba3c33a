"""A real HTTP server on 127.0.0.1 for tests of notifications and fetches (never a mock of
the HTTP layer): it records every request exactly as received and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict  # name -> [values], decoded
    raw_query: str
    headers: dict  # lower-case name -> value
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a client timeout shorter than this fires)


class Server:
    def __init__(self):
        self.requests: list[Received] = []
        self.script: deque[Answer] = deque()
        self.default = Answer(200, b"ok")
        self.handler: Callable[[Received], Answer | None] | None = None  # computes an answer (paging, ServiceNow)
        self.url = ""

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def _next(self, request: Received) -> Answer:
        if self.script:
            return self.script.popleft()
        if self.handler is not None:
            computed = self.handler(request)
            if computed is not None:
                return computed
        return self.default


@contextmanager
def local_server():
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            received = Received(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True), parts.query,
                                {k.lower(): v for k, v in self.headers.items()}, body)
            state.requests.append(received)
            answer = state._next(received)
            if answer.delay:
                time.sleep(answer.delay)
            data = answer.body
            headers = dict(answer.headers)
            if isinstance(data, (dict, list)):
                data = json.dumps(data).encode()
                headers.setdefault("Content-Type", "application/json")
            elif isinstance(data, str):
                data = data.encode()
            try:
                self.send_response(answer.status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if answer.status != 304:
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_PATCH = do_PUT = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
