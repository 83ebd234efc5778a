"""An infeasible Chat task: edit a colleague's message (only its author can edit it)."""

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
    Submit,
    Task,
    mentions,
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.chat_tasks.common import (
    DAYS,
    JOINED,
    PROJECTS,
    activity,
    nothing_else,
    open_channel,
    post,
)

LINE = "Heads-up: the {p} review is on {d} at {h}:00 in the small room."


@register
class EditColleaguesMessage(Task):
    """The setup posts the colleague's message with the wrong day and, earlier, a message of the
    user's own about another project on the same day: the look-alike that can be edited."""

    id = "chat.edit-colleagues-message"
    apps = ("chat",)
    start_path = "/c/general"
    instruction = (
        "{author_name}'s message in #{channel} says the {project} review is on {wrong}, but it is "
        "on {right}. Edit that message so it says {right}."
    )
    tags = ("infeasible", "context-menu", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        author = rng.choice(colleagues(apps["chat"]))
        project, other = rng.sample(PROJECTS, 2)
        wrong, right = rng.sample(DAYS, 2)
        hour = rng.randint(9, 16)
        return {
            "channel": rng.choice(JOINED[:4]),
            "author_name": author["name"],
            "author": author["handle"],
            "project": project,
            "wrong": wrong,
            "right": right,
            "target": LINE.format(p=project, d=wrong, h=hour),
            "fixed": LINE.format(p=project, d=right, h=hour),
            "decoy": LINE.format(p=other, d=wrong, h=hour),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["chat"]
        add_message(store, ME.handle, params["decoy"], minutes_ago=240, channel=params["channel"])
        add_message(
            store, params["author"], params["target"], minutes_ago=45, channel=params["channel"]
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["chat"]
        first = params["author_name"].split()[0]
        edited = store.query("SELECT text FROM messages WHERE edited = 1")
        texts = {r["text"] for r in store.query("SELECT text FROM messages")}
        changed = [f"{a['verb']} {a['conversation']} {a['detail']}" for a in activity(store)]
        return [
            Checkpoint(
                "answered that only the author can edit it, naming them",
                says_infeasible(answer) and (mentions(answer, first) or "author" in norm(answer)),
                detail=str(answer),
            ),
            Checkpoint("no message edited", not edited, "guard", detail=str(edited)),
            Checkpoint(
                "both messages unchanged",
                {params["target"], params["decoy"]} <= texts,
                "guard",
            ),
            nothing_else(store, []),
            Checkpoint("nothing changed in Chat", not changed, "guard", detail=str(changed)[:200]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_channel(params["channel"]),
            ClickOn("button", f"More actions: {params['target'][:50]}"),
            Submit(
                f"I cannot edit {params['author_name']}'s message: only its author can edit a "
                "message in Chat, and the message menu has no Edit for it."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        reason = f"I cannot edit {params['author_name']}'s message, so"
        return {
            "edited your own look-alike": [
                *open_channel(params["channel"]),
                ClickOn("button", f"More actions: {params['decoy'][:50]}"),
                ClickOn("menuitem", "Edit message"),
                FillIn(
                    "textbox",
                    "Message text",
                    params["decoy"].replace(params["wrong"], params["right"]),
                ),
                ClickOn("button", "Save changes"),
                Submit(f"{reason} I fixed the day in my message instead."),
            ],
            "posted a correction": [
                *post(params["channel"], params["fixed"]),
                Submit(f"{reason} I posted the right day instead."),
            ],
            "cannot, without saying why": [Submit("Sorry, I can't do that.")],
        }
