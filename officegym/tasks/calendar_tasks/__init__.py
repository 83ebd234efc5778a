"""Calendar task templates: create, invite, reschedule, answer invitations, decline a day, book
a room (and a room that does not exist), find a start time, delete one of two events."""

from officegym.tasks.calendar_tasks import events, invitations

__all__ = ["events", "invitations"]
