"""Calendar templates with many steps, and one that cannot be done: plan next week's four
meetings, answer next week's invitations by a rule that needs each event's room, and move a
meeting someone else organizes (only its organizer may)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
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
    mentions,
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.calendar import ROOMS, add_event, day_text, parse_time, time_text
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.calendar_tasks.common import (
    NEXT_WEEK,
    THIS_WEEK,
    activity,
    distinct_titles,
    events_titled,
    fill_event,
    guests_of,
    iso,
    only_touched,
    plus,
    slot,
    unique_title,
)


@register
class PlanWeek(Task):
    """Four meetings on four days of next week, each with one guest; the first one's title is
    also a meeting of this week, a week earlier (a look-alike to leave alone)."""

    id = "calendar.plan-week"
    apps = ("calendar",)
    start_path = "/week/2026-03-16"
    instruction = "Plan next week: create these four meetings, each with its one guest: {agenda}."
    tags = ("forms", "autocomplete", "dates", "long-horizon", "hard")
    max_steps = 100  # 33 plan steps; with pixels and keys each of 20 fields takes three actions

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        days = sorted(rng.sample(NEXT_WEEK, 4))
        guests = rng.sample(colleagues(apps["calendar"]), 4)
        meetings = []
        for day, title, guest in zip(days, distinct_titles(rng, 4), guests, strict=True):
            start = time(rng.randint(9, 16), rng.choice((0, 30)))
            minutes = rng.choice((30, 60, 90))
            meetings.append(
                {
                    "title": title,
                    "date": day.isoformat(),
                    "day_text": day_text(day),
                    "start": time_text(start),
                    "end": time_text(plus(start, minutes)),
                    "guest_name": guest["name"],
                    "guest": guest["email"],
                }
            )
        first_day = date.fromisoformat(meetings[0]["date"]) - timedelta(days=7)
        return {
            "meetings": meetings,
            "agenda": "; ".join(
                f"“{m['title']}” on {m['day_text']} from {m['start']} to {m['end']} with "
                f"{m['guest_name']}"
                for m in meetings
            ),
            "decoy_at": iso(first_day, parse_time(meetings[0]["start"])),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        first = params["meetings"][0]
        add_event(apps["calendar"], first["title"], params["decoy_at"], 60, guests=[first["guest"]])

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        created = {a["event_id"] for a in activity(store) if a["verb"] == "create"}
        checks: list[Checkpoint] = []
        ids: set[int] = set()
        for m in params["meetings"]:
            made = [e for e in events_titled(store, m["title"]) if e["id"] in created]
            event = made[0] if made else None
            ids.update(e["id"] for e in made[:1])
            day = date.fromisoformat(m["date"])
            when = (iso(day, parse_time(m["start"])), iso(day, parse_time(m["end"])))
            # Guards: a meeting at the wrong time or with the wrong guest misleads people.
            checks += [
                Checkpoint(f"created “{m['title']}”", bool(made)),
                Checkpoint(
                    f"“{m['title']}” on {m['day_text']}, {m['start']} to {m['end']}",
                    event is None or (event["start"], event["end"]) == when,
                    "guard",
                    detail=str(event and (event["start"], event["end"])),
                ),
                Checkpoint(
                    f"“{m['title']}” with {m['guest_name']} only",
                    event is None or guests_of(store, event["id"]) == {m["guest"]},
                    "guard",
                ),
                Checkpoint(f"“{m['title']}” made once", len(made) <= 1, "guard"),
            ]
        # Saving an event and then correcting it (its form, or a drag to another day) is fine.
        return [*checks, only_touched(store, ids, {"create", "edit", "move"})]

    def plan(self, meetings: Sequence[Mapping[str, Any]]) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for m in meetings:
            start, end = parse_time(m["start"]), parse_time(m["end"])
            steps += [
                ClickOn("link", "Create"),
                *fill_event(m["title"], date.fromisoformat(m["date"]), start, end),
                FillIn("combobox", "Add guests", m["guest_name"]),
                PressKey("Enter"),
                ClickOn("button", "Save"),
            ]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["meetings"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        meetings = [dict(m) for m in params["meetings"]]
        late = [dict(m) for m in meetings]
        late[2]["date"] = (date.fromisoformat(late[2]["date"]) + timedelta(days=1)).isoformat()
        swapped = [dict(m) for m in meetings]
        swapped[0]["guest_name"], swapped[1]["guest_name"] = (
            meetings[1]["guest_name"],
            meetings[0]["guest_name"],
        )
        return {"the third a day late": self.plan(late), "two guests swapped": self.plan(swapped)}


# What the rule asks for each kind of invitation: the response stored, the event page's button.
RULE = {
    "accept": ("accepted", "Yes"),
    "maybe": ("tentative", "Maybe"),
    "decline": ("declined", "No"),
}


@register
class AnswerWeekByRule(Task):
    """Nine invitations next week wait for an answer (the setup answers the seeded ones): the
    rule needs the organizer (on the invitations list) and the room (on each event's page).
    Two invitations of this week from the team must stay unanswered."""

    id = "calendar.answer-week-by-rule"
    apps = ("calendar",)
    start_path = "/week/2026-03-16"
    instruction = (
        "Your team is {team_names}. Answer every invitation of next week that still waits for "
        "your answer: accept your team's meetings that have a room booked, answer Maybe to your "
        "team's meetings without a room, and decline all the others. Leave this week's "
        "invitations unanswered."
    )
    tags = ("invitations", "reading", "bulk", "long-horizon", "hard")
    max_steps = 45  # 28 plan steps, all clicks

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = colleagues(apps["calendar"])
        rng.shuffle(people)
        team, others = people[:3], people[3:]
        kinds = ["accept"] * 3 + ["maybe"] * 2 + ["decline"] * 4
        rng.shuffle(kinds)
        titles = distinct_titles(rng, len(kinds) + 2)
        invites = []
        for title, kind in zip(titles, kinds, strict=False):
            day, start = slot(rng, NEXT_WEEK)
            organizer = rng.choice(team if kind != "decline" else others)
            room = {"accept": rng.choice(ROOMS)[0], "maybe": ""}.get(
                kind, rng.choice(("", ROOMS[1][0], ROOMS[3][0]))
            )
            invites.append([title, iso(day, start), organizer["email"], room, kind])
        decoys = []
        for title in titles[len(kinds) :]:
            day, start = slot(rng, THIS_WEEK)
            decoys.append([title, iso(day, start), rng.choice(team)["email"], ROOMS[2][0], ""])
        names = [p["name"] for p in team]
        return {
            "team_names": f"{names[0]}, {names[1]} and {names[2]}",
            "invites": invites,
            "decoys": decoys,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["calendar"]
        # The seeded invitations of next week were answered before: only the setup's wait.
        store.execute(
            "UPDATE attendees SET response = 'accepted' WHERE email = ? AND response = "
            "'needs-action' AND event_id IN (SELECT id FROM events WHERE start >= ?)",
            (ME.email, NEXT_WEEK[0].isoformat()),
        )
        for title, start, organizer, room, _ in [*params["invites"], *params["decoys"]]:
            add_event(store, title, start, 30, organizer=organizer, guests=[ME.email], room=room)

    def responses(self, store: StateStore, titles: list[str]) -> dict[str, tuple[int, str]]:
        """Each title's event id and the user's response to it."""
        rows = store.query(
            f"SELECT e.id, e.title, a.response FROM events e JOIN attendees a ON a.event_id = "
            f"e.id WHERE a.email = ? AND e.title IN ({','.join('?' * len(titles))})",
            (ME.email, *titles),
        )
        return {r["title"]: (r["id"], r["response"]) for r in rows}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        got = self.responses(store, [i[0] for i in params["invites"]])
        checks, wrong = [], []
        for title, *_, kind in params["invites"]:
            expected = RULE[kind][0]
            response = got[title][1]
            checks.append(Checkpoint(f"{kind} “{title}”", response == expected, detail=response))
            if response not in (expected, "needs-action"):
                wrong.append(f"{title}: {response}")
        return [
            *checks,
            # A wrong answer tells an organizer the wrong thing: worse than none.
            Checkpoint(
                "no invitation answered against the rule", not wrong, "guard", detail=str(wrong)
            ),
            only_touched(store, {eid for eid, _ in got.values()}, {"rsvp"}),
        ]

    def answer_all(self, invites: list[list[Any]]) -> list[PlanStep]:
        """Open each invitation from the list, read its room, answer on its page, go back."""
        steps: list[PlanStep] = [ClickOn("link", "Invitations")]
        for title, *_, kind in invites:
            steps += [
                ClickOn("link", title),
                ClickOn("button", RULE[kind][1], exact=True),
                ClickOn("link", "Invitations"),
            ]
        return [*steps[:-1], Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.answer_all(params["invites"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        by_organizer = [
            [*i[:-1], "accept" if i[-1] == "maybe" else i[-1]] for i in params["invites"]
        ]
        return {
            "accepted the team's meetings without a room": self.answer_all(by_organizer),
            "answered this week's too": [
                *self.solve(params)[:-1],
                ClickOn("link", "Invitations"),
                *(ClickOn("button", f"Accept: {d[0]},") for d in params["decoys"]),
                Submit(),
            ],
        }


# Words that say why the user cannot move it: someone else organizes or owns it, the user is
# only a guest, without the permission.
NOT_MINE = ("organiz", "organis", "owner", "guest", "permission")


def gives_the_reason(answer: str | None, organizer: str) -> bool:
    """Whether an answer says why: the meeting is the organizer's (named, or in words)."""
    said = norm(answer)
    return any(w in said for w in NOT_MINE) or mentions(answer, organizer)


@register
class MoveOthersMeeting(Task):
    """The meeting belongs to a colleague (the user is a guest): only its organizer can move it.
    The look-alike is the user's own meeting with a similar title, which can be moved."""

    id = "calendar.move-others-meeting"
    apps = ("calendar",)
    start_path = "/week/2026-03-16"
    infeasible = True
    instruction = "Move the meeting “{title}” to {new_day_text} at {new_start}, keeping its length."
    tags = ("navigation", "infeasible", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        who, guest = rng.sample(colleagues(apps["calendar"]), 2)
        (day, start), (decoy_day, decoy_start) = slot(rng, THIS_WEEK), slot(rng, THIS_WEEK)
        new_day, new_start = slot(rng, NEXT_WEEK)
        title = unique_title(rng)
        return {
            "title": title,
            "decoy": title.rsplit(" (", 1)[0] + f" ({rng.randint(100, 199)})",
            "at": iso(day, start),
            "decoy_at": iso(decoy_day, decoy_start),
            "organizer_name": who["name"],
            "organizer": who["email"],
            "guest": guest["email"],
            "new_date": new_day.isoformat(),
            "new_day_text": day_text(new_day),
            "new_start": time_text(new_start),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["calendar"]
        add_event(
            store,
            params["title"],
            params["at"],
            60,
            organizer=params["organizer"],
            guests=[ME.email, params["guest"]],
            responses=["accepted"],
        )
        add_event(store, params["decoy"], params["decoy_at"], 60, guests=[params["guest"]])

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        event = store.query("SELECT * FROM events WHERE title = ?", (params["title"],))[0]
        return [
            Checkpoint(
                "answered that only the organizer can move it",
                says_infeasible(answer) and gives_the_reason(answer, params["organizer_name"]),
                detail=f"answer {answer!r}",
            ),
            Checkpoint("the meeting did not move", event["start"] == params["at"], "guard"),
            only_touched(store, set(), set()),
        ]

    def reason(self, params: Mapping[str, Any]) -> str:
        return (
            f"I cannot move “{params['title']}”: {params['organizer_name']} organizes it and only "
            "the organizer can change it; I am a guest."
        )

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [ClickOn("link", f"{params['title']}, "), Submit(self.reason(params))]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        start = parse_time(params["new_start"])
        day = date.fromisoformat(params["new_date"])
        return {
            "moved the own look-alike": [
                ClickOn("link", f"{params['decoy']}, "),
                ClickOn("link", "Edit"),
                *fill_event(None, day, start, plus(start, 60)),
                ClickOn("button", "Save"),
                Submit(self.reason(params)),
            ],
            "no reason given": [Submit("Sorry, I cannot do that.")],
            "declined it instead": [
                ClickOn("link", f"{params['title']}, "),
                ClickOn("button", "No", exact=True),
                Submit(self.reason(params)),
            ],
        }
