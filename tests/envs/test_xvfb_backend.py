"""The `xvfb` backend: a headed Chromium window on a virtual display, same pages as headless."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from officegym.envs._browser import BrowserHost

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

    obs, *_ = headed.step("click('8')")  # the Starred folder link
    assert obs["url"].endswith("/starred") and not obs["last_action_error"]


def test_unknown_backend_is_refused(make_env: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="available: headless, xvfb"):
        make_env("mail.apply-label", backend="vnc")
