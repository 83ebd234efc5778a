"""Registration of every task as a Gymnasium env, `officegym/<task id>-v0`.

It lives outside `officegym.envs` because the root package calls it the moment Gymnasium has
been imported, which can happen half-way through importing `officegym.envs` itself.
"""

from __future__ import annotations

NAMESPACE = "officegym"
# The env class, by string: Gymnasium imports it when an env is made, not when registered.
ENTRY_POINT = "officegym.envs:OfficeEnv"


def env_id(task_id: str) -> str:
    """The Gymnasium id of a task.

    >>> env_id("mail.apply-label")
    'officegym/mail.apply-label-v0'
    """
    return f"{NAMESPACE}/{task_id}-v0"


def register_envs() -> None:
    """Register every task as `officegym/<task id>-v0` (metadata only; nothing starts)."""
    import gymnasium

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
