"""Chat in Chromium: the quick switcher (Control+K), editing one's own message, unread markers."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks.apps import app_url
from officegym.tasks.apps.people import ME

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


def test_unread_markers_show_until_the_conversation_is_opened(make_env: Any) -> None:
    env = make_env("chat.unread-channels", action_mode="browser")
    obs, info = env.reset(seed=2)
    fresh, caught_up = info["params"]["fresh"], info["params"]["caught_up"]
    # The sidebar says which channels have news, and how much.
    assert f'link "# {fresh}", description="1 unread"' in obs["axtree"]
    assert f'link "# {caught_up}", center=' in obs["axtree"]
    for channel in info["params"]["unread"]:
        assert f'link "# {channel}", description="' in obs["axtree"]

    obs = step(env, f"click('{element_id(obs, 'link', f'# {fresh}')}')")
    # Opened: a line marks where the new messages start, and the channel is read.
    lines = obs["axtree"].splitlines()
    divider = next(i for i, line in enumerate(lines) if 'separator "New messages"' in line)
    assert any("shared drive moves" in line for line in lines[divider:])
    assert not any("shared drive moves" in line for line in lines[:divider])
    assert f'link "# {fresh}", description=' not in obs["axtree"]

    obs = step(env, f"goto('{app_url('chat', '/channels')}')")
    assert f'link "# {fresh}", description=' not in obs["axtree"]  # it stays read
