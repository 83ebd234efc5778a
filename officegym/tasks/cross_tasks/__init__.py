"""Tasks across two apps: what one app says, another app must reflect. Each reads a fact in the
first app (a proposed meeting, a bug report, a price, a request) and acts in the second."""

from officegym.tasks.cross_tasks import (
    from_links,
    from_messages,
    from_records,
    long_plans,
    long_work,
    more_asks,
    more_links,
    new_apps,
    new_apps_long,
    new_apps_more,
)

__all__ = [
    "from_links",
    "from_messages",
    "from_records",
    "long_plans",
    "long_work",
    "more_asks",
    "more_links",
    "new_apps",
    "new_apps_long",
    "new_apps_more",
]
