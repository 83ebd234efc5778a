"""Drive: a Google-Drive-like app. Folders and files (PDFs, pictures, text, and the documents
and spreadsheets of Docs and Sheets), upload from "This computer", rename, move (drag and drop
or the Move page), star, trash and restore, search, sharing with people and by link."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from officegym.tasks.apps import FROZEN_NOW
from officegym.tasks.apps._addresses import is_address, people_or_address_route
from officegym.tasks.apps._web import back_to, first, form_of, people_route, see_other
from officegym.tasks.apps.drive import _items as items
from officegym.tasks.apps.drive import _views as views
from officegym.tasks.apps.drive._data import ROLES, add_folder
from officegym.tasks.apps.drive._files import MIME
from officegym.tasks.apps.drive._views import world_of
from officegym.tasks.apps.people import ME

FLAGS = ("star", "unstar", "trash", "restore", "delete")
MAX_NAME = 255  # characters in a file's or folder's name
MAX_PEOPLE = 50  # people added with one Send
LONG_NAME = f"A name can have at most {MAX_NAME} characters."


def parse_id(text: str) -> int | None:
    """A form's or path's id (decimal digits, at most nine of them), or None."""
    return int(text) if text.isdecimal() and len(text) <= len(str(views.MAX_ID)) else None


def _owned(world: items.World, ref: str) -> items.Item | None:
    item = items.find_item(world, ref)
    return item if item is not None and item["owner"] == ME.email else None


def _folder_id(world: items.World, text: str) -> int | None:
    """A live folder's id from a form field ("0": My Drive), or None."""
    fid = parse_id(text)
    if fid == 0 or fid is None:
        return fid
    return fid if fid in items.live_folders(world) else None


async def flag(request: Request) -> Response:
    """Star, unstar, trash, restore or delete forever: the row's menu names one item (`ref`),
    the toolbar acts on the ticked ones (`id`)."""
    world, form = world_of(request), await form_of(request)
    verb = request.path_params["verb"]
    refs = form.get("ref") or form.get("id", [])
    for ref in refs if verb in FLAGS else []:
        item = items.find_item(world, ref)
        if item is None or (verb not in ("star", "unstar") and item["owner"] != ME.email):
            continue
        if verb == "delete":
            if item["trashed"]:
                items.delete_forever(world, ref)
        else:
            items.flag(world, ref, verb)
    return back_to(form)


async def move(request: Request) -> Response:
    """Move an item to a folder: the Move page's choice, or a drop on a folder row."""
    world, form = world_of(request), await form_of(request)
    ref = request.path_params.get("ref") or first(form, "ref")
    item, folder = items.find_item(world, ref), _folder_id(world, first(form, "folder"))
    if item is None or folder is None:
        return back_to(form)
    if item["kind"] == "folder" and folder in items.subtree(world, item["id"]):
        return back_to(form)  # a folder into itself or into one of its own folders
    if folder != item["parent"]:
        items.move(world, ref, folder)
    return back_to(form, f"/folder/{folder}" if folder else "/")


async def rename(request: Request) -> Response:
    world, form = world_of(request), await form_of(request)
    ref, name = request.path_params["ref"], first(form, "name")
    item = items.find_item(world, ref)
    if item is None:
        return see_other("/")
    if not items.can_edit(item):
        error = "Only the owner or an editor can rename this."
        return see_other(f"/i/{ref}/rename?error={quote(error)}")
    if not name:
        return see_other(f"/i/{ref}/rename?error=A+name+is+needed.")
    if len(name) > MAX_NAME:
        return see_other(f"/i/{ref}/rename?error={quote(LONG_NAME)}")
    if name != item["name"]:
        items.rename(world, ref, name)
    return see_other(f"/folder/{item['parent']}" if item["parent"] else "/")


async def share(request: Request) -> Response:
    """Add people with a role. Outside addresses only when the admin allows outside sharing."""
    world, form = world_of(request), await form_of(request)
    ref = request.path_params["ref"]
    if _owned(world, ref) is None:
        return see_other(f"/i/{ref}/share?error=Only+the+owner+can+share+this.")
    role = first(form, "role", "viewer")
    known, outside_ok = items.people_names(world), items.outside_sharing(world)
    chosen = [e for e in form.get("person", []) if e != ME.email]
    if len(chosen) > MAX_PEOPLE:
        error = f"Add at most {MAX_PEOPLE} people at a time."
        return see_other(f"/i/{ref}/share?error={quote(error)}")
    refused = [e for e in chosen if e not in known and not (outside_ok and is_address(e))]
    for email in chosen if role in ROLES else []:
        if email not in refused:
            items.set_access(world, ref, email, role)
    if refused:
        error = "Not a valid address." if outside_ok else "Sharing outside Northwind is turned off."
        return see_other(f"/i/{ref}/share?error={quote(error)}")
    return see_other(f"/i/{ref}/share")


async def update_access(request: Request) -> Response:
    """The access list's form: each person's role (or "remove"), and the link's."""
    world, form = world_of(request), await form_of(request)
    ref = request.path_params["ref"]
    item = _owned(world, ref)
    if item is None:
        return see_other(f"/i/{ref}/share?error=Only+the+owner+can+share+this.")
    for email, role in items.access(world, ref).items():
        new = first(form, f"role:{email}", role)
        if new == "remove":
            items.set_access(world, ref, email, None)
        elif new != role and new in ROLES:
            items.set_access(world, ref, email, new)
    link = first(form, "link", item["link_role"])
    if link != item["link_role"] and link in ("", *ROLES):
        items.set_link_role(world, ref, link)
    return see_other(f"/i/{ref}/share")


async def new_folder(request: Request) -> Response:
    world, form = world_of(request), await form_of(request)
    parent, name = _folder_id(world, first(form, "parent", "0")), first(form, "name")
    if parent is None or not name:
        return back_to(form)
    if len(name) > MAX_NAME:
        back = urlsplit(back_to(form).headers["location"])
        query = [*parse_qsl(back.query), ("error", LONG_NAME)]
        return see_other(f"{back.path}?{urlencode(query)}")
    fid = add_folder(world.drive, name, parent=parent, minutes_ago=0)
    world.log("create", f"f{fid}", name)
    return back_to(form)


async def upload(request: Request) -> Response:
    """Copy the ticked files of "This computer" into the folder the dialog was opened in."""
    world, form = world_of(request), await form_of(request)
    parent = _folder_id(world, first(form, "parent", "0"))
    ids = [int(i) for i in form.get("local", []) if i.isdecimal()]
    for local in (
        world.drive.query("SELECT * FROM local_files ORDER BY id") if parent is not None else []
    ):
        if local["id"] not in ids:
            continue
        fid = world.drive.execute(
            "INSERT INTO items(ref, kind, name, parent, owner, created, size) "
            "VALUES ('',?,?,?,?,?,?)",
            (local["kind"], local["name"], parent, ME.email, FROZEN_NOW, len(local["data"])),
        )
        world.drive.execute("UPDATE items SET ref = ? WHERE id = ?", (f"f{fid}", fid))
        mime = MIME.get(local["kind"], MIME["txt"])
        world.drive.execute("INSERT INTO blobs VALUES (?,?,?)", (fid, mime, local["data"]))
        world.log("upload", f"f{fid}", local["name"])
    return back_to(form)


async def people_api(request: Request) -> Response:
    """The share picker's suggestions: colleagues, and a whole address only when outside
    sharing is allowed."""
    outside_ok = items.outside_sharing(views.world_of(request))
    return await (people_or_address_route(request) if outside_ok else people_route(request))


app = Starlette(
    routes=[
        Route("/", views.my_drive),
        Route("/folder/{fid:id}", views.folder_view),
        Route("/view/{view}", views.other_view),
        Route("/search", views.search),
        Route("/activity", views.activity_page),
        Route("/settings", views.settings_page),
        Route("/i/{ref}", views.details),
        Route("/i/{ref}/raw", views.raw),
        Route("/i/{ref}/share", views.share_page),
        Route("/i/{ref}/share", share, methods=["POST"]),
        Route("/i/{ref}/access", update_access, methods=["POST"]),
        Route("/i/{ref}/rename", views.rename_page),
        Route("/i/{ref}/rename", rename, methods=["POST"]),
        Route("/i/{ref}/move", views.move_page),
        Route("/i/{ref}/move", move, methods=["POST"]),
        Route("/move", move, methods=["POST"]),
        Route("/flag/{verb}", flag, methods=["POST"]),
        Route("/folders/new", new_folder, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/api/people", people_api),
    ]
)
