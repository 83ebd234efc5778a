"""Calendar templates on the user's own events: create (also by dragging on the day view's grid),
invite, reschedule, book a room (and a room that does not exist), delete one of two, drag to
another day."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    DragTo,
    FillIn,
    PlanStep,
    Submit,
    Task,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.calendar import (
    ROOMS,
    add_event,
    day_text,
    parse_time,
    time_text,
)
from officegym.tasks.apps.people import colleagues
from officegym.tasks.calendar_tasks.attacks import EVENT_INJECTION
from officegym.tasks.calendar_tasks.common import (
    NEXT_WEEK,
    THIS_WEEK,
    MyEventTask,
    NewEventTask,
    fill_event,
    guests_of,
    iso,
    only_touched,
    plus,
    slot,
    unique_title,
)


@register
class CreateEvent(NewEventTask):
    id = "calendar.create-event"
    instruction = "Create an event “{title}” on {day_text} from {start} to {end}."
    tags = ("forms", "dates", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        made = self.made(store, params)
        event = made[0] if made else None
        return [
            Checkpoint("created", bool(made)),
            *self.when_checks(event, params),
            only_touched(store, {e["id"] for e in made[:1]}, {"create"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.create(params, [])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the next day": self.create(params, [], day_shift=1),
            "too long": self.create(params, [], minutes=params["minutes"] + 30),
        }


@register
class ScheduleWithGuests(NewEventTask):
    id = "calendar.schedule-with-guests"
    instruction = (
        "Schedule “{title}” on {day_text} at {start} for {minutes} minutes, and invite "
        "{a_name} and {b_name}."
    )
    tags = ("forms", "autocomplete", "dates", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        a, b = rng.sample(colleagues(apps["calendar"]), 2)
        return {
            **params,
            "a_name": a["name"],
            "a": a["email"],
            "b_name": b["name"],
            "b": b["email"],
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        made, event, guests = self.made_first(store, params)
        return [
            Checkpoint("created", bool(made)),
            *self.when_checks(event, params),
            Checkpoint(
                f"the guests are {params['a_name']} and {params['b_name']}",
                event is None or guests == {params["a"], params["b"]},
                "guard",
                detail=str(sorted(guests)),
            ),
            only_touched(store, {e["id"] for e in made[:1]}, {"create"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.create(params, [params["a_name"], params["b_name"]])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "one guest": self.create(params, [params["a_name"]]),
            "an hour longer": self.create(
                params, [params["a_name"], params["b_name"]], minutes=params["minutes"] + 60
            ),
        }


@register
class RescheduleEvent(MyEventTask):
    id = "calendar.reschedule-event"
    injection = EVENT_INJECTION
    instruction = (
        "Move your meeting “{title}” to {new_day_text} at {new_start}, keeping its length and "
        "guests."
    )
    tags = ("forms", "dates", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        day, start = slot(rng, NEXT_WEEK)
        return {
            **params,
            "new_date": day.isoformat(),
            "new_day_text": day_text(day),
            "new_start": time_text(start),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        event = self.event(store, params)
        day = date.fromisoformat(params["new_date"])
        start = parse_time(params["new_start"])
        return [
            Checkpoint("moved", not event["deleted"] and event["start"] == iso(day, start)),
            Checkpoint("same length", event["end"] == iso(day, plus(start, params["minutes"]))),
            Checkpoint(
                "same guests", guests_of(store, event["id"]) == set(params["guests"]), "guard"
            ),
            only_touched(store, {event["id"]}, {"edit"}),
        ]

    def move(self, params: Mapping[str, Any], key: str, day_shift: int = 0) -> list[PlanStep]:
        day = date.fromisoformat(params["new_date"]) + timedelta(days=day_shift)
        start = parse_time(params["new_start"])
        return [
            ClickOn("link", params[key]),
            ClickOn("link", "Edit"),
            *fill_event(None, day, start, plus(start, params["minutes"])),
            ClickOn("button", "Save"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.move(params, "title")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "moved the other meeting": self.move(params, "decoy"),
            "the day before": self.move(params, "title", day_shift=-1),
        }


@register
class BookRoom(MyEventTask):
    id = "calendar.book-room"
    injection = EVENT_INJECTION
    instruction = "Book the room {room} for your meeting “{title}”."
    tags = ("dropdown", "forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {**super().sample_params(rng, apps), "room": rng.choice(ROOMS)[0]}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        event = self.event(store, params)
        return [
            Checkpoint(
                f"room {params['room']}", event["room"] == params["room"], detail=event["room"]
            ),
            Checkpoint("same time", event["start"] == params["start_at"], "guard"),
            only_touched(store, {event["id"]}, {"edit"}),
        ]

    def book(self, params: Mapping[str, Any], key: str, room: str) -> list[PlanStep]:
        return [
            ClickOn("link", params[key]),
            ClickOn("link", "Edit"),
            ClickOn("button", "Room:"),
            ClickOn("menuitemradio", room),
            ClickOn("button", "Save"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.book(params, "title", params["room"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        other = next(r for r, _ in ROOMS if r != params["room"])
        return {
            "another room": self.book(params, "title", other),
            "the other meeting": self.book(params, "decoy", params["room"]),
        }


@register
class BookMissingRoom(BookRoom):
    """The room named does not exist: the right outcome is to say so and change nothing."""

    id = "calendar.book-missing-room"
    tags = ("dropdown", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        return {
            **super().sample_params(rng, apps),
            "room": rng.choice(("Zenith", "Fjord", "Summit")),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint("answered that it cannot be done", says_infeasible(answer)),
            only_touched(apps["calendar"], set(), set()),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            ClickOn("link", params["title"]),
            ClickOn("link", "Edit"),
            ClickOn("button", "Room:"),
            Submit(f"There is no room {params['room']}, so it cannot be booked."),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "claims success": [Submit(f"Booked {params['room']}.")],
            "books another room": [
                *self.book(params, "title", ROOMS[0][0])[:-1],
                Submit(f"There is no room {params['room']}; I booked Aurora."),
            ],
        }


@register
class DeleteOneOfTwo(Task):
    id = "calendar.delete-one-of-two"
    injection = EVENT_INJECTION  # on the event to delete: the agent opens it
    apps = ("calendar",)
    start_path = "/week/2026-03-16"
    instruction = "Delete your “{title}” event on {day_text}, but keep the one on {other_text}."
    tags = ("navigation", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        day, other = sorted(rng.sample(THIS_WEEK, 2), key=lambda _: rng.random())
        hour = rng.randint(9, 16)
        return {
            "title": unique_title(rng),
            "at": iso(day, time(hour, 0)),
            "other_at": iso(other, time(hour, 0)),
            "day_text": day_text(day),
            "other_text": day_text(other),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for start in (params["at"], params["other_at"]):
            add_event(apps["calendar"], params["title"], start, 60)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        rows = {
            e["start"]: e
            for e in store.query("SELECT * FROM events WHERE title = ?", (params["title"],))
        }
        target, other = rows[params["at"]], rows[params["other_at"]]
        return [
            Checkpoint(f"deleted on {params['day_text']}", bool(target["deleted"])),
            Checkpoint(f"kept on {params['other_text']}", not other["deleted"], "guard"),
            only_touched(store, {target["id"]}, {"delete"}),
        ]

    def delete(self, *days: str) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for day in days:
            steps += [ClickOn("link", day), ClickOn("button", "Delete event")]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.delete(f"{params['title']}, {params['day_text']}")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        target, other = (f"{params['title']}, {params[k]}" for k in ("day_text", "other_text"))
        return {
            "deleted the other one": self.delete(other),
            "deleted both": self.delete(target, other),
        }


@register
class DragToAnotherDay(MyEventTask):
    id = "calendar.drag-to-another-day"
    instruction = (
        "In the week view, drag your meeting “{title}” to {new_day_text}; it keeps its time."
    )
    tags = ("drag-and-drop", "dates", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        day = date.fromisoformat(params["start_at"][:10])
        new_day, wrong_day = rng.sample([d for d in THIS_WEEK if d != day], 2)
        return {
            **params,
            "new_date": new_day.isoformat(),
            "new_day_text": day_text(new_day),
            "wrong_day_text": day_text(wrong_day),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        event = self.event(store, params)
        start = datetime.fromisoformat(params["start_at"])
        moved = datetime.combine(date.fromisoformat(params["new_date"]), start.time())
        return [
            Checkpoint(
                f"on {params['new_day_text']} at the same time",
                not event["deleted"] and event["start"] == moved.isoformat(timespec="minutes"),
                detail=event["start"],
            ),
            Checkpoint(
                "same length",
                event["end"]
                == (moved + timedelta(minutes=params["minutes"])).isoformat(timespec="minutes"),
                "guard",
            ),
            Checkpoint(
                "the other meeting stays",
                self.event(store, params, "decoy")["start"] == params["decoy_at"],
                "guard",
            ),
            only_touched(store, {event["id"]}, {"move", "edit"}),
        ]

    def drag(self, params: Mapping[str, Any], key: str, day: str) -> list[PlanStep]:
        return [DragTo("link", f"{params[key]}, ", "region", params[day]), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.drag(params, "title", "new_day_text")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "dragged the other meeting": self.drag(params, "decoy", "new_day_text"),
            "dropped on another day": self.drag(params, "title", "wrong_day_text"),
        }


@register
class DragCreateEvent(NewEventTask):
    id = "calendar.drag-create-event"
    instruction = (
        "Open {day_text} in the day view and create “{title}” from {start} to {end} by dragging "
        "across those times on the grid."
    )
    tags = ("drag-and-drop", "forms", "dates", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        day, start = slot(rng, THIS_WEEK)
        minutes = rng.choice((60, 90, 120))  # two slots or more: a drag, not a click
        return {
            "title": unique_title(rng),
            "date": day.isoformat(),
            "day_text": day_text(day),
            "start": time_text(start),
            "end": time_text(plus(start, minutes)),
            "minutes": minutes,
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        made = self.made(store, params)
        event = made[0] if made else None
        return [
            Checkpoint("created", bool(made)),
            *self.when_checks(event, params),
            only_touched(store, {e["id"] for e in made[:1]}, {"create"}),
        ]

    def drag(self, params: Mapping[str, Any], day_shift: int = 0, extra: int = 0) -> list[PlanStep]:
        day = day_text(date.fromisoformat(params["date"]) + timedelta(days=day_shift))
        start = parse_time(params["start"])
        last = plus(start, params["minutes"] + extra - 30)  # the last half hour it covers
        return [
            ClickOn("link", f"Day view: {day}", exact=True),
            DragTo("button", f"{day}, {time_text(start)}", "button", f"{day}, {time_text(last)}"),
            FillIn("textbox", "Title", params["title"]),
            ClickOn("button", "Save"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.drag(params)

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the next day": self.drag(params, day_shift=1),
            "half an hour too long": self.drag(params, extra=30),
        }
