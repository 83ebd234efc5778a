"""Calendar, a Google-Calendar-like app: week, month and day views (drag an event to another day;
drag across the day's time grid to create one), events with guests, rooms and repeats,
invitations, times shown in the time zone the user picks."""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.calendar._app import app
from officegym.tasks.apps.calendar._data import (
    HOME_ZONE,
    REPEATS,
    ROOMS,
    TODAY,
    WEEK,
    ZONES,
    add_event,
    at,
    convert,
    day_text,
    parse_date,
    parse_time,
    populate,
    time_text,
)
from officegym.tasks.apps.calendar._shown import RESPONSES

__all__ = [
    "APP",
    "HOME_ZONE",
    "REPEATS",
    "RESPONSES",
    "ROOMS",
    "TODAY",
    "WEEK",
    "ZONES",
    "add_event",
    "at",
    "convert",
    "day_text",
    "parse_date",
    "parse_time",
    "time_text",
]

APP = AppSpec(
    name="calendar",
    asgi=app,
    populate=populate,
    pages=(
        "/week/2026-03-16",
        "/week/2026-03-23",
        "/month/2026-03-01",
        "/day/2026-03-17",
        "/new",
        "/invitations",
    ),
)
