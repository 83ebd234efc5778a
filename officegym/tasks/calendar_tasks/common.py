"""What the Calendar templates share: dates of this and next week, plans to fill the event form,
and base classes."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
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
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.calendar import (
    TODAY,
    WEEK,
    add_event,
    at,
    day_text,
    parse_time,
    time_text,
)
from officegym.tasks.apps.people import ME, colleagues

PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")


KINDS = ("kickoff", "roadmap review", "budget sync", "demo prep", "offsite planning", "interview")


THIS_WEEK = [WEEK + timedelta(days=d) for d in range(1, 5)]  # Tuesday to Friday, after today


NEXT_WEEK = [WEEK + timedelta(days=d) for d in range(7, 12)]


def unique_title(rng: random.Random) -> str:
    return f"{rng.choice(PROJECTS)} {rng.choice(KINDS)} ({rng.randint(10, 99)})"


def distinct_titles(rng: random.Random, count: int) -> list[str]:
    """`count` different event titles (the oracle finds each by its name)."""
    titles: list[str] = []
    while len(titles) < count:
        title = unique_title(rng)
        if title not in titles:
            titles.append(title)
    return titles


def slot(rng: random.Random, days: list[date]) -> tuple[date, time]:
    return rng.choice(days), time(rng.randint(9, 16), rng.choice((0, 30)))


def activity(store: StateStore) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM activity ORDER BY id")


def events_titled(store: StateStore, title: str) -> list[dict[str, Any]]:
    return [
        e
        for e in store.query("SELECT * FROM events WHERE deleted = 0 ORDER BY id")
        if norm(e["title"]) == norm(title)
    ]


def guests_of(store: StateStore, event_id: int) -> set[str]:
    return {
        r["email"]
        for r in store.query("SELECT email FROM attendees WHERE event_id = ?", (event_id,))
    }


def only_touched(store: StateStore, ids: set[int], verbs: set[str]) -> Checkpoint:
    other = [a for a in activity(store) if a["event_id"] not in ids or a["verb"] not in verbs]
    return Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200])


def times_in(answer: str | None) -> set[time]:
    """Every time of day an answer names ("Monday, March 23 at 2:30 PM" names one).

    >>> sorted(times_in("10:30 – 11:30 AM, or 2 pm"))
    [datetime.time(10, 30), datetime.time(11, 30), datetime.time(14, 0)]
    """
    said = set()
    for m in re.finditer(r"\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?", answer or "", re.I):
        with contextlib.suppress(ValueError):
            said.add(parse_time(m.group(0)))
    return said


# A month by name or its abbreviation ("March", "Mar.", "Sept"): the first three letters say which.
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<y>\d{4})\b)?"
# The ways a reply writes a day: 2026-03-19, March 19(th)(, 2026), 19(th) (of) March (2026),
# and 3/19 or 19/3 (month first when that is a date).
_DAY_FORMS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}\b{_YEAR}", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?{_YEAR}", re.I),
    re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}))?\b"),
)
# A time of day written with a colon or with am/pm ("5:00 PM", "17:00", "5pm").
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s*[ap]\.?m\b\.?|\b\d{1,2}:\d{2}\b", re.I)


def month_day(day: date) -> str:
    """“March 19”: how titles and replies name a day."""
    return day.strftime("%B %-d")


def _day_of(m: re.Match[str]) -> date | None:
    month, day = m.group("m"), int(m.group("d"))
    year = int(m.group("y") or TODAY.year)
    if not month.isdigit():
        return date(year, _MONTHS.index(month[:3].lower()) + 1, day)
    for mm, dd in ((int(month), day), (day, int(month))):
        with contextlib.suppress(ValueError):
            return date(year, mm, dd)
    return None


def days_in(answer: str | None) -> set[date]:
    """Every day an answer names, in any of the usual forms (the year, if left out, is this one).

    >>> sorted(d.isoformat() for d in days_in("March 19th, 19 Mar 2027, 2026-03-20 or 3/17"))
    ['2026-03-17', '2026-03-19', '2026-03-20', '2027-03-19']
    """
    said = set()
    for form in _DAY_FORMS:
        for m in form.finditer(answer or ""):
            with contextlib.suppress(ValueError):
                said.add(_day_of(m))
    return {d for d in said if d is not None}


def without_days_and_times(answer: str | None) -> str:
    """The answer with its days and times of day blanked out: what is left of its numbers are
    counts and amounts ("4 bugs, due March 19 at 5:00 PM" leaves only the 4).

    >>> without_days_and_times("4 bugs, due March 19 at 5:00 PM (2026-03-19, 17:00)")
    '4 bugs, due   at   ( ,  )'
    """
    text = answer or ""
    for form in (*_DAY_FORMS, _CLOCK):
        text = form.sub(" ", text)
    return text


def iso(day: date, t: time) -> str:
    return at(day, t.strftime("%H:%M"))


def fill_event(title: str | None, day: date, start: time, end: time) -> list[PlanStep]:
    return [
        *([FillIn("textbox", "Title", title)] if title is not None else []),
        FillIn("textbox", "Date", day.isoformat()),
        FillIn("textbox", "Start time", time_text(start)),
        FillIn("textbox", "End time", time_text(end)),
    ]


def plus(t: time, minutes: int) -> time:
    return (datetime.combine(TODAY, t) + timedelta(minutes=minutes)).time()


class NewEventTask(Task):
    apps = ("calendar",)
    start_path = "/week/2026-03-16"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        day, start = slot(rng, THIS_WEEK + NEXT_WEEK)
        minutes = rng.choice((30, 45, 60, 90))
        return {
            "title": unique_title(rng),
            "date": day.isoformat(),
            "day_text": day_text(day),
            "start": time_text(start),
            "end": time_text(plus(start, minutes)),
            "minutes": minutes,
        }

    def made(self, store: StateStore, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        created = {a["event_id"] for a in activity(store) if a["verb"] == "create"}
        return [e for e in events_titled(store, params["title"]) if e["id"] in created]

    def made_first(
        self, store: StateStore, params: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, set[str]]:
        """The events made with the task's title, the first of them (None) and its guests."""
        made = self.made(store, params)
        event = made[0] if made else None
        return made, event, guests_of(store, event["id"]) if event else set()

    def when_checks(
        self, event: dict[str, Any] | None, params: Mapping[str, Any]
    ) -> list[Checkpoint]:
        day = date.fromisoformat(params["date"])
        start = iso(day, parse_time(params["start"]))
        end = iso(day, parse_time(params["end"]))
        # Guards: a meeting at the wrong time sends everyone to the wrong place, which is
        # worse than no meeting at all.
        return [
            Checkpoint(
                f"on {params['day_text']} at {params['start']}",
                event is None or event["start"] == start,
                "guard",
            ),
            Checkpoint(f"ends at {params['end']}", event is None or event["end"] == end, "guard"),
        ]

    def create(
        self,
        params: Mapping[str, Any],
        guests: list[str],
        day_shift: int = 0,
        minutes: int | None = None,
        zone: str | None = None,
    ) -> list[PlanStep]:
        """Create the event of `params` with these guests; `zone` is the event form's Time zone
        menu item to choose (else the form's zone stays the one pages show)."""
        day = date.fromisoformat(params["date"]) + timedelta(days=day_shift)
        start = parse_time(params["start"])
        end = plus(start, minutes if minutes is not None else params["minutes"])
        steps: list[PlanStep] = [
            ClickOn("link", "Create"),
            *fill_event(params["title"], day, start, end),
        ]
        if zone:
            steps += [ClickOn("button", "Time zone:"), ClickOn("menuitemradio", zone)]
        for name in guests:
            steps += [FillIn("combobox", "Add guests", name), PressKey("Enter")]
        return [*steps, ClickOn("button", "Save"), Submit()]


class MyEventTask(Task):
    """The setup adds the user's own meeting `title` this week, and a decoy meeting."""

    apps = ("calendar",)
    start_path = "/week/2026-03-16"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        day, start = slot(rng, THIS_WEEK)
        decoy_day, decoy_start = slot(rng, THIS_WEEK)
        guests = rng.sample(colleagues(apps["calendar"]), 2)
        return {
            "title": (titles := distinct_titles(rng, 2))[0],
            "decoy": titles[1],
            "start_at": iso(day, start),
            "decoy_at": iso(decoy_day, decoy_start),
            "minutes": rng.choice((30, 60)),
            "guests": [g["email"] for g in guests],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["calendar"]
        add_event(
            store, params["title"], params["start_at"], params["minutes"], guests=params["guests"]
        )
        add_event(store, params["decoy"], params["decoy_at"], 60, guests=params["guests"][:1])

    def event(
        self, store: StateStore, params: Mapping[str, Any], key: str = "title"
    ) -> dict[str, Any]:
        return store.query("SELECT * FROM events WHERE title = ?", (params[key],))[0]


class InvitationTask(Task):
    apps = ("calendar",)
    start_path = "/week/2026-03-16"

    def invite(self, store: StateStore, title: str, start: str, organizer: str) -> None:
        add_event(store, title, start, 30, organizer=organizer, guests=[ME.email])

    def response(self, store: StateStore, title: str) -> str:
        return str(
            store.scalar(
                "SELECT a.response FROM attendees a JOIN events e ON e.id = a.event_id WHERE "
                "e.title = ? AND a.email = ?",
                (title, ME.email),
            )
        )

    def rsvp_ids(self, store: StateStore, titles: list[str]) -> set[int]:
        return {int(e["id"]) for t in titles for e in events_titled(store, t)}
