"""Sheets: a Google-Sheets-like app. A grid with a name box and a formula bar, formulas, copy and
paste (Control+C, Control+V: references move with the formula), sheet tabs with a menu (rename,
delete), Edit, Data and Format menus (rows, sorting, number formats by column), a menu on
each column's header (sort, filter by values), and cell notes in a Comments panel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from officegym.tasks.apps import StateStore
from officegym.tasks.apps._web import Site, first, form_of, see_other, store_of
from officegym.tasks.apps.people import ME
from officegym.tasks.apps.sheets._data import ROLES
from officegym.tasks.apps.sheets._formula import (
    FORMATS,
    formatted,
    number,
    parse_ref,
    ref_name,
    shift_formula,
    shown,
)

SITE = Site("sheets", Path(__file__).parent)
MAX_ID = 999_999_999  # ids have at most nine digits: a longer number names nothing


def log(store: StateStore, verb: str, book_id: int, detail: str = "") -> None:
    store.execute(
        "INSERT INTO activity(verb, book_id, detail) VALUES (?,?,?)", (verb, book_id, detail)
    )


def grid(store: StateStore, sheet_id: int) -> dict[tuple[int, int], str]:
    rows = store.query("SELECT row, col, raw FROM cells WHERE sheet_id = ?", (sheet_id,))
    return {(r["row"], r["col"]): r["raw"] for r in rows}


def column_texts(cells: dict[tuple[int, int], str], col: int) -> set[str]:
    """What column `col` shows below the header, down to the last row with data ("" for a
    blank): the values a filter chooses from."""
    last = max([r for r, _ in cells] + [0])
    return {shown(cells.get((r, col)), cells.get) for r in range(1, last + 1)}


async def home(request: Request) -> Response:
    store = store_of(request)
    books = [b for b in store.query("SELECT * FROM books ORDER BY id") if find_book(store, b["id"])]
    return SITE.page(request, "list.html", "Spreadsheets", books=books)


async def new_book(request: Request) -> Response:
    store = store_of(request)
    with store.transaction() as db:
        bid = db.execute(
            "INSERT INTO books(title, owner) VALUES ('Untitled spreadsheet', ?)", (ME.email,)
        ).lastrowid
        db.execute("INSERT INTO sheets(book_id, name, position) VALUES (?, 'Sheet1', 0)", (bid,))
        db.execute("INSERT INTO activity(verb, book_id) VALUES ('create', ?)", (bid,))
    return see_other(f"/s/{bid}")


Row = dict[str, Any]
READ_ONLY = "You can only view this spreadsheet: ask its owner for edit access."


def find_book(store: StateStore, bid: int) -> Row | None:
    """A spreadsheet the user may open (Docs' rule): theirs, shared with them, or shared with
    anyone with the link; `role` the higher of share and link, `can_edit` owner or editor."""
    rows = store.query(
        "SELECT b.*, (SELECT role FROM shares s WHERE s.book_id = b.id AND s.email = ?) AS role "
        "FROM books b WHERE b.id = ?",
        (ME.email, bid if bid <= MAX_ID else -1),
    )
    if not rows:
        return None
    book = rows[0]
    granted = [r for r in (book["role"], book["link_role"]) if r in ROLES]
    book["role"] = max(granted, key=ROLES.index) if granted else None
    if book["owner"] != ME.email and book["role"] is None:
        return None
    book["can_edit"] = book["owner"] == ME.email or book["role"] == "editor"
    return book


def refused(request: Request) -> Response | None:
    """A change to a spreadsheet the user cannot edit: the page that says so (None: allowed)."""
    book = find_book(store_of(request), request.path_params["bid"])
    if book is None:
        return SITE.not_found(request, "This spreadsheet does not exist or is not shared with you.")
    if not book["can_edit"]:
        return back(book["id"], "", error=READ_ONLY)
    return None


def book_and_sheet(
    store: StateStore, bid: int, name: str | None
) -> tuple[Row, list[Row], Row] | None:
    """The spreadsheet, its sheets, and the sheet called `name` (else the first)."""
    book = find_book(store, bid)
    sheets = store.query("SELECT * FROM sheets WHERE book_id = ? ORDER BY position, id", (bid,))
    if book is None or not sheets:
        return None
    sheet = next((s for s in sheets if s["name"] == name), None if name else sheets[0])
    return (book, sheets, sheet) if sheet else None


async def book_view(request: Request) -> Response:
    store = store_of(request)
    found = book_and_sheet(store, request.path_params["bid"], request.query_params.get("sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, sheets, sheet = found
    cells = grid(store, sheet["id"])
    formats = {
        r["col"]: r["fmt"]
        for r in store.query("SELECT col, fmt FROM formats WHERE sheet_id = ?", (sheet["id"],))
    }
    last = max([r for r, _ in cells] + [0])
    n_rows = min(last + 6, 999)  # A1 … Z999
    n_cols = min(max(max([c for _, c in cells] + [0]) + 2, 6), 26)
    shown_in = {c: column_texts(cells, c) for c in range(n_cols)}
    sheet_filter = next(
        (
            {**f, "hidden": json.loads(f["hidden"])}
            for f in store.query("SELECT * FROM filters WHERE sheet_id = ?", (sheet["id"],))
        ),
        None,
    )
    notes = store.query(
        "SELECT * FROM notes WHERE sheet_id = ? ORDER BY row, col, id", (sheet["id"],)
    )
    noted = {(n["row"], n["col"]) for n in notes}
    for n in notes:
        n["ref"] = ref_name(n["row"], n["col"])
    rows = []
    for r in range(n_rows):
        if (
            sheet_filter
            and 0 < r <= last
            and shown(cells.get((r, sheet_filter["col"])), cells.get) in sheet_filter["hidden"]
        ):
            continue  # filtered out
        line = []
        for c in range(n_cols):
            text = shown(cells.get((r, c)), cells.get)
            numeric = number(text) is not None
            text = formatted(text, formats.get(c, "plain")) if r > 0 else text
            line.append(
                {
                    "ref": ref_name(r, c),
                    "raw": cells.get((r, c), ""),
                    "shown": text,
                    "number": numeric,
                    "noted": (r, c) in noted,
                }
            )
        rows.append({"number": r + 1, "cells": line})
    return SITE.page(
        request,
        "book.html",
        book["title"],
        book=book,
        sheets=sheets,
        sheet=sheet,
        rows=rows,
        columns=[
            {"letter": chr(ord("A") + c), "values": sorted(shown_in[c], key=sort_key)}
            for c in range(n_cols)
        ],
        sheet_filter=sheet_filter,
        notes=notes,
        shares=store.query("SELECT * FROM shares WHERE book_id = ? ORDER BY email", (book["id"],)),
        selected=request.query_params.get("cell", "A1"),
        error=request.query_params.get("error", ""),
        formats=FORMATS,
    )


def back(bid: int, sheet: str, cell: str = "", error: str = "") -> Response:
    query = {k: v for k, v in (("sheet", sheet), ("cell", cell), ("error", error)) if v}
    return see_other(f"/s/{bid}?{urlencode(query)}")


async def set_cell(request: Request) -> Response:
    """Write what was typed into a cell; the selection then moves down, as in a spreadsheet."""
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    bid = request.path_params["bid"]
    found = book_and_sheet(store, bid, first(form, "sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, _, sheet = found
    raw = (form.get("raw") or [""])[0].strip()
    try:
        row, col = parse_ref(first(form, "cell"))
    except ValueError as exc:
        return back(bid, sheet["name"], error=str(exc))
    with store.transaction() as db:
        if raw:
            db.execute(
                "INSERT OR REPLACE INTO cells VALUES (?,?,?,?)", (sheet["id"], row, col, raw)
            )
        else:
            db.execute(
                "DELETE FROM cells WHERE sheet_id = ? AND row = ? AND col = ?",
                (sheet["id"], row, col),
            )
        db.execute(
            "INSERT INTO activity(verb, book_id, detail) VALUES ('set', ?, ?)",
            (book["id"], f"{sheet['name']}!{ref_name(row, col)}={raw}"),
        )
    return back(bid, sheet["name"], ref_name(min(row + 1, 998), col))


def sort_key(raw: str | None) -> tuple[int, float, str]:
    n = number(raw)
    return (0, n, "") if n is not None else (1 if raw else 2, 0.0, (raw or "").lower())


async def rows_op(request: Request) -> Response:
    """Edit and Data menus: insert or delete the selected row, sort by the selected column.
    Row 1 is the header: sorting leaves it in place."""
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    bid = request.path_params["bid"]
    found = book_and_sheet(store, bid, first(form, "sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, _, sheet = found
    op = first(form, "op")
    try:
        row, col = parse_ref(first(form, "cell") or "A1")
    except ValueError as exc:
        return back(bid, sheet["name"], error=str(exc))
    if op.startswith("fmt_") and op[4:] in FORMATS:  # Format menu: the selected cell's column
        store.execute("INSERT OR REPLACE INTO formats VALUES (?,?,?)", (sheet["id"], col, op[4:]))
        log(store, "format", book["id"], f"{sheet['name']}!{ref_name(0, col)[0]}={op[4:]}")
        return back(bid, sheet["name"], ref_name(row, col))
    cells = grid(store, sheet["id"])
    if op == "insert_below":
        moved = {(r + 1 if r > row else r, c): raw for (r, c), raw in cells.items()}
    elif op == "delete_row":
        moved = {(r - 1 if r > row else r, c): raw for (r, c), raw in cells.items() if r != row}
    elif op in ("sort_asc", "sort_desc"):
        last = max([r for r, _ in cells] + [0])
        body: list[dict[int, str]] = [{} for _ in range(last)]
        for (r, c), raw in cells.items():
            if r > 0:
                body[r - 1][c] = raw
        body.sort(key=lambda line: sort_key(line.get(col)), reverse=op == "sort_desc")
        if op == "sort_desc":  # empty rows stay at the bottom either way
            body.sort(key=lambda line: not line)
        moved = {(0, c): raw for (r, c), raw in cells.items() if r == 0}
        moved.update({(i + 1, c): raw for i, line in enumerate(body) for c, raw in line.items()})
    else:
        return back(bid, sheet["name"], error=f"Unknown command {op!r}.")
    with store.transaction() as db:
        db.execute("DELETE FROM cells WHERE sheet_id = ?", (sheet["id"],))
        db.executemany(
            "INSERT INTO cells VALUES (?,?,?,?)",
            [(sheet["id"], r, c, raw) for (r, c), raw in moved.items()],
        )
        db.execute(
            "INSERT INTO activity(verb, book_id, detail) VALUES (?, ?, ?)",
            (op, book["id"], f"{sheet['name']}!{ref_name(row, col)}"),
        )
    return back(bid, sheet["name"], ref_name(row, col))


async def set_filter(request: Request) -> Response:
    """A column menu's "Filter by values": show the rows whose text in the column is checked
    (`show`), hide the rest; `op=clear` removes the sheet's filter."""
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    bid = request.path_params["bid"]
    found = book_and_sheet(store, bid, first(form, "sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, _, sheet = found
    if first(form, "op") == "clear":
        store.execute("DELETE FROM filters WHERE sheet_id = ?", (sheet["id"],))
        log(store, "filter", book["id"], f"{sheet['name']}: none")
        return back(bid, sheet["name"])
    try:
        _, col = parse_ref(first(form, "col") + "1")
    except ValueError as exc:
        return back(bid, sheet["name"], error=str(exc))
    values = column_texts(grid(store, sheet["id"]), col)
    hidden = sorted(values - set(form.get("show", [])), key=sort_key)
    store.execute(
        "INSERT OR REPLACE INTO filters VALUES (?,?,?)", (sheet["id"], col, json.dumps(hidden))
    )
    log(store, "filter", book["id"], f"{sheet['name']}!{ref_name(0, col)[0]}: hide {hidden}")
    return back(bid, sheet["name"])


async def paste(request: Request) -> Response:
    """Control+V: the copied cell's text into the selected cell, a formula's references moved
    by as many rows and columns as the paste is from the copy."""
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    bid = request.path_params["bid"]
    found = book_and_sheet(store, bid, first(form, "sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, _, sheet = found
    source = book_and_sheet(store, bid, first(form, "from_sheet") or sheet["name"])
    try:
        (r1, c1), (r2, c2) = parse_ref(first(form, "from")), parse_ref(first(form, "cell"))
    except ValueError as exc:
        return back(bid, sheet["name"], error=f"Nothing to paste: {exc}")
    if source is None:
        return back(bid, sheet["name"], ref_name(r2, c2), "The copied sheet no longer exists.")
    raw = shift_formula(grid(store, source[2]["id"]).get((r1, c1), ""), r2 - r1, c2 - c1)
    with store.transaction() as db:
        db.execute(
            "DELETE FROM cells WHERE sheet_id = ? AND row = ? AND col = ?", (sheet["id"], r2, c2)
        )
        if raw:
            db.execute("INSERT INTO cells VALUES (?,?,?,?)", (sheet["id"], r2, c2, raw))
        db.execute(
            "INSERT INTO activity(verb, book_id, detail) VALUES ('set', ?, ?)",
            (book["id"], f"{sheet['name']}!{ref_name(r2, c2)}={raw}"),
        )
    return back(bid, sheet["name"], ref_name(r2, c2))


async def sheet_op(request: Request) -> Response:
    """Add, rename or delete a sheet (tab)."""
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    bid, op = request.path_params["bid"], request.path_params["op"]
    found = book_and_sheet(store, bid, first(form, "sheet"))
    if found is None:
        return SITE.not_found(request, "This spreadsheet, or a sheet of that name, does not exist.")
    book, sheets, sheet = found
    names = {s["name"] for s in sheets}
    if op == "add":
        n = len(sheets) + 1
        while f"Sheet{n}" in names:
            n += 1
        new = f"Sheet{n}"
        store.execute(
            "INSERT INTO sheets(book_id, name, position) VALUES (?,?,?)",
            (book["id"], new, len(sheets)),
        )
    elif op == "rename":
        new = first(form, "name")
        if not new or (new in names and new != sheet["name"]):
            return back(
                bid, sheet["name"], error=f"A sheet needs a new, unused name (not “{new}”)."
            )
        store.execute("UPDATE sheets SET name = ? WHERE id = ?", (new, sheet["id"]))
    elif op == "delete":
        if len(sheets) == 1:
            return back(bid, sheet["name"], error="A spreadsheet keeps at least one sheet.")
        with store.transaction() as db:
            db.execute("DELETE FROM cells WHERE sheet_id = ?", (sheet["id"],))
            db.execute("DELETE FROM formats WHERE sheet_id = ?", (sheet["id"],))
            db.execute("DELETE FROM filters WHERE sheet_id = ?", (sheet["id"],))
            db.execute("DELETE FROM notes WHERE sheet_id = ?", (sheet["id"],))
            db.execute("DELETE FROM sheets WHERE id = ?", (sheet["id"],))
        new = next(s["name"] for s in sheets if s["id"] != sheet["id"])
    else:
        return SITE.not_found(request, f"Unknown sheet command {op!r}.")
    log(store, f"sheet_{op}", book["id"], f"{sheet['name']} -> {new}")
    return back(bid, new)


async def rename_book(request: Request) -> Response:
    if (no := refused(request)) is not None:
        return no
    store, form = store_of(request), await form_of(request)
    title = first(form, "title")
    if title:
        store.execute(
            "UPDATE books SET title = ? WHERE id = ?", (title, request.path_params["bid"])
        )
        log(store, "rename", request.path_params["bid"], title)
    return back(request.path_params["bid"], first(form, "sheet"))


app = Starlette(
    routes=[
        Route("/", home),
        Route("/new", new_book, methods=["POST"]),
        Route("/s/{bid:id}", book_view),
        Route("/s/{bid:id}/set", set_cell, methods=["POST"]),
        Route("/s/{bid:id}/rows", rows_op, methods=["POST"]),
        Route("/s/{bid:id}/paste", paste, methods=["POST"]),
        Route("/s/{bid:id}/filter", set_filter, methods=["POST"]),
        Route("/s/{bid:id}/title", rename_book, methods=["POST"]),
        Route("/s/{bid:id}/sheet/{op}", sheet_op, methods=["POST"]),
    ]
)
