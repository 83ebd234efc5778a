"""What the Drive templates share: names for the files they add, finding an item the setup made
(by its creation stamp, which nothing the user does changes), the change-log guard and plan
pieces (search, a row's menu, the Move page, the share page)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from officegym.tasks import Checkpoint, ClickOn, FillIn, PlanStep, PressKey
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.drive import stamp

PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")
TOPICS = ("budget", "roadmap", "launch plan", "vendor review", "kickoff notes", "status report")
OUTSIDERS = (
    ("Jordan Blake", "jordan.blake@gmail.test"),
    ("Riley Chen-Moss", "riley.chenmoss@outlook.test"),
    ("Morgan Ashby", "morgan@ashby-consulting.test"),
    ("Casey Lindqvist", "casey.lindqvist@proton.test"),
)


def file_name(rng: random.Random, ext: str) -> str:
    """A name like `Orion budget 42.pdf`."""
    return f"{rng.choice(PROJECTS)} {rng.choice(TOPICS)} {rng.randint(10, 99)}.{ext}"


def look_alike(name: str, rng: random.Random) -> str:
    """Another name that starts the same (`Orion budget 42.pdf` → `Orion budget 42 (old).pdf`
    or `Orion budget 47.pdf`)."""
    stem, ext = name.rsplit(".", 1)
    if rng.random() < 0.5:
        return f"{stem} (old).{ext}"
    head, number = stem.rsplit(" ", 1)
    return f"{head} {int(number) + rng.randint(1, 7)}.{ext}"


def item_by_stamp(store: StateStore, minutes_ago: int) -> dict[str, Any] | None:
    """The item the setup made `minutes_ago` minutes before now (None: deleted)."""
    rows = store.query("SELECT * FROM items WHERE created = ?", (stamp(minutes_ago),))
    return rows[0] if rows else None


def activity(store: StateStore) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM activity ORDER BY id")


def only_changed(
    store: StateStore,
    refs: Iterable[str],
    verbs: Iterable[str],
    also: Mapping[str, Iterable[str]] | None = None,
) -> Checkpoint:
    """Guard: every change the user made was one of `verbs` on one of `refs`, or one of the
    verbs `also` allows on its ref (a folder made for the task may be renamed, say)."""
    refs, verbs = set(refs), set(verbs)
    extra = {ref: set(more) for ref, more in (also or {}).items()}
    other = [
        a
        for a in activity(store)
        if (a["ref"] not in refs or a["verb"] not in verbs)
        and a["verb"] not in extra.get(a["ref"], set())
    ]
    return Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200])


def nothing_changed(store: StateStore) -> Checkpoint:
    return only_changed(store, (), ())


def search(text: str) -> list[PlanStep]:
    return [FillIn("searchbox", "Search in Drive", text), PressKey("Enter")]


def row_menu(name: str, item: str) -> list[PlanStep]:
    """Open the row's ⋮ menu and pick `item` (Share, Rename, Move to, Move to trash, …)."""
    return [ClickOn("button", f"Actions for {name}", exact=True), ClickOn("menuitem", item)]


def move_with_menu(name: str, folder: str) -> list[PlanStep]:
    """From a list showing `name`: its menu, Move to, the folder, Move here (back to the list)."""
    return [
        *row_menu(name, "Move to"),
        ClickOn("radio", folder, exact=True),
        ClickOn("button", "Move here"),
    ]


def share_steps(person: str, role: str) -> list[PlanStep]:
    """On an item's share page: add `person` (a name, picked from the suggestions) as `role`."""
    return [
        FillIn("combobox", "Add people", person),
        PressKey("Enter"),
        ClickOn("button", "Role:"),
        ClickOn("menuitemradio", role.capitalize()),
        ClickOn("button", "Send"),
    ]


def new_folder(name: str) -> list[PlanStep]:
    return [
        ClickOn("button", "New folder"),
        FillIn("textbox", "Folder name", name),
        ClickOn("button", "Create"),
    ]
