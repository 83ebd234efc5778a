"""Network templates: invitations, messaging, search with filters, the feed, endorsements, jobs
and applications, notification settings, the profile."""

from officegym.tasks.network_tasks import (
    connections,
    feed,
    invitations,
    jobs,
    messaging,
    profile,
    search,
)

__all__ = ["connections", "feed", "invitations", "jobs", "messaging", "profile", "search"]
