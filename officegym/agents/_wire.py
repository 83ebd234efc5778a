"""Observations on the wire, and JSON over HTTP with timeouts and retries (stdlib only).

Shared by the agent adapters: `http://HOST:PORT/act` and `openai-compatible:MODEL@URL`.
"""

from __future__ import annotations

import base64
import io
import json
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
class Reply:
    body: Any
    retries: int


def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float,
    retries: int,
    headers: dict[str, str] | None = None,
    backoff: float = 0.5,
) -> Reply:
    """POST JSON and read JSON back, retrying what is worth retrying.

    Retried: connection failures, timeouts and statuses in RETRY_STATUSES (honouring a short
    Retry-After), at most `retries` times with exponential backoff.

    Raises:
        AgentError: a status that will not change on retry (named with the body's first line),
            a reply that is not JSON, or the last retry's failure.
    """
    data = json.dumps(payload).encode()
    attempt = 0
    while True:
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        wait = backoff * 2**attempt
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
            break
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace").strip().splitlines()
            reason = f"{url} answered HTTP {exc.code}: {detail[0] if detail else exc.reason}"
            if exc.code not in RETRY_STATUSES:
                raise AgentError(reason) from exc
            retry_after = exc.headers.get("Retry-After", "")
            if retry_after.isdigit():
                wait = min(float(retry_after), 10.0)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            why = getattr(exc, "reason", exc)
            reason = f"{url} did not answer within {timeout:g}s ({why})"
        if attempt >= retries:
            raise AgentError(f"{reason}; gave up after {attempt + 1} attempt(s)")
        attempt += 1
        time.sleep(wait)
    try:
        return Reply(json.loads(raw), attempt)
    except json.JSONDecodeError as exc:
        raise AgentError(f"{url} answered with something that is not JSON: {raw[:80]!r}") from exc
