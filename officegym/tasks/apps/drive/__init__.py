"""Drive, a Google-Drive-like app: folders and files (PDFs, pictures, text files, and the
documents and spreadsheets of Docs and Sheets), upload from "This computer", rename, move by drag
and drop or the Move page, star, trash and restore, search, and sharing with people and by link.

For templates (their own and other apps'): `add_folder`, `add_file`, `add_share`, `place`,
`set_item`, `add_history`, `add_local_file` build state; `World`, `all_items`, `find_item` and
`access` read it, `set_access` and `set_link_role` share any item (a ref names an item: `f<id>`
Drive's own, `d<id>` a document, `s<id>` a spreadsheet).
"""

from officegym.tasks.apps import AppSpec
from officegym.tasks.apps.drive._app import app
from officegym.tasks.apps.drive._data import (
    FOLDERS,
    ROLES,
    VENDORS,
    add_file,
    add_folder,
    add_history,
    add_local_file,
    add_share,
    file_data,
    invoice_lines,
    place,
    populate,
    set_item,
    stamp,
)
from officegym.tasks.apps.drive._files import human_size, pdf_lines
from officegym.tasks.apps.drive._items import (
    World,
    access,
    all_items,
    find_item,
    set_access,
    set_link_role,
)
from officegym.tasks.apps.drive._views import LINK_ROLES

__all__ = [
    "APP",
    "FOLDERS",
    "LINK_ROLES",
    "ROLES",
    "VENDORS",
    "World",
    "access",
    "add_file",
    "add_folder",
    "add_history",
    "add_local_file",
    "add_share",
    "all_items",
    "file_data",
    "find_item",
    "human_size",
    "invoice_lines",
    "pdf_lines",
    "place",
    "set_access",
    "set_item",
    "set_link_role",
    "stamp",
]

APP = AppSpec(
    name="drive",
    asgi=app,
    populate=populate,
    pages=(
        "/",
        "/folder/2",
        "/view/shared",
        "/view/starred",
        "/view/trash",
        "/search?q=invoice",
        "/i/f7",
        "/i/f11",
        "/i/f13",
        "/i/f7/share",
        "/i/f7/move",
        "/activity",
    ),
)
