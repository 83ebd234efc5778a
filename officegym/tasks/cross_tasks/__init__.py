"""Tasks across two apps: what one app says, another app must reflect. Each reads a fact in the
first app (a proposed meeting, a bug report, a price, a request) and acts in the second."""

from officegym.tasks.cross_tasks import from_links, from_messages, from_records

__all__ = ["from_links", "from_messages", "from_records"]
