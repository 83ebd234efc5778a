"""Observations on the wire, and JSON over HTTP with timeouts and retries (stdlib only).

Shared by the agent adapters: `http://HOST:PORT/act` and `openai-compatible:MODEL@URL`.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from officegym.errors import AgentError

# Statuses worth another try: the server is busy or briefly down, not wrong about the request.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# A reply is read whole before it is parsed: a chat completion is kilobytes, an endpoint that
# streams without end must not fill the memory.
MAX_REPLY_BYTES = 16 * 2**20
# What an error message quotes of a server's words (a body's first line): enough to read.
QUOTE_CHARS = 200
# The longest wait a Retry-After may ask for before the next attempt.
MAX_RETRY_AFTER_S = 10.0
# How much of a reply one read may take (a read returns what has come, up to this).
READ_CHUNK_BYTES = 64 * 1024


class EndpointError(AgentError):
    """A request to an agent's endpoint failed, or its reply could not be read.

    Attributes:
        kind: how it failed, worded the same way each time it fails that way: `HTTP 401`,
            `connection refused`, `host not found`, `connection failed`, `timeout`,
            `reply not JSON`, `reply too large`, or the adapter's own (`reply without choices`).
            The runner stops a run whose first episodes all fail with the same kind.
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:  # two arguments: pickled as made
        return (type(self), (self.kind, str(self)))


def quote(text: str | bytes) -> str:
    """A server's words for a message: the first line, printable characters only, bounded.

    >>> quote(b"bad key\\x1b[31m\\nmore")
    'bad key?[31m'
    """
    if isinstance(text, bytes):
        text = text[: QUOTE_CHARS * 4].decode(errors="replace")
    lines = text.strip().splitlines()
    line = "".join(c if c.isprintable() else "?" for c in (lines[0] if lines else ""))
    return line[:QUOTE_CHARS] + ("…" if len(line) > QUOTE_CHARS else "")


def png_base64(screenshot: Any) -> str | None:
    """A uint8 H×W×3 screenshot as base64 PNG (fast compression: it crosses a local socket)."""
    if screenshot is None:
        return None
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(screenshot, dtype=np.uint8)).save(
        buffer, format="PNG", compress_level=1
    )
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def observation_json(observation: dict[str, Any]) -> dict[str, Any]:
    """The observation as JSON: every field as is, the screenshot as base64 PNG."""
    out: dict[str, Any] = {}
    for key, value in observation.items():
        if key == "screenshot":
            out["screenshot_png"] = png_base64(value)
        elif isinstance(value, np.ndarray):
            out[key] = value.tolist()
        else:
            out[key] = value
    return out


@dataclass
class RequestMeter:
    """Every attempt at a request, counted as it is made: a failed attempt is a request too.

    One meter lasts an episode (the adapters make a new one in `reset`); `usage()` is the
    episode's `usage` as stored with its result.
    """

    requests: int = 0  # attempts, retries included
    retries: int = 0  # attempts after the first of a request
    failed: int = 0  # attempts that gave no usable reply (an error status, none, or garbled)
    seconds: float = 0.0  # waiting for replies, summed over every attempt

    def usage(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "failed_requests": self.failed,
            "latency_s": round(self.seconds, 3),
        }


@dataclass
class Reply:
    """A reply's JSON body, and how long the request took over all its attempts."""

    body: Any
    seconds: float


def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float,
    retries: int,
    headers: dict[str, str] | None = None,
    backoff: float = 0.5,
    meter: RequestMeter | None = None,
) -> Reply:
    """POST JSON and read JSON back, retrying what is worth retrying.

    Retried: connection failures, timeouts and statuses in RETRY_STATUSES (honouring a short
    Retry-After), at most `retries` times with exponential backoff. Each attempt is counted in
    `meter` as it ends, also when this raises.

    `timeout` bounds the connection and each read of the status line and headers, and the
    reply's body as a whole: a server that sends its body a byte at a time is given up on once
    `timeout` has passed since the request started (within one more read, so an attempt takes at
    most about twice `timeout`). One that drips its headers is bounded only per read: the
    runner's `--step-timeout` is the bound of a step whatever the server does.

    Raises:
        EndpointError: a status that will not change on retry (named with the body's first
            line), a reply that is not JSON or is too large, or the last retry's failure.
    """
    meter = meter if meter is not None else RequestMeter()
    data = json.dumps(payload).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    attempt, spent = 0, 0.0
    while True:
        meter.requests += 1
        meter.retries += attempt > 0
        start = time.perf_counter()
        try:
            raw = _attempt(url, data, all_headers, timeout)
            break
        except _Retriable as exc:
            failure = exc
        except EndpointError:
            meter.failed += 1
            raise
        finally:
            took = time.perf_counter() - start
            spent += took
            meter.seconds += took
        meter.failed += 1
        if attempt >= retries:
            raise EndpointError(
                failure.kind, f"{failure.reason}; gave up after {attempt + 1} attempt(s)"
            )
        wait = failure.retry_after
        time.sleep(backoff * 2**attempt if wait is None else wait)
        attempt += 1
    try:
        return Reply(json.loads(raw), spent)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        meter.failed += 1
        raise EndpointError(
            "reply not JSON", f"{url} answered with something that is not JSON: {raw[:80]!r}"
        ) from None


class _Retriable(Exception):
    """An attempt that failed in a way another attempt may not."""

    def __init__(self, kind: str, reason: str, retry_after: float | None = None) -> None:
        self.kind, self.reason, self.retry_after = kind, reason, retry_after


def _attempt(url: str, data: bytes, headers: dict[str, str], timeout: float) -> bytes:
    """One POST; its body.

    Raises:
        _Retriable: worth another attempt.
        EndpointError: not worth one.
    """
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = _read_body(response, url, timeout, deadline)
    except urllib.error.HTTPError as exc:
        kind = f"HTTP {exc.code}"
        reason = f"{url} answered {kind}: {quote(exc.read(QUOTE_CHARS * 4)) or quote(exc.reason)}"
        if exc.code not in RETRY_STATUSES:
            raise EndpointError(kind, reason) from None
        raise _Retriable(kind, reason, _retry_after(exc.headers.get("Retry-After", ""))) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        kind, why = _transport_failure(exc)
        if kind == "timeout":
            raise _Retriable(kind, f"{url} did not answer within {timeout:g}s") from None
        raise _Retriable(kind, f"{url}: {kind} ({quote(str(why))})") from None
    return raw


def _read_body(
    response: http.client.HTTPResponse, url: str, timeout: float, deadline: float
) -> bytes:
    """A reply's body, read as it comes, until `deadline` (`time.monotonic()`).

    Raises:
        _Retriable: the deadline passed before the body was whole (kind `timeout`).
        EndpointError: the body is longer than `MAX_REPLY_BYTES`.
    """
    chunks, size = [], 0
    while chunk := response.read1(READ_CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise EndpointError(
                "reply too large", f"{url} answered with more than {MAX_REPLY_BYTES} bytes"
            )
        chunks.append(chunk)
        if time.monotonic() > deadline and not response.isclosed():
            raise _Retriable("timeout", f"{url} did not send its whole reply within {timeout:g}s")
    return b"".join(chunks)


def _retry_after(value: str) -> float | None:
    """The seconds a Retry-After asks to wait, at most `MAX_RETRY_AFTER_S`; None for anything but
    a plain number of seconds (an HTTP date, or text: `str.isdigit` takes "²", `float` not)."""
    if not re.fullmatch(r"[0-9]{1,6}", value, re.ASCII):
        return None
    return min(float(value), MAX_RETRY_AFTER_S)


def _transport_failure(exc: BaseException) -> tuple[str, object]:
    """(kind, detail) of a failure to connect, send or read."""
    why: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(why, TimeoutError):
        return "timeout", why
    if isinstance(why, ConnectionRefusedError):
        return "connection refused", why
    if isinstance(why, socket.gaierror):
        return "host not found", why
    if isinstance(why, ConnectionResetError | http.client.HTTPException):
        return "connection broken", why  # the server hung up, or sent half a reply
    return "connection failed", why
