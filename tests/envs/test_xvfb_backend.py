"""The `xvfb` backend: a headed Chromium window on a virtual display, same pages as headless."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from officegym.agents.axtree import find_element
from officegym.browser import BrowserHost

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb"),
]


def test_xvfb_env_renders_and_acts_like_headless(make_env: Callable[..., Any]) -> None:
    headed = make_env("mail.apply-label", backend="xvfb", action_mode="browser")
    headless = make_env("mail.apply-label", action_mode="browser")
    obs_x, _ = headed.reset(seed=4)
    obs_h, _ = headless.reset(seed=4)
    assert obs_x["axtree"] == obs_h["axtree"]
    changed = np.abs(obs_x["screenshot"].astype(int) - obs_h["screenshot"].astype(int)).max(axis=2)
    assert (changed > 48).mean() < 0.005  # the same pixels, up to JPEG noise

    host = BrowserHost.acquire("xvfb")
    assert host.display_name and host.display_name.startswith(":")
    assert host.browser is not None and host.display is not None

    starred = find_element(obs_x["axtree"], "link", "Starred")
    assert starred is not None  # ids follow the page, so look the link up by its name
    obs, *_ = headed.step(f"click('{starred.id}')")
    assert obs["url"].endswith("/starred") and not obs["last_action_error"]


def test_unknown_backend_is_refused(make_env: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="available: headless, xvfb"):
        make_env("mail.apply-label", backend="vnc")


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="needs xdotool")
def test_os_input_acts_through_the_screen_and_the_whole_screen_is_observed(
    make_env: Callable[..., Any],
) -> None:
    fields = ("goal", "url", "screenshot", "axtree", "last_action_error", "tabs", "screen")
    env = make_env("mail.apply-label", backend="xvfb", os_input=True, observation=fields)
    obs, _ = env.reset(seed=4)
    assert obs["screen"].shape == (1000, 1600, 3) and env.observation_space.contains(obs)
    link = find_element(obs["axtree"], "link", "Starred")
    assert link is not None and link.center is not None
    obs, *_ = env.step(f"click({link.center[0]}, {link.center[1]})")
    assert obs["url"].endswith("/starred") and not obs["last_action_error"]
    offset = env.unwrapped._executor.os_input.offset  # learnt from the pointer: xdotool ran
    assert offset is not None and offset[1] > 0  # the page sits below the browser's toolbar

    def screen_shows_the_page(obs: dict[str, Any]) -> bool:
        x, y = offset
        page_on_screen = obs["screen"][y : y + 720, x : x + 1280].astype(int)
        changed = np.abs(page_on_screen - obs["screenshot"].astype(int)).max(axis=2)
        return bool((changed > 48).mean() < 0.01)

    assert screen_shows_the_page(obs)
    # No next episode is prepared (its window would cover this one): the next reset's window
    # is the only one, and the screen shows its page at once and after a step with no input.
    assert env.unwrapped._next is None
    obs, _ = env.reset(seed=5)
    assert screen_shows_the_page(obs)
    obs, *_ = env.step("wait(10)")
    assert screen_shows_the_page(obs)


def test_os_input_needs_the_xvfb_backend(make_env: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="need backend='xvfb'"):
        make_env("mail.apply-label", os_input=True)
