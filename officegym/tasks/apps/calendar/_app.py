"""Calendar: a Google-Calendar-like app. Week, month and day views (drag to move or to create),
event pages, a form to create and edit events (guests by autocomplete; the room, the repeat and
the time zone from drop-down menus), invitations to answer. Times show in the time zone the user
picks; the event form reads them in its own."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from officegym.tasks.apps import StateStore
from officegym.tasks.apps._addresses import people_or_address_route
from officegym.tasks.apps._web import (
    Site,
    back_to,
    first,
    form_of,
    see_other,
    store_of,
)
from officegym.tasks.apps.calendar._data import (
    HOME_ZONE,
    REPEATS,
    TODAY,
    WEEK,
    ZONES,
    convert,
    day_text,
    exists_in,
    parse_date,
    parse_time,
    time_text,
    zone_label,
)
from officegym.tasks.apps.calendar._shown import (
    RESPONSES,
    display_zone,
    find_event,
    occurrences,
    shape,
    today_in,
    week_days,
)
from officegym.tasks.apps.people import ME

SITE = Site("calendar", Path(__file__).parent)
DAY_STARTS, DAY_ENDS = 8, 19  # the day view's time grid, in hours


def log(store: StateStore, verb: str, event_id: int, detail: str = "") -> None:
    store.execute(
        "INSERT INTO activity(verb, event_id, detail) VALUES (?,?,?)", (verb, event_id, detail)
    )


def week_of(text: str | None) -> date:
    try:
        day = date.fromisoformat(text) if text else TODAY
    except ValueError:
        day = TODAY
    return day - timedelta(days=day.weekday())


def sidebar(store: StateStore) -> dict[str, Any]:
    pending = store.scalar(
        "SELECT count(*) FROM attendees a JOIN events e ON e.id = a.event_id WHERE a.email = ? "
        "AND a.response = 'needs-action' AND e.deleted = 0 AND e.start >= ?",
        (ME.email, TODAY.isoformat()),
    )
    zone = display_zone(store)
    return {
        "pending": pending,
        "rooms": store.query("SELECT * FROM rooms ORDER BY name"),
        "zone": zone,
        "zone_label": zone_label(zone),
        "zones": {z: zone_label(z) for z in ZONES},
    }


async def home(request: Request) -> Response:
    return see_other(f"/week/{WEEK.isoformat()}")


async def week_view(request: Request) -> Response:
    store = store_of(request)
    monday = week_of(request.path_params.get("day"))
    events = occurrences(store, monday, monday + timedelta(days=6))
    today = today_in(display_zone(store))
    days = [{**d, "label": d["date"].strftime("%a %-d")} for d in week_days(monday, events, today)]
    end = monday + timedelta(days=6)
    return SITE.page(
        request,
        "week.html",
        f"Week of {monday.strftime('%B %-d, %Y')}",
        days=days,
        heading=f"{monday.strftime('%B %-d')} – {end.strftime('%B %-d, %Y')}",
        prev=(monday - timedelta(days=7)).isoformat(),
        next=(monday + timedelta(days=7)).isoformat(),
        monday=monday.isoformat(),
        **sidebar(store),
    )


async def month_view(request: Request) -> Response:
    """The month of the given day: a grid of whole weeks, Monday first, with each day's events."""
    store = store_of(request)
    try:
        first_day = date.fromisoformat(request.path_params["day"]).replace(day=1)
        if not 1900 <= first_day.year <= 2100:  # and no month arithmetic runs off the calendar
            raise ValueError(first_day)
    except ValueError:
        first_day = TODAY.replace(day=1)
    next_month = (first_day + timedelta(days=32)).replace(day=1)
    start = first_day - timedelta(days=first_day.weekday())
    last = next_month - timedelta(days=1)
    last += timedelta(days=6 - last.weekday())
    events = occurrences(store, start, last)
    weeks = []
    day, today = start, today_in(display_zone(store))
    while day <= last:
        weeks.append(
            [
                {**d, "in_month": d["date"].month == first_day.month}
                for d in week_days(day, events, today)
            ]
        )
        day += timedelta(days=7)
    return SITE.page(
        request,
        "month.html",
        first_day.strftime("%B %Y"),
        weeks=weeks,
        heading=first_day.strftime("%B %Y"),
        prev=(first_day - timedelta(days=1)).replace(day=1).isoformat(),
        next=next_month.isoformat(),
        week=week_of(
            None
            if (first_day.year, first_day.month) == (TODAY.year, TODAY.month)
            else str(first_day)
        ),
        **sidebar(store),
    )


async def day_view(request: Request) -> Response:
    """One day as a time grid of half-hour slots: click a slot for a half-hour event there, or
    drag across slots for an event that long (the form opens with the times filled in)."""
    store = store_of(request)
    try:
        day = date.fromisoformat(request.path_params["day"])
    except ValueError:
        day = TODAY
    events = occurrences(store, day, day)
    slots = []
    for i in range(2 * (DAY_ENDS - DAY_STARTS)):
        start = datetime.combine(day, time(DAY_STARTS)) + timedelta(minutes=30 * i)
        slots.append(
            {
                "start": time_text(start.time()),
                "end": time_text((start + timedelta(minutes=30)).time()),
                "events": [e for e in events if e["start"][11:16] == start.strftime("%H:%M")],
            }
        )
    return SITE.page(
        request,
        "day.html",
        day_text(day),
        day=day,
        long=day_text(day),
        slots=slots,
        earlier=[e for e in events if e["start"][11:16] < f"{DAY_STARTS:02d}:00"],
        later=[e for e in events if e["start"][11:16] >= f"{DAY_ENDS:02d}:00"],
        prev=(day - timedelta(days=1)).isoformat(),
        next=(day + timedelta(days=1)).isoformat(),
        week=week_of(day.isoformat()).isoformat(),
        **sidebar(store),
    )


async def event_view(request: Request) -> Response:
    store = store_of(request)
    event = find_event(store, request.path_params["eid"])
    if event is None:
        return SITE.not_found(request, "This event does not exist or was deleted.")
    return SITE.page(request, "event.html", event["title"], event=event, **sidebar(store))


def read_form(store: StateStore, form: dict[str, list[str]]) -> tuple[dict[str, Any], str]:
    """The event form's fields, checked; the second item is what is wrong, or ''."""
    values: dict[str, Any] = {
        "title": first(form, "title"),
        "date": first(form, "date"),
        "start_text": first(form, "start"),
        "end_text": first(form, "end"),
        "room": first(form, "room"),
        "description": first(form, "description"),
        "repeat": first(form, "repeat"),
        "zone": first(form, "zone") or display_zone(store),
        "guests": [g for g in dict.fromkeys(form.get("guest", [])) if g != ME.email],
    }
    try:
        if not values["title"]:
            raise ValueError("Give the event a title.")
        day = parse_date(values["date"])
        start, end = parse_time(values["start_text"]), parse_time(values["end_text"])
        if end == start:
            raise ValueError("The event must end after it starts.")
        if values["repeat"] not in REPEATS:
            raise ValueError("Choose how the event repeats from the Repeat menu.")
        if values["zone"] not in ZONES:
            raise ValueError("Choose the event's time zone from the Time zone menu.")
        if values["room"] and not store.scalar(
            "SELECT 1 FROM rooms WHERE name = ?", (values["room"],)
        ):
            raise ValueError(f"There is no room {values['room']}.")
    except ValueError as exc:
        return values, str(exc)
    # Stored in the home zone, whichever zone the times were given in; an end before the start
    # is on the next day (a meeting that runs past midnight there).
    for key, t, later in (("start", start, 0), ("end", end, int(end < start))):
        stamp = datetime.combine(day + timedelta(days=later), t).isoformat(timespec="minutes")
        if not exists_in(stamp, values["zone"]):
            city = ZONES[values["zone"]]
            problem = f"{time_text(t)} does not exist in {city} that day: the clocks skip it."
            return values, problem
        values[key] = convert(stamp, values["zone"], HOME_ZONE)
    return values, ""


def form_page(
    request: Request,
    store: StateStore,
    values: dict[str, Any],
    error: str = "",
    event_id: int | None = None,
) -> Response:
    people = {p["email"]: p["name"] for p in store.query("SELECT name, email FROM people")}
    chosen = [{"email": g, "name": people.get(g, g)} for g in values.get("guests", [])]
    title = "Edit event" if event_id else "New event"
    side = sidebar(store)
    # The form's drop-down menus: field -> its options, value -> (button text, item text).
    rooms = {r["name"]: (r["name"], f"{r['name']} ({r['seats']} seats)") for r in side["rooms"]}
    menus = {
        "zone": {z: (label, label) for z, label in side["zones"].items()},
        "room": {"": ("None", "None"), **rooms},
        "repeat": {value: (label, label) for value, label in REPEATS.items()},
    }
    return SITE.page(
        request,
        "form.html",
        title,
        400 if error else 200,
        error=error,
        v=values,
        chosen=chosen,
        event_id=event_id,
        menus=menus,
        picked={  # a value no menu has (a hand-made request) shows as the menu's first
            name: value if value in menus[name] else next(iter(menus[name]))
            for name, value in (
                ("zone", values.get("zone") or display_zone(store)),
                ("room", values.get("room") or ""),
                ("repeat", values.get("repeat") or ""),
            )
        },
        **side,
    )


async def new_event(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        # A slot clicked or dragged across in the day view gives the times.
        query = request.query_params
        values = {
            "date": query.get("date", TODAY.isoformat()),
            "start_text": query.get("start", "10:00 AM"),
            "end_text": query.get("end", "11:00 AM"),
            "zone": display_zone(store),
        }
        return form_page(request, store, values)
    values, error = read_form(store, await form_of(request))
    if error:
        return form_page(request, store, values, error)
    with store.transaction() as db:
        eid = int(
            db.execute(
                "INSERT INTO events(title, start, end, room, description, organizer, repeat, "
                "zone) VALUES (?,?,?,?,?,?,?,?)",
                (
                    values["title"],
                    values["start"],
                    values["end"],
                    values["room"],
                    values["description"],
                    ME.email,
                    values["repeat"],
                    values["zone"],
                ),
            ).lastrowid
            or 0
        )
        db.executemany(
            "INSERT INTO attendees(event_id, email) VALUES (?,?)",
            [(eid, g) for g in values["guests"]],
        )
        db.execute("INSERT INTO activity(verb, event_id) VALUES ('create', ?)", (eid,))
    return see_other(f"/event/{eid}")


async def edit_event(request: Request) -> Response:
    store = store_of(request)
    event = find_event(store, request.path_params["eid"])
    if event is None:
        return SITE.not_found(request, "This event does not exist or was deleted.")
    if not event["mine"]:
        return SITE.not_found(request, "Only the organizer can edit this event.")
    if request.method == "GET":  # the times in the event's own zone, as it was made
        own = event["zone"]
        start, end = (
            datetime.fromisoformat(convert(event[k], HOME_ZONE, own))
            for k in ("stored_start", "stored_end")
        )
        values = {
            **event,
            "date": start.date().isoformat(),
            "start_text": time_text(start.time()),
            "end_text": time_text(end.time()),
            "zone": own,
            "guests": [g["email"] for g in event["guests"]],
        }
        return form_page(request, store, values, event_id=event["id"])
    values, error = read_form(store, await form_of(request))
    if error:
        return form_page(request, store, values, error, event["id"])
    with store.transaction() as db:
        db.execute(
            "UPDATE events SET title = ?, start = ?, end = ?, room = ?, description = ?, "
            "repeat = ?, zone = ? WHERE id = ?",
            (
                values["title"],
                values["start"],
                values["end"],
                values["room"],
                values["description"],
                values["repeat"],
                values["zone"],
                event["id"],
            ),
        )
        kept = {g["email"] for g in event["guests"]}
        for gone in kept - set(values["guests"]):
            db.execute(
                "DELETE FROM attendees WHERE event_id = ? AND email = ?", (event["id"], gone)
            )
        db.executemany(
            "INSERT INTO attendees(event_id, email) VALUES (?,?)",
            [(event["id"], g) for g in values["guests"] if g not in kept],
        )
        db.execute("INSERT INTO activity(verb, event_id) VALUES ('edit', ?)", (event["id"],))
    return see_other(f"/event/{event['id']}")


async def delete_event(request: Request) -> Response:
    store = store_of(request)
    event = find_event(store, request.path_params["eid"])
    if event is None or not event["mine"]:
        return SITE.not_found(request, "Only the organizer can delete this event.")
    store.execute("UPDATE events SET deleted = 1 WHERE id = ?", (event["id"],))
    log(store, "delete", event["id"])
    return see_other(f"/week/{event['day'].isoformat()}")


async def move_event(request: Request) -> Response:
    """An event dropped on another day of the week view: same times, that day."""
    store, form = store_of(request), await form_of(request)
    event = find_event(store, request.path_params["eid"])
    if event is None or not event["mine"] or event["repeat"]:
        return SITE.not_found(request, "Only the organizer can move a one-off event.")
    try:
        day = date.fromisoformat(first(form, "date"))
    except ValueError:
        return SITE.not_found(request, "Drop the event on a day of the week.")
    # Same times as shown, on the day dropped on (across a change to summer time too).
    shift = timedelta(days=(day - event["day"]).days)
    zone = display_zone(store)
    start, end = (
        convert((datetime.fromisoformat(event[k]) + shift).isoformat(timespec="minutes"),
                zone, HOME_ZONE)
        for k in ("start", "end")
    )  # fmt: skip
    if shift:
        with store.transaction() as db:
            db.execute(
                "UPDATE events SET start = ?, end = ? WHERE id = ?", (start, end, event["id"])
            )
            db.execute(
                "INSERT INTO activity(verb, event_id, detail) VALUES ('move', ?, ?)",
                (event["id"], day.isoformat()),
            )
    return see_other(f"/week/{day.isoformat()}")


async def rsvp(request: Request) -> Response:
    store, form = store_of(request), await form_of(request)
    eid, response = request.path_params["eid"], first(form, "response")
    if response in RESPONSES and response != "needs-action":
        with store.transaction() as db:
            changed = db.execute(
                "UPDATE attendees SET response = ? WHERE event_id = ? AND email = ?",
                (response, eid, ME.email),
            ).rowcount
            if changed:
                db.execute(
                    "INSERT INTO activity(verb, event_id, detail) VALUES ('rsvp', ?, ?)",
                    (eid, response),
                )
    return back_to(form, f"/event/{eid}")


async def invitations(request: Request) -> Response:
    store = store_of(request)
    rows = store.query(
        "SELECT e.* FROM events e JOIN attendees a ON a.event_id = e.id WHERE a.email = ? AND "
        "a.response = 'needs-action' AND e.deleted = 0 AND e.start >= ? ORDER BY e.start",
        (ME.email, TODAY.isoformat()),
    )
    return SITE.page(
        request,
        "invitations.html",
        "Invitations",
        events=[shape(store, r, display_zone(store)) for r in rows],
        **sidebar(store),
    )


async def set_zone(request: Request) -> Response:
    """The time zone menu: the pages show times in the zone chosen."""
    store, form = store_of(request), await form_of(request)
    zone = first(form, "zone")
    if zone in ZONES:
        store.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('zone', ?)", (zone,))
    return back_to(form, "/")


app = Starlette(
    routes=[
        Route("/", home),
        Route("/week/{day}", week_view),
        Route("/month/{day}", month_view),
        Route("/day/{day}", day_view),
        Route("/event/{eid:id}", event_view),
        Route("/event/{eid:id}/edit", edit_event, methods=["GET", "POST"]),
        Route("/event/{eid:id}/delete", delete_event, methods=["POST"]),
        Route("/event/{eid:id}/rsvp", rsvp, methods=["POST"]),
        Route("/event/{eid:id}/move", move_event, methods=["POST"]),
        Route("/new", new_event, methods=["GET", "POST"]),
        Route("/invitations", invitations),
        Route("/settings/zone", set_zone, methods=["POST"]),
        Route("/api/people", people_or_address_route),
    ]
)
