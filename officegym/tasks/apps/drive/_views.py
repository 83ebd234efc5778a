"""Drive's pages: a folder's contents, the views (shared, starred, trash), search, an item's
preview and details, and the share, rename and move pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from officegym.tasks.apps import app_url
from officegym.tasks.apps._web import Site, store_of
from officegym.tasks.apps.drive._data import ROLES
from officegym.tasks.apps.drive._files import MIME, pdf_lines
from officegym.tasks.apps.drive._items import (
    Item,
    World,
    access,
    all_items,
    can_edit,
    decorate,
    find_item,
    live_folders,
    outside_sharing,
    people_names,
    subtree,
    used_bytes,
)
from officegym.tasks.apps.people import ME

SITE = Site("drive", Path(__file__).parent)
MAX_ID = 999_999_999  # ids have at most nine digits: a longer number names nothing
VIEWS = {"shared": "Shared with me", "starred": "Starred", "trash": "Trash"}
LINK_ROLES = (
    ("", "Restricted"),
    ("viewer", "Anyone with the link can view"),
    ("commenter", "Anyone with the link can comment"),
    ("editor", "Anyone with the link can edit"),
)


def world_of(request: Request) -> World:
    return World.of(store_of(request), request.scope.get("officegym.stores") or {})


def folders(world: World) -> list[Item]:
    """Every live folder of the user's, with its path (`Finance / 2025`), by path."""
    live = live_folders(world)
    rows = [
        r for r in world.drive.query(
            "SELECT id, name, parent FROM items WHERE kind = 'folder' ORDER BY id"
        )
        if r["id"] in live
    ]  # fmt: skip
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        path, up = [r["name"]], r["parent"]
        while up in by_id and len(path) < 10:
            path.insert(0, by_id[up]["name"])
            up = by_id[up]["parent"]
        r["path"] = " / ".join(path)
    return sorted(rows, key=lambda r: (r["path"].lower(), r["id"]))


def open_url(item: Item) -> str:
    if item["kind"] == "folder":
        return f"/folder/{item['id']}"
    if item["kind"] == "doc":
        return app_url("docs", f"/d/{item['id']}")
    if item["kind"] == "sheet":
        return app_url("sheets", f"/s/{item['id']}")
    return f"/i/{item['ref']}"


def ordered(items: list[Item]) -> list[Item]:
    """Folders first, then by name (ref to break ties): the order Drive lists things in."""
    for i in items:
        i["url"] = open_url(i)
    return sorted(items, key=lambda i: (i["kind"] != "folder", i["name"].lower(), i["ref"]))


def listing(request: Request, title: str, items: list[Item], **context: Any) -> Response:
    world = world_of(request)
    context.setdefault("view", "")
    context.setdefault("q", "")
    return SITE.page(
        request,
        "list.html",
        title,
        items=ordered(decorate(world, items)),
        local_files=world.drive.query("SELECT id, name FROM local_files ORDER BY id"),
        used=used_bytes(world),
        error=request.query_params.get("error", ""),
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )


def gone(item: Item) -> bool:
    """In the trash, or inside a folder that is: listed only in the Trash (the folder)."""
    return bool(item["trashed"] or item["buried"])


async def my_drive(request: Request) -> Response:
    world = world_of(request)
    items = [
        i for i in all_items(world)
        if i["parent"] == 0 and not i["trashed"] and i["owner"] == ME.email
    ]  # fmt: skip
    return listing(request, "My Drive", items, view="drive", folder=None)


async def folder_view(request: Request) -> Response:
    world = world_of(request)
    fid = request.path_params["fid"]
    found = world.drive.query(
        "SELECT * FROM items WHERE id = ? AND kind = 'folder'", (fid if fid <= MAX_ID else -1,)
    )
    if not found or fid not in live_folders(world):
        return SITE.not_found(request, "This folder does not exist or is in the trash.")
    path = next((f["path"] for f in folders(world) if f["id"] == fid), found[0]["name"])
    items = [i for i in all_items(world) if i["parent"] == fid and not i["trashed"]]
    crumbs = path.split(" / ")
    return listing(request, found[0]["name"], items, folder=found[0], crumbs=crumbs)


async def other_view(request: Request) -> Response:
    view = request.path_params["view"]
    if view not in VIEWS:
        return SITE.not_found(request, f"There is no view {view!r}.")
    items = all_items(world_of(request))
    if view == "shared":
        items = [i for i in items if i["owner"] != ME.email and not gone(i)]
    elif view == "starred":
        items = [i for i in items if i["starred"] and not gone(i)]
    else:
        items = [i for i in items if i["trashed"] and i["owner"] == ME.email]
    return listing(request, VIEWS[view], items, view=view)


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "").strip()
    words = q.lower().split()
    items = [
        i for i in all_items(world_of(request))
        if words and not gone(i) and all(w in i["name"].lower() for w in words)
    ]  # fmt: skip
    return listing(request, "Search results", items, view="search", q=q)


def preview_of(world: World, item: Item) -> dict[str, Any]:
    """What the previewer shows: a PDF's lines, a text file's text, or a picture."""
    if item["kind"] in ("doc", "sheet", "folder"):
        return {}
    blob = world.drive.query("SELECT mime, data FROM blobs WHERE item_id = ?", (item["id"],))
    if not blob:
        return {}
    data: bytes = blob[0]["data"]
    if item["kind"] == "pdf":
        return {"pdf": pdf_lines(data)}
    if item["kind"] == "txt":
        return {"text": data.decode("utf-8", "replace")}
    return {"image": f"/i/{item['ref']}/raw"}


def item_page(request: Request, template: str, title: str, **context: Any) -> Response:
    world = world_of(request)
    item = find_item(world, request.path_params["ref"])
    if item is None:
        return SITE.not_found(request, "This item does not exist or is not shared with you.")
    decorate(world, [item])
    item["url"] = open_url(item)
    names = people_names(world)
    people = [
        {"email": e, "role": r, "name": names.get(e, e)}
        for e, r in access(world, item["ref"]).items()
    ]
    inside = subtree(world, item["id"]) if item["kind"] == "folder" else set()
    return SITE.page(
        request,
        template,
        title.format(name=item["name"]),
        item=item,
        people=sorted(people, key=lambda p: (p["name"], p["email"])),
        roles=ROLES,
        link_roles=LINK_ROLES,
        folders=[f for f in folders(world) if f["id"] not in inside],
        outside_off=not outside_sharing(world),
        can_edit=can_edit(item),
        mine=item["owner"] == ME.email,
        preview=preview_of(world, item),
        error=request.query_params.get("error", ""),
        view="",
        q="",
        **context,
    )


async def details(request: Request) -> Response:
    return item_page(request, "item.html", "{name}")


async def share_page(request: Request) -> Response:
    return item_page(request, "share.html", "Share {name}")


async def rename_page(request: Request) -> Response:
    return item_page(request, "rename.html", "Rename {name}")


async def move_page(request: Request) -> Response:
    return item_page(request, "move.html", "Move {name}")


async def raw(request: Request) -> Response:
    """A file's bytes, as stored (the previewer's pictures, downloads)."""
    world = world_of(request)
    item = find_item(world, request.path_params["ref"])
    blob = (
        world.drive.query("SELECT mime, data FROM blobs WHERE item_id = ?", (item["id"],))
        if item and item["ref"][0] == "f"
        else []
    )
    if item is None or not blob:
        return SITE.not_found(request, "This file has no content.")
    mime = blob[0]["mime"]
    # A picture drawn in SVG can carry script: shown, as a browser shows a file, but in a
    # sandbox (an opaque origin where no script runs), as every file here is.
    return Response(
        blob[0]["data"],
        media_type=f"{mime}; charset=utf-8" if mime == MIME["txt"] else mime,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(item['name'])}",
            "Content-Security-Policy": "sandbox",
        },
    )


async def activity_page(request: Request) -> Response:
    world = world_of(request)
    names = people_names(world)
    events = world.drive.query("SELECT * FROM history ORDER BY created DESC, id")
    for e in events:
        e["who"] = "You" if e["actor"] == ME.email else names.get(e["actor"], e["actor"])
        e["when"] = e["created"][:16].replace("T", " ")
    return SITE.page(request, "activity.html", "Activity", events=events, view="activity", q="")


async def settings_page(request: Request) -> Response:
    outside_off = not outside_sharing(world_of(request))
    return SITE.page(
        request, "settings.html", "Settings", outside_off=outside_off, view="settings", q=""
    )
