"""Network's feed, people search, profiles and invitations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from officegym.tasks.apps import StateStore
from officegym.tasks.apps._web import back_to, first, form_of, safe_back, see_other, store_of
from officegym.tasks.apps.network._common import (
    ESCAPE,
    SITE,
    can_message,
    capped,
    contains,
    headline,
    int_param,
    log,
    next_stamp,
    page,
    person,
    snippet,
    when,
)
from officegym.tasks.apps.network._data import DEGREE_LABELS, ME_ID, PAGE_SIZE
from officegym.tasks.apps.network._names import REACTIONS

FEED_SIZE = 12


def feed_posts(store: StateStore, page_no: int = 1) -> list[dict[str, Any]]:
    """The feed's `page_no`-th page of posts, newest first, with what each shows."""
    posts = store.query(
        "SELECT p.*, a.name AS author, a.title, a.company FROM posts p "
        "JOIN people a ON a.id = p.author_id ORDER BY p.created DESC, p.id DESC LIMIT ? OFFSET ?",
        (FEED_SIZE, (page_no - 1) * FEED_SIZE),
    )
    for p in posts:
        p["when"], p["headline"] = when(p["created"]), headline(p)
        p["shared"] = None
        if p["repost_of"]:
            shared = store.query(
                "SELECT p.body, a.name AS author FROM posts p JOIN people a ON a.id = p.author_id "
                "WHERE p.id = ?",
                (p["repost_of"],),
            )
            p["shared"] = shared[0] if shared else None
        p["snippet"] = snippet(p["body"] or (p["shared"] or {}).get("body", ""))
        p["reactions"] = store.query(
            "SELECT kind, count(*) AS n FROM reactions WHERE post_id = ? GROUP BY kind "
            "ORDER BY n DESC, kind",
            (p["id"],),
        )
        p["mine"] = store.scalar(
            "SELECT kind FROM reactions WHERE post_id = ? AND person_id = ?", (p["id"], ME_ID)
        )
        p["comments"] = store.query(
            "SELECT c.body, a.name AS author FROM comments c JOIN people a ON a.id = c.author_id "
            "WHERE c.post_id = ? ORDER BY c.created, c.id",
            (p["id"],),
        )
    return posts


async def feed(request: Request) -> Response:
    store = store_of(request)
    pages = max(1, -(-int(store.scalar("SELECT count(*) FROM posts") or 0) // FEED_SIZE))
    current = min(max(1, int_param(request.query_params.get("page", ""), 1)), pages)
    return page(
        request,
        "feed.html",
        "Home",
        "feed",
        posts=feed_posts(store, current),
        reactions=REACTIONS,
        page_no=current,
        pages=pages,
        here="/" if current == 1 else f"/?page={current}",
    )


def find_post(store: StateStore, request: Request) -> dict[str, Any] | None:
    rows = store.query(
        "SELECT p.*, a.name AS author FROM posts p JOIN people a ON a.id = p.author_id "
        "WHERE p.id = ?",
        (request.path_params["post"],),
    )
    return rows[0] if rows else None


async def new_post(request: Request) -> Response:
    store, form = store_of(request), await form_of(request)
    body = capped(form, "body", "post")
    if body:
        pid = store.execute(
            "INSERT INTO posts(author_id, body, created) VALUES (?,?,?)",
            (ME_ID, body, next_stamp(store)),
        )
        log(store, "post", "post", pid, body)
    return see_other("/")


async def react(request: Request) -> Response:
    """Set (or with kind `none`, remove) the user's reaction to a post."""
    store, form = store_of(request), await form_of(request)
    post = find_post(store, request)
    kind = first(form, "kind")
    if post is not None and (kind in REACTIONS or kind == "none"):
        store.execute(
            "DELETE FROM reactions WHERE post_id = ? AND person_id = ?", (post["id"], ME_ID)
        )
        if kind != "none":
            store.execute("INSERT INTO reactions VALUES (?,?,?)", (post["id"], ME_ID, kind))
        log(store, "unreact" if kind == "none" else "react", "post", post["id"], kind)
    return back_to(form)


async def comment(request: Request) -> Response:
    store, form = store_of(request), await form_of(request)
    post = find_post(store, request)
    body = capped(form, "body", "comment")
    if post is not None and body:
        store.execute(
            "INSERT INTO comments(post_id, author_id, body, created) VALUES (?,?,?,?)",
            (post["id"], ME_ID, body, next_stamp(store)),
        )
        log(store, "comment", "post", post["id"], body)
    return back_to(form)


async def repost(request: Request) -> Response:
    """GET: the repost form (thoughts to add); POST: share the post in the user's name."""
    store = store_of(request)
    post = find_post(store, request)
    if post is None:
        return SITE.not_found(request, "That post does not exist.")
    if request.method == "GET":
        return page(request, "repost.html", f"Repost {post['author']}'s post", "feed", post=post)
    thoughts = capped(await form_of(request), "body", "post")
    new = store.execute(
        "INSERT INTO posts(author_id, body, created, repost_of) VALUES (?,?,?,?)",
        (ME_ID, thoughts, next_stamp(store), post["id"]),
    )
    log(store, "repost", "post", post["id"], thoughts)
    return see_other(f"/?reposted={new}")


FILTERS = ("q", "company", "title", "location", "degree")


def search_people(store: StateStore, args: dict[str, str]) -> list[dict[str, Any]]:
    """Everyone but the user matching the filters, by name (then id)."""
    where: list[str] = ["p.id != ?"]
    params: list[Any] = [ME_ID]
    if args.get("q"):
        where.append(
            f"(p.name LIKE ? {ESCAPE} OR p.title LIKE ? {ESCAPE} OR p.company LIKE ? {ESCAPE})"
        )
        params += [contains(args["q"])] * 3
    if args.get("company"):
        where.append("p.company = ?")
        params.append(args["company"])
    if args.get("title"):
        where.append(f"p.title LIKE ? {ESCAPE}")
        params.append(contains(args["title"]))
    if args.get("location"):
        where.append("p.location = ?")
        params.append(args["location"])
    if args.get("degree") in ("1", "2", "3"):
        where.append("p.degree = ?")
        params.append(int(args["degree"]))
    rows = store.query(
        f"SELECT p.* FROM people p WHERE {' AND '.join(where)} ORDER BY p.name, p.id", params
    )
    for r in rows:
        r["headline"], r["degree_label"] = headline(r), DEGREE_LABELS.get(r["degree"], "3rd+")
    return rows


async def people_search(request: Request) -> Response:
    store = store_of(request)
    args = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    found = search_people(store, args)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    current = min(max(1, int_param(request.query_params.get("page", ""), 1)), pages)
    shown = found[(current - 1) * PAGE_SIZE : current * PAGE_SIZE]
    pending = {
        r["person_id"]: r["direction"]
        for r in store.query(
            "SELECT person_id, direction FROM invitations WHERE status = 'pending'"
        )
    }
    for r in shown:
        r["pending"] = pending.get(r["id"])
        r["can_message"] = can_message(r)
    query = urlencode({k: v for k, v in args.items() if v})
    return page(
        request,
        "search.html",
        "People",
        "search",
        args=args,
        q=args["q"],
        people=shown,
        total=len(found),
        page_no=current,
        pages=pages,
        query=query,
        degrees={k: v for k, v in DEGREE_LABELS.items() if k},
        companies=distinct(store, "company"),
        locations=distinct(store, "location"),
    )


def distinct(store: StateStore, column: str) -> list[str]:
    """The values of a people column (company, location) a filter offers, in order."""
    rows = store.query(
        f"SELECT DISTINCT {column} AS v FROM people WHERE id != ? ORDER BY v", (ME_ID,)
    )
    return [r["v"] for r in rows]


async def profile(request: Request) -> Response:
    store = store_of(request)
    p = person(store, request.path_params["pid"])
    if p is None:
        return SITE.not_found(request, "That profile does not exist.")
    experience = store.query(
        "SELECT * FROM experience WHERE person_id = ? ORDER BY end_year IS NOT NULL, "
        "coalesce(end_year, 9999) DESC, start_year DESC, id DESC",
        (p["id"],),
    )
    education = store.query(
        "SELECT * FROM education WHERE person_id = ? ORDER BY end_year DESC, id DESC", (p["id"],)
    )
    skills = store.query("SELECT * FROM skills WHERE person_id = ? ORDER BY id", (p["id"],))
    return page(
        request,
        "profile.html",
        p["name"],
        "profile" if p["id"] == ME_ID else "search",
        p=p,
        experience=experience,
        education=education,
        skills=skills,
    )


async def invite(request: Request) -> Response:
    """GET: the invitation form (with an optional note); POST: send it."""
    store = store_of(request)
    p = person(store, request.path_params["pid"])
    if p is None or p["id"] == ME_ID:
        return SITE.not_found(request, "That profile does not exist.")
    if request.method == "GET":
        back = safe_back(request.query_params.get("back", ""), f"/in/{p['id']}")
        return page(
            request,
            "invite.html",
            f"Invite {p['name']}",
            "search",
            p=p,
            back=back,
        )
    form = await form_of(request)
    note = capped(form, "note")
    if p["degree"] != 1 and p["invitation"] is None:
        iid = store.execute(
            "INSERT INTO invitations(person_id, direction, note, created) VALUES (?,?,?,?)",
            (p["id"], "sent", note, next_stamp(store)),
        )
        log(store, "invite", "invitation", iid, note)
    return back_to(form, f"/in/{p['id']}")


async def invitations(request: Request) -> Response:
    store = store_of(request)
    view = "sent" if request.url.path.endswith("/sent") else "received"
    rows = store.query(
        "SELECT i.*, p.name, p.title, p.company, p.location FROM invitations i "
        "JOIN people p ON p.id = i.person_id WHERE i.direction = ? AND i.status = 'pending' "
        "ORDER BY i.created DESC, i.id DESC",
        (view,),
    )
    for r in rows:
        r["headline"], r["when"] = headline(r), when(r["created"])
    connections = store.scalar("SELECT count(*) FROM people WHERE degree = 1")
    return page(
        request,
        "invitations.html",
        "My network",
        "network",
        rows=rows,
        view=view,
        connections=connections,
    )


async def answer_invitation(request: Request) -> Response:
    """Accept or ignore a received invitation, or withdraw a sent one."""
    store, form = store_of(request), await form_of(request)
    verb = request.path_params["verb"]
    wanted = {"accept": "received", "ignore": "received", "withdraw": "sent"}.get(verb)
    rows = store.query(
        "SELECT * FROM invitations WHERE id = ? AND status = 'pending'",
        (request.path_params["iid"],),
    )
    if wanted and rows and rows[0]["direction"] == wanted:
        status = {"accept": "accepted", "ignore": "ignored", "withdraw": "withdrawn"}[verb]
        store.execute("UPDATE invitations SET status = ? WHERE id = ?", (status, rows[0]["id"]))
        if verb == "accept":
            store.execute("UPDATE people SET degree = 1 WHERE id = ?", (rows[0]["person_id"],))
        log(store, verb, "invitation", rows[0]["id"])
    return back_to(form, "/mynetwork")


async def endorse(request: Request) -> Response:
    """Endorse a connection's skill, or take the endorsement back."""
    store, form = store_of(request), await form_of(request)
    if request.path_params["verb"] not in ("endorse", "unendorse"):
        return SITE.not_found(request, "There is no such action on a skill.")
    rows = store.query(
        "SELECT s.*, p.degree FROM skills s JOIN people p ON p.id = s.person_id WHERE s.id = ?",
        (request.path_params["sid"],),
    )
    if rows and rows[0]["degree"] == 1:
        on = int(request.path_params["verb"] == "endorse")
        if rows[0]["endorsed"] != on:
            store.execute(
                "UPDATE skills SET endorsed = ?, endorsements = endorsements + ? WHERE id = ?",
                (on, 1 if on else -1, rows[0]["id"]),
            )
            log(store, "endorse" if on else "unendorse", "skill", rows[0]["id"], rows[0]["name"])
    return back_to(form, f"/in/{rows[0]['person_id']}" if rows else "/")


async def connections(request: Request) -> Response:
    """The user's connections, by name: each with Message and Remove connection."""
    rows = store_of(request).query("SELECT * FROM people WHERE degree = 1 ORDER BY name, id")
    for r in rows:
        r["headline"] = headline(r)
    return page(request, "connections.html", "Connections", "network", people=rows)


async def remove_connection(request: Request) -> Response:
    """Remove a connection: they become a 2nd-degree contact (logged)."""
    store, form = store_of(request), await form_of(request)
    p = person(store, request.path_params["pid"])
    if p is None or p["degree"] != 1:
        return SITE.not_found(request, "That person is not one of your connections.")
    store.execute("UPDATE people SET degree = 2 WHERE id = ?", (p["id"],))
    log(store, "remove", "person", p["id"], p["name"])
    return back_to(form, "/mynetwork/connections")
