"""Long cross-app templates about meetings: the meetings a chat thread settles on go into the
calendar, and a meeting's guests go into a sign-up sheet."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    PressKey,
    Submit,
    Task,
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.calendar import RESPONSES, add_event, day_text, parse_time, time_text
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.apps.sheets import add_book
from officegym.tasks.calendar_tasks.common import (
    NEXT_WEEK,
    THIS_WEEK,
    events_titled,
    fill_event,
    guests_of,
    iso,
    plus,
)
from officegym.tasks.chat_tasks.common import open_channel
from officegym.tasks.cross_tasks.common import PROJECTS, handle, switch_to
from officegym.tasks.cross_tasks.long_work import rotate
from officegym.tasks.cross_tasks.untouched import untouched
from officegym.tasks.sheets_tasks.common import open_book, table, type_into

MEETINGS = ("design review", "roadmap sync", "budget check", "user interviews", "launch rehearsal")


@register
class ChatToMeetings(Task):
    id = "cross.chat-to-meetings"
    apps = ("chat", "calendar")
    start_path = "/c/general"
    instruction = (
        "{author_name} proposed three meetings for next week in #{channel} today. Put each on "
        "your calendar as finally agreed in the channel: titled as proposed, one hour long, "
        "with the guests named."
    )
    tags = ("cross-app", "reading", "forms", "autocomplete", "bulk", "long-horizon", "hard")
    max_steps = 85  # 33 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = rng.sample(colleagues(apps["calendar"]), 7)
        project = rng.choice(PROJECTS)
        days = rng.sample(NEXT_WEEK, 3)
        hours = [time(rng.randint(9, 16), rng.choice((0, 30))) for _ in range(4)]
        # The second meeting moves: the proposal's slot is the near miss.
        moved_day = rng.choice([d for d in NEXT_WEEK if d != days[1]])
        return {
            "author_name": people[0]["name"],
            "author": handle(people[0]["email"]),
            "channel": rng.choice(("engineering", "design", "sales")),
            "titles": [f"{project} {m}" for m in rng.sample(MEETINGS, 3)],
            "dates": [d.isoformat() for d in (days[0], moved_day, days[2])],
            "starts": [time_text(t) for t in (hours[0], hours[3], hours[2])],
            "proposed_date": days[1].isoformat(),
            "proposed_start": time_text(hours[1]),
            "guest_names": [[p["name"] for p in people[k : k + 2]] for k in (1, 3, 5)],
            "guests": [[p["email"] for p in people[k : k + 2]] for k in (1, 3, 5)],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, channel, author = apps["chat"], params["channel"], params["author"]
        add_message(
            store,
            author,
            "Proposing three meetings for next week:",
            minutes_ago=240,
            channel=channel,
        )
        slots = list(zip(params["dates"], params["starts"], strict=True))
        slots[1] = (params["proposed_date"], params["proposed_start"])
        for k, (title, (day, start), names) in enumerate(
            zip(params["titles"], slots, params["guest_names"], strict=True)
        ):
            when = f"{day_text(date.fromisoformat(day))} at {start}"
            text = f"{k + 1}. “{title}” on {when}, with {names[0]} and {names[1]}"
            add_message(store, author, text, minutes_ago=239 - k, channel=channel)
        objector = handle(params["guests"][1][0])
        first = params["author_name"].split()[0]
        text = f"{first}, could “{params['titles'][1]}” move? I am out at that time."
        add_message(store, objector, text, minutes_ago=120, channel=channel)
        when = f"{day_text(date.fromisoformat(params['dates'][1]))} at {params['starts'][1]}"
        text = f"Sure: “{params['titles'][1]}” moves to {when}, same guests."
        add_message(store, author, text, minutes_ago=90, channel=channel)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        activity = store.query("SELECT * FROM activity ORDER BY id")
        created = {a["event_id"] for a in activity if a["verb"] == "create"}
        checks, right = [], set()
        for k, title in enumerate(params["titles"]):
            day, start = date.fromisoformat(params["dates"][k]), parse_time(params["starts"][k])
            hits = [
                e
                for e in events_titled(store, title)
                if e["id"] in created
                and e["organizer"] == ME.email
                and (e["start"], e["end"]) == (iso(day, start), iso(day, plus(start, 60)))
                and guests_of(store, e["id"]) == set(params["guests"][k])
            ]
            right |= {e["id"] for e in hits[:1]}
            checks.append(Checkpoint(f"“{title}” on the calendar as agreed", bool(hits)))
        # Saving a meeting and then correcting it (its form, or a drag to another day) is fine.
        other = [
            a
            for a in activity
            if a["event_id"] not in right or a["verb"] not in ("create", "edit", "move")
        ]
        return [
            *checks,
            Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "chat"),
        ]

    def plan(
        self, params: Mapping[str, Any], slots: list[tuple[str, str]], guests: list[list[str]]
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_channel(params["channel"]), *switch_to("Calendar")]
        for title, (day, start), names in zip(params["titles"], slots, guests, strict=True):
            at = parse_time(start)
            steps += [
                ClickOn("link", "Create"),
                *fill_event(title, date.fromisoformat(day), at, plus(at, 60)),
            ]
            for name in names:
                steps += [FillIn("combobox", "Add guests", name), PressKey("Enter")]
            steps.append(ClickOn("button", "Save"))
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        slots = list(zip(params["dates"], params["starts"], strict=True))
        return self.plan(params, slots, params["guest_names"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        slots = list(zip(params["dates"], params["starts"], strict=True))
        proposed = list(slots)
        proposed[1] = (params["proposed_date"], params["proposed_start"])
        return {
            "the moved meeting at its first slot": self.plan(
                params, proposed, params["guest_names"]
            ),
            "each meeting with the next one's guests": self.plan(
                params, slots, rotate(params["guest_names"])
            ),
        }


@register
class AttendeesToSignup(Task):
    id = "cross.attendees-to-signup"
    apps = ("calendar", "sheets")
    start_path = "/week/2026-03-16"
    instruction = (
        "Copy the guests of your meeting “{title}” into the spreadsheet “{book}”, sheet "
        "Sign-up, from row 2: one row per guest, the name in column A and their answer as the "
        "meeting shows it (Yes, No, Maybe or Not answered) in column B."
    )
    tags = ("cross-app", "reading", "cells", "bulk", "long-horizon", "medium")
    max_steps = 65  # 28 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = rng.sample(colleagues(apps["calendar"]), 6)
        project = rng.choice(PROJECTS)
        day, other = rng.sample(THIS_WEEK, 2)
        answers = [rng.choice(list(RESPONSES)) for _ in people]
        return {
            "title": f"{project} workshop ({rng.randint(10, 99)})",
            "decoy": f"{project} workshop prep",
            "book": f"{project} workshop sign-up",
            "at": iso(day, time(rng.randint(9, 15), 0)),
            "decoy_at": iso(other, time(rng.randint(9, 15), 30)),
            "names": [p["name"] for p in people],
            "emails": [p["email"] for p in people],
            "responses": answers,
            "shown": [RESPONSES[a] for a in answers],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for key, at, guests in (("decoy", "decoy_at", slice(3, 6)), ("title", "at", slice(0, 3))):
            add_event(
                apps["calendar"],
                params[key],
                params[at],
                90,
                guests=params["emails"][guests],
                responses=params["responses"][guests],
            )
        add_book(apps["sheets"], params["book"], {"Sign-up": [["Name", "Going"]]})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["sheets"]
        rows = table(store, params["book"], "Sign-up")
        got = sorted((norm(r[0]), norm(r[1]) if len(r) > 1 else "") for r in rows[1:])
        wanted = sorted(
            (norm(n), norm(s))
            for n, s in zip(params["names"][:3], params["shown"][:3], strict=True)
        )
        book = store.scalar("SELECT id FROM books WHERE title = ?", (params["book"],))
        other = [
            a
            for a in store.query("SELECT * FROM activity ORDER BY id")
            if a["verb"] != "set" or a["book_id"] != book
        ]
        return [
            Checkpoint("every guest listed with their answer", got == wanted, detail=str(got)),
            Checkpoint("the header kept", bool(rows) and rows[0][:2] == ["Name", "Going"], "guard"),
            Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "calendar"),
        ]

    def plan(
        self, params: Mapping[str, Any], guests: range, answers: bool = True
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [
            ClickOn("link", params["title"]),
            *switch_to("Sheets"),
            *open_book(params["book"]),
        ]
        for row, k in enumerate(guests, start=2):
            steps += type_into(f"A{row}", params["names"][k])
            if answers:
                steps += type_into(f"B{row}", params["shown"][k])
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, range(3))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the prep meeting's guests": self.plan(params, range(3, 6)),
            "names without answers": self.plan(params, range(3), answers=False),
        }
