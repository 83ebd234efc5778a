"""`OfficeEnvLike`: the surface of an office env that the runner relies on, wherever it runs.

`OfficeEnv` (a browser in this process) and `DockerEnv` (a browser in a sandbox container) both
declare it, so a runner or a sandbox can hold either without knowing which. This module imports
only `typing` at run time: importing the protocol must not load Playwright, PIL or Gymnasium.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, SupportsFloat, runtime_checkable

if TYPE_CHECKING:
    from gymnasium import spaces

    from officegym.envs.actions import ActionSpace
    from officegym.evaluators import Evaluation


@runtime_checkable
class OfficeEnvLike(Protocol):
    """An office task as a Gymnasium env: what an episode's player calls on it.

    `evaluation` is the judgement of the episode that ended last (None until one ends): the
    runner reads it from the unwrapped env once the episode is over.
    """

    action_space: ActionSpace
    observation_space: spaces.Space[dict[str, Any]]
    evaluation: Evaluation | None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start an episode; return its first observation and info."""
        ...

    def step(self, action: Any) -> tuple[dict[str, Any], SupportsFloat, bool, bool, dict[str, Any]]:
        """Carry out one action; return observation, reward, terminated, truncated, info."""
        ...

    def close(self) -> None:
        """Release the browser and apps (idempotent)."""
        ...
