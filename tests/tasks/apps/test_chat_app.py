"""Chat in Chromium: the quick switcher (Control+K) and editing one's own message."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks.apps import app_url
from officegym.tasks.apps._people import ME

pytestmark = pytest.mark.browser


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def element_id(obs: dict[str, Any], role: str, name: str) -> str:
    el = find_element(obs["axtree"], role, name)
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return el.id


def test_quick_switcher_jumps_to_channels_and_people(make_env: Any) -> None:
    env = make_env("chat.post-in-channel", action_mode="browser")
    env.reset(seed=0)
    obs = step(env, "press('Control+k')")
    box = element_id(obs, "combobox", "Jump to a channel or person")
    obs = step(env, f"fill('{box}', 'sal')")
    assert 'option "#sales", selected' in obs["axtree"]
    assert step(env, f"press('{box}', 'Enter')")["url"].endswith("/c/sales")

    people = env.unwrapped.apps["chat"].query(
        "SELECT name, handle FROM people WHERE handle != ? ORDER BY name LIMIT 1", (ME.handle,)
    )
    obs = step(env, "press('Control+k')")
    box = element_id(obs, "combobox", "Jump to a channel or person")
    obs = step(env, f"fill('{box}', '{people[0]['name'][:4].lower()}')")
    obs = step(env, f"click('{element_id(obs, 'option', people[0]['name'])}')")
    assert obs["url"].endswith(f"/dm/{people[0]['handle']}")

    obs = step(env, f"goto('{app_url('chat', '/jump?q=zzz')}')")
    assert "No channel or person matches “zzz”" in obs["axtree"]
