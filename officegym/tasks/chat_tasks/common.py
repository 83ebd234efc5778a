"""What the Chat templates share: channels, plans to post and message, and the two-message base."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    PressKey,
    Task,
)
from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.chat import add_message, channel_id
from officegym.tasks.apps.people import colleagues

JOINED = ("engineering", "sales", "design", "random", "general")


PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


OUTSIDERS = ("Jordan Blake", "Riley Chen-Moss", "Morgan Ashby", "Casey Lindqvist")


def new_messages(store: StateStore) -> list[dict[str, Any]]:
    """What the user wrote during the episode (everything stamped after the frozen now)."""
    return store.query("SELECT * FROM messages WHERE ts > ? ORDER BY id", (FROZEN_NOW,))


def activity(store: StateStore) -> list[dict[str, Any]]:
    """Every change the user made during the episode, in order (posts, edits, pins, reactions,
    joins, topics...; opening a conversation is none)."""
    return store.query("SELECT verb, conversation, message_id, detail FROM activity ORDER BY id")


def in_channel(store: StateStore, message: dict[str, Any], channel: str) -> bool:
    return bool(message["channel_id"] == channel_id(store, channel))


def open_channel(channel: str) -> list[PlanStep]:
    return [ClickOn("link", f"# {channel}", exact=True)]


def post(channel: str, text: str) -> list[PlanStep]:
    return [
        *open_channel(channel),
        FillIn("textbox", f"Message #{channel}", text),
        PressKey("Enter"),
    ]


def nothing_else(store: StateStore, wanted: list[dict[str, Any]]) -> Checkpoint:
    extra = [m["text"] for m in new_messages(store) if m not in wanted]
    return Checkpoint("nothing else was posted", not extra, "guard", detail=f"{extra}"[:200])


class TwoMessagesTask(Task):
    """The setup posts a target message and a decoy (same author and channel, another detail) so
    that acting on the wrong one is a near miss."""

    apps = ("chat",)
    start_path = "/c/general"
    lines = ("{p} budget draft v{n}: can someone review it by Friday?",)

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = colleagues(apps["chat"])
        author = rng.choice(people)
        line = rng.choice(self.lines)
        project = rng.choice(PROJECTS)
        n, other = rng.sample(range(10, 99), 2)
        return {
            "channel": rng.choice(JOINED[:4]),
            "author_name": author["name"],
            "author": author["handle"],
            "target": line.format(p=project, n=n),
            "decoy": line.format(p=project, n=other),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["chat"]
        for key, minutes in (("decoy", 90), ("target", 30)):
            add_message(
                store, params["author"], params[key], minutes_ago=minutes, channel=params["channel"]
            )

    def message_id(self, store: StateStore, params: Mapping[str, Any], key: str = "target") -> int:
        return int(store.scalar("SELECT id FROM messages WHERE text = ?", (params[key],)))


def direct_message(name: str, text: str) -> list[PlanStep]:
    return [
        ClickOn("link", "New message"),
        FillIn("combobox", "To", name),
        PressKey("Enter"),
        FillIn("textbox", "Message", text),
        ClickOn("button", "Send", exact=True),
    ]
