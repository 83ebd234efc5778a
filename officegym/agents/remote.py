"""Agents that live elsewhere: an HTTP endpoint, or a model behind a chat-completions API.

`--agent http://HOST:PORT/act` POSTs every observation and takes the action in the reply;
`--agent openai-compatible:MODEL@URL` asks a chat-completions server (OpenAI, vLLM, llama.cpp,
…) with the screenshot and the accessibility tree, and reads the action from the reply with the
env's own parser. docs/agents.md has both wire formats and every option (`--agent-option`).

Both count every request they make, retries and failures included (`usage`), and leave an
account of each step in `last_step` (the model's reply, the action read from it, the request's
time and tokens, what went wrong), which the runner stores in `steps.jsonl` and the trajectory.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from officegym.agents._options import (
    body_options,
    count_option,
    header_option,
    price,
    read_prompt,
    transport_options,
)
from officegym.agents._wire import (
    EndpointError,
    RequestMeter,
    observation_json,
    png_base64,
    post_json,
    quote,
)
from officegym.envs.actions import ActionMode, action_names
from officegym.errors import AgentError

__all__ = [
    "SYSTEM_PROMPT",
    "ChatCompletionsAgent",
    "EndpointError",
    "HttpAgent",
    "action_from_reply",
    "check_agent_url",
    "parse_chat_spec",
]

# What the prompt repeats of each earlier action: a reply without a call is sent whole as the
# action, and eight of those must not swell every later prompt.
HISTORY_ACTION_CHARS = 300


class HttpAgent:
    """POST `{"episode": …, "step": n, "observation": …}`; the reply is `{"action": …}`.

    The action in the reply is an action object (`{"action": "click", "x": 10, "y": 20}`) or a
    call string (`"click('12')"`); anything else reaches the env, which reports it as the next
    observation's `last_action_error`. A reply may add `"reply"`: the text the agent's model
    wrote, kept with the step.

    Args:
        url: the endpoint.
        timeout: seconds per attempt (default `$OFFICEGYM_AGENT_TIMEOUT`, else 60).
        retries: more attempts after a retriable failure (default `$OFFICEGYM_AGENT_RETRIES`,
            else 3).
        headers: more HTTP headers for every request.

    Raises:
        AgentError: an option of the wrong type or out of range.
    """

    name = "http"

    def __init__(
        self,
        url: str,
        seed: int | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url = check_agent_url(url)
        self.timeout, self.retries = transport_options(timeout, retries)
        self.headers = header_option(headers)
        self.episode: dict[str, Any] = {}
        self.step = 0
        self.meter = RequestMeter()
        self.last_step: dict[str, Any] | None = None

    @property
    def usage(self) -> dict[str, Any]:
        """This episode's requests: attempts, retries, failed attempts, seconds waited."""
        return self.meter.usage()

    def reset(self, info: dict[str, Any]) -> None:
        keys = ("task_id", "seed", "goal", "action_mode", "viewport")
        self.episode = {k: info[k] for k in keys if k in info}
        self.step = 0
        self.meter = RequestMeter()
        self.last_step = None

    def act(self, observation: dict[str, Any]) -> Any:
        payload = {
            "episode": self.episode,
            "step": self.step,
            "observation": observation_json(observation),
        }
        self.step += 1
        with _StepAccount(self, self.meter) as account:
            reply = post_json(
                self.url,
                payload,
                timeout=self.timeout,
                retries=self.retries,
                headers=self.headers,
                meter=self.meter,
            )
            if not isinstance(reply.body, dict) or "action" not in reply.body:
                self.meter.failed += 1
                raise EndpointError(
                    "reply without an action",
                    f"{self.url} replied without an 'action': {quote(json.dumps(reply.body))}",
                )
            action = reply.body["action"]
            text = reply.body.get("reply")
            account.done(text if isinstance(text, str) else "", _action_string(action), None)
        return action


SYSTEM_PROMPT = """You operate a web browser to do an office task for a user.
Each turn you get the goal, the page's URL, a screenshot and the accessibility tree, where
[id] marks an element you can act on. Reply with exactly one action as a call on its own last
line, for example {examples}.
Actions: {actions}.
When the task is done, or cannot be done, reply answer('...') with the answer or the reason."""

_EXAMPLES = {
    "browser": "click('12'), fill('7', 'hello'), press('Enter'), answer('42')",
    "computer": "click(120, 48), type('hello'), key('Enter'), hotkey('Control', 'a')",
}
_CALL = re.compile(r"^\s*`*\s*([a-z_]+\(.*\))\s*`*\s*$")


def find_call(text: str) -> str | None:
    """The last line of a model's reply that reads as an action call, or None."""
    for line in reversed(text.strip().splitlines()):
        match = _CALL.match(line)
        if match:
            return match.group(1)
    return None


def action_from_reply(text: str) -> str:
    """The last line of a model's reply that reads as an action call, else the whole reply.

    >>> action_from_reply("I will open it.\\n```\\nclick('12')\\n```")
    "click('12')"
    """
    call = find_call(text)
    return call if call is not None else text.strip()


def system_prompt(template: str, mode: ActionMode) -> str:
    """The system prompt of an action mode: `{examples}` and `{actions}` filled in (any other
    brace is the template's own text)."""
    return template.replace("{examples}", _EXAMPLES[mode]).replace(
        "{actions}", ", ".join(action_names(mode))
    )


class ChatCompletionsAgent:
    """A model behind an OpenAI-compatible `/chat/completions` endpoint.

    Args:
        model: the model name the server knows.
        base_url: up to the API version, e.g. `http://127.0.0.1:8000/v1`.
        api_key: sent as a bearer token; default `$OFFICEGYM_API_KEY`, then `$OPENAI_API_KEY`.
        timeout, retries: as `HttpAgent`'s.
        history: how many of the previous turns (action and error) are repeated in the prompt.
        max_tokens: the request's `max_tokens`; not sent when None (the server's default).
        temperature: the request's `temperature` (default 0); not sent when None.
        extra_body: more fields of every request body (`top_p`, `stop`, …), added last.
        headers: more HTTP headers for every request (they win over the bearer token).
        system_prompt_file: a UTF-8 file whose text replaces `SYSTEM_PROMPT`.

    Token counts come from the replies' `usage`; the cost is counted when prices are set in
    `$OFFICEGYM_PRICE_INPUT` and `$OFFICEGYM_PRICE_OUTPUT` (currency units per million tokens).

    Raises:
        AgentError: an option of the wrong type or out of range, an unreadable prompt file, or
            a price that is not a number.
    """

    name = "openai-compatible"

    def __init__(
        self,
        model: str,
        base_url: str,
        seed: int | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        history: int = 8,
        max_tokens: int | None = None,
        temperature: float | None = 0.0,
        extra_body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        system_prompt_file: str | None = None,
    ) -> None:
        self.model, self.url = model, chat_url(check_agent_url(base_url))
        self.api_key = (
            api_key or os.environ.get("OFFICEGYM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        )
        self.timeout, self.retries = transport_options(timeout, retries)
        self.history = count_option("history", history, minimum=0)
        self.body = body_options(max_tokens, temperature, extra_body)
        self.headers = header_option(headers)
        self.template = read_prompt(system_prompt_file) if system_prompt_file else SYSTEM_PROMPT
        self.prices = (price("OFFICEGYM_PRICE_INPUT"), price("OFFICEGYM_PRICE_OUTPUT"))
        self.mode: ActionMode = "computer"
        self.goal = ""
        self.turns: list[str] = []
        self.meter = RequestMeter()
        self.tokens = [0, 0]  # prompt, completion: this episode's
        self.last_step: dict[str, Any] | None = None

    @property
    def usage(self) -> dict[str, Any]:
        """This episode's requests (as `HttpAgent`'s), tokens, and cost when prices are set."""
        usage = self.meter.usage()
        usage["prompt_tokens"], usage["completion_tokens"] = self.tokens
        price_in, price_out = self.prices
        if price_in is not None and price_out is not None:
            cost = (self.tokens[0] * price_in + self.tokens[1] * price_out) / 1e6
            usage["cost"] = round(cost, 6)
        return usage

    def reset(self, info: dict[str, Any]) -> None:
        self.mode = "browser" if info.get("action_mode") == "browser" else "computer"
        self.goal = info.get("goal", "")
        self.turns = []
        self.meter = RequestMeter()
        self.tokens = [0, 0]
        self.last_step = None

    def messages(self, observation: dict[str, Any]) -> list[dict[str, Any]]:
        system = system_prompt(self.template, self.mode)
        lines = [f"Goal: {observation.get('goal') or self.goal}", f"URL: {observation.get('url')}"]
        recent = self.turns[-self.history :] if self.history else []  # [-0:] is all of it
        if recent:
            lines.append("Your previous actions:\n" + "\n".join(recent))
        if observation.get("last_action_error"):
            lines.append(f"Your last action failed: {observation['last_action_error']}")
        if observation.get("axtree"):
            lines.append("Accessibility tree:\n" + str(observation["axtree"]))
        content: list[dict[str, Any]] = [{"type": "text", "text": "\n\n".join(lines)}]
        image = png_base64(observation.get("screenshot"))
        if image:
            url = f"data:image/png;base64,{image}"
            content.append({"type": "image_url", "image_url": {"url": url}})
        return [{"role": "system", "content": system}, {"role": "user", "content": content}]

    def act(self, observation: dict[str, Any]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        payload = {"model": self.model, "messages": self.messages(observation), **self.body}
        with _StepAccount(self, self.meter) as account:
            reply = post_json(
                self.url,
                payload,
                timeout=self.timeout,
                retries=self.retries,
                headers={**headers, **self.headers},
                meter=self.meter,
            )
            choice, text = self._read_reply(reply.body)
            tokens = _tokens(reply.body.get("usage"))
            if tokens:
                self.tokens[0] += tokens["prompt"]
                self.tokens[1] += tokens["completion"]
            call = find_call(text)
            action = call if call is not None else text.strip()
            account.done(text, action, _reply_note(choice, call, text), tokens)
        if observation.get("last_action_error") and self.turns:
            self.turns[-1] += f"  (failed: {observation['last_action_error']})"
        short = action[:HISTORY_ACTION_CHARS]
        self.turns.append(short + ("…" if len(action) > HISTORY_ACTION_CHARS else ""))
        return action

    def _read_reply(self, body: Any) -> tuple[dict[str, Any], str]:
        """The reply's first choice and its text.

        Raises:
            EndpointError: the body has no `choices[0].message.content` (kind
                `reply without choices`).
        """
        try:
            choice = body["choices"][0]
            content = choice["message"]["content"]
            if isinstance(content, list):  # content parts, as some servers answer
                content = "".join(p["text"] for p in content if p.get("type") == "text")
            if content is not None and not isinstance(content, str):
                raise TypeError(type(content).__name__)
        except (KeyError, IndexError, TypeError, AttributeError):
            self.meter.failed += 1
            raise EndpointError(
                "reply without choices",
                f"{self.url} replied without choices[0].message.content: {quote(json.dumps(body))}",
            ) from None
        return choice, content or ""


class _StepAccount:
    """Keeps an adapter's `last_step` for the step under way: its reply, action, the seconds
    its request took, its tokens and its error, also when the step raises."""

    def __init__(self, agent: HttpAgent | ChatCompletionsAgent, meter: RequestMeter) -> None:
        self.agent, self.meter, self.before = agent, meter, meter.seconds

    def __enter__(self) -> _StepAccount:
        self.agent.last_step = self._entry("", "", None, None)
        return self

    def done(
        self, reply: str, action: str, error: str | None, tokens: dict[str, int] | None = None
    ) -> None:
        self.agent.last_step = self._entry(reply, action, error, tokens)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        if exc is not None and self.agent.last_step is not None:
            self.agent.last_step.update(request_s=self._seconds(), error=str(exc))

    def _seconds(self) -> float:
        return round(self.meter.seconds - self.before, 3)

    def _entry(
        self, reply: str, action: str, error: str | None, tokens: dict[str, int] | None
    ) -> dict[str, Any]:
        return {
            "reply": reply,
            "action": action,
            "request_s": self._seconds(),
            "tokens": tokens,
            "error": error,
        }


def _reply_note(choice: dict[str, Any], call: str | None, text: str) -> str | None:
    """What is worth knowing about a reply that did not go as asked, or None."""
    notes = []
    if choice.get("finish_reason") == "length":
        notes.append("the reply was cut off at max_tokens")
    if call is None and not text.strip().startswith("{"):
        notes.append("no line of the reply reads as an action call: the whole reply is the action")
    return "; ".join(notes) or None


def _tokens(usage: Any) -> dict[str, int] | None:
    """A reply's token counts as `{"prompt": n, "completion": n}`; None when it has none."""
    if not isinstance(usage, dict):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if _is_count(prompt) and _is_count(completion):
        return {"prompt": prompt, "completion": completion}
    return None


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _action_string(action: Any) -> str:
    """An action as text, for the step's account (a call string stays as it is)."""
    if isinstance(action, str):
        return action
    try:
        return json.dumps(action)
    except (TypeError, ValueError, RecursionError):
        return f"<{type(action).__name__}>"


# ---- the spec -----------------------------------------------------------------------------------


def parse_chat_spec(spec: str) -> tuple[str, str]:
    """`openai-compatible:MODEL@URL` → (model, url).

    A model name may hold `@` and `/` (`meta-llama/Llama-3@v2`), so the spec is cut at its last
    `@` followed by a scheme. A URL with user info (`http://user:pass@host`) or a query is
    refused (`check_agent_url`).

    >>> parse_chat_spec("openai-compatible:meta-llama/Llama-3@v2@http://host:8000/v1")
    ('meta-llama/Llama-3@v2', 'http://host:8000/v1')

    Raises:
        AgentError: the spec lacks the model or the URL, the URL names no host, or it has user
            info or a query.
    """
    body = spec.removeprefix("openai-compatible:")
    cut = max(body.rfind("@http://"), body.rfind("@https://"))
    model, url = (body[:cut], body[cut + 1 :]) if cut > 0 else ("", "")
    if url:
        check_agent_url(url)
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed port or IPv6 address
        host = None
    if not model or not host:
        raise AgentError(
            f"cannot read agent {spec!r}: write openai-compatible:MODEL@URL, "
            "e.g. openai-compatible:gpt-4o@https://api.openai.com/v1"
        )
    return model, url


def check_agent_url(url: str) -> str:
    """`url`, refused if it carries what may be a credential: user info (`user:pass@`) or a
    query (`?key=…`).

    An agent's URL is part of its spec, and the spec is the run's name for the agent: stored in
    every result, the run's info and summary.json, shown in the report and in every error
    message, and handed to the workers that make the agent. So it cannot be cut from what is
    shown without being cut from what is used, and it must hold no secret; a query is refused
    whole, as no rule tells a key (`?key=`, `?api-key=`) from a harmless parameter.

    >>> check_agent_url("http://127.0.0.1:8000/v1")
    'http://127.0.0.1:8000/v1'

    Raises:
        AgentError: the URL has user info or a query (the message shows it without them).
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 address: refused as naming no host, where it is used
        return url
    if "@" not in parts.netloc and not parts.query:
        return url
    host = parts.netloc.rpartition("@")[2]
    shown = f"{parts.scheme}://{host}{parts.path}"
    what = "user info (NAME:PASSWORD@)" if "@" in parts.netloc else "a query (?…)"
    raise AgentError(
        f"the agent URL {shown} has {what}, which would be stored with every result and shown "
        "in reports and messages: pass a key in $OFFICEGYM_API_KEY (the chat-completions "
        "adapter sends it as a bearer token), or as a header with --agent-option "
        '\'headers={"NAME": "VALUE"}\', and leave it out of the URL'
    )


def chat_url(base_url: str) -> str:
    """The chat-completions endpoint of an API base (a full endpoint URL is kept as it is)."""
    base = base_url.rstrip("/")
    return base if base.endswith("/chat/completions") else base + "/chat/completions"
