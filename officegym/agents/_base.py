"""The agent protocol and the agent registry."""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

from officegym.errors import AgentError, UnknownNameError

AGENTS = {
    "oracle": "officegym.agents.oracle:OracleAgent",
    "random": "officegym.agents.random_agent:RandomAgent",
}


@runtime_checkable
class Agent(Protocol):
    """What an agent implements.

    `reset(info)` is called with the env's reset info (task_id, seed, params, action_mode, goal);
    `act(observation)` returns the next action: an action model, a dict, or a call string such as
    ``"click(120, 48)"`` / ``"click('12')"``.
    """

    name: str

    def reset(self, info: dict[str, Any]) -> None: ...

    def act(self, observation: dict[str, Any]) -> Any: ...


def load_agent(spec: str, **kwargs: Any) -> Agent:
    """Make an agent from its spec.

    Specs: a registered name (`oracle`, `random`); `package.module:Class` (any class with the
    agent protocol); `http://HOST:PORT/PATH` (an agent server); `openai-compatible:MODEL@URL`
    (a model behind a chat-completions API).

    Raises:
        UnknownNameError: no agent by that name.
        AgentError: `module:Class` could not be imported or is not an agent, or a spec is garbled.
    """
    if spec.startswith(("http://", "https://")):
        from officegym.agents.remote import HttpAgent

        return HttpAgent(spec, **kwargs)
    if spec.startswith("openai-compatible:"):
        from officegym.agents.remote import ChatCompletionsAgent, parse_chat_spec

        model, url = parse_chat_spec(spec)
        return ChatCompletionsAgent(model, url, **kwargs)
    target = AGENTS.get(spec)
    if target is None:
        if ":" not in spec:
            raise UnknownNameError("agent", spec, AGENTS)
        target = spec
    module_name, _, class_name = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise AgentError(f"cannot load agent {spec!r}: {exc}") from exc
    agent = cls(**kwargs)
    if not isinstance(agent, Agent):
        raise AgentError(f"{spec!r} is not an agent: it needs reset(info) and act(observation)")
    return agent
