"""Agents that live elsewhere: an HTTP endpoint, or a model behind a chat-completions API.

`--agent http://HOST:PORT/act` POSTs every observation and takes the action in the reply;
`--agent openai-compatible:MODEL@URL` asks a chat-completions server (OpenAI, vLLM, llama.cpp,
…) with the screenshot and the accessibility tree, and reads the action from the reply with the
env's own parser. docs/agents.md has both wire formats.
"""

from __future__ import annotations

import os
import re
from typing import Any

from officegym.agents._wire import observation_json, png_base64, post_json
from officegym.envs.actions import ActionMode, action_names
from officegym.errors import AgentError

TIMEOUT = float(os.environ.get("OFFICEGYM_AGENT_TIMEOUT", "60"))
RETRIES = int(os.environ.get("OFFICEGYM_AGENT_RETRIES", "3"))


class HttpAgent:
    """POST `{"episode": …, "step": n, "observation": …}`; the reply is `{"action": …}`.

    The action in the reply is an action object (`{"action": "click", "x": 10, "y": 20}`) or a
    call string (`"click('12')"`); anything else reaches the env, which reports it as the next
    observation's `last_action_error`.
    """

    name = "http"

    def __init__(
        self, url: str, seed: int | None = None, timeout: float = TIMEOUT, retries: int = RETRIES
    ) -> None:
        self.url, self.timeout, self.retries = url, timeout, retries
        self.episode: dict[str, Any] = {}
        self.step = 0
        self.usage: dict[str, Any] = {}

    def reset(self, info: dict[str, Any]) -> None:
        keys = ("task_id", "seed", "goal", "action_mode", "viewport")
        self.episode = {k: info[k] for k in keys if k in info}
        self.step = 0
        self.usage = {"requests": 0, "retries": 0}

    def act(self, observation: dict[str, Any]) -> Any:
        payload = {
            "episode": self.episode,
            "step": self.step,
            "observation": observation_json(observation),
        }
        reply = post_json(self.url, payload, timeout=self.timeout, retries=self.retries)
        self.step += 1
        self.usage["requests"] += 1
        self.usage["retries"] += reply.retries
        if not isinstance(reply.body, dict) or "action" not in reply.body:
            raise AgentError(f"{self.url} replied without an 'action': {str(reply.body)[:120]}")
        return reply.body["action"]


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


def action_from_reply(text: str) -> str:
    """The last line of a model's reply that reads as an action call, else the whole reply.

    >>> action_from_reply("I will open it.\\n```\\nclick('12')\\n```")
    "click('12')"
    """
    for line in reversed(text.strip().splitlines()):
        match = _CALL.match(line)
        if match:
            return match.group(1)
    return text.strip()


class ChatCompletionsAgent:
    """A model behind an OpenAI-compatible `/chat/completions` endpoint.

    Args:
        model: the model name the server knows.
        base_url: up to the API version, e.g. `http://127.0.0.1:8000/v1`.
        api_key: sent as a bearer token; default `$OFFICEGYM_API_KEY`, then `$OPENAI_API_KEY`.
        history: how many of the previous turns (action and error) are repeated in the prompt.

    Token counts come from the replies' `usage`; the cost is counted when prices are set in
    `$OFFICEGYM_PRICE_INPUT` and `$OFFICEGYM_PRICE_OUTPUT` (currency units per million tokens).
    """

    name = "openai-compatible"

    def __init__(
        self,
        model: str,
        base_url: str,
        seed: int | None = None,
        api_key: str | None = None,
        timeout: float = TIMEOUT,
        retries: int = RETRIES,
        history: int = 8,
    ) -> None:
        self.model, self.url = model, base_url.rstrip("/") + "/chat/completions"
        self.api_key = (
            api_key or os.environ.get("OFFICEGYM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        )
        self.timeout, self.retries, self.history = timeout, retries, history
        self.prices = (
            _price("OFFICEGYM_PRICE_INPUT"),
            _price("OFFICEGYM_PRICE_OUTPUT"),
        )
        self.mode, self.goal = "computer", ""
        self.turns: list[str] = []
        self.usage: dict[str, Any] = {}

    def reset(self, info: dict[str, Any]) -> None:
        self.mode = info.get("action_mode", "computer")
        self.goal = info.get("goal", "")
        self.turns = []
        self.usage = {"requests": 0, "retries": 0, "prompt_tokens": 0, "completion_tokens": 0}
        if all(p is not None for p in self.prices):
            self.usage["cost"] = 0.0

    def messages(self, observation: dict[str, Any]) -> list[dict[str, Any]]:
        mode: ActionMode = "browser" if self.mode == "browser" else "computer"
        system = SYSTEM_PROMPT.format(
            examples=_EXAMPLES[mode], actions=", ".join(action_names(mode))
        )
        lines = [f"Goal: {observation.get('goal') or self.goal}", f"URL: {observation.get('url')}"]
        if self.turns:
            lines.append("Your previous actions:\n" + "\n".join(self.turns[-self.history :]))
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
        payload = {"model": self.model, "messages": self.messages(observation), "temperature": 0}
        reply = post_json(
            self.url, payload, timeout=self.timeout, retries=self.retries, headers=headers
        )
        self.usage["requests"] += 1
        self.usage["retries"] += reply.retries
        try:
            text = reply.body["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise AgentError(f"{self.url} replied without choices[0].message.content") from exc
        self._count(reply.body.get("usage") or {})
        action = action_from_reply(text)
        if observation.get("last_action_error") and self.turns:
            self.turns[-1] += f"  (failed: {observation['last_action_error']})"
        self.turns.append(action)
        return action

    def _count(self, usage: dict[str, Any]) -> None:
        prompt, completion = (
            int(usage.get("prompt_tokens", 0)),
            int(usage.get("completion_tokens", 0)),
        )
        self.usage["prompt_tokens"] += prompt
        self.usage["completion_tokens"] += completion
        price_in, price_out = self.prices
        if price_in is not None and price_out is not None:
            cost = (prompt * price_in + completion * price_out) / 1e6
            self.usage["cost"] = round(self.usage["cost"] + cost, 6)


def _price(variable: str) -> float | None:
    raw = os.environ.get(variable)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise AgentError(
            f"${variable}={raw!r} is not a number (price per million tokens)"
        ) from None


def parse_chat_spec(spec: str) -> tuple[str, str]:
    """`openai-compatible:MODEL@URL` → (model, url).

    Raises:
        AgentError: the spec lacks the model or the URL.
    """
    body = spec.removeprefix("openai-compatible:")
    model, sep, url = body.partition("@")
    if not sep or not model or not url.startswith(("http://", "https://")):
        raise AgentError(
            f"cannot read agent {spec!r}: write openai-compatible:MODEL@URL, "
            "e.g. openai-compatible:gpt-4o@https://api.openai.com/v1"
        )
    return model, url
