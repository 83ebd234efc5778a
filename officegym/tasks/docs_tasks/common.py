"""What the Docs templates share: titles, bodies, the change log guard and the two-document base."""

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
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.docs import add_document, stamp

PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")


KINDS = ("launch plan", "budget memo", "hiring plan", "customer notes", "release notes")


OUTSIDERS = ("Jordan Blake", "Riley Chen-Moss", "Morgan Ashby", "Casey Lindqvist")


# How an instruction names a sharing role: “share it with Ana as a viewer”.
ROLE_TITLES = {"viewer": "a viewer", "commenter": "a commenter", "editor": "an editor"}


def unique_title(rng: random.Random) -> str:
    return f"{rng.choice(PROJECTS)} {rng.choice(KINDS)} {rng.randint(10, 99)}"


def body_for(project: str, amount: str) -> str:
    return (
        f"Summary: {project} moves to the next phase this quarter.\n\n"
        f"The budget for {project} is {amount}, approved by finance.\n\n"
        f"Owner: the {project} team. Review the numbers with the {project} leads before Friday."
    )


def activity(store: StateStore) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM activity ORDER BY id")


def only_touched(store: StateStore, ids: set[int], verbs: set[str]) -> Checkpoint:
    other = [a for a in activity(store) if a["doc_id"] not in ids or a["verb"] not in verbs]
    return Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200])


def doc(store: StateStore, title: str) -> dict[str, Any] | None:
    rows = store.query("SELECT * FROM documents WHERE title = ? ORDER BY id", (title,))
    return rows[0] if rows else None


def open_doc(title: str) -> list[PlanStep]:
    return [
        FillIn("searchbox", "Search documents", title),
        PressKey("Enter"),
        ClickOn("link", title),
    ]


class TwoDocsTask(Task):
    """The setup adds the user's document `title` and a decoy with a similar name."""

    apps = ("docs",)

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        title = unique_title(rng)
        project = title.split()[0]
        amount, decoy_amount = (f"${n:,}" for n in rng.sample(range(12_000, 95_000, 50), 2))
        return {
            "title": title,
            "decoy": title.rsplit(" ", 1)[0] + f" {rng.randint(100, 199)}",
            "project": project,
            "amount": amount,
            "decoy_amount": decoy_amount,
            "body": body_for(project, amount),
            "decoy_body": body_for(project, decoy_amount),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_document(apps["docs"], params["decoy"], params["decoy_body"], minutes_ago=50)
        add_document(apps["docs"], params["title"], params["body"], minutes_ago=40)  # target_id

    def target(self, store: StateStore, params: Mapping[str, Any]) -> dict[str, Any]:
        return store.query(
            "SELECT * FROM documents WHERE id = ?", (self.target_id(store, params),)
        )[0]

    def target_id(self, store: StateStore, params: Mapping[str, Any], key: str = "title") -> int:
        # Found by when the setup made it: a rename or an edit does not change that.
        minutes = 40 if key == "title" else 50
        return int(store.scalar("SELECT id FROM documents WHERE created = ?", (stamp(minutes),)))
