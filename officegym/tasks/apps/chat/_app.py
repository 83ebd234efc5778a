"""Chat: a Slack-like app. Channels (settings menu: topic, leave), threads, reactions, pins,
direct messages, @mentions, editing and deleting one's own messages, and the quick switcher
(Control+K)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps._web import (
    Site,
    back_to,
    first,
    form_of,
    people_route,
    see_other,
    store_of,
)
from officegym.tasks.apps.chat._data import (
    EMOJI,
    conversation_of,
    log_activity,
    mark_read,
    unread_counts,
)
from officegym.tasks.apps.people import ME

SITE = Site("chat", Path(__file__).parent)
NOW = datetime.fromisoformat(FROZEN_NOW)
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def when(ts: str) -> str:
    t = datetime.fromisoformat(ts)
    return t.strftime("%-I:%M %p") if t.date() == NOW.date() else t.strftime("%b %-d, %-I:%M %p")


def rich(text: str, handles: set[str]) -> Markup:
    """Escape the text, then mark known @handles."""

    def mark(m: re.Match[str]) -> str:
        handle = m.group(1).rstrip(".")
        if handle not in handles:
            return m.group(0)
        return f'<span class="mention">@{handle}</span>' + m.group(1)[len(handle) :]

    return Markup(re.sub(r"@([\w.-]+)", mark, html.escape(text)).replace("\n", "<br>"))


def next_ts(store: StateStore) -> str:
    """New messages are stamped after the frozen now, a minute apart, in the order sent."""
    mine = store.scalar("SELECT count(*) FROM messages WHERE ts > ?", (FROZEN_NOW,))
    return (NOW + timedelta(minutes=1 + int(mine or 0))).isoformat()


def decorate(store: StateStore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    people = {p["handle"]: p for p in store.query("SELECT name, handle FROM people")}
    for m in rows:
        m["author_name"] = "You" if m["author"] == ME.handle else people[m["author"]]["name"]
        m["time"] = when(m["ts"])
        m["html"] = rich(m["text"], set(people))
        m["short"] = " ".join(m["text"].split())[:60]
        m["mine"] = m["author"] == ME.handle
        counts = store.query(
            "SELECT emoji, count(*) AS n, max(handle = ?) AS me FROM reactions "
            "WHERE message_id = ? GROUP BY emoji ORDER BY emoji",
            (ME.handle, m["id"]),
        )
        m["reactions"] = [
            {**c, "glyph": EMOJI[c["emoji"]][0], "label": EMOJI[c["emoji"]][1]} for c in counts
        ]
        m["replies"] = store.scalar("SELECT count(*) FROM messages WHERE parent_id = ?", (m["id"],))
        shared = store.query("SELECT name, url FROM attachments WHERE message_id = ?", (m["id"],))
        m["attachment"] = shared[0] if shared else None
    return rows


def sidebar(store: StateStore) -> dict[str, Any]:
    channels = store.query("SELECT name, private FROM channels WHERE joined = 1 ORDER BY name")
    dms = store.query(
        "SELECT p.handle, p.name FROM people p WHERE p.handle IN (SELECT DISTINCT dm FROM "
        "messages WHERE dm IS NOT NULL) ORDER BY p.name"
    )
    return {"channels": channels, "dms": dms, "emoji": EMOJI, "unread": unread_counts(store)}


def first_new(messages: list[dict[str, Any]], read_up_to: str | None) -> int | None:
    """The id of the first message from someone else that was unread when the page opened."""
    if read_up_to is None:
        return None
    return next(
        (m["id"] for m in messages if m["ts"] > read_up_to and m["author"] != ME.handle), None
    )


async def home(request: Request) -> Response:
    return see_other("/c/general")


async def channel_view(request: Request) -> Response:
    store = store_of(request)
    name = request.path_params["name"]
    rows = store.query("SELECT * FROM channels WHERE name = ?", (name,))
    if not rows or (rows[0]["private"] and not rows[0]["joined"]):
        return SITE.not_found(request, f"There is no channel #{name}.")
    channel = rows[0]
    new_since = mark_read(store, f"c:{name}") if channel["joined"] else None
    messages = decorate(
        store,
        store.query(
            "SELECT * FROM messages WHERE channel_id = ? AND parent_id IS NULL ORDER BY ts, id",
            (channel["id"],),
        ),
    )
    thread, replies = None, []
    if "mid" in request.path_params:
        found = store.query(
            "SELECT * FROM messages WHERE id = ? AND channel_id = ? AND parent_id IS NULL",
            (request.path_params["mid"], channel["id"]),
        )
        if not found:
            return SITE.not_found(request, "That thread does not exist.")
        thread = decorate(store, found)[0]
        replies = decorate(
            store,
            store.query(
                "SELECT * FROM messages WHERE parent_id = ? ORDER BY ts, id", (thread["id"],)
            ),
        )
    pinned = [m for m in messages if m["pinned"]]
    return SITE.page(
        request,
        "conversation.html",
        f"#{name}",
        channel=channel,
        messages=messages,
        pinned=pinned,
        first_new=first_new(messages, new_since),
        thread=thread,
        replies=replies,
        post_to=f"/c/{name}/post",
        placeholder=f"Message #{name}",
        current=f"c:{name}",
        **sidebar(store),
    )


async def post_message(request: Request) -> Response:
    store = store_of(request)
    form = await form_of(request)
    text, parent = first(form, "text"), first(form, "parent")
    name = request.path_params.get("name")
    handle = request.path_params.get("handle")
    if name:
        rows = store.query("SELECT id, joined FROM channels WHERE name = ?", (name,))
        if not rows or not rows[0]["joined"]:
            return SITE.not_found(request, f"You are not a member of #{name}.")
        back = f"/c/{name}" + (f"/t/{parent}" if parent else "")
        top_level = "SELECT 1 FROM messages WHERE id = ? AND channel_id = ? AND parent_id IS NULL"
        if parent and not (parent.isdigit() and store.scalar(top_level, (parent, rows[0]["id"]))):
            return SITE.not_found(request, "That thread does not exist.")
    else:
        if handle == ME.handle or not store.scalar(
            "SELECT 1 FROM people WHERE handle = ?", (handle,)
        ):
            return SITE.not_found(request, f"No one is called @{handle} here.")
        back = f"/dm/{handle}"
    if not text:
        return see_other(back)
    parent_id = int(parent) if parent.isdigit() else None
    with store.transaction() as db:
        mid = db.execute(
            "INSERT INTO messages(channel_id, dm, author, text, ts, parent_id) "
            "VALUES (?,?,?,?,?,?)",
            (
                rows[0]["id"] if name else None,
                None if name else handle,
                ME.handle,
                text,
                next_ts(store),
                parent_id,
            ),
        ).lastrowid
        conversation = f"c:{name}" if name else f"dm:{handle}"
        log_activity(db, "reply" if parent_id else "post", conversation, mid, text)
    return see_other(back)


async def dm_view(request: Request) -> Response:
    store = store_of(request)
    handle = request.path_params["handle"]
    people = store.query(
        "SELECT * FROM people WHERE handle = ? AND handle != ?", (handle, ME.handle)
    )
    if not people:
        return SITE.not_found(request, f"No one is called @{handle} here.")
    new_since = mark_read(store, f"dm:{handle}")
    messages = decorate(
        store, store.query("SELECT * FROM messages WHERE dm = ? ORDER BY ts, id", (handle,))
    )
    return SITE.page(
        request,
        "conversation.html",
        people[0]["name"],
        person=people[0],
        messages=messages,
        pinned=[],
        first_new=first_new(messages, new_since),
        post_to=f"/dm/{handle}/post",
        placeholder=f"Message {people[0]['name']}",
        current=f"dm:{handle}",
        **sidebar(store),
    )


async def new_dm(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        return SITE.page(request, "new_dm.html", "New message", current="new", **sidebar(store))
    form = await form_of(request)
    email, text = first(form, "to"), first(form, "text")
    handle = store.scalar("SELECT handle FROM people WHERE email = ?", (email,))
    if handle is None or not text:
        error = "Choose someone from the suggestions." if handle is None else "Write a message."
        return SITE.page(
            request, "new_dm.html", "New message", 400, error=error, text=text, **sidebar(store)
        )
    with store.transaction() as db:
        mid = db.execute(
            "INSERT INTO messages(dm, author, text, ts) VALUES (?,?,?,?)",
            (handle, ME.handle, text, next_ts(store)),
        ).lastrowid
        log_activity(db, "post", f"dm:{handle}", mid, text)
    return see_other(f"/dm/{handle}")


async def react(request: Request) -> Response:
    """Toggle the user's reaction `emoji` on a message."""
    store, form = store_of(request), await form_of(request)
    mid, emoji = request.path_params["mid"], first(form, "emoji")
    if emoji not in EMOJI:
        return back_to(form)
    with store.transaction() as db:
        conversation = conversation_of(db, mid)
        if conversation is not None:
            gone = db.execute(
                "DELETE FROM reactions WHERE message_id = ? AND handle = ? AND emoji = ?",
                (mid, ME.handle, emoji),
            ).rowcount
            if not gone:
                db.execute("INSERT INTO reactions VALUES (?,?,?)", (mid, ME.handle, emoji))
            log_activity(db, "unreact" if gone else "react", conversation, mid, emoji)
    return back_to(form)


async def pin(request: Request) -> Response:
    """Pin a channel message, or unpin it when it is pinned (DMs have no pins)."""
    store, form = store_of(request), await form_of(request)
    mid = request.path_params["mid"]
    with store.transaction() as db:
        row = db.execute(
            "SELECT pinned FROM messages WHERE id = ? AND channel_id IS NOT NULL", (mid,)
        ).fetchone()
        conversation = conversation_of(db, mid)
        if row is not None and conversation is not None:
            db.execute("UPDATE messages SET pinned = 1 - pinned WHERE id = ?", (mid,))
            log_activity(db, "unpin" if row["pinned"] else "pin", conversation, mid)
    return back_to(form)


async def delete(request: Request) -> Response:
    store, form = store_of(request), await form_of(request)
    mid = request.path_params["mid"]
    with store.transaction() as db:
        conversation = conversation_of(db, mid)
        if (
            conversation is not None
            and db.execute(
                "DELETE FROM messages WHERE id = ? AND author = ?", (mid, ME.handle)
            ).rowcount
        ):
            db.execute("DELETE FROM reactions WHERE message_id = ?", (mid,))
            db.execute("DELETE FROM attachments WHERE message_id = ?", (mid,))
            log_activity(db, "delete", conversation, mid)
    return back_to(form)


async def edit(request: Request) -> Response:
    """Change the text of one of the user's own messages; it is marked (edited)."""
    store, form = store_of(request), await form_of(request)
    text = (form.get("text") or [""])[0].strip()
    mid = request.path_params["mid"]
    if text:
        with store.transaction() as db:
            conversation = conversation_of(db, mid)
            if (
                conversation is not None
                and db.execute(
                    "UPDATE messages SET text = ?, edited = 1 "
                    "WHERE id = ? AND author = ? AND text != ?",
                    (text, mid, ME.handle, text),
                ).rowcount
            ):
                log_activity(db, "edit", conversation, mid, text)
    return back_to(form)


def jump_targets(store: StateStore, q: str) -> list[dict[str, str]]:
    """The quick switcher's matches for `q`: channels the user can open, then people; names that
    start with `q` first."""
    q = q.strip().lstrip("#@").lower()
    if not q:
        return []
    rows = [
        {"label": f"#{c['name']}", "key": c["name"], "href": f"/c/{c['name']}"}
        for c in store.query(
            "SELECT name FROM channels WHERE private = 0 OR joined = 1 ORDER BY name"
        )
    ] + [
        {"label": p["name"], "key": p["name"].lower(), "href": f"/dm/{p['handle']}"}
        for p in store.query(
            "SELECT name, handle FROM people WHERE handle != ? ORDER BY name", (ME.handle,)
        )
    ]
    hits = [r for r in rows if q in r["key"].lower()]
    hits.sort(key=lambda r: not r["key"].lower().startswith(q))  # stable: keeps name order
    return [{"label": r["label"], "href": r["href"]} for r in hits[:8]]


async def jump_api(request: Request) -> Response:
    return JSONResponse(jump_targets(store_of(request), request.query_params.get("q", "")))


async def jump(request: Request) -> Response:
    """Enter in the quick switcher: open the best match, or say there is none."""
    q = request.query_params.get("q", "")
    hits = jump_targets(store_of(request), q)
    if hits:
        return see_other(hits[0]["href"])
    return SITE.page(
        request, "search.html", f"Jump to: {q}", 404, q=q, hits=[],
        error=f"No channel or person matches “{q}”.", **sidebar(store_of(request)),
    )  # fmt: skip


async def browse(request: Request) -> Response:
    store = store_of(request)
    channels = store.query(
        "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.channel_id = c.id) AS messages "
        "FROM channels c WHERE c.private = 0 OR c.joined = 1 ORDER BY c.name"
    )
    return SITE.page(
        request, "channels.html", "Channels", all_channels=channels, current="browse",
        **sidebar(store),
    )  # fmt: skip


async def join(request: Request) -> Response:
    name = request.path_params["name"]
    joined = request.url.path.endswith("/join")
    with store_of(request).transaction() as db:
        if db.execute(
            "UPDATE channels SET joined = ? WHERE name = ? AND joined != ? "
            "AND (private = 0 OR joined = 1)",
            (int(joined), name, int(joined)),
        ).rowcount:
            log_activity(db, "join" if joined else "leave", f"c:{name}")
    return see_other(f"/c/{name}" if joined else "/channels")


async def new_channel(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        return SITE.page(request, "new_channel.html", "Create a channel", **sidebar(store))
    form = await form_of(request)
    name = first(form, "name").lower().lstrip("#").replace(" ", "-")
    topic, private = first(form, "topic"), first(form, "private") == "on"
    error = ""
    if not CHANNEL_NAME.match(name):
        error = "Channel names use lowercase letters, digits and dashes (at most 40)."
    elif store.scalar("SELECT 1 FROM channels WHERE name = ?", (name,)):
        error = f"#{name} already exists."
    if error:
        return SITE.page(
            request, "new_channel.html", "Create a channel", 400, error=error,
            name=name, topic=topic, private=private, **sidebar(store),
        )  # fmt: skip
    with store.transaction() as db:
        db.execute(
            "INSERT INTO channels(name, topic, private, joined, created_by) VALUES (?,?,?,1,?)",
            (name, topic, int(private), ME.handle),
        )
        log_activity(db, "create_channel", f"c:{name}", detail=topic)
    return see_other(f"/c/{name}")


async def set_topic(request: Request) -> Response:
    form = await form_of(request)
    name, topic = request.path_params["name"], first(form, "topic")
    with store_of(request).transaction() as db:
        if db.execute(
            "UPDATE channels SET topic = ? WHERE name = ? AND joined = 1 AND topic != ?",
            (topic, name, topic),
        ).rowcount:
            log_activity(db, "topic", f"c:{name}", detail=topic)
    return see_other(f"/c/{name}")


async def search(request: Request) -> Response:
    store = store_of(request)
    q = request.query_params.get("q", "").strip()
    hits: list[dict[str, Any]] = []
    if q:
        hits = store.query(
            "SELECT m.*, c.name AS channel FROM messages m LEFT JOIN channels c ON c.id = "
            "m.channel_id WHERE m.text LIKE ? AND (c.id IS NULL OR c.joined = 1 OR c.private = 0) "
            "ORDER BY m.ts DESC LIMIT 50",
            (f"%{q}%",),
        )
        for h in decorate(store, hits):
            thread = f"/t/{h['parent_id']}" if h["parent_id"] else ""
            h["link"] = (
                f"/c/{h['channel']}{thread}#m{h['id']}" if h["channel"] else f"/dm/{h['dm']}"
            )
    return SITE.page(request, "search.html", f"Search: {q}", q=q, hits=hits, **sidebar(store))


app = Starlette(
    routes=[
        Route("/", home),
        Route("/c/{name}", channel_view),
        Route("/c/{name}/t/{mid:id}", channel_view),
        Route("/c/{name}/post", post_message, methods=["POST"]),
        Route("/c/{name}/join", join, methods=["POST"]),
        Route("/c/{name}/leave", join, methods=["POST"]),
        Route("/c/{name}/topic", set_topic, methods=["POST"]),
        Route("/dm/new", new_dm, methods=["GET", "POST"]),
        Route("/dm/{handle}", dm_view),
        Route("/dm/{handle}/post", post_message, methods=["POST"]),
        Route("/m/{mid:id}/react", react, methods=["POST"]),
        Route("/m/{mid:id}/pin", pin, methods=["POST"]),
        Route("/m/{mid:id}/delete", delete, methods=["POST"]),
        Route("/m/{mid:id}/edit", edit, methods=["POST"]),
        Route("/jump", jump),
        Route("/api/jump", jump_api),
        Route("/channels", browse),
        Route("/channels/new", new_channel, methods=["GET", "POST"]),
        Route("/search", search),
        Route("/api/people", people_route),
    ]
)
