"""The code host in Chromium: its keyboard shortcuts (key sequences too), search qualifiers, and
the pull-request review forms refusing what they cannot take."""

from __future__ import annotations

from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.tasks.apps import app_url

pytestmark = pytest.mark.browser
REPO = app_url("code", "/northwind/data-pipeline")


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def click(env: Any, obs: dict[str, Any], role: str, name: str) -> dict[str, Any]:
    el = find_element(obs["axtree"], role, name)
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return step(env, f"click('{el.id}')")


def test_shortcuts_and_search(make_env: Any) -> None:
    env = make_env("code.set-milestone", action_mode="browser")
    env.reset(seed=0)
    step(env, f"goto('{REPO}')")
    step(env, "press('g')")
    assert step(env, "press('p')")["url"].endswith("/data-pipeline/pulls")  # g p
    step(env, "press('g')")
    assert step(env, "press('i')")["url"].endswith("/data-pipeline/issues")  # g i
    assert step(env, "press('c')")["url"].endswith("/issues/new")
    step(env, f"goto('{REPO}/issues')")
    obs = step(env, "press('/')")
    assert 'searchbox "Search issues and pull requests", focused' in obs["axtree"]
    obs = step(env, "press('i')")  # typed into the search box, not taken as a shortcut
    assert obs["url"].endswith("/issues") and 'value="i"' in obs["axtree"]

    issues = obs["axtree"].count("opened")
    obs = step(env, f"goto('{REPO}/issues?q=zzz-no-such-title')")
    assert "Nothing here." in obs["axtree"]
    obs = step(env, f"goto('{REPO}/issues?state=closed&q=is:open')")
    assert "Nothing here." in obs["axtree"]  # qualifiers narrow the list further
    assert issues > 0


def test_review_forms_refuse_what_they_cannot_take(make_env: Any) -> None:
    env = make_env("code.approve-pull-request", action_mode="browser")
    obs, info = env.reset(seed=0)
    params = info["params"]
    url = app_url("code", f"/northwind/{params['repo']}/pulls")
    obs = click(env, step(env, f"goto('{url}')"), "link", params["title"])
    obs = click(env, obs, "radio", "Request changes")
    obs = click(env, obs, "button", "Submit review")
    assert "needs a comment" in obs["axtree"] and "alert" in obs["axtree"]
    obs = click(env, obs, "radio", "Approve")
    obs = click(env, obs, "button", "Submit review")
    assert "Alex Morgan approved these changes" in obs["axtree"]

    # A line comment with no text is refused; a comment shows under its line.
    line = f"Comment on {params['path']} line {params['line']}"
    obs = click(env, click(env, obs, "button", line), "button", "Add line comment")
    assert "needs some text" in obs["axtree"]
    obs = click(env, obs, "button", line)
    box = find_element(obs["axtree"], "textbox", "Line comment")
    assert box is not None
    step(env, f"fill('{box.id}', 'Looks fine')")
    obs = click(env, obs, "button", "Add line comment")
    assert f"on line {params['line']} Looks fine" in obs["axtree"]
