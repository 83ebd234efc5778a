"""A long Chat task: open a launch war room (create the channel with its topic, post and pin the
welcome message, invite four people by direct message)."""

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
    Submit,
    Task,
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.chat_tasks.common import (
    PROJECTS,
    direct_message,
    new_messages,
    nothing_else,
    open_channel,
)
from officegym.tasks.mail_tasks.common import someone_else

HOURS = ("9:00", "9:30", "10:00", "16:00")


@register
class OpenWarRoom(Task):
    """The setup adds another project's war room (joined, with a welcome message of its own) as
    the look-alike where a careless agent posts."""

    id = "chat.open-war-room"
    apps = ("chat",)
    start_path = "/c/general"
    instruction = (
        "Open a war room for the {project} launch: create a public channel #{name} with the topic "
        "“{topic}”, post “{welcome}” in it and pin that message to the channel, then send "
        "{i0}, {i1}, {i2} and {i3} each a direct message: “{invite}”"
    )
    tags = ("long-horizon", "forms", "autocomplete", "navigation", "hard")
    max_steps = 75  # 30 plan steps; with pixels and keys each of 11 fields takes three actions

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project, other = rng.sample(PROJECTS, 2)
        *invitees, old_author = rng.sample(colleagues(apps["chat"]), 5)
        name = f"{project.lower()}-war-room"
        hour = rng.choice(HOURS)
        return {
            "project": project,
            "name": name,
            "topic": f"{project} launch: status at {hour}, blockers, go/no-go",
            "welcome": (
                f"Welcome to the {project} launch war room! Status updates at {hour} every day; "
                "blockers go in threads."
            ),
            "invite": f"Please join #{name}: the {project} launch war room is open.",
            **{f"i{k}": p["name"] for k, p in enumerate(invitees)},
            "handles": [p["handle"] for p in invitees],
            "decoy": f"{other.lower()}-war-room",
            "decoy_welcome": f"Welcome to the {other} launch war room! Status updates at {hour}.",
            "decoy_author": old_author["handle"],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["chat"]
        store.execute(
            "INSERT INTO channels(name, topic, joined, created_by) VALUES (?,?,1,?)",
            (params["decoy"], "Launch status and blockers", params["decoy_author"]),
        )
        add_message(
            store,
            params["decoy_author"],
            params["decoy_welcome"],
            minutes_ago=2900,
            channel=params["decoy"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["chat"]
        rows = store.query("SELECT * FROM channels WHERE name = ?", (params["name"],))
        made = rows[0] if rows and rows[0]["created_by"] == ME.handle else None
        new = new_messages(store)
        welcome = [
            m
            for m in new
            if made is not None
            and m["channel_id"] == made["id"]
            and m["parent_id"] is None
            and norm(m["text"]) == norm(params["welcome"])
        ]
        invites = [
            m
            for m in new
            if m["dm"] in params["handles"] and norm(m["text"]) == norm(params["invite"])
        ]
        invited = {m["dm"] for m in invites}
        pinned = {r["id"] for r in store.query("SELECT id FROM messages WHERE pinned = 1")}
        others = store.scalar(
            "SELECT count(*) FROM channels WHERE created_by = ? AND name != ?",
            (ME.handle, params["name"]),
        )
        return [
            Checkpoint(f"#{params['name']} created", made is not None),
            Checkpoint(
                "its topic", made is not None and norm(made["topic"]) == norm(params["topic"])
            ),
            Checkpoint("welcome message posted in it", bool(welcome)),
            Checkpoint("welcome message pinned", any(m["id"] in pinned for m in welcome)),
            *(Checkpoint(f"invited @{handle}", handle in invited) for handle in params["handles"]),
            Checkpoint("the channel is public", made is None or not made["private"], "guard"),
            Checkpoint("no other channel created", others == 0, "guard"),
            Checkpoint(
                "no other message pinned",
                pinned <= {m["id"] for m in welcome},
                "guard",
                detail=str(sorted(pinned)),
            ),
            nothing_else(store, welcome + invites),
        ]

    def create(self, params: Mapping[str, Any], private: bool = False) -> list[PlanStep]:
        return [
            ClickOn("link", "Browse channels"),
            ClickOn("link", "Create a channel"),
            FillIn("textbox", "Channel name", params["name"]),
            FillIn("textbox", "Topic", params["topic"]),
            *([ClickOn("checkbox", "Make private")] if private else []),
            ClickOn("button", "Create", exact=True),
        ]

    def welcome(self, params: Mapping[str, Any], channel: str) -> list[PlanStep]:
        """Post the welcome message in `channel` (open already) and pin it."""
        return [
            FillIn("textbox", f"Message #{channel}", params["welcome"]),
            PressKey("Enter"),
            ClickOn("button", f"More actions: {params['welcome'][:50]}"),
            ClickOn("menuitem", "Pin to channel"),
        ]

    def invite(self, params: Mapping[str, Any], names: list[str]) -> list[PlanStep]:
        return [step for name in names for step in direct_message(name, params["invite"])]

    def invitees(self, params: Mapping[str, Any]) -> list[str]:
        return [params[f"i{k}"] for k in range(4)]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *self.create(params),
            *self.welcome(params, params["name"]),
            *self.invite(params, self.invitees(params)),
            Submit(),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        names = self.invitees(params)
        stranger = someone_else(*names)
        return {
            "invited someone else": [
                *self.create(params),
                *self.welcome(params, params["name"]),
                *self.invite(params, [*names[:3], stranger]),
                Submit(),
            ],
            "welcome in the other war room": [
                *self.create(params),
                *open_channel(params["decoy"]),
                *self.welcome(params, params["decoy"]),
                *self.invite(params, names),
                Submit(),
            ],
            "private channel": [
                *self.create(params, private=True),
                *self.welcome(params, params["name"]),
                *self.invite(params, names),
                Submit(),
            ],
        }
