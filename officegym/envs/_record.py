"""What an env's trajectory says of its episode (`meta.json`): who played which task, seed and
parameters, in which viewport, under which settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import officegym
from officegym.browser import Stage
from officegym.tasks import Task


def episode_meta(
    episode_id: str | None,
    agent: str | None,
    task: Task,
    stage: Stage,
    css_viewport: tuple[int, int],
    scale: float,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """The trajectory's meta for an episode starting now.

    `css_viewport` is the page's CSS viewport (the window divided by a zoom's `scale`): input
    events are stored in CSS pixels, as recordings are; `extra` holds the env's settings (action
    mode, backend, variant).
    """
    return {
        "id": episode_id,
        "source": "agent",
        "agent": agent,
        "recorder": {"name": "officegym.env", "version": officegym.__version__},
        "task": {"id": task.id, "seed": stage.seed, "params": dict(stage.params)},
        "start_url": task.start_url,
        "viewport": {
            "width": css_viewport[0],
            "height": css_viewport[1],
            "device_scale_factor": scale,
        },
        "coordinate_space": "viewport",
        "locale": "en-US",
        "timezone": "UTC",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "extra": extra,
    }
