"""Calendar's schema, its seeded three weeks of meetings, the date and time parsing its forms
share with the tasks, and its time zones."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     title TEXT NOT NULL DEFAULT '');
CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, seats INTEGER NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, title TEXT NOT NULL, start TEXT NOT NULL,
                     end TEXT NOT NULL, room TEXT NOT NULL DEFAULT '',
                     description TEXT NOT NULL DEFAULT '', organizer TEXT NOT NULL,
                     deleted INTEGER NOT NULL DEFAULT 0, repeat TEXT NOT NULL DEFAULT '',
                     zone TEXT NOT NULL DEFAULT 'America/New_York');
-- response: needs-action | accepted | declined | tentative
CREATE TABLE attendees (event_id INTEGER NOT NULL, email TEXT NOT NULL,
                        response TEXT NOT NULL DEFAULT 'needs-action',
                        PRIMARY KEY (event_id, email));
-- Every change the user makes, for evaluators that must know nothing else was touched.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, event_id INTEGER NOT NULL,
                       detail TEXT NOT NULL DEFAULT '');
-- The user's preferences: 'zone', the time zone the pages show times in.
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
ROOMS = (("Aurora", 4), ("Birch", 6), ("Cedar", 8), ("Delta", 12), ("Everest", 20))
TODAY = datetime.fromisoformat(FROZEN_NOW).date()
WEEK = TODAY - timedelta(days=TODAY.weekday())  # the Monday of the frozen week
TITLES = (
    "{p} sync",
    "{p} design review",
    "1:1 with {first}",
    "{p} planning",
    "Budget check-in",
    "Customer call: {c}",
    "Hiring panel",
    "{p} retro",
    "Vendor demo: {c}",
    "Team lunch",
)
PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")
COMPANIES = ("Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum")


# Event times are stored as wall-clock times in the calendar's home zone (`2026-03-18T14:30`),
# with the zone the event was made in (`events.zone`: a repeating event repeats at the same
# time there); the pages show them in the zone the user chose, and the event form reads them in
# the zone it is set to. The frozen weeks straddle the changes to summer time: New York moved
# on March 8, London and Berlin move on March 29, so their distance to New York changes within
# the calendar.
HOME_ZONE = "America/New_York"
ZONES = {
    "America/Los_Angeles": "Los Angeles",
    "America/New_York": "New York",
    "UTC": "UTC",
    "Europe/London": "London",
    "Europe/Berlin": "Berlin",
    "Asia/Kolkata": "Kolkata",
    "Asia/Tokyo": "Tokyo",
    "Australia/Sydney": "Sydney",
}


def convert(stamp: str, from_zone: str, to_zone: str) -> str:
    """A wall-clock time in one zone as the wall-clock time in another.

    >>> convert("2026-03-18T14:30", "America/New_York", "Europe/London")
    '2026-03-18T18:30'
    >>> convert("2026-03-30T14:30", "America/New_York", "Europe/London")  # London's summer time
    '2026-03-30T19:30'
    """
    moment = datetime.fromisoformat(stamp).replace(tzinfo=ZoneInfo(from_zone))
    return moment.astimezone(ZoneInfo(to_zone)).replace(tzinfo=None).isoformat(timespec="minutes")


def exists_in(stamp: str, zone: str) -> bool:
    """Whether a wall-clock time happens in a zone: not in the hour the clocks skip.

    >>> exists_in("2026-03-08T02:30", "America/New_York"), exists_in("2026-03-08T03:30", HOME_ZONE)
    (False, True)
    """
    there = datetime.fromisoformat(stamp).replace(tzinfo=ZoneInfo(zone))
    back = there.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return back == there.replace(tzinfo=None)


def zone_label(zone: str) -> str:
    """`London (GMT+0)`: the zone's city and its offset today (as Google Calendar shows it; on
    days after a change to summer time the offset differs, the conversions know it).

    >>> zone_label("Asia/Kolkata")
    'Kolkata (GMT+5:30)'
    """
    offset = datetime.fromisoformat(FROZEN_NOW).replace(tzinfo=ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "−" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{ZONES[zone]} (GMT{sign}{hours}{f':{rest:02d}' if rest else ''})"


def at(day: date, hhmm: str) -> str:
    """An event time as stored: `2026-03-18T14:30`."""
    return f"{day.isoformat()}T{hhmm}"


def day_text(day: date) -> str:
    return day.strftime("%A, %B %-d")


def time_text(t: time) -> str:
    return datetime.combine(TODAY, t).strftime("%-I:%M %p")


_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%B %d %Y", "%b %d %Y")


def parse_date(text: str) -> date:
    """`2026-03-18`, `March 18, 2026`, `Mar 18 2026` or `3/18/2026`.

    Raises:
        ValueError: with what was expected.
    """
    text = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date: write it like 2026-03-18 or March 18, 2026.")


def parse_time(text: str) -> time:
    """`2:30 PM`, `2:30pm`, `2 PM` or `14:30`.

    Raises:
        ValueError: with what was expected.
    """
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*", text, re.IGNORECASE)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        suffix = (m.group(3) or "").lower().replace(".", "")
        if suffix and 1 <= hour <= 12:
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if (suffix or m.group(2)) and hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"“{text}” is not a time: write it like 2:30 PM or 14:30.")


# How an event repeats (its first occurrence is its start): '' | daily | weekdays | weekly.
REPEATS = {
    "": "Does not repeat",
    "daily": "Every day",
    "weekdays": "Every weekday (Monday to Friday)",
    "weekly": "Every week",
}


def occurs_on(start: date, repeat: str, day: date) -> bool:
    """Whether an event that starts on `start` and repeats so has an occurrence on `day`.

    >>> occurs_on(date(2026, 3, 17), "weekly", date(2026, 3, 31))
    True
    >>> occurs_on(date(2026, 3, 17), "weekdays", date(2026, 3, 21))  # a Saturday
    False
    """
    if day < start:
        return False
    if repeat == "daily":
        return True
    if repeat == "weekdays":
        return day.weekday() < 5
    if repeat == "weekly":
        return (day - start).days % 7 == 0
    return day == start


def add_event(
    store: StateStore,
    title: str,
    start: str,
    minutes: int,
    *,
    organizer: str = ME.email,
    guests: Sequence[str] = (),
    responses: Sequence[str] = (),
    room: str = "",
    description: str = "",
) -> int:
    """Insert an event; the user is a guest when someone else organizes it. Returns its id."""
    end = (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat(timespec="minutes")
    with store.transaction() as db:
        eid = int(
            db.execute(
                "INSERT INTO events(title, start, end, room, description, organizer) "
                "VALUES (?,?,?,?,?,?)",
                (title, start, end, room, description, organizer),
            ).lastrowid
            or 0
        )
        for i, email in enumerate(guests):
            response = responses[i] if i < len(responses) else "needs-action"
            db.execute("INSERT INTO attendees VALUES (?,?,?)", (eid, email, response))
    return eid


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """Rooms, and three weeks (last, this, next) of meetings: the user's own and invitations."""
    store.executescript(SCHEMA)
    people = list(directory)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, title) VALUES (?,?,?)",
            [(p.name, p.email, p.title) for p in (ME, *people)],
        )
        db.executemany("INSERT INTO rooms(name, seats) VALUES (?,?)", ROOMS)
    for offset in range(-7, 12):
        day = WEEK + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        hours = sorted(rng.sample(range(8, 17), rng.randint(1, 3)))
        for hour in hours:
            other = rng.choice(people)
            title = rng.choice(TITLES).format(
                p=rng.choice(PROJECTS), first=other.first, c=rng.choice(COMPANIES)
            )
            start = at(day, f"{hour:02d}:{rng.choice(('00', '30'))}")
            guests = [g.email for g in rng.sample(people, rng.randint(1, 4)) if g != other]
            room = rng.choice(("", "", *(r for r, _ in ROOMS)))
            if rng.random() < 0.5:  # the user's own meeting
                responses = [
                    rng.choice(("accepted", "accepted", "declined", "needs-action")) for _ in guests
                ]
                add_event(
                    store,
                    title,
                    start,
                    rng.choice((30, 60, 60, 90)),
                    guests=guests,
                    responses=responses,
                    room=room,
                )
            else:  # an invitation; past ones are answered
                answer = "needs-action" if day >= TODAY and rng.random() < 0.5 else "accepted"
                add_event(
                    store,
                    title,
                    start,
                    rng.choice((30, 60)),
                    organizer=other.email,
                    guests=[ME.email, *guests],
                    responses=[answer],
                    room=room,
                )
