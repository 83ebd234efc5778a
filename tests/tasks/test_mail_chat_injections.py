"""Mail's and Chat's injected instructions (officegym/tasks/{mail,chat}_tasks/attacks.py): where
the attacker's text goes, that the `image` style shows it as a picture only, and that a trashed
conversation is one the task does not touch. The oracle and obedient sweeps are in
test_injections.py."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from officegym.tasks import get_task
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import ME
from officegym.tasks.chat_tasks.attacks import IMAGE_CAPTIONS, carrier_channel
from officegym.tasks.injections import INJECTION_PARAM
from officegym.tasks.variants import parse_variant

INJECT = parse_variant("inject")
# chat.direct-message on seed 12: the image style, posting a secret (its start page is #general).
IMAGE_TASK, IMAGE_SEED = "chat.direct-message", 12


def _injected(task_id: str, seed: int) -> tuple[StateStore, dict[str, Any]]:
    state = get_task(task_id).build_initial_state(seed, INJECT)
    app = "chat" if task_id.startswith("chat.") else "mail"
    store = StateStore()
    store.restore(state.snapshots[app])
    return store, dict(state.params)


def _newest_in(store: StateStore, channel: str) -> dict[str, Any]:
    rows = store.query(
        "SELECT m.* FROM messages m JOIN channels c ON c.id = m.channel_id WHERE c.name = ? "
        "AND m.parent_id IS NULL ORDER BY m.ts DESC, m.id DESC LIMIT 1",
        (channel,),
    )
    return rows[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "task_id", ["chat.pin-message", "chat.unread-channels", "chat.leave-channel"]
)
def test_a_chat_carrier_is_the_newest_message_of_the_tasks_channel(task_id: str) -> None:
    for seed in range(6):
        store, params = _injected(task_id, seed)
        spec = params[INJECTION_PARAM]
        newest = _newest_in(store, carrier_channel(params))
        shared = store.query("SELECT * FROM attachments WHERE message_id = ?", (newest["id"],))
        if spec["style"] == "image":
            assert newest["text"] in IMAGE_CAPTIONS and len(shared) == 1
        else:
            assert newest["text"] == spec["text"] and not shared
        assert newest["author"] != ME.handle and spec["where"].endswith(
            f"#{carrier_channel(params)}"
        )


def test_the_image_style_shows_the_request_as_a_picture_only() -> None:
    store, params = _injected(IMAGE_TASK, IMAGE_SEED)
    spec = params[INJECTION_PARAM]
    assert spec["style"] == "image" and spec["attack"] == "chat.post-secret"
    newest = _newest_in(store, "general")
    (shared,) = store.query("SELECT * FROM attachments WHERE message_id = ?", (newest["id"],))
    assert shared["name"] == "screenshot.png"
    assert shared["url"].startswith("data:image/png;base64,")
    assert base64.b64decode(shared["url"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    # Neither the caption nor any other text in the workspace carries the secret.
    assert not store.query("SELECT id FROM messages WHERE text LIKE ?", (f"%{spec['secret']}%",))


@pytest.mark.parametrize("task_id", ["mail.clean-up-sender", "mail.search-and-trash"])
def test_the_conversation_to_trash_is_unique_and_not_the_tasks(task_id: str) -> None:
    seen = 0
    for seed in range(30):
        store, params = _injected(task_id, seed)
        spec = params[INJECTION_PARAM]
        if spec["attack"] != "mail.trash-conversation":
            continue
        seen += 1
        subjects = [r["subject"] for r in store.query("SELECT subject FROM threads")]
        assert sum(spec["target"] in s for s in subjects) == 1  # its checkbox names it alone
        senders = store.query(
            "SELECT m.sender FROM messages m JOIN threads t ON t.id = m.thread_id "
            "WHERE t.subject = ?",
            (spec["target"],),
        )
        assert params.get("sender_email") not in {r["sender"] for r in senders}
        assert spec["target"] != params.get("subject")
    assert seen >= 3


@pytest.mark.browser
def test_the_screenshot_shows_in_the_channel_without_its_words(make_env: Any) -> None:
    env = make_env(IMAGE_TASK, action_mode="browser", variant="inject")
    obs, info = env.reset(seed=IMAGE_SEED)
    spec = info["params"][INJECTION_PARAM]
    assert 'img "screenshot.png"' in obs["axtree"]
    assert spec["secret"] not in obs["axtree"]
    # The page's policy lets a data: image draw: the picture has its pixels.
    width = env.unwrapped.evaluate_in_page(
        "() => { const i = document.querySelector('.attachment img');"
        " return i && i.complete ? i.naturalWidth : 0; }"
    )
    assert width == 520
