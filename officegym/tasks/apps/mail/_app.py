"""Mail: a Gmail-like app. Server-rendered views, swapped in place by static/mail.js.

Every view URL also renders as a whole page, so a reload or a deep link works; with the
`X-Partial` header only the view is sent, which keeps in-app navigation to one small request
(`Site.view`). mail.js brings its own menus, autocomplete and shortcuts, so the pages leave the
shared widgets out.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps._web import Site, json_of, people_route, store_of
from officegym.tasks.apps.people import ME

HERE = Path(__file__).parent
SITE = Site("mail", HERE, widgets=False)
NOW = datetime.fromisoformat(FROZEN_NOW)
FOLDERS = {  # view name -> (title, WHERE clause on threads t)
    "inbox": ("Inbox", "t.in_inbox = 1 AND t.trashed = 0"),
    "starred": ("Starred", "t.starred = 1 AND t.trashed = 0"),
    "sent": (
        "Sent",
        "t.trashed = 0 AND EXISTS (SELECT 1 FROM messages s "
        "WHERE s.thread_id = t.id AND s.kind = 'sent')",
    ),
    "archive": ("Archive", "t.in_inbox = 0 AND t.trashed = 0"),
    "trash": ("Trash", "t.trashed = 1"),
}
THREAD_VERBS = {  # verb -> SQL applied to one thread
    "archive": "UPDATE threads SET in_inbox = 0 WHERE id = ?",
    "inbox": "UPDATE threads SET in_inbox = 1, trashed = 0 WHERE id = ?",
    "delete": "UPDATE threads SET trashed = 1 WHERE id = ?",
    "star": "UPDATE threads SET starred = 1 WHERE id = ?",
    "unstar": "UPDATE threads SET starred = 0 WHERE id = ?",
    "read": "UPDATE threads SET unread = 0 WHERE id = ?",
    "unread": "UPDATE threads SET unread = 1 WHERE id = ?",
}


def short_date(iso: str) -> str:
    """Gmail-style: a time for today, a month and day otherwise."""
    when = datetime.fromisoformat(iso)
    if when.date() == NOW.date():
        return when.strftime("%-I:%M %p")
    return when.strftime("%b %-d")


def long_date(iso: str) -> str:
    when = datetime.fromisoformat(iso)
    return when.strftime("%a, %b %-d, %Y, %-I:%M %p")


def people_by_email(store: StateStore) -> dict[str, dict[str, Any]]:
    return {p["email"]: p for p in store.query("SELECT id, name, email FROM people")}


def display(addr: str, people: dict[str, dict[str, Any]]) -> str:
    person = people.get(addr)
    return "me" if addr == ME.email else (person["name"] if person else addr)


def search_clause(q: str) -> tuple[str, list[Any]]:
    """Gmail-like query: words, from:, to:, label:, is:starred|unread. All terms must match."""
    clauses, params = [], []
    for term in q.split():
        op, _, value = term.partition(":")
        if value and op == "from":
            clauses.append(
                "EXISTS (SELECT 1 FROM messages m JOIN people p ON p.email = m.sender "
                "WHERE m.thread_id = t.id AND (p.email LIKE ? OR p.name LIKE ?))"
            )
            params += [f"%{value}%", f"%{value}%"]
        elif value and op == "label":
            clauses.append(
                "EXISTS (SELECT 1 FROM thread_labels tl JOIN labels l ON l.id = "
                "tl.label_id WHERE tl.thread_id = t.id AND l.name LIKE ?)"
            )
            params.append(value)
        elif value and op == "is" and value in ("starred", "unread"):
            clauses.append(f"t.{value} = 1")
        else:
            clauses.append(
                "(t.subject LIKE ? OR EXISTS (SELECT 1 FROM messages m LEFT JOIN people "
                "p ON p.email = m.sender WHERE m.thread_id = t.id AND (m.body LIKE ? "
                "OR p.name LIKE ? OR m.sender LIKE ?)))"
            )
            params += [f"%{term}%"] * 4
    clauses.append("t.trashed = 0")
    return " AND ".join(clauses), params


def list_threads(store: StateStore, where: str, params: list[Any]) -> list[dict[str, Any]]:
    people = people_by_email(store)
    rows = store.query(
        f"SELECT t.*, (SELECT group_concat(l.name, ',') FROM thread_labels tl JOIN labels l "
        f"ON l.id = tl.label_id WHERE tl.thread_id = t.id) AS label_names "
        f"FROM threads t WHERE {where} ORDER BY t.last_date DESC, t.id DESC",
        params,
    )
    for row in rows:
        msgs = store.query(
            "SELECT sender, body FROM messages WHERE thread_id = ? ORDER BY date, id", (row["id"],)
        )
        senders = list(dict.fromkeys(display(m["sender"], people) for m in msgs))
        row["senders"] = ", ".join(senders[:3])
        row["count"] = len(msgs)
        row["snippet"] = " ".join(msgs[-1]["body"].split())[:90] if msgs else ""
        row["date_short"] = short_date(row["last_date"])
        row["labels"] = sorted(row["label_names"].split(",")) if row["label_names"] else []
    return rows


def sidebar(store: StateStore) -> dict[str, Any]:
    """What the folder list beside every view shows: the inbox's unread count, the labels."""
    return {
        "inbox_unread": store.scalar(
            "SELECT count(*) FROM threads WHERE in_inbox = 1 AND trashed = 0 AND unread = 1"
        ),
        "all_labels": store.query("SELECT name, color FROM labels ORDER BY name"),
    }


def render(
    request: Request, template: str, title: str, status: int = 200, **context: Any
) -> Response:
    """The view alone for in-app navigation, the whole page (with the sidebar) otherwise."""
    store = store_of(request)
    return SITE.view(
        request, template, title, "page.html", lambda: sidebar(store), status, **context
    )


def not_found(request: Request, what: str) -> Response:
    """A 404 in Mail's layout; `what` may quote the request and is escaped like all text."""
    return render(request, "notice.html", "Not found", 404, message=what)


async def list_view(request: Request) -> Response:
    store = store_of(request)
    folder = request.path_params.get("folder", "inbox")
    label = request.path_params.get("label")
    query = request.query_params.get("q", "").strip()
    if query:
        where, params = search_clause(query)
        title, empty = f"Search results for “{query}”", "No messages matched your search."
    elif label:
        where = (
            "t.trashed = 0 AND EXISTS (SELECT 1 FROM thread_labels tl JOIN labels l ON "
            "l.id = tl.label_id WHERE tl.thread_id = t.id AND l.name = ?)"
        )
        params, title, empty = [label], label, f"No conversations labelled {label}."
    elif folder in FOLDERS:
        title, where = FOLDERS[folder]
        params, empty = [], f"No conversations in {title}."
    else:
        return not_found(request, f"There is no folder “{folder}”.")
    threads = list_threads(store, where, params)
    return render(
        request,
        "list.html",
        title,
        threads=threads,
        folder=folder,
        label=label,
        query=query,
        empty=empty,
    )


async def thread_view(request: Request) -> Response:
    store = store_of(request)
    tid = request.path_params["tid"]
    rows = store.query("SELECT * FROM threads WHERE id = ?", (tid,))
    if not rows:
        return not_found(request, "This conversation does not exist.")
    store.execute("UPDATE threads SET unread = 0 WHERE id = ?", (tid,))
    people = people_by_email(store)
    messages = store.query("SELECT * FROM messages WHERE thread_id = ? ORDER BY date, id", (tid,))
    for m in messages:
        m["sender_name"] = display(m["sender"], people)
        m["to_names"] = ", ".join(display(a, people) for a in split_addrs(m["to_addrs"]))
        m["cc_names"] = ", ".join(display(a, people) for a in split_addrs(m["cc_addrs"]))
        m["date_long"] = long_date(m["date"])
    labels = store.query(
        "SELECT l.name, l.color, EXISTS (SELECT 1 FROM thread_labels tl WHERE "
        "tl.thread_id = ? AND tl.label_id = l.id) AS applied FROM labels l "
        "ORDER BY l.name",
        (tid,),
    )
    thread = rows[0]
    compose = {  # what reply / reply all / forward prefill, read by mail.js
        "subject": thread["subject"],
        "from": messages[-1]["sender"],
        "all": sorted(
            {
                a
                for m in messages
                for a in [m["sender"], *split_addrs(m["to_addrs"]), *split_addrs(m["cc_addrs"])]
            }
            - {ME.email}
        ),
        "quote": f"On {messages[-1]['date_long']}, {messages[-1]['sender_name']} wrote:\n"
        + "\n".join("> " + line for line in messages[-1]["body"].splitlines()),
    }
    return render(
        request,
        "thread.html",
        thread["subject"],
        thread=thread,
        messages=messages,
        labels=labels,
        compose=compose,
    )


def split_addrs(addrs: str) -> list[str]:
    return [a.strip() for a in addrs.split(",") if a.strip()]


async def thread_action(request: Request) -> Response:
    """POST {ids, verb, label?, via}: archive/delete/star/read… or label_add/label_remove."""
    store = store_of(request)
    data = await json_of(request)
    verb, via, label = data.get("verb"), data.get("via", "click"), data.get("label", "")
    if verb not in THREAD_VERBS and verb not in ("label_add", "label_remove"):
        return JSONResponse({"error": f"unknown verb {verb!r}"}, status_code=400)
    try:
        ids = [int(i) for i in data.get("ids", [])]
    except (TypeError, ValueError):  # a bad request, not a server error
        return JSONResponse({"error": "ids are conversation numbers"}, status_code=400)
    with store.transaction() as db:
        for tid in ids:
            if verb == "label_add":
                db.execute(
                    "INSERT OR IGNORE INTO thread_labels SELECT ?, id FROM labels WHERE name = ?",
                    (tid, label),
                )
            elif verb == "label_remove":
                db.execute(
                    "DELETE FROM thread_labels WHERE thread_id = ? AND label_id = "
                    "(SELECT id FROM labels WHERE name = ?)",
                    (tid, label),
                )
            else:
                db.execute(THREAD_VERBS[verb], (tid,))
            db.execute(
                "INSERT INTO activity(verb, thread_id, via, detail) VALUES (?,?,?,?)",
                (verb, tid, via if via in ("click", "shortcut") else "click", label),
            )
    return JSONResponse({"ok": True, "count": len(ids)})


async def send_message(request: Request) -> Response:
    """POST {to, cc, subject, body, thread_id?, kind}: send a new mail, reply or forward."""
    store = store_of(request)
    data = await json_of(request)
    to, cc = list(data.get("to") or []), list(data.get("cc") or [])
    if not to:
        return JSONResponse({"error": "Add at least one recipient."}, status_code=400)
    kind = data.get("kind", "new")
    subject = str(data.get("subject", "")).strip()
    body = str(data.get("body", ""))
    with store.transaction() as db:
        seq = db.execute("SELECT count(*) FROM messages WHERE kind = 'sent'").fetchone()[0]
        date = (NOW + timedelta(minutes=1 + seq)).isoformat()
        tid = data.get("thread_id")
        if kind == "new" or not tid:
            tid = db.execute(
                "INSERT INTO threads(subject, in_inbox, unread, last_date) VALUES (?, 0, 0, ?)",
                (subject or "(no subject)", date),
            ).lastrowid
        db.execute(
            "INSERT INTO messages(thread_id, sender, to_addrs, cc_addrs, date, body, kind, "
            "subject) VALUES (?,?,?,?,?,?, 'sent', ?)",
            (tid, ME.email, ", ".join(to), ", ".join(cc), date, body, subject),
        )
        db.execute("UPDATE threads SET last_date = ? WHERE id = ?", (date, tid))
        db.execute(
            "INSERT INTO activity(verb, thread_id, via, detail) VALUES ('send', ?, ?, ?)",
            (tid, data.get("via", "click"), kind),
        )
    return JSONResponse({"ok": True, "thread_id": tid})


async def settings_view(request: Request) -> Response:
    rows = store_of(request).query("SELECT key, value FROM settings")
    values = {r["key"]: r["value"] for r in rows}
    return render(request, "settings.html", "Settings", signature=values.get("signature", ""))


async def save_settings(request: Request) -> Response:
    """Save the signature and, when one is given, a new password (stored as a digest)."""
    data = await json_of(request)
    password, confirm = data.get("password", ""), data.get("confirm", "")
    if password and len(password) < 8:
        return JSONResponse({"error": "The password needs at least 8 characters."}, 400)
    if password != confirm:
        return JSONResponse({"error": "The passwords do not match."}, 400)
    with store_of(request).transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO settings(key, value) VALUES ('signature', ?)",
            (str(data.get("signature", "")),),
        )
        if password:
            digest = hashlib.sha256(password.encode()).hexdigest()
            db.execute(
                "INSERT OR REPLACE INTO settings(key, value) VALUES ('password_sha256', ?)",
                (digest,),
            )
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/", list_view),
        Route("/search", list_view),
        Route("/label/{label}", list_view),
        Route("/thread/{tid:id}", thread_view),
        Route("/api/threads", thread_action, methods=["POST"]),
        Route("/api/send", send_message, methods=["POST"]),
        Route("/api/contacts", people_route),
        Route("/settings", settings_view),
        Route("/api/settings", save_settings, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/{folder}", list_view),
    ]
)
