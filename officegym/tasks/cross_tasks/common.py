"""What the cross-app templates share: the app switcher, people, and a colleague's mail that asks
the user for something."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    ClickOn,
    PlanStep,
)
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.mail_tasks.common import sent

PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")


def switch_to(app: str) -> list[PlanStep]:
    """Go to another app through the app switcher in the top bar."""
    return [ClickOn("link", app, exact=True)]


def colleague(rng: random.Random, store: Any) -> dict[str, Any]:
    who = rng.choice(colleagues(store))
    return {"name": who["name"], "email": who["email"]}


def handle(email: str) -> str:
    return email.split("@")[0]


def mail_from_sender(
    mail: StateStore, params: Mapping[str, Any], text: str, *, minutes_ago: int, thanks: bool
) -> int:
    """Add the thread `params["subject"]` from the colleague `params["sender"]`: a greeting to
    the user, `text`, then their first name (after "Thanks," when `thanks`). Returns its id."""
    closing = "Thanks,\n" if thanks else ""
    body = f"Hi {ME.name.split()[0]},\n\n{text}\n\n{closing}{params['sender_name'].split()[0]}"
    return add_thread(mail, params["subject"], params["sender"], body, minutes_ago=minutes_ago)


def replies_in(mail: StateStore, subject: str) -> list[dict[str, Any]]:
    """What the user sent in the thread the setup made with this subject, in order."""
    return sent(mail, mail.scalar("SELECT id FROM threads WHERE subject = ?", (subject,)))
