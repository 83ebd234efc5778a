"""The options of the agent adapters (`--agent-option KEY=VALUE`), checked as they are made.

Options come from the command line as JSON values, so each is checked for its type and range
here, and a wrong one is an `AgentError` that names it.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from officegym.agents._wire import quote
from officegym.errors import AgentError

# The defaults of `timeout` and `retries`, unless these variables say otherwise.
TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_S = "OFFICEGYM_AGENT_TIMEOUT", 60.0
RETRIES_VARIABLE, DEFAULT_RETRIES = "OFFICEGYM_AGENT_RETRIES", 3
# A system prompt file is a prompt, not a corpus: bounded, so a wrong path fails clearly.
MAX_SYSTEM_PROMPT_BYTES = 64 * 1024
# Body fields the adapter writes itself: `extra_body` may add to a request, not replace these.
OWN_BODY_FIELDS = ("model", "messages")


def transport_options(timeout: Any, retries: Any) -> tuple[float, int]:
    """`timeout` and `retries`, each from its variable when not given.

    Raises:
        AgentError: either is not a number in range (the message names it).
    """
    if timeout is None:
        timeout = _variable(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_S)
    if retries is None:
        retries = _variable(RETRIES_VARIABLE, DEFAULT_RETRIES)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise AgentError(f"agent option timeout={timeout!r}: give seconds, a number above 0")
    if math.isinf(timeout):
        raise AgentError("agent option timeout: give a finite number of seconds")
    return float(timeout), count_option("retries", retries, minimum=0)


def _variable(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise AgentError(f"${name}={raw!r} is not a number") from None
    return int(value) if isinstance(default, int) and value.is_integer() else value


def count_option(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise AgentError(f"agent option {name}={value!r}: give a whole number, {minimum} or more")
    return value


def body_options(max_tokens: Any, temperature: Any, extra_body: Any) -> dict[str, Any]:
    """The request body's fields besides the model and the messages."""
    body: dict[str, Any] = {}
    if temperature is not None:
        if (
            isinstance(temperature, bool)
            or not isinstance(temperature, int | float)
            or not 0 <= temperature < math.inf
        ):
            raise AgentError(f"agent option temperature={temperature!r}: give a number, 0 or more")
        body["temperature"] = temperature
    if max_tokens is not None:
        body["max_tokens"] = count_option("max_tokens", max_tokens, minimum=1)
    if extra_body is None:
        return body
    if not isinstance(extra_body, dict):
        raise AgentError(
            f"agent option extra_body: give a JSON object, not {type(extra_body).__name__}"
        )
    own = [k for k in OWN_BODY_FIELDS if k in extra_body]
    if own:
        raise AgentError(f"agent option extra_body may not set {', '.join(own)}: the adapter does")
    try:
        json.dumps(extra_body, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise AgentError(f"agent option extra_body is not plain JSON: {exc}") from None
    return {**body, **extra_body}


_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")  # RFC 9110's token


def header_option(headers: Any) -> dict[str, str]:
    """`headers` checked: names that are header names, values without line breaks.

    Raises:
        AgentError: not an object of strings, or a name or value HTTP cannot carry.
    """
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise AgentError(f"agent option headers: give a JSON object, not {type(headers).__name__}")
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise AgentError(f"agent option headers: {quote(str(name))!r} is not a header name")
        if not isinstance(value, str) or not all(c.isprintable() for c in value):
            raise AgentError(f"agent option headers: the value of {name} must be text on one line")
    return dict(headers)


def read_prompt(path: str) -> str:
    """The text of a system prompt file.

    Raises:
        AgentError: missing, unreadable, too large, not UTF-8, or empty.
    """
    file = Path(path)
    try:
        with file.open("rb") as f:
            data = f.read(MAX_SYSTEM_PROMPT_BYTES + 1)
    except OSError as exc:
        raise AgentError(f"system_prompt_file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_SYSTEM_PROMPT_BYTES:
        raise AgentError(f"system_prompt_file {path}: longer than {MAX_SYSTEM_PROMPT_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgentError(f"system_prompt_file {path}: not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise AgentError(f"system_prompt_file {path}: empty")
    return text


def price(variable: str) -> float | None:
    raw = os.environ.get(variable)
    if raw is None:
        return None
    try:
        price = float(raw)
    except ValueError:
        price = math.nan
    if not 0 <= price < math.inf:
        raise AgentError(f"${variable}={raw!r} is not a price (a number per million tokens)")
    return price
