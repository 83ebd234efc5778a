"""A long Network template: work through every pending invitation, accepting those from one
company (and welcoming each with a message) and ignoring the rest."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import Apps, Checkpoint, ClickOn, FillIn, PlanStep, Submit, Task, norm
from officegym.tasks._registry import register
from officegym.tasks.apps.network import (
    COMPANIES,
    OUTSIDE_TITLES,
    add_invitation,
    add_person,
    headline,
    sent_messages,
)
from officegym.tasks.network_tasks.common import MY_NETWORK, changes, new_name

NOTES = (
    "Thanks for connecting! Looking forward to working together.",
    "Great to be connected. Let me know if I can help with anything.",
    "Thank you for the invitation, happy to be connected.",
)


def pending(store: Any) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT p.name, p.email, p.title, p.company FROM invitations i JOIN people p "
        "ON p.id = i.person_id WHERE i.direction = 'received' AND i.status = 'pending' "
        "ORDER BY i.id"
    )
    return [
        {
            "name": r["name"],
            "email": r["email"],
            "company": r["company"],
            "headline": headline(r),
        }
        for r in rows
    ]


@register
class ProcessInvitations(Task):
    id = "network.process-invitations"
    apps = ("network",)
    instruction = (
        "Go through all your pending Network invitations: accept every invitation from people "
        "who work at {company} and ignore all the others. Then send each person you accepted "
        "the message “{note}”."
    )
    tags = ("bulk", "reading", "forms", "long-horizon", "hard")
    max_steps = 80

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        seeded = pending(store)
        company = rng.choice(COMPANIES[1:])
        others = [c for c in COMPANIES[1:] if c != company]
        new: list[dict[str, Any]] = []
        for at in (company, company, company, rng.choice(others)):
            name = new_name(rng, store)
            while name in {n["name"] for n in new}:
                name = new_name(rng, store)
            title = rng.choice(OUTSIDE_TITLES)
            new.append(
                {
                    "name": name,
                    "email": "",
                    "company": at,
                    "title": title,
                    "headline": headline({"title": title, "company": at}),
                }
            )
        everyone = seeded + new
        return {
            "company": company,
            "note": rng.choice(NOTES),
            "new": new,
            "accept": [p["name"] for p in everyone if p["company"] == company],
            "ignore": [p["name"] for p in everyone if p["company"] != company],
            "headlines": {p["name"]: p["headline"] for p in everyone},
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for i, p in enumerate(params["new"]):
            pid = add_person(
                apps["network"],
                p["name"],
                title=p["title"],
                company=p["company"],
                degree=2 if i % 2 else 3,
            )
            add_invitation(apps["network"], pid, minutes_ago=60 + 90 * i)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        rows = store.query(
            "SELECT i.id, i.status, p.id AS pid, p.name FROM invitations i JOIN people p "
            "ON p.id = i.person_id WHERE i.direction = 'received' ORDER BY i.id"
        )
        asked = set(params["accept"]) | set(params["ignore"])
        status = {r["name"]: r for r in rows if r["name"] in asked}
        note = norm(params["note"])
        checks = []
        for name in params["accept"]:
            r = status[name]
            sent = [norm(m["body"]) for m in sent_messages(store, r["pid"])]
            checks.append(
                Checkpoint(
                    f"accepted {name} and sent the message",
                    r["status"] == "accepted" and sent == [note],
                )
            )
        ignored = all(status[n]["status"] == "ignored" for n in params["ignore"])
        welcomed = {status[n]["pid"] for n in params["accept"]}
        every = sent_messages(store)
        wrong = [c for c in changes(store) if c[0] not in ("accept", "ignore", "message")]
        return [
            *checks,
            Checkpoint("ignored the others", ignored),
            Checkpoint(
                "accepted no one from elsewhere",
                all(status[n]["status"] != "accepted" for n in params["ignore"]),
                "guard",
            ),
            Checkpoint(
                "every message is the note, to someone accepted",
                all(norm(m["body"]) == note and m["person_id"] in welcomed for m in every),
                "guard",
            ),
            Checkpoint("nothing else changed", not wrong, "guard", detail=str(wrong)[:200]),
        ]

    def plan(self, params: Mapping[str, Any], accept: list[str], note: str) -> list[PlanStep]:
        heads = params["headlines"]
        steps: list[PlanStep] = [MY_NETWORK]
        for name in params["ignore"]:
            if name not in accept:
                label = f"Ignore invitation from {name}, {heads[name]}"
                steps.append(ClickOn("button", label, exact=True))
        for name in accept:
            steps += [
                ClickOn("link", name, exact=True),
                ClickOn("button", f"Accept invitation from {name}", exact=True),
                ClickOn("link", f"Message {name}", exact=True),
                FillIn("textbox", "Write a message", note),
                ClickOn("button", "Send", exact=True),
                MY_NETWORK,
            ]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["accept"], params["note"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "accepts one from elsewhere": self.plan(p, [*p["accept"], p["ignore"][-1]], p["note"]),
            "another message": self.plan(p, p["accept"], "Hi!"),
        }
