"""A random agent: uniformly random actions of the env's mode (a floor for every score)."""

from __future__ import annotations

from typing import Any

from officegym.agents.axtree import parse_axtree
from officegym.envs.actions import ActionSpace


class RandomAgent:
    """Samples from the action space, seeded; knows element ids from the observation."""

    name = "random"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self.space = ActionSpace("computer", 1280, 720, seed=seed)

    def reset(self, info: dict[str, Any]) -> None:
        width, height = info.get("viewport", (1280, 720))
        self.space = ActionSpace(
            info.get("action_mode", "computer"),
            width,
            height,
            seed=None if self.seed is None else self.seed + int(info["seed"]),
        )

    def act(self, observation: dict[str, Any]) -> Any:
        self.space.element_ids = [e.id for e in parse_axtree(observation.get("axtree", ""))]
        return self.space.sample()
