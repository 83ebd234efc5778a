"""Network's messaging: conversations with connections (and with whoever takes messages from
anyone, as recruiters do)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from officegym.tasks.apps import StateStore
from officegym.tasks.apps._web import form_of, see_other, store_of
from officegym.tasks.apps.network._common import SITE, capped, log, next_stamp, page, person, when
from officegym.tasks.apps.network._data import ME_ID


def thread_list(request: Request) -> list[dict[str, object]]:
    rows = store_of(request).query(
        "SELECT t.*, p.name, (SELECT body FROM messages m WHERE m.thread_id = t.id "
        "ORDER BY m.created DESC, m.id DESC LIMIT 1) AS last FROM threads t "
        "JOIN people p ON p.id = t.person_id ORDER BY t.updated DESC, t.id DESC"
    )
    for r in rows:
        r["when"] = when(str(r["updated"]))
    return rows


async def inbox(request: Request) -> Response:
    return page(
        request,
        "messaging.html",
        "Messaging",
        "messaging",
        threads=thread_list(request),
        thread=None,
    )


async def thread(request: Request) -> Response:
    store = store_of(request)
    rows = store.query("SELECT * FROM threads WHERE id = ?", (request.path_params["tid"],))
    if not rows:
        return SITE.not_found(request, "That conversation does not exist.")
    t = rows[0]
    if t["unread"]:
        store.execute("UPDATE threads SET unread = 0 WHERE id = ?", (t["id"],))
    who = person(store, t["person_id"])
    messages = store.query(
        "SELECT m.*, p.name FROM messages m JOIN people p ON p.id = m.sender_id "
        "WHERE m.thread_id = ? ORDER BY m.created, m.id",
        (t["id"],),
    )
    for m in messages:
        m["when"], m["mine"] = when(m["created"]), m["sender_id"] == ME_ID
    return page(
        request,
        "messaging.html",
        f"Conversation with {who['name'] if who else ''}",
        "messaging",
        threads=thread_list(request),
        thread=t,
        who=who,
        messages=messages,
    )


async def send(request: Request) -> Response:
    store = store_of(request)
    rows = store.query("SELECT * FROM threads WHERE id = ?", (request.path_params["tid"],))
    body = capped(await form_of(request), "body", "message")
    if not rows:
        return SITE.not_found(request, "That conversation does not exist.")
    if body:
        add_to_thread(store, rows[0]["id"], body)
    return see_other(f"/messaging/{rows[0]['id']}")


def add_to_thread(store: StateStore, tid: int, body: str) -> None:
    """The user's message at the end of a conversation (which moves up the list); logged."""
    when_sent = next_stamp(store)
    store.execute(
        "INSERT INTO messages(thread_id, sender_id, body, created) VALUES (?,?,?,?)",
        (tid, ME_ID, body, when_sent),
    )
    store.execute("UPDATE threads SET updated = ? WHERE id = ?", (when_sent, tid))
    log(store, "message", "thread", tid, body)


async def compose(request: Request) -> Response:
    """GET: a new message to someone (their conversation, when there is one); POST: send it."""
    store = store_of(request)
    who = person(store, request.path_params["pid"])
    if who is None:
        return SITE.not_found(request, "That profile does not exist.")
    if not who["can_message"]:
        return page(
            request,
            "closed.html",
            "Messaging closed",
            "messaging",
            message=f"{who['name']} accepts messages from connections only.",
        )
    existing = store.scalar("SELECT id FROM threads WHERE person_id = ?", (who["id"],))
    if request.method == "GET":
        if existing is not None:
            return see_other(f"/messaging/{existing}")
        return page(request, "compose.html", f"New message to {who['name']}", "messaging", who=who)
    body = capped(await form_of(request), "body", "message")
    if body and existing is not None:  # the conversation began meanwhile: add to it
        add_to_thread(store, int(existing), body)
        return see_other(f"/messaging/{existing}")
    if not body:
        return page(
            request,
            "compose.html",
            f"New message to {who['name']}",
            "messaging",
            who=who,
            error="Write a message first.",
        )
    when_sent = next_stamp(store)
    tid = store.execute(
        "INSERT INTO threads(person_id, updated) VALUES (?,?)", (who["id"], when_sent)
    )
    store.execute(
        "INSERT INTO messages(thread_id, sender_id, body, created) VALUES (?,?,?,?)",
        (tid, ME_ID, body, when_sent),
    )
    log(store, "message", "thread", tid, body)
    return see_other(f"/messaging/{tid}")
