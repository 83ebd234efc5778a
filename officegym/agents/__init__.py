"""Agents: the protocol every agent follows, and the built-in ones (`oracle`, `random`)."""

from officegym.agents._base import AGENTS, Agent, load_agent
from officegym.errors import AgentError

__all__ = ["AGENTS", "Agent", "AgentError", "load_agent"]
