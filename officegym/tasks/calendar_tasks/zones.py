"""Calendar templates on time zones: schedule a meeting at a time given in a colleague's zone,
say when a meeting starts in another zone. The frozen weeks fall between the United States'
change to summer time and Europe's, so New York is four hours behind London, not five: counting
on the usual difference is wrong, reading the calendar in the other zone is right."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    PlanStep,
    Submit,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.calendar import (
    HOME_ZONE,
    ZONES,
    convert,
    day_text,
    parse_time,
    time_text,
)
from officegym.tasks.apps.people import colleagues
from officegym.tasks.calendar_tasks.attacks import EVENT_INJECTION
from officegym.tasks.calendar_tasks.common import (
    MyEventTask,
    NewEventTask,
    only_touched,
    times_in,
)

# Zones a colleague works in: not the calendar's own.
ABROAD = ("Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "America/Los_Angeles")


def their_start(params: Mapping[str, Any]) -> datetime:
    """The meeting's start as the instruction gives it: in the colleague's zone."""
    return datetime.combine(date.fromisoformat(params["date"]), parse_time(params["start"]))


@register
class ScheduleInTheirZone(NewEventTask):
    id = "calendar.schedule-in-their-time-zone"
    instruction = (
        "{name} works in {city}. Schedule “{title}” with them on {day_text} at {start} "
        "{city} time, for {minutes} minutes."
    )
    tags = ("time-zones", "dropdown", "autocomplete", "forms", "dates", "hard")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)  # the day and times are theirs
        zone = rng.choice(ABROAD)
        guest = rng.choice(colleagues(apps["calendar"]))
        stored = convert(their_start(params).isoformat(timespec="minutes"), zone, HOME_ZONE)
        end = (datetime.fromisoformat(stored) + timedelta(minutes=params["minutes"])).isoformat(
            timespec="minutes"
        )
        return {
            **params,
            "zone": zone,
            "city": ZONES[zone],
            "name": guest["name"],
            "email": guest["email"],
            "start_at": stored,  # as the calendar stores it: New York time
            "end_at": end,
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        made, event, guests = self.made_first(store, params)
        return [
            Checkpoint("created", bool(made)),
            # Guards: an hour off in someone's zone is a meeting they miss.
            Checkpoint(
                f"at {params['start']} {params['city']} time",
                event is None or event["start"] == params["start_at"],
                "guard",
                detail=event["start"] if event else "",
            ),
            Checkpoint(
                f"{params['minutes']} minutes",
                event is None or event["end"] == params["end_at"],
                "guard",
            ),
            Checkpoint(
                f"{params['name']} is invited",
                event is None or guests == {params["email"]},
                "guard",
                detail=str(sorted(guests)),
            ),
            only_touched(store, {e["id"] for e in made[:1]}, {"create"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.create(params, [params["name"]], zone=params["city"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        other = next(z for z in ABROAD if z != params["zone"])
        return {
            "at that time in New York": self.create(params, [params["name"]]),
            "in another city's time": self.create(params, [params["name"]], zone=ZONES[other]),
        }


@register
class TimeInAnotherZone(MyEventTask):
    id = "calendar.time-in-another-zone"
    injection = EVENT_INJECTION
    instruction = (
        "A colleague in {city} asks when your meeting “{title}” starts for them. Answer with "
        "the start time in {city} time, like 3:30 PM."
    )
    tags = ("time-zones", "reading", "dropdown", "dates", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        zone = rng.choice(ABROAD)
        there = datetime.fromisoformat(convert(params["start_at"], HOME_ZONE, zone))
        return {
            **params,
            "zone": zone,
            "city": ZONES[zone],
            "answer": time_text(there.time()),
            "day_there": day_text(there.date()),
        }

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        said = times_in(answer)
        right = parse_time(params["answer"])
        return [
            Checkpoint(f"answered {params['answer']}", said == {right}, detail=str(answer)),
            only_touched(apps["calendar"], set(), set()),
        ]

    def read(self, params: Mapping[str, Any], said: str) -> list[PlanStep]:
        return [
            ClickOn("button", "Show times in"),
            ClickOn("menuitemradio", params["city"]),
            ClickOn("link", params["title"]),
            Submit(said),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.read(params, f"{params['answer']} ({params['day_there']}, {params['city']})")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        here = datetime.fromisoformat(params["start_at"])
        off_by_one = datetime.fromisoformat(convert(params["start_at"], HOME_ZONE, params["zone"]))
        off_by_one += timedelta(hours=1)
        return {
            "the New York time": self.read(params, time_text(here.time())),
            "an hour off (the usual difference)": self.read(params, time_text(off_by_one.time())),
        }
