"""What the Network templates share: new people's names, the change-log guard, the plan steps
that move around the app, and the base of templates that write a text in one of two places."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from officegym.tasks import Checkpoint, ClickOn, FillIn, PlanStep, PressKey, Task
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.network import activity, add_person, find_person

# First names no seeded person has, so a person a task adds never shares a seeded name.
NEW_FIRST_NAMES = ("Rowan", "Sasha", "Tobias", "Ulla", "Viggo", "Wren", "Linnea", "Mirko", "Odile")
NEW_LAST_NAMES = (
    "Achterberg",
    "Brennan",
    "Cordova",
    "Delacroix",
    "Esposito",
    "Fairweather",
    "Gunnarsson",
    "Hollis",
    "Ilves",
    "Jovanovic",
)


MY_NETWORK = ClickOn("link", "My network")


def new_name(rng: random.Random, store: StateStore, firsts: Iterable[str] = NEW_FIRST_NAMES) -> str:
    """A full name nobody in the store has."""
    names = [f"{f} {last}" for f in firsts for last in NEW_LAST_NAMES]
    return rng.choice([n for n in names if find_person(store, n) is None])


def add_stranger(store: StateStore, params: dict[str, Any], key: str, **extra: Any) -> int:
    """Add the person `params` describes under `key` (`<key>`, `<key>_title`, `<key>_company`)."""
    return add_person(
        store,
        params[key],
        title=params[f"{key}_title"],
        company=params[f"{key}_company"],
        **extra,
    )


def changes(store: StateStore) -> list[tuple[str, str, int]]:
    return [(a["verb"], a["kind"], a["ref"]) for a in activity(store)]


def only_changes(store: StateStore, allowed: Iterable[tuple[str, str, int]]) -> Checkpoint:
    """Guard: every change the user made is one of `allowed` (verb, kind, id)."""
    ok = set(allowed)
    other = [c for c in changes(store) if c not in ok]
    return Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200])


def invitation_id(store: StateStore, person: str, direction: str) -> int:
    """The invitation the setup made with this person (found by the person's e-mail, which
    the user cannot change)."""
    return int(
        store.scalar(
            "SELECT i.id FROM invitations i JOIN people p ON p.id = i.person_id "
            "WHERE p.email = ? AND i.direction = ? ORDER BY i.id",
            (person, direction),
        )
    )


def open_profile(name: str, index: int = 0) -> list[PlanStep]:
    """Search people for a name and open the `index`-th profile of that name."""
    return [
        FillIn("searchbox", "Search people", name),
        PressKey("Enter"),
        ClickOn("link", name, index=index, exact=True),
    ]


def open_job(title: str, company: str) -> list[PlanStep]:
    """Search the jobs for a title and open the one at `company`."""
    return [
        ClickOn("link", "Jobs", exact=True),
        FillIn("searchbox", "Search jobs", title),
        PressKey("Enter"),
        ClickOn("link", f"{title} at {company}", exact=True),
    ]


class WriteTextTask(Task):
    """A template whose plan writes a text in one of two look-alike places (two posts of one
    author, two conversations); `write(place, text)` makes the steps. The oracle writes
    `params[text_key]` in the place `params[places[0]]`; the near misses write it in the
    look-alike `params[places[1]]` (the plan `decoy_miss` names), and `other_text` in the right
    place."""

    places: ClassVar[tuple[str, str]]
    text_key: ClassVar[str]
    decoy_miss: ClassVar[str]
    other_text: ClassVar[str]

    def write(self, place: str, text: str) -> list[PlanStep]:
        raise NotImplementedError(f"{type(self).__name__} must define write()")

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.write(params[self.places[0]], params[self.text_key])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        right, decoy = (params[key] for key in self.places)
        return {
            self.decoy_miss: self.write(decoy, params[self.text_key]),
            "another text": self.write(right, self.other_text),
        }
