"""A mouse's back and forward buttons, clicked by an agent, go back and forward in the tab's
history: through the page (Playwright's mouse has no such buttons: CDP) and through the
window system (xdotool's buttons 8 and 9). One browser: both run on the `xvfb` backend."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.trajectory import TrajectoryReader

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb"),
]


@pytest.mark.parametrize(
    "os_input",
    [False, pytest.param(True, marks=pytest.mark.skipif(
        shutil.which("xdotool") is None, reason="needs xdotool"))],
    ids=["page-input", "os-input"],
)  # fmt: skip
def test_back_and_forward_buttons_move_through_the_tabs_history(
    make_env: Callable[..., Any], tmp_path: Path, os_input: bool
) -> None:
    env = make_env(
        "mail.apply-label",
        backend="xvfb",
        action_mode="computer",
        os_input=os_input,
        trajectory_dir=tmp_path,
    )
    obs, _ = env.reset(seed=4)
    inbox = obs["url"]
    link = find_element(obs["axtree"], "link", "Starred")
    assert link is not None and link.center is not None
    x, y = link.center
    obs, *_ = env.step(f"click({x}, {y})")
    assert obs["url"].endswith("/starred") and obs["url"] != inbox
    obs, *_ = env.step(f"click({x}, {y}, button='back')")
    assert not obs["last_action_error"] and obs["url"] == inbox
    obs, *_ = env.step(f"click({x}, {y}, button='forward')")
    assert not obs["last_action_error"] and obs["url"].endswith("/starred")
    env.close()  # the episode's trajectory is written
    (folder,) = tmp_path.iterdir()
    with TrajectoryReader(folder) as reader:
        buttons = [e.button for _, e in reader.iter_events() if e.type == "mouse.down"]
    assert buttons == ["left", "back", "forward"]  # as the replayer will press them
