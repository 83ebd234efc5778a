"""Docs: a Google-Docs-like app. A document list with search and bulk trash, an editor that
saves as you type, sharing with a role, find and replace (Ctrl+H), comments."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps._addresses import is_address, people_or_address_route
from officegym.tasks.apps._web import (
    Site,
    back_to,
    first,
    form_of,
    see_other,
    store_of,
)
from officegym.tasks.apps.docs._data import ROLES
from officegym.tasks.apps.docs._markup import render
from officegym.tasks.apps.people import ME

SITE = Site("docs", Path(__file__).parent)
NOW = datetime.fromisoformat(FROZEN_NOW)
VIEWS = {  # view -> (title, WHERE on documents d)
    "mine": ("My documents", "d.trashed = 0 AND d.owner = :me"),
    "shared": ("Shared with me", "d.trashed = 0 AND d.owner != :me"),
    "starred": ("Starred", "d.trashed = 0 AND d.starred = 1"),
    "trash": ("Trash", "d.trashed = 1"),
}


def log(store: StateStore, verb: str, doc_id: int, detail: str = "") -> None:
    store.execute(
        "INSERT INTO activity(verb, doc_id, detail) VALUES (?,?,?)", (verb, doc_id, detail)
    )


def touch(store: StateStore, doc_id: int) -> None:
    """Edits are stamped after the frozen now, a minute apart, so the list order is stable."""
    n = store.scalar("SELECT count(*) FROM activity")
    when = (NOW + timedelta(minutes=1 + int(n or 0))).isoformat()
    store.execute("UPDATE documents SET modified = ? WHERE id = ?", (when, doc_id))


def record_version(store: StateStore, doc_id: int) -> None:
    """Keep the document's text as the user's version: a new one after someone else's, else
    the user's version of this episode (stamped after the frozen now) is brought up to date."""
    d = store.query("SELECT title, body, modified FROM documents WHERE id = ?", (doc_id,))[0]
    last = store.query(
        "SELECT id, author, created FROM versions WHERE doc_id = ? ORDER BY id DESC LIMIT 1",
        (doc_id,),
    )
    if last and last[0]["author"] == ME.email and last[0]["created"] > FROZEN_NOW:
        store.execute(
            "UPDATE versions SET title = ?, body = ? WHERE id = ?",
            (d["title"], d["body"], last[0]["id"]),
        )
    else:
        store.execute(
            "INSERT INTO versions(doc_id, title, body, author, created) VALUES (?,?,?,?,?)",
            (doc_id, d["title"], d["body"], ME.email, d["modified"]),
        )


def names(store: StateStore) -> dict[str, str]:
    return {p["email"]: p["name"] for p in store.query("SELECT name, email FROM people")}


def when(iso: str) -> str:
    t = datetime.fromisoformat(iso)
    return t.strftime("%-I:%M %p") if t.date() == NOW.date() else t.strftime("%b %-d, %Y")


def moment(iso: str) -> str:
    """A version's time, precise enough to tell two versions of one day apart."""
    return datetime.fromisoformat(iso).strftime("%b %-d, %-I:%M %p")


def list_view(request: Request) -> Response:
    store = store_of(request)
    view = request.path_params.get("view", "all")
    q = request.query_params.get("q", "").strip()
    if view == "all" or q:
        title, where = ("Search results" if q else "All documents"), "d.trashed = 0"
    elif view in VIEWS:
        title, where = VIEWS[view]
    else:
        return SITE.not_found(request, f"There is no view {view!r}.")
    params: dict[str, Any] = {"me": ME.email, "q": f"%{q}%"}
    if q:
        where += " AND (d.title LIKE :q OR d.body LIKE :q)"
    rows = store.query(
        f"SELECT d.* FROM documents d WHERE {where} AND (d.owner = :me OR EXISTS (SELECT 1 "
        f"FROM shares s WHERE s.doc_id = d.id AND s.email = :me)) ORDER BY d.modified DESC",
        params,  # type: ignore[arg-type]
    )
    people = names(store)
    for r in rows:
        r["owner_name"] = "me" if r["owner"] == ME.email else people.get(r["owner"], r["owner"])
        r["when"] = when(r["modified"])
    return SITE.page(request, "list.html", title, docs=rows, view=view, q=q)


async def home(request: Request) -> Response:
    return list_view(request)


async def new_document(request: Request) -> Response:
    store = store_of(request)
    did = store.execute(
        "INSERT INTO documents(title, body, owner, created, modified) "
        "VALUES ('Untitled document', '', ?, ?, ?)",
        (ME.email, FROZEN_NOW, FROZEN_NOW),
    )
    log(store, "create", did)
    touch(store, did)
    return see_other(f"/d/{did}")


def find_document(store: StateStore, did: int) -> dict[str, Any] | None:
    rows = store.query(
        "SELECT d.*, (SELECT role FROM shares s WHERE s.doc_id = d.id AND s.email = ?) AS role "
        "FROM documents d WHERE d.id = ?",
        (ME.email, did),
    )
    if rows and rows[0]["link_role"] in ROLES:  # link sharing (set in Drive): never lowers
        granted = [r for r in (rows[0]["role"], rows[0]["link_role"]) if r in ROLES]
        rows[0]["role"] = max(granted, key=ROLES.index)
    if not rows or (rows[0]["owner"] != ME.email and rows[0]["role"] is None):
        return None
    doc = rows[0]
    doc["can_edit"] = doc["owner"] == ME.email or doc["role"] == "editor"
    doc["can_comment"] = doc["can_edit"] or doc["role"] == "commenter"
    return doc


async def editor(request: Request) -> Response:
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None:
        return SITE.not_found(request, "This document does not exist or is not shared with you.")
    people = names(store)
    shares = store.query("SELECT * FROM shares WHERE doc_id = ? ORDER BY rowid", (doc["id"],))
    for s in shares:
        s["name"] = people.get(s["email"], s["email"])
    comments = store.query("SELECT * FROM comments WHERE doc_id = ? ORDER BY id", (doc["id"],))
    for c in comments:
        c["name"] = "You" if c["author"] == ME.email else people.get(c["author"], c["author"])
        c["when"] = when(c["created"])
    notice = request.query_params.get("replaced")
    return SITE.page(
        request,
        "editor.html",
        doc["title"],
        doc=doc,
        shares=shares,
        comments=comments,
        roles=ROLES,
        owner_name=people.get(doc["owner"], doc["owner"]),
        rendered=render(doc["body"]),
        notice=f"Replaced {notice} occurrence{'' if notice == '1' else 's'}." if notice else "",
    )


async def save(request: Request) -> Response:
    """Autosave: the editor posts the title and body as they change."""
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None or not doc["can_edit"]:
        return JSONResponse({"error": "You cannot edit this document."}, 403)
    form = await form_of(request)
    title = first(form, "title") or "Untitled document"
    body = (form.get("body") or [doc["body"]])[0].replace("\r\n", "\n")
    if (title, body) != (doc["title"], doc["body"]):
        store.execute(
            "UPDATE documents SET title = ?, body = ? WHERE id = ?", (title, body, doc["id"])
        )
        if title != doc["title"]:
            log(store, "rename", doc["id"], title)
        if body != doc["body"]:
            log(store, "edit", doc["id"])
        touch(store, doc["id"])
        record_version(store, doc["id"])
    return JSONResponse({"ok": True})


async def preview(request: Request) -> Response:
    """The formatted view of the text being edited (the editor asks as you type)."""
    body = (await form_of(request)).get("body") or [""]
    return HTMLResponse(render(body[0]))


async def replace(request: Request) -> Response:
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None or not doc["can_edit"]:
        return SITE.not_found(request, "You cannot edit this document.")
    form = await form_of(request)
    find, new = (form.get("find") or [""])[0], (form.get("replace") or [""])[0]
    count = doc["body"].count(find) if find else 0
    if count:
        store.execute(
            "UPDATE documents SET body = ? WHERE id = ?",
            (doc["body"].replace(find, new), doc["id"]),
        )
        log(store, "edit", doc["id"], f"replace {find!r}")
        touch(store, doc["id"])
        record_version(store, doc["id"])
    return see_other(f"/d/{doc['id']}?replaced={count}")


async def history(request: Request) -> Response:
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None:
        return SITE.not_found(request, "This document does not exist or is not shared with you.")
    people = names(store)
    versions = store.query("SELECT * FROM versions WHERE doc_id = ? ORDER BY id DESC", (doc["id"],))
    for i, v in enumerate(versions):
        v["name"] = "You" if v["author"] == ME.email else people.get(v["author"], v["author"])
        v["when"] = moment(v["created"])
        v["current"] = i == 0
    return SITE.page(
        request, "history.html", f"Version history · {doc['title']}", doc=doc, versions=versions
    )


async def restore(request: Request) -> Response:
    """Make an earlier version the current text again (itself a new version: nothing is lost)."""
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None or not doc["can_edit"]:
        return SITE.not_found(request, "You cannot edit this document.")
    vid = first(await form_of(request), "version")
    found = store.query(
        "SELECT * FROM versions WHERE id = ? AND doc_id = ?",
        (int(vid) if vid.isdecimal() else -1, doc["id"]),
    )
    if not found:
        return SITE.not_found(request, "That version does not exist.")
    old = found[0]
    store.execute(
        "UPDATE documents SET title = ?, body = ? WHERE id = ?",
        (old["title"], old["body"], doc["id"]),
    )
    log(store, "restore", doc["id"], str(old["id"]))
    touch(store, doc["id"])
    modified = store.scalar("SELECT modified FROM documents WHERE id = ?", (doc["id"],))
    store.execute(
        "INSERT INTO versions(doc_id, title, body, author, created, note) VALUES (?,?,?,?,?,?)",
        (
            doc["id"],
            old["title"],
            old["body"],
            ME.email,
            modified,
            f"Restored from {moment(old['created'])}",
        ),
    )
    return see_other(f"/d/{doc['id']}")


async def share(request: Request) -> Response:
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None or doc["owner"] != ME.email:
        return SITE.not_found(request, "Only the owner can share this document.")
    form = await form_of(request)
    role = first(form, "role", "viewer")
    known = names(store)  # and anyone outside the directory, by a whole address
    people = [e for e in form.get("person", []) if (e in known or is_address(e)) and e != ME.email]
    if role in ROLES:
        with store.transaction() as db:
            for email in people:
                db.execute("INSERT OR REPLACE INTO shares VALUES (?,?,?)", (doc["id"], email, role))
                db.execute(
                    "INSERT INTO activity(verb, doc_id, detail) VALUES ('share', ?, ?)",
                    (doc["id"], f"{email} {role}"),
                )
    return see_other(f"/d/{doc['id']}")


async def comment(request: Request) -> Response:
    store = store_of(request)
    doc = find_document(store, request.path_params["did"])
    if doc is None or not doc["can_comment"]:
        return SITE.not_found(request, "You cannot comment on this document.")
    text = first(await form_of(request), "text")
    if text:
        n = store.scalar("SELECT count(*) FROM activity")
        store.execute(
            "INSERT INTO comments(doc_id, author, text, created) VALUES (?,?,?,?)",
            (doc["id"], ME.email, text, (NOW + timedelta(minutes=1 + int(n or 0))).isoformat()),
        )
        log(store, "comment", doc["id"])
    return see_other(f"/d/{doc['id']}")


async def flag(request: Request) -> Response:
    """Star, unstar, trash or restore one document, or the documents ticked in the list."""
    store, form = store_of(request), await form_of(request)
    verb = request.path_params["verb"]
    sql = {
        "star": "starred = 1",
        "unstar": "starred = 0",
        "trash": "trashed = 1",
        "restore": "trashed = 0",
    }.get(verb)
    ids = [int(i) for i in form.get("id", []) if i.isdecimal() and len(i) <= 9]
    for did in ids if sql else []:
        doc = find_document(store, did)
        if doc and (doc["owner"] == ME.email or verb in ("star", "unstar")):
            store.execute(f"UPDATE documents SET {sql} WHERE id = ?", (did,))
            log(store, verb, did)
    return back_to(form)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/new", new_document, methods=["POST"]),
        Route("/d/{did:id}", editor),
        Route("/d/{did:id}/save", save, methods=["POST"]),
        Route("/d/{did:id}/replace", replace, methods=["POST"]),
        Route("/d/{did:id}/share", share, methods=["POST"]),
        Route("/d/{did:id}/history", history),
        Route("/preview", preview, methods=["POST"]),
        Route("/d/{did:id}/restore", restore, methods=["POST"]),
        Route("/d/{did:id}/comment", comment, methods=["POST"]),
        Route("/docs/{verb}", flag, methods=["POST"]),
        Route("/api/people", people_or_address_route),
        Route("/view/{view}", home),
    ]
)
