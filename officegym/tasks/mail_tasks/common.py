"""What the Mail task templates share: state queries, subjects, plan steps, and the one-thread
task base."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from officegym.tasks import Apps, ClickOn, FillIn, PlanStep, PressKey, Task
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.apps.people import colleagues

# The project names that the setup's subjects draw from.
PROJECTS = ("Orion", "Maple", "Cobalt", "Aurora", "Summit", "Nova")


def people(store: StateStore) -> list[dict[str, Any]]:
    return [{"name": p["name"], "email": p["email"]} for p in colleagues(store)]


def sent(store: StateStore, thread_id: int | None = None) -> list[dict[str, Any]]:
    """Messages the user sent (in one thread, or all)."""
    if thread_id is None:
        return store.query("SELECT * FROM messages WHERE kind = 'sent' ORDER BY id")
    return store.query(
        "SELECT * FROM messages WHERE kind = 'sent' AND thread_id = ? ORDER BY id", (thread_id,)
    )


def activity(store: StateStore) -> list[dict[str, Any]]:
    """Every change the user made to conversations, in order (the mail they sent included)."""
    return store.query("SELECT verb, thread_id, detail FROM activity ORDER BY id")


def addrs(text: str) -> set[str]:
    return {a.strip().lower() for a in text.split(",") if a.strip()}


def unique_subject(rng: random.Random, template: str) -> str:
    return (
        template.format(
            p=rng.choice(PROJECTS),
            n=rng.randint(100, 999),
        )
        + f" #{rng.randint(1000, 9999)}"
    )


def search(query: str) -> list[PlanStep]:
    return [FillIn("searchbox", "Search mail", query), PressKey("Enter")]


def open_thread(subject: str) -> list[PlanStep]:
    """Find a conversation by its subject through search, then open it."""
    return [*search(subject), ClickOn("link", subject)]


def open_other_thread() -> list[PlanStep]:
    """Open a conversation that is not the task's (for near misses): only the generated mail
    talks of reviews."""
    return open_thread("review")


def someone_else(*names: str) -> str:
    """A colleague who is none of `names` (for near misses): every world's directory has them
    all."""
    return next(n for n in ("Grace Liu", "Priya Shah", "Marcus Reed") if n not in names)


def add_recipient(field: str, name: str) -> list[PlanStep]:
    """Type a name in the To or Cc field and take the first suggestion."""
    return [FillIn("combobox", field, name), PressKey("Enter")]


def compose(to: Sequence[str], subject: str, body: str) -> list[PlanStep]:
    """Write a new mail to the people named `to` and send it."""
    return [
        ClickOn("button", "Compose"),
        *(step for name in to for step in add_recipient("To", name)),
        FillIn("textbox", "Subject", subject),
        FillIn("textbox", "Message body", body),
        ClickOn("button", "Send"),
    ]


class ThreadTask(Task):
    """A task about one conversation that the setup puts into the mailbox.

    The conversation comes from a random contact (`sender_name`, `sender_email`), at a random time
    in the last few days (`minutes_ago`), with `subject` drawn from `subject_template` and the
    body `body` (both `str.format` templates over the parameters).
    """

    subject_template: ClassVar[str | None] = None  # None: the subclass sets `subject` itself
    body: ClassVar[str]

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        sender = rng.choice(people(apps["mail"]))
        template = self.subject_template
        return {
            "sender_name": sender["name"],
            "sender_email": sender["email"],
            "subject": unique_subject(rng, template) if template else "",
            "minutes_ago": rng.randint(5, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_thread(
            apps["mail"],
            params["subject"],
            params["sender_email"],
            self.body.format(first=params["sender_name"].split()[0], **params),
            minutes_ago=params["minutes_ago"],
        )

    def thread_id(self, apps: Apps, params: Mapping[str, Any]) -> int | None:
        tid = apps["mail"].scalar("SELECT id FROM threads WHERE subject = ?", (params["subject"],))
        return None if tid is None else int(tid)
