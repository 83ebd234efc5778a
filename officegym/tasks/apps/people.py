"""The people of a world: one seeded directory that every app of an episode shares.

Mail's contacts, chat's members, calendar attendees and code-host users are the same people with
the same addresses, so a cross-app task can name someone once ("ask Dana in chat, then mail her").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    title: str

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def handle(self) -> str:
        """The chat and code-host user name: `dana.kim`."""
        return self.email.split("@")[0]


ME = Person("Alex Morgan", "alex.morgan@northwind.test", "Operations Lead")
DOMAINS = ("northwind.test", "contoso.test", "fabrikam.test", "tailspin.test")
NAMES = (
    "Dana Kim", "Priya Shah", "Marcus Reed", "Elena Petrova", "Tom Becker", "Aisha Bello",
    "Luis Ortega", "Hannah Weiss", "Kenji Sato", "Grace Liu", "Omar Haddad", "Sofia Rossi",
    "Noah Fischer", "Mei Chen", "Jonas Berg", "Fatima Zahra", "Victor Hugo", "Lena Novak",
    "Samuel Okafor", "Ines Duarte", "Ravi Iyer", "Claire Dubois", "Mateo Silva", "Yuki Tanaka",
    "Erik Lund", "Amara Nwosu",
)  # fmt: skip
TITLES = (
    "Finance Manager", "Product Lead", "Sales Director", "Engineer", "Designer", "Recruiter",
    "Office Manager", "Account Executive", "Legal Counsel", "Analyst",
)  # fmt: skip


@cache
def directory(seed: int) -> tuple[Person, ...]:
    """The 26 colleagues of seed `seed` (without the user, `ME`), in a seeded order."""
    rng = random.Random(f"people/{seed}")
    names = list(NAMES)
    rng.shuffle(names)
    return tuple(
        Person(name, f"{name.lower().replace(' ', '.')}@{rng.choice(DOMAINS)}", rng.choice(TITLES))
        for name in names
    )


def colleagues(store: Any) -> list[dict[str, Any]]:
    """Everyone but the user in an app's `people` table (every app has one, with name and
    e-mail; chat and code add handles), in the order the app stored them."""
    return store.query(  # type: ignore[no-any-return]
        "SELECT * FROM people WHERE email != ? ORDER BY id", (ME.email,)
    )
