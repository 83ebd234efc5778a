"""Drive's view of a world: its own items plus the documents of Docs and the spreadsheets of
Sheets when those apps are in the world, with one way to read and change any of them.

A ref names an item across apps: `f<id>` Drive's own (file or folder), `d<id>` a Docs document,
`s<id>` a Sheets spreadsheet. Sharing a document writes Docs' `shares` (its share dialog shows
it) and a spreadsheet Sheets'; renaming writes their titles; both apps log the change too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.drive._data import ROLES
from officegym.tasks.apps.drive._files import human_size
from officegym.tasks.apps.people import ME

Item = dict[str, Any]
KIND_LABELS = {
    "folder": "Folder",
    "pdf": "PDF",
    "png": "Image",
    "svg": "Image",
    "txt": "Text",
    "doc": "Document",
    "sheet": "Spreadsheet",
}

# Where Docs and Sheets keep what Drive lists as `doc` and `sheet`: the table, the column their
# shares name it by, and the letter its ref starts with.
_FOREIGN_TABLES = {"doc": ("documents", "doc_id", "d"), "sheet": ("books", "book_id", "s")}


@dataclass(frozen=True)
class World:
    """The stores Drive works with: its own, and Docs' and Sheets' when they are in the world."""

    drive: StateStore
    docs: StateStore | None = None
    sheets: StateStore | None = None

    @classmethod
    def of(cls, drive: StateStore, stores: Mapping[str, StateStore]) -> World:
        return cls(drive, stores.get("docs"), stores.get("sheets"))

    def log(self, verb: str, ref: str, detail: str = "") -> None:
        self.drive.execute(
            "INSERT INTO activity(verb, ref, detail) VALUES (?,?,?)", (verb, ref, detail)
        )


def _marks(world: World) -> dict[str, Item]:
    """Drive's rows for documents and spreadsheets (placement; a spreadsheet's star and trash)."""
    rows = world.drive.query("SELECT * FROM items WHERE kind IN ('doc', 'sheet')")
    return {r["ref"]: r for r in rows}


def role_of(owner: str, share: str | None, link_role: str) -> str | None:
    """What the user may do with an item: `owner`, else the higher of their share and the
    link's role (link sharing never lowers access), or None (no access)."""
    if owner == ME.email:
        return "owner"
    roles = [r for r in (share, link_role) if r in ROLES]
    return max(roles, key=ROLES.index) if roles else None


def _visible(row: Item, share: str | None, links: bool) -> bool:
    """Listed: owned or shared by name; opened directly (`links`): also anyone with the link."""
    return row["owner"] == ME.email or share is not None or (links and bool(row["link_role"]))


def _foreign_of(store: StateStore, kind: str, marks: dict[str, Item], links: bool) -> list[Item]:
    """The documents (`kind` doc) or spreadsheets (sheet) of `store` the user can open, as Drive
    items. Docs keeps a document's star, trash and time itself; Sheets keeps none of them, so a
    spreadsheet's star and trash are Drive's marks and its time is now."""
    table, key, prefix = _FOREIGN_TABLES[kind]
    out: list[Item] = []
    for row in store.query(
        f"SELECT t.*, (SELECT role FROM shares s WHERE s.{key} = t.id AND s.email = ?) AS mine "
        f"FROM {table} t ORDER BY t.id",
        (ME.email,),
    ):
        if not _visible(row, row["mine"], links):
            continue
        ref = f"{prefix}{row['id']}"
        mark = marks.get(ref, {})
        kept = row if kind == "doc" else mark
        out.append(
            {
                "id": row["id"], "ref": ref, "kind": kind, "name": row["title"],
                "parent": mark.get("parent", 0), "owner": row["owner"],
                "created": row["modified"] if kind == "doc" else FROZEN_NOW, "size": None,
                "starred": int(kept.get("starred", 0)), "trashed": int(kept.get("trashed", 0)),
                "link_role": row["link_role"],
                "role": role_of(row["owner"], row["mine"], row["link_role"]),
            }
        )  # fmt: skip
    return out


def _foreign(world: World, links: bool = False) -> list[Item]:
    """The world's documents and spreadsheets the user can open, as Drive items."""
    marks = _marks(world)
    docs = _foreign_of(world.docs, "doc", marks, links) if world.docs is not None else []
    books = _foreign_of(world.sheets, "sheet", marks, links) if world.sheets is not None else []
    return [*docs, *books]


def live_folders(world: World) -> set[int]:
    """The ids of the folders that are not in the trash and not inside a trashed (or deleted)
    folder: where items can be listed, opened and moved to."""
    parents = {
        r["id"]: (r["parent"], bool(r["trashed"]))
        for r in world.drive.query("SELECT id, parent, trashed FROM items WHERE kind = 'folder'")
    }
    live: set[int] = set()
    for fid in parents:
        chain, up = [], fid
        while up not in live and up != 0 and up in parents and not parents[up][1]:
            if up in chain:  # a cycle (never made by the app): nothing in it is reachable
                break
            chain.append(up)
            up = parents[up][0]
        if up == 0 or up in live:
            live.update(chain)
    return live


def subtree(world: World, fid: int) -> set[int]:
    """The ids of a folder and of everything inside it, at any depth (trashed or not)."""
    children: dict[int, list[int]] = {}
    for r in world.drive.query("SELECT id, parent FROM items WHERE kind != 'doc' AND "
                               "kind != 'sheet' ORDER BY id"):  # fmt: skip
        children.setdefault(r["parent"], []).append(r["id"])
    found, todo = {fid}, [fid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _with_places(world: World, items: list[Item]) -> list[Item]:
    """Mark the items inside a trashed or deleted folder (`buried`): listed nowhere but under
    their trashed ancestor, counted in no storage, restored with it."""
    live = live_folders(world)
    for i in items:
        i["buried"] = i["parent"] != 0 and i["parent"] not in live
    return items


def _own(world: World, links: bool) -> list[Item]:
    rows = world.drive.query(
        "SELECT i.*, (SELECT role FROM shares s WHERE s.ref = i.ref AND s.email = ?) AS mine "
        "FROM items i WHERE kind NOT IN ('doc', 'sheet') ORDER BY i.id",
        (ME.email,),
    )
    out = [r for r in rows if _visible(r, r["mine"], links)]
    for r in out:
        r["role"] = role_of(r["owner"], r.pop("mine"), r["link_role"])
    return out


def all_items(world: World) -> list[Item]:
    """Every item the user can see (owned or shared by name), trashed ones too: Drive's own
    first, by id. `role`: owner | editor | commenter | viewer; `buried`: inside a trashed
    folder."""
    return _with_places(world, _own(world, False) + _foreign(world))


def find_item(world: World, ref: str) -> Item | None:
    """An item the user can open: one of `all_items`, or one shared with anyone with the link."""
    found = [i for i in _own(world, True) + _foreign(world, True) if i["ref"] == ref]
    return _with_places(world, found)[0] if found else None


def can_edit(item: Item) -> bool:
    """Rename and such: for the owner and editors only."""
    return item["role"] in ("owner", "editor")


def used_bytes(world: World) -> int:
    """What Drive's own files take: those neither in the trash nor inside a trashed folder."""
    live = live_folders(world)
    rows = world.drive.query(
        "SELECT parent, size FROM items WHERE trashed = 0 AND kind NOT IN ('doc', 'sheet')"
    )
    return sum(int(r["size"]) for r in rows if r["parent"] == 0 or r["parent"] in live)


def people_names(world: World) -> dict[str, str]:
    """The directory's names by e-mail address."""
    return {p["email"]: p["name"] for p in world.drive.query("SELECT name, email FROM people")}


def outside_sharing(world: World) -> bool:
    """Whether the admin allows sharing with addresses outside the directory."""
    value = world.drive.scalar("SELECT value FROM settings WHERE key = 'outside_sharing'")
    return bool(value != "off")


def decorate(world: World, items: list[Item]) -> list[Item]:
    """Add what a list shows: owner's name, kind, size, where it is."""
    names = people_names(world)
    folders = {
        f["id"]: f["name"]
        for f in world.drive.query("SELECT id, name FROM items WHERE kind = 'folder'")
    }
    for i in items:
        i["owner_name"] = "me" if i["owner"] == ME.email else names.get(i["owner"], i["owner"])
        i["kind_label"] = KIND_LABELS.get(i["kind"], i["kind"])
        i["size_text"] = (
            "—" if i["size"] is None or i["kind"] == "folder" else human_size(i["size"])
        )
        i["location"] = folders.get(i["parent"], "My Drive")
        i["when"] = datetime.fromisoformat(i["created"]).strftime("%b %-d, %Y")
        i["is_folder"] = i["kind"] == "folder"
    return items


def access(world: World, ref: str) -> dict[str, str]:
    """Who else can open an item: email -> role (the owner is not listed)."""
    if ref[0] == "d" and world.docs is not None:
        rows = world.docs.query("SELECT email, role FROM shares WHERE doc_id = ?", (int(ref[1:]),))
    elif ref[0] == "s" and world.sheets is not None:
        rows = world.sheets.query(
            "SELECT email, role FROM shares WHERE book_id = ?", (int(ref[1:]),)
        )
    else:
        rows = world.drive.query("SELECT email, role FROM shares WHERE ref = ?", (ref,))
    return {r["email"]: r["role"] for r in rows}


def set_access(world: World, ref: str, email: str, role: str | None) -> None:
    """Share an item with `email` as `role`, or (None) remove their access; logged in Drive and
    in the app the item belongs to."""
    detail = f"{email} {role or 'removed'}"
    if ref[0] in "ds":
        store, table, key = (
            (world.docs, "doc_id", "doc_id")
            if ref[0] == "d"
            else (world.sheets, "book_id", "book_id")
        )
        assert store is not None
        with store.transaction() as db:
            if role is None:
                db.execute(
                    f"DELETE FROM shares WHERE {key} = ? AND email = ?", (int(ref[1:]), email)
                )
            else:
                db.execute(
                    "INSERT OR REPLACE INTO shares VALUES (?,?,?)", (int(ref[1:]), email, role)
                )
            db.execute(
                f"INSERT INTO activity(verb, {table}, detail) VALUES (?,?,?)",
                ("unshare" if role is None else "share", int(ref[1:]), detail),
            )
    elif role is None:
        world.drive.execute("DELETE FROM shares WHERE ref = ? AND email = ?", (ref, email))
    else:
        world.drive.execute("INSERT OR REPLACE INTO shares VALUES (?,?,?)", (ref, email, role))
    world.log("unshare" if role is None else "share", ref, detail)


def set_link_role(world: World, ref: str, role: str) -> None:
    """Link sharing: '' (restricted) or anyone with the link as viewer | commenter | editor."""
    if ref[0] == "d" and world.docs is not None:
        world.docs.execute("UPDATE documents SET link_role = ? WHERE id = ?", (role, int(ref[1:])))
        world.docs.execute(
            "INSERT INTO activity(verb, doc_id, detail) VALUES ('link', ?, ?)", (int(ref[1:]), role)
        )
    elif ref[0] == "s" and world.sheets is not None:
        world.sheets.execute("UPDATE books SET link_role = ? WHERE id = ?", (role, int(ref[1:])))
        world.sheets.execute(
            "INSERT INTO activity(verb, book_id, detail) VALUES ('link', ?, ?)",
            (int(ref[1:]), role),
        )
    else:
        world.drive.execute("UPDATE items SET link_role = ? WHERE ref = ?", (role, ref))
    world.log("link", ref, role or "restricted")


def _mark(world: World, ref: str, column: str, value: Any) -> None:
    """Set placement (or a spreadsheet's star or trash) of an item (a document's or
    spreadsheet's row made first)."""
    if ref[0] in "ds":
        world.drive.execute(
            "INSERT OR IGNORE INTO items(ref, kind, name, owner, created) VALUES (?,?,'','',?)",
            (ref, "doc" if ref[0] == "d" else "sheet", FROZEN_NOW),
        )
    world.drive.execute(f"UPDATE items SET {column} = ? WHERE ref = ?", (value, ref))


def move(world: World, ref: str, folder: int) -> None:
    _mark(world, ref, "parent", folder)
    world.log("move", ref, str(folder))


def flag(world: World, ref: str, verb: str) -> None:
    """star | unstar | trash | restore an item. A document's star and trash are Docs' own
    (Docs logs its trash and restore too); Sheets has none, so Drive keeps a spreadsheet's."""
    column, value = {"star": ("starred", 1), "unstar": ("starred", 0), "trash": ("trashed", 1),
                     "restore": ("trashed", 0)}[verb]  # fmt: skip
    if ref[0] == "d" and world.docs is not None:
        with world.docs.transaction() as db:
            db.execute(f"UPDATE documents SET {column} = ? WHERE id = ?", (value, int(ref[1:])))
            if column == "trashed":
                db.execute(
                    "INSERT INTO activity(verb, doc_id, detail) VALUES (?, ?, '')",
                    (verb, int(ref[1:])),
                )
    else:
        _mark(world, ref, column, value)
    world.log(verb, ref)


def rename(world: World, ref: str, name: str) -> None:
    if ref[0] == "d" and world.docs is not None:
        world.docs.execute("UPDATE documents SET title = ? WHERE id = ?", (name, int(ref[1:])))
        world.docs.execute(
            "INSERT INTO activity(verb, doc_id, detail) VALUES ('rename', ?, ?)",
            (int(ref[1:]), name),
        )
    elif ref[0] == "s" and world.sheets is not None:
        world.sheets.execute("UPDATE books SET title = ? WHERE id = ?", (name, int(ref[1:])))
        world.sheets.execute(
            "INSERT INTO activity(verb, book_id, detail) VALUES ('rename', ?, ?)",
            (int(ref[1:]), name),
        )
    else:
        world.drive.execute("UPDATE items SET name = ? WHERE ref = ?", (name, ref))
    world.log("rename", ref, name)


def delete_forever(world: World, ref: str) -> None:
    """Delete one of Drive's own items for good; a folder with everything in it that is the
    user's (bytes and shares too). Others' files inside go back to their owners' My Drive, and
    documents and spreadsheets filed inside go to their apps' trash (the user's) or My Drive."""
    if ref[0] != "f":
        return  # documents and spreadsheets stay in their apps' trash
    root = int(ref[1:])
    inside = subtree(world, root)
    for item in _foreign(world):
        if item["parent"] in inside:
            if item["owner"] == ME.email and not item["trashed"]:
                flag(world, item["ref"], "trash")
            move(world, item["ref"], 0)
    rows = world.drive.query(
        "SELECT id, owner FROM items WHERE kind NOT IN ('doc', 'sheet') ORDER BY id"
    )
    with world.drive.transaction() as db:
        for r in (r for r in rows if r["id"] in inside):
            if r["owner"] != ME.email and r["id"] != root:
                db.execute("UPDATE items SET parent = 0 WHERE id = ?", (r["id"],))
                continue
            db.execute("DELETE FROM items WHERE id = ?", (r["id"],))
            db.execute("DELETE FROM blobs WHERE item_id = ?", (r["id"],))
            db.execute("DELETE FROM shares WHERE ref = ?", (f"f{r['id']}",))
    world.log("delete", ref)
