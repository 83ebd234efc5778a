"""Calendar task templates: create, invite, reschedule, answer invitations, decline a day, book
a room (and a room that does not exist), find a start time, delete one of two events, repeat a
meeting weekly, find the first free hour of a day, schedule in a colleague's time zone, say when
a meeting starts in another zone; plan a week, answer a week's invitations by a rule, move a
meeting someone else organizes (only its organizer may)."""

from officegym.tasks.calendar_tasks import (
    attacks,
    availability,
    events,
    invitations,
    long_work,
    zones,
)

__all__ = ["attacks", "availability", "events", "invitations", "long_work", "zones"]
