"""Tabs: a link with a target opens a tab the env follows; `tab_focus` and `tab_close` move
between tabs; the trajectory records it all, and replays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from officegym.agents.axtree import find_element
from officegym.replayer import Replayer, Verdict
from officegym.trajectory import TrajectoryReader

pytestmark = pytest.mark.browser
TASK = "cross.mail-link-to-doc"


def click(env: Any, obs: dict[str, Any], role: str, name: str) -> dict[str, Any]:
    element = find_element(obs["axtree"], role, name)
    assert element is not None, f"no {role} {name!r} on {obs['url']}"
    obs, *_ = env.step(f"click({element.id!r})")
    assert not obs["last_action_error"], obs["last_action_error"]
    return obs  # type: ignore[no-any-return]


def test_a_linked_page_opens_in_a_tab_and_the_tabs_replay(make_env: Any, tmp_path: Path) -> None:
    env = make_env(TASK, action_mode="browser", trajectory_dir=tmp_path)
    obs, info = env.reset(seed=3)
    obs, *_ = env.step(
        f"fill({find_element(obs['axtree'], 'searchbox', 'Search mail').id!r}, "  # type: ignore[union-attr]
        f"{info['params']['subject']!r})"
    )
    obs, *_ = env.step("press('Enter')")
    obs = click(env, obs, "link", info["params"]["subject"])
    thread = obs["url"]
    obs = click(env, obs, "link", "http://docs.office.test/d/")

    # The link opened the document in a new tab, and the env follows it there.
    assert obs["url"].startswith("http://docs.office.test/d/")
    assert obs["tabs"].splitlines() == [f"0: {thread}", f"1: {obs['url']} (active)"]
    assert f"{info['params']['items'][0]}: " in obs["axtree"]  # the document, not the mail

    obs, *_ = env.step("tab_focus(7)")
    assert obs["last_action_error"].startswith("no open tab 7; the open tabs are:")
    assert obs["url"].startswith("http://docs.office.test/d/")  # nothing changed

    obs, *_ = env.step("tab_focus(0)")
    assert (obs["url"], obs["last_action_error"]) == (thread, "")
    obs, *_ = env.step("tab_focus(1)")
    obs, *_ = env.step("tab_close()")
    # The nearest tab before the closed one is active again; a closed tab keeps its number.
    assert (obs["url"], obs["tabs"]) == (thread, f"0: {thread} (active)")
    obs, *_ = env.step("tab_close()")
    assert obs["last_action_error"] == "the last tab cannot be closed; answer to end the episode"
    obs = click(env, obs, "button", "Reply")
    body = find_element(obs["axtree"], "textbox", "Message body")
    assert body is not None
    obs, *_ = env.step(f"fill({body.id!r}, '{info['params']['amount']:,}')")
    obs = click(env, obs, "button", "Send")
    *_, info = env.step("answer('')")
    assert info["success"], info

    (path,) = tmp_path.iterdir()
    tab_events = [
        (e.type, getattr(e, "index", None))
        for _, e in TrajectoryReader(path).iter_events()
        if e.type.startswith("tab.")
    ]
    assert tab_events == [
        ("tab.open", None),
        ("tab.switch", 0),
        ("tab.switch", 1),
        ("tab.close", 1),
    ]
    replayer = Replayer("fast")
    try:
        result = replayer.replay(path)
    finally:
        replayer.close()
    assert result.verdict == Verdict.VALID, result.reason

    # A person who ends by closing the window closes the last tab: the recording ends there.
    events = (path / "events.jsonl").read_text().splitlines()
    answer = next(i for i, line in enumerate(events) if '"type":"answer"' in line)
    t = json.loads(events[answer])["t"]
    events.insert(answer, json.dumps({"t": t, "type": "tab.close", "index": 0}))
    (path / "events.jsonl").write_text("\n".join(events) + "\n")
    replayer = Replayer("fast")
    try:
        result = replayer.replay(path)
    finally:
        replayer.close()
    assert result.verdict == Verdict.VALID, result.reason
