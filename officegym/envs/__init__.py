"""Gymnasium envs for office tasks: `gymnasium.make("officegym/<task id>-v0", ...)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gymnasium

from officegym._env_backends import ENV_BACKENDS
from officegym._registration import env_id, register_envs
from officegym.envs._bounds import (
    MAX_AXTREE_CHARS,
    MAX_ERROR_CHARS,
    MAX_GOAL_CHARS,
    MAX_TABS_CHARS,
    OBSERVATION_CHARSET_RANGES,
    OBSERVATION_TEXT_LIMITS,
    bound_observation,
    observation_charset,
    observation_text,
    page_text,
)
from officegym.envs._protocol import OfficeEnvLike
from officegym.envs.actions import ActionSpace, parse_action

if TYPE_CHECKING:  # the names __getattr__ gives, typed for the checker
    from officegym.envs._env import ELEMENT_ID, OBSERVATION_FIELDS, OfficeEnv, observation_space

__all__ = [
    "ELEMENT_ID",
    "ENV_BACKENDS",
    "MAX_AXTREE_CHARS",
    "MAX_ERROR_CHARS",
    "MAX_GOAL_CHARS",
    "MAX_TABS_CHARS",
    "OBSERVATION_CHARSET_RANGES",
    "OBSERVATION_FIELDS",
    "OBSERVATION_TEXT_LIMITS",
    "ActionSpace",
    "OfficeEnv",
    "OfficeEnvLike",
    "bound_observation",
    "env_id",
    "make",
    "observation_charset",
    "observation_space",
    "observation_text",
    "page_text",
    "parse_action",
    "register_envs",
]

# Names of the env module, which pulls in Playwright and PIL: loaded when first asked for, so
# that registering the envs and parsing actions stay light.
_ENV_NAMES = ("ELEMENT_ID", "OBSERVATION_FIELDS", "OfficeEnv", "observation_space")


def make(task_id: str, **kwargs: Any) -> gymnasium.Env[Any, Any]:
    """`gymnasium.make` for a task id, with a did-you-mean for unknown ids.

    Raises:
        UnknownNameError: no task has that id.
    """
    from officegym.tasks import get_task

    get_task(task_id)
    return gymnasium.make(env_id(task_id), **kwargs)


def __getattr__(name: str) -> object:
    if name in _ENV_NAMES:
        from officegym.envs import _env

        return getattr(_env, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
