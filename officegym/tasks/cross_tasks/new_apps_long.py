"""Long cross-app templates with the Drive, Search and Network apps: share the Drive folder a
chat message names with a meeting's guests, list the owners of three policies and their teams in
a spreadsheet, and invite the candidates a hiring plan names on Network, each with a note."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import time
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    Submit,
    Task,
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.calendar import add_event
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.docs import add_document
from officegym.tasks.apps.drive import add_folder
from officegym.tasks.apps.network import (
    COMPANIES,
    OUTSIDE_TITLES,
    activity,
    add_person,
    email_of,
)
from officegym.tasks.apps.people import Person, colleagues
from officegym.tasks.apps.search import TASK_POLICIES, team_of
from officegym.tasks.apps.sheets import add_book
from officegym.tasks.calendar_tasks.common import THIS_WEEK, iso
from officegym.tasks.chat_tasks.common import open_channel
from officegym.tasks.cross_tasks.common import PROJECTS, handle, switch_to
from officegym.tasks.cross_tasks.long_plans import MEETINGS
from officegym.tasks.cross_tasks.new_apps import open_current, plant
from officegym.tasks.cross_tasks.untouched import untouched
from officegym.tasks.docs_tasks.common import open_doc
from officegym.tasks.drive_tasks.common import (
    item_by_stamp,
    only_changed,
    row_menu,
    search,
    share_steps,
)
from officegym.tasks.network_tasks.common import NEW_FIRST_NAMES, new_name, open_profile
from officegym.tasks.search_tasks.common import distinct
from officegym.tasks.sheets_tasks.common import open_book, table, type_into

FOLDER_AT, DECOY_FOLDER_AT = 30, 31  # the folders' creation stamps, in minutes before now
MORNINGS = tuple(time(h, m) for h in range(9, 12) for m in (0, 30))


@register
class ChatFolderToGuests(Task):
    id = "cross.chat-folder-to-guests"
    apps = ("chat", "calendar", "drive")
    start_path = "/c/general"
    instruction = (
        "{author_name} asked you in #{channel} to share a Drive folder with the guests of a "
        "meeting. Share that folder with every guest of that meeting as an editor."
    )
    tags = ("cross-app", "reading", "autocomplete", "dropdown", "sharing", "bulk",
            "long-horizon", "hard")  # fmt: skip
    max_steps = 75  # 30 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = rng.sample(colleagues(apps["chat"]), 9)
        # Meeting titles no seeded event holds, so the one the chat names is the only match.
        seeded = [norm(e["title"]) for e in apps["calendar"].query("SELECT title FROM events")]
        fresh = [(p, m) for p in PROJECTS for m in MEETINGS
                 if not any(norm(f"{p} {m}") in t for t in seeded)]  # fmt: skip
        project, meeting = rng.choice(fresh)
        others = [m for p, m in fresh if p == project and m != meeting]
        other = rng.choice(others or [m for m in MEETINGS if m != meeting])
        day, other_day = rng.sample(THIS_WEEK, 2)
        folder = f"{project} {meeting} files"
        return {
            "author_name": people[0]["name"],
            "author": handle(people[0]["email"]),
            "channel": rng.choice(("engineering", "design", "sales")),
            "title": f"{project} {meeting}",
            "decoy_title": f"{project} {other}",
            "at": iso(day, rng.choice(MORNINGS)),
            "decoy_at": iso(other_day, rng.choice(MORNINGS)),
            "folder": folder,
            "decoy_folder": f"{folder} (2025)",
            "guest_names": [p["name"] for p in people[1:5]],
            "guests": [p["email"] for p in people[1:5]],
            "decoy_names": [p["name"] for p in people[5:9]],
            "decoy_guests": [p["email"] for p in people[5:9]],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        text = (
            f"Everything for “{params['title']}” is in the Drive folder “{params['folder']}”. "
            "Could you share it with everyone coming to the meeting, as editors?"
        )
        add_message(apps["chat"], params["author"], text, minutes_ago=50, channel=params["channel"])
        for key, at, guests in (("decoy_title", "decoy_at", "decoy_guests"),
                                ("title", "at", "guests")):  # fmt: skip
            add_event(apps["calendar"], params[key], params[at], 60, guests=params[guests])
        add_folder(apps["drive"], params["decoy_folder"], minutes_ago=DECOY_FOLDER_AT)
        add_folder(apps["drive"], params["folder"], minutes_ago=FOLDER_AT)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["drive"]
        folder = item_by_stamp(store, FOLDER_AT)
        assert folder is not None
        shares = {
            r["email"]: r["role"]
            for r in store.query("SELECT * FROM shares WHERE ref = ?", (folder["ref"],))
        }
        return [
            Checkpoint(
                "the folder shared with every guest as an editor",
                shares == dict.fromkeys(params["guests"], "editor"),
                detail=str(shares),
            ),
            only_changed(store, {folder["ref"]}, {"share"}),
            *untouched(apps, "chat", "calendar"),
        ]

    def plan(self, params: Mapping[str, Any], folder: str, names: list[str]) -> list[PlanStep]:
        steps: list[PlanStep] = [
            *open_channel(params["channel"]),
            *switch_to("Calendar"),
            ClickOn("link", params["title"]),
            *switch_to("Drive"),
            *search(folder),
            *row_menu(folder, "Share"),
        ]
        for name in names:
            steps += share_steps(name, "editor")
        return [*steps, ClickOn("link", "Done"), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["folder"], params["guest_names"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other meeting's guests": self.plan(
                params, params["folder"], params["decoy_names"]
            ),
            "the look-alike folder": self.plan(
                params, params["decoy_folder"], params["guest_names"]
            ),
        }


def owner_row(owner: Mapping[str, Any]) -> dict[str, str]:
    """A policy owner's name and the team their intranet page gives."""
    person = Person(owner["name"], owner["email"], owner["title"])
    return {"name": owner["name"], "team": team_of(person)}


@register
class PolicyOwnersToSheet(Task):
    """Three planted policies, each with an archived version and a wiki draft whose owners
    differ."""

    id = "cross.policy-owners-to-sheet"
    apps = ("search", "sheets")
    instruction = (
        "The spreadsheet “{book}” lists three policies in column A of its sheet Owners. Find the "
        "current version of each through Search, then type its owner's name in column B and "
        "the owner's team, as their intranet page gives it, in column C."
    )
    tags = ("cross-app", "search", "filters", "reading", "cells", "bulk", "long-horizon",
            "hard")  # fmt: skip
    max_steps = 100  # 42 plan steps; typing takes three actions with pixels and keys
    HEADER = ("Policy", "Owner", "Team")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = colleagues(apps["search"])
        policies = []
        for topic, (fact,) in rng.sample(list(TASK_POLICIES), 3):
            owners = [
                {"name": o["name"], "email": o["email"], "title": o["title"]}
                for o in rng.sample(people, 3)
            ]
            rows = [owner_row(o) for o in owners]
            policies.append({"topic": topic, "values": distinct(rng, fact.draw, 3),
                             "owners": owners, "rows": rows})  # fmt: skip
        return {"book": f"Policy owners ({rng.randint(10, 99)})", "policies": policies}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for policy in params["policies"]:
            plant(apps, policy)
        rows = [list(self.HEADER), *([p["topic"]] for p in params["policies"])]
        add_book(apps["sheets"], params["book"], {"Owners": rows})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["sheets"]
        rows = table(store, params["book"], "Owners")
        got = [[norm(c) for c in (*r, "", "")[:3]] for r in rows[1:]]
        wanted = [
            [norm(p["topic"]), norm(p["rows"][0]["name"]), norm(p["rows"][0]["team"])]
            for p in params["policies"]
        ]
        book = store.scalar("SELECT id FROM books WHERE title = ?", (params["book"],))
        other = [
            a
            for a in store.query("SELECT * FROM activity ORDER BY id")
            if a["verb"] != "set" or a["book_id"] != book
        ]
        return [
            Checkpoint("every policy's owner and team", got == wanted, detail=str(got)),
            Checkpoint(
                "the header kept", bool(rows) and tuple(rows[0][:3]) == self.HEADER, "guard"
            ),
            Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "search"),
        ]

    def plan(
        self, params: Mapping[str, Any], owners: list[int], teams: bool = True
    ) -> list[PlanStep]:
        policies = params["policies"]
        steps: list[PlanStep] = []
        for policy in policies:
            steps += [
                *open_current(policy["topic"]),
                ClickOn("link", policy["rows"][0]["name"], exact=True),
            ]
        steps += [*switch_to("Sheets"), *open_book(params["book"])]
        for row, (policy, k) in enumerate(zip(policies, owners, strict=True), start=2):
            steps += type_into(f"B{row}", policy["rows"][k]["name"])
            if teams:
                steps += type_into(f"C{row}", policy["rows"][k]["team"])
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, [0, 0, 0])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "an archived version's owner": self.plan(params, [0, 1, 0]),
            "owners without teams": self.plan(params, [0, 0, 0], teams=False),
        }


NOTE = "Hi {first}, I would like to talk with you about a role on our {project} team."


@register
class HiringPlanInvites(Task):
    """Each candidate has a namesake at another company on Network (listed before or after
    them); an older plan names the namesakes."""

    id = "cross.hiring-plan-invites"
    apps = ("docs", "network")
    instruction = (
        "The document “{doc}” names four candidates. On Network, invite each of them to "
        "connect (the person at the company the plan gives) with the note “Hi <their first "
        "name>, I would like to talk with you about a role on our {project} team.”"
    )
    tags = ("cross-app", "reading", "search", "forms", "bulk", "long-horizon", "hard")
    max_steps = 70  # 29 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store, project = apps["network"], rng.choice(PROJECTS)
        candidates: list[dict[str, Any]] = []
        while len(candidates) < 4:
            used = {c["name"].split()[0] for c in candidates}
            name = new_name(rng, store, [f for f in NEW_FIRST_NAMES if f not in used])
            title, other_title = rng.sample(OUTSIDE_TITLES, 2)
            company, other_company = rng.sample(COMPANIES[1:], 2)
            candidates.append({
                "name": name, "title": title, "company": company, "email": email_of(name, company),
                "other_title": other_title, "other_company": other_company,
                "other_email": email_of(name, other_company), "index": rng.randrange(2),
                "note": NOTE.format(first=name.split()[0], project=project),
            })  # fmt: skip
        return {
            "project": project,
            "doc": f"{project} hiring plan",
            "decoy_doc": f"{project} hiring notes (2025)",
            "candidates": candidates,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for key, title, company, minutes in (
            ("decoy_doc", "other_title", "other_company", 9000),
            ("doc", "title", "company", 600),
        ):
            lines = [f"- {c['name']}, {c[title]} at {c[company]}" for c in params["candidates"]]
            body = f"Hiring for the {params['project']} team.\n\nCandidates:\n" + "\n".join(lines)
            add_document(apps["docs"], params[key], body, minutes_ago=minutes)
        for c in params["candidates"]:
            pair = [("title", "company", "email"), ("other_title", "other_company", "other_email")]
            if c["index"]:
                pair.reverse()  # the namesake is listed first
            for title, company, email in pair:
                add_person(apps["network"], c["name"], title=c[title], company=c[company],
                           degree=2, email=c[email])  # fmt: skip

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        invites = [a["ref"] for a in activity(store) if a["verb"] == "invite"]
        got: dict[str, list[str]] = {}
        for iid in invites:
            for row in store.query(
                "SELECT i.note, p.email FROM invitations i JOIN people p ON p.id = i.person_id "
                "WHERE i.id = ?",
                (iid,),
            ):
                got.setdefault(row["email"], []).append(norm(row["note"]))
        checks = [
            Checkpoint(
                f"invited {c['name']} of {c['company']} with the note",
                got.get(c["email"]) == [norm(c["note"])],
            )
            for c in params["candidates"]
        ]
        wanted = {c["email"] for c in params["candidates"]}
        other = [
            (a["verb"], a["kind"], a["ref"])
            for a in activity(store)
            if a["verb"] != "invite" or a["ref"] not in invites
        ]
        return [
            *checks,
            Checkpoint("invited no one else", set(got) <= wanted, "guard", detail=str(got)),
            Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "docs"),
        ]

    def plan(self, params: Mapping[str, Any], flip: int = -1, notes: bool = True) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_doc(params["doc"]), *switch_to("Network")]
        for k, c in enumerate(params["candidates"]):
            index = 1 - c["index"] if k == flip else c["index"]
            steps += [*open_profile(c["name"], index), ClickOn("link", f"Connect with {c['name']}")]
            if notes:
                steps.append(FillIn("textbox", "Add a note", c["note"]))
            steps.append(ClickOn("button", "Send invitation"))
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params)

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {"a namesake": self.plan(params, flip=2), "no notes": self.plan(params, notes=False)}


__all__ = ["ChatFolderToGuests", "HiringPlanInvites", "PolicyOwnersToSheet"]
