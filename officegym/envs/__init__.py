"""Gymnasium envs for office tasks: `gymnasium.make("officegym/<task id>-v0", ...)`."""

from __future__ import annotations

from typing import Any

import gymnasium

from officegym.envs.actions import ActionSpace, TextSpace, parse_action

__all__ = [
    "ENV_BACKENDS",
    "ActionSpace",
    "OfficeEnv",
    "TextSpace",
    "env_id",
    "make",
    "parse_action",
    "register_envs",
]

ENTRY_POINT = "officegym.envs._env:OfficeEnv"
# headless: Chromium's headless mode; xvfb: a headed Chromium window on a virtual X display.
ENV_BACKENDS = ("headless", "xvfb")


def env_id(task_id: str) -> str:
    return f"officegym/{task_id}-v0"


def register_envs() -> None:
    """Register every task as `officegym/<task id>-v0` (metadata only; nothing starts)."""
    from officegym.tasks import task_ids

    for task_id in task_ids():
        eid = env_id(task_id)
        if eid not in gymnasium.registry:
            gymnasium.register(
                eid,
                entry_point=ENTRY_POINT,
                kwargs={"task_id": task_id},
                max_episode_steps=None,
                disable_env_checker=True,
            )


def make(task_id: str, **kwargs: Any) -> gymnasium.Env[Any, Any]:
    """`gymnasium.make` for a task id, with a did-you-mean for unknown ids.

    Raises:
        UnknownNameError: no task has that id.
    """
    from officegym.tasks import get_task

    get_task(task_id)
    return gymnasium.make(env_id(task_id), **kwargs)


def __getattr__(name: str) -> object:
    if name == "OfficeEnv":  # importing the env pulls in Playwright: only when asked for
        from officegym.envs._env import OfficeEnv

        return OfficeEnv
    raise AttributeError(name)
