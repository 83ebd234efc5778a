"""Chat: the activity log of the user's changes (over HTTP); in Chromium, the quick switcher
(Control+K) and unread markers."""

from __future__ import annotations

import random
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from officegym.agents.axtree import find_element
from officegym.tasks.apps import StateStore, app_url, load_app
from officegym.tasks.apps.people import ME, directory


def world(seed: int = 0) -> StateStore:
    store = StateStore()
    load_app("chat").populate(store, random.Random(f"chat/{seed}"), directory(seed))
    return store


def client(store: StateStore) -> TestClient:
    """The app with its store in the scope, as the server gives it."""
    app = load_app("chat").asgi

    async def with_store(scope: Scope, receive: Receive, send: Send) -> None:
        scope["officegym.store"] = store
        scope["officegym.stores"] = {"chat": store}
        await app(scope, receive, send)

    return TestClient(with_store)


def logged(store: StateStore) -> list[tuple[str, str, int | None, str]]:
    rows = store.query("SELECT verb, conversation, message_id, detail FROM activity ORDER BY id")
    return [(r["verb"], r["conversation"], r["message_id"], r["detail"]) for r in rows]


def test_a_pin_a_reaction_and_a_topic_change_are_logged_but_reading_is_not() -> None:
    store = world(0)
    assert logged(store) == []  # the seeded workspace has no activity of the user's
    c = client(store)
    mid = int(
        store.scalar(
            "SELECT m.id FROM messages m JOIN channels c ON c.id = m.channel_id "
            "WHERE c.name = 'sales' AND m.parent_id IS NULL ORDER BY m.id LIMIT 1"
        )
    )
    assert c.get("/c/sales").status_code == 200
    assert logged(store) == []  # opening a channel marks it read, and changes nothing

    back = {"back": "/c/sales"}
    c.post(f"/m/{mid}/pin", data=back, follow_redirects=False)
    c.post(f"/m/{mid}/react", data={**back, "emoji": "heart"}, follow_redirects=False)
    c.post("/c/sales/topic", data={"topic": "Deals only"}, follow_redirects=False)
    c.post(f"/m/{mid}/pin", data=back, follow_redirects=False)
    c.post(f"/m/{mid}/react", data={**back, "emoji": "heart"}, follow_redirects=False)
    c.post("/c/sales/topic", data={"topic": "Deals only"}, follow_redirects=False)  # no change
    assert logged(store) == [
        ("pin", "c:sales", mid, ""),
        ("react", "c:sales", mid, "heart"),
        ("topic", "c:sales", None, "Deals only"),
        ("unpin", "c:sales", mid, ""),
        ("unreact", "c:sales", mid, "heart"),
    ]
    assert store.scalar("SELECT topic FROM channels WHERE name = 'sales'") == "Deals only"


def test_a_seed_always_builds_the_same_workspace() -> None:
    assert world(3).snapshot() == world(3).snapshot()


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def element_id(obs: dict[str, Any], role: str, name: str) -> str:
    el = find_element(obs["axtree"], role, name)
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return el.id


@pytest.mark.browser
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


@pytest.mark.browser
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
