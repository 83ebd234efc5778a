"""What the cross-app templates share: the app switcher and people."""

from __future__ import annotations

import random
from typing import Any

from officegym.tasks import (
    ClickOn,
    PlanStep,
)
from officegym.tasks.apps.people import colleagues

PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")


def switch_to(app: str) -> list[PlanStep]:
    """Go to another app through the app switcher in the top bar."""
    return [ClickOn("link", app, exact=True)]


def colleague(rng: random.Random, store: Any) -> dict[str, Any]:
    who = rng.choice(colleagues(store))
    return {"name": who["name"], "email": who["email"]}


def handle(email: str) -> str:
    return email.split("@")[0]
