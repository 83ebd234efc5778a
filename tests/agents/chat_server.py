"""A chat-completions server the tests start and script: a real HTTP server in a thread.

Imported by the tests of this folder (`from chat_server import …`), each of which makes it a
fixture with `serve_chat`.

Each test queues the replies it wants (`server.then(Reply(...), ...)`); when the queue is empty,
`server.answer(body, headers)` makes the reply (an oracle-backed "model", say). Every request is
kept, headers and JSON body, for the test to read.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply: a status, a body (JSON-encoded unless bytes), headers, and a gate
    the server waits on before it answers (a slow reply). With `drip_s`, the body goes a byte
    at a time, that long apart; `sent` is set once the whole body went out."""

    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    gate: threading.Event | None = None
    drip_s: float = 0.0
    sent: threading.Event = field(default_factory=threading.Event)


def completion(text: str, prompt: int = 100, completion: int = 7, **choice: Any) -> Reply:
    """A 200 chat completion whose first choice says `text`."""
    message = {"role": "assistant", "content": text}
    usage = {"prompt_tokens": prompt, "completion_tokens": completion}
    return Reply(body={"choices": [{"message": message, **choice}], "usage": usage})


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


class ChatServer:
    """The scripted server; `url` is its base, as a spec's URL part (`…/v1`)."""

    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.answer: Callable[[Any, dict[str, str]], Reply] = lambda body, headers: Reply(
            500, b"no reply scripted"
        )
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.closing = threading.Event()  # a dripping reply stops when the server closes
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/v1"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def then(self, *replies: Reply) -> ChatServer:
        self.script.extend(replies)
        return self

    def _next(self, body: Any, headers: dict[str, str]) -> Reply:
        with self.lock:
            scripted = self.script.popleft() if self.script else None
        return scripted or self.answer(body, headers)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = raw
                headers = dict(self.headers)
                with server.lock:
                    server.requests.append(Request(self.path, headers, body))
                reply = server._next(body, headers)
                if reply.gate is not None:
                    reply.gate.wait(60)  # the test opens it once the client gave up
                data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body)
                data = data.encode() if isinstance(data, str) else data
                with contextlib.suppress(OSError):  # a client that gave up has hung up
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self._send(reply, data)
                    reply.sent.set()

            def _send(self, reply: Reply, data: bytes) -> None:
                if not reply.drip_s:
                    self.wfile.write(data)
                    return
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    if server.closing.wait(reply.drip_s):
                        raise OSError("the server is closing")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.closing.set()
        self.http.shutdown()
        self.http.server_close()


def serve_chat() -> Iterator[ChatServer]:
    """The body of a `chat_server` fixture: a server for the test, shut down after it."""
    server = ChatServer()
    try:
        yield server
    finally:
        server.close()
