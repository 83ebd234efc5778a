"""What Network's pages share: the site, the change log, times and the people lookups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps._web import Site, first
from officegym.tasks.apps.network._data import DEGREE_LABELS, ME_ID

SITE = Site("network", Path(__file__).parent)
NOW = datetime.fromisoformat(FROZEN_NOW)
SNIPPET_CHARS = 48
# The most characters each field keeps (the pages' `maxlength`; a longer post is cut).
FIELD_LIMITS = {
    "post": 3000,  # a post, or the thoughts added to a repost
    "comment": 1250,
    "message": 8000,
    "note": 300,  # an invitation's note
    "email": 254,
    "phone": 32,
    "title": 100,
    "company": 100,
    "school": 100,
    "degree": 100,
    "name": 80,  # a skill
    "description": 2000,
    "start_year": 4,
    "end_year": 4,
}


def log(store: StateStore, verb: str, kind: str, ref: int, detail: str = "") -> None:
    store.execute(
        "INSERT INTO activity(verb, kind, ref, detail) VALUES (?,?,?,?)", (verb, kind, ref, detail)
    )


def next_stamp(store: StateStore) -> str:
    """The time of the user's next change: after the frozen now, a minute per change so far, so
    lists in time order stay stable."""
    n = int(store.scalar("SELECT count(*) FROM activity") or 0)
    return (NOW + timedelta(minutes=1 + n)).isoformat()


def when(iso: str) -> str:
    t = datetime.fromisoformat(iso)
    if t.date() == NOW.date() or t > NOW:
        return t.strftime("%-I:%M %p")
    return t.strftime("%b %-d")


def snippet(body: str) -> str:
    """A post's first words, as its buttons name it (`React to: <snippet>`)."""
    if len(body) <= SNIPPET_CHARS:
        return body
    cut = body[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def person(store: StateStore, pid: int) -> dict[str, Any] | None:
    rows = store.query("SELECT * FROM people WHERE id = ?", (pid,))
    if not rows:
        return None
    p = rows[0]
    p["headline"] = headline(p)
    p["degree_label"] = DEGREE_LABELS.get(p["degree"], "3rd+")
    p["can_message"] = can_message(p)
    pending = store.query(
        "SELECT id, direction FROM invitations WHERE person_id = ? AND status = 'pending' "
        "ORDER BY id DESC LIMIT 1",
        (pid,),
    )
    p["invitation"] = pending[0] if pending else None
    return p


def can_message(p: Mapping[str, Any]) -> bool:
    """Whether the user may message someone: a connection, or one open to anyone's messages."""
    return bool(p["id"] != ME_ID and (p["degree"] == 1 or p["open_messages"]))


def headline(p: Mapping[str, Any]) -> str:
    """How a person is described under their name: `<title> at <company>`."""
    return f"{p['title']} at {p['company']}"


def capped(form: dict[str, list[str]], key: str, limit: str = "") -> str:
    """The form's field `key`, cut to the limit of its kind (`limit`, else `key` itself)."""
    return first(form, key)[: FIELD_LIMITS[limit or key]]


# A LIKE pattern from `contains` takes `\` as its escape character.
ESCAPE = "ESCAPE '\\'"


def contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its `%` and `_` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def int_param(value: str, default: int = 0) -> int:
    return int(value) if value.isdecimal() else default


def page(
    request: Request,
    template: str,
    title: str,
    section: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page inside Network's layout, with the sidebar's counts (pending invitations, unread
    conversations)."""
    store: StateStore = request.scope["officegym.store"]
    counts = {
        "invitations": store.scalar(
            "SELECT count(*) FROM invitations WHERE direction = 'received' AND status = 'pending'"
        ),
        "unread": store.scalar("SELECT count(*) FROM threads WHERE unread = 1"),
    }
    return SITE.page(
        request,
        template,
        title,
        status,
        section=section,
        counts=counts,
        me_id=ME_ID,
        limits=FIELD_LIMITS,
        **context,
    )
