"""The user's events as the pages show them: in the zone the user chose, a repeating event once
on each day it occurs, with guests and the user's response."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.calendar._data import (
    HOME_ZONE,
    REPEATS,
    ZONES,
    convert,
    day_text,
    occurs_on,
    time_text,
)
from officegym.tasks.apps.people import ME

RESPONSES = {
    "accepted": "Yes",
    "declined": "No",
    "tentative": "Maybe",
    "needs-action": "Not answered",
}


def display_zone(store: StateStore) -> str:
    """The time zone the pages show times in (the user's setting)."""
    return str(store.scalar("SELECT value FROM settings WHERE key = 'zone'") or HOME_ZONE)


def shape(store: StateStore, event: dict[str, Any], zone: str) -> dict[str, Any]:
    """An event row with what the pages show: its `start` and `end` in `zone` (as stored:
    `stored_start`, `stored_end`), times as text, its own zone's times when that differs,
    guests, the user's response."""
    event = {
        **event,
        "stored_start": event["start"],
        "stored_end": event["end"],
        "start": convert(event["start"], HOME_ZONE, zone),
        "end": convert(event["end"], HOME_ZONE, zone),
    }
    start, end = datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])
    own = event.get("zone") or HOME_ZONE
    there = [
        datetime.fromisoformat(convert(event[k], HOME_ZONE, own))
        for k in ("stored_start", "stored_end")
    ]
    people = {p["email"]: p["name"] for p in store.query("SELECT name, email FROM people")}
    guests = store.query(
        "SELECT email, response FROM attendees WHERE event_id = ? ORDER BY rowid", (event["id"],)
    )
    mine = next((g["response"] for g in guests if g["email"] == ME.email), None)
    return {
        **event,
        "day": start.date(),
        "when": f"{day_text(start.date())}, {time_text(start.time())} – {time_text(end.time())}",
        "times": f"{time_text(start.time())} – {time_text(end.time())}",
        "own_times": ""
        if own == zone
        else f"{day_text(there[0].date())}, {time_text(there[0].time())} – "
        f"{time_text(there[1].time())} {ZONES.get(own, own)} time",
        "organizer_name": "You"
        if event["organizer"] == ME.email
        else people.get(event["organizer"], event["organizer"]),
        "mine": event["organizer"] == ME.email,
        "repeats": REPEATS.get(event["repeat"], "")
        + (f" on {start.strftime('%A')}s" if event["repeat"] == "weekly" else ""),
        "my_response": mine,
        "guests": [
            {**g, "name": people.get(g["email"], g["email"]), "label": RESPONSES[g["response"]]}
            for g in guests
        ],
    }


def today_in(zone: str) -> date:
    """The frozen clock's date in a zone (in Sydney, New York's Monday morning is Monday night)."""
    return datetime.fromisoformat(convert(FROZEN_NOW[:16], HOME_ZONE, zone)).date()


def week_days(monday: date, events: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The seven days from `monday`, each with its events, as the week and month views draw them."""
    days = (monday + timedelta(days=i) for i in range(7))
    return [
        {
            "date": d,
            "long": day_text(d),
            "today": d == today,
            "events": [e for e in events if e["day"] == d],
        }
        for d in days
    ]


def occurrences(store: StateStore, first_day: date, last_day: date) -> list[dict[str, Any]]:
    """The user's events (organized or invited to) on the days first_day … last_day of the zone
    the pages show, a repeating event once per day it occurs, each shaped for the page and sorted
    by time."""
    zone = display_zone(store)
    # Stored days are the home zone's: a day either side holds every event that another zone
    # puts on these days.
    first_day, last_day = first_day - timedelta(days=1), last_day + timedelta(days=1)
    rows = store.query(
        "SELECT * FROM events WHERE deleted = 0 AND start < ? AND (start >= ? OR repeat != '') "
        "AND (organizer = ? OR EXISTS (SELECT 1 FROM attendees a WHERE a.event_id = events.id "
        "AND a.email = ?))",
        ((last_day + timedelta(days=1)).isoformat(), first_day.isoformat(), ME.email, ME.email),
    )
    out = []
    for r in rows:
        # A repeating event repeats at the same time on the same days of its own zone.
        own = r["zone"]
        start, end = (
            datetime.fromisoformat(convert(r[k], HOME_ZONE, own)) for k in ("start", "end")
        )
        day = max(first_day - timedelta(days=1), start.date())
        while day <= last_day + timedelta(days=1):
            if occurs_on(start.date(), r["repeat"], day):
                shift = timedelta(days=(day - start.date()).days)
                stamps = {
                    k: convert((t + shift).isoformat(timespec="minutes"), own, HOME_ZONE)
                    for k, t in (("start", start), ("end", end))
                }
                out.append(shape(store, {**r, **stamps}, zone))
            day += timedelta(days=1)
    shown = [e for e in out if first_day < e["day"] < last_day]
    return sorted(shown, key=lambda e: (e["start"], e["id"]))


def find_event(store: StateStore, eid: int) -> dict[str, Any] | None:
    rows = store.query("SELECT * FROM events WHERE id = ? AND deleted = 0", (eid,))
    return shape(store, rows[0], display_zone(store)) if rows else None
