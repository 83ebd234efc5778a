"""The goal a recording's task was given as: one lookup for whatever shows or exports one."""

from __future__ import annotations

from officegym.errors import OfficegymError
from officegym.tasks._registry import get_task
from officegym.trajectory import TrajectoryMeta


def recorded_goal(meta: TrajectoryMeta | None) -> str | None:
    """The instruction the recording's agent or person was given, or None when unknown: from
    the task registry with the recorded parameters, else a `goal` an importer kept in `extra`."""
    if meta is None:
        return None
    if meta.task is not None:
        try:
            return get_task(meta.task.id).goal(meta.task.params)
        except (OfficegymError, KeyError, IndexError, ValueError, AttributeError):
            pass  # a task not registered here, or parameters its instruction lacks
    goal = meta.extra.get("goal")
    return goal if isinstance(goal, str) else None
