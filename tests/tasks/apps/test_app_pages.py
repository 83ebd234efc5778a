"""Each office app's main views in Chromium: they render, and the page logs no console error,
failed request or error status."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from officegym.tasks import suite_tasks
from officegym.tasks.apps import APP_MODULES, app_url, load_app

pytestmark = pytest.mark.browser
APPS = [a for a in APP_MODULES if a != "miniwob"]


@pytest.mark.parametrize("app", APPS)
def test_main_views_render_without_errors(app: str, make_env: Any) -> None:
    task_id = suite_tasks(app)[0]
    env = make_env(task_id, action_mode="browser")
    env.reset(seed=2)
    errors: list[str] = []
    host, stage = env.unwrapped._host, env.unwrapped._stage

    async def listen() -> None:
        stage.page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        stage.page.on("pageerror", lambda e: errors.append(str(e)))
        stage.page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
        stage.page.on(
            "response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}")
        )

    host.run(listen())
    for path in load_app(app).pages:
        obs, *_ = env.step(f"goto('{app_url(app, path)}')")
        assert obs["last_action_error"] == "", (path, obs["last_action_error"])
        shot = obs["screenshot"]
        assert shot.shape[2] == 3 and np.asarray(shot).std() > 10, f"{path} looks blank"
        assert "main" in obs["axtree"] and 'navigation "Apps"' in obs["axtree"], path
    assert errors == [], errors
