"""Sheets' schema and its seeded spreadsheets: inventories, a budget, a roster."""

from __future__ import annotations

import random
from collections.abc import Sequence

from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
-- link_role (set from Drive): '' restricted, or anyone with the link as viewer | commenter |
-- editor; `shares`: the people a spreadsheet is shared with (role: viewer | commenter | editor).
CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, owner TEXT NOT NULL,
                    link_role TEXT NOT NULL DEFAULT '');
CREATE TABLE shares (book_id INTEGER NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
                     PRIMARY KEY (book_id, email));
CREATE TABLE sheets (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, name TEXT NOT NULL,
                     position INTEGER NOT NULL, UNIQUE (book_id, name));
-- raw: what was typed (`12`, `Widget`, `=SUM(B2:B9)`); row and col are zero-based.
CREATE TABLE cells (sheet_id INTEGER NOT NULL, row INTEGER NOT NULL, col INTEGER NOT NULL,
                    raw TEXT NOT NULL, PRIMARY KEY (sheet_id, row, col));
-- A column's number format: plain | currency | percent | decimal (numbers only; text shows as is).
CREATE TABLE formats (sheet_id INTEGER NOT NULL, col INTEGER NOT NULL, fmt TEXT NOT NULL,
                      PRIMARY KEY (sheet_id, col));
-- A sheet's filter: the rows below the header whose text in column `col` is one of `hidden`
-- (a JSON list; "" is a blank) are not shown.
CREATE TABLE filters (sheet_id INTEGER PRIMARY KEY, col INTEGER NOT NULL, hidden TEXT NOT NULL);
-- A note on a cell (row and col zero-based), shown in the sheet's Comments panel; `image`: an
-- attached picture (a data: URL).
CREATE TABLE notes (id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL, row INTEGER NOT NULL,
                    col INTEGER NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL,
                    image TEXT NOT NULL DEFAULT '');
-- Every change the user makes, for evaluators that must know nothing else was touched.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, book_id INTEGER NOT NULL,
                       detail TEXT NOT NULL DEFAULT '');
"""
ROLES = ("viewer", "commenter", "editor")
ITEMS = (
    "Stapler", "Printer paper", "Toner", "Desk lamp", "Whiteboard markers", "Sticky notes",
    "USB-C cable", "Monitor stand", "Headset", "Notebook", "Keyboard", "Webcam",
)  # fmt: skip
TEAMS = ("Finance", "Sales", "Engineering", "Design", "Operations")
CITIES = ("Lisbon", "Oslo", "Denver", "Kyoto", "Toronto")


def add_book(
    store: StateStore, title: str, tables: dict[str, Sequence[Sequence[str]]], owner: str = ME.email
) -> int:
    """A spreadsheet with one sheet per `name: rows` (each row a list of raw cell texts)."""
    with store.transaction() as db:
        bid = int(
            db.execute("INSERT INTO books(title, owner) VALUES (?,?)", (title, owner)).lastrowid
            or 0
        )
        for position, (name, rows) in enumerate(tables.items()):
            sid = db.execute(
                "INSERT INTO sheets(book_id, name, position) VALUES (?,?,?)", (bid, name, position)
            ).lastrowid
            db.executemany(
                "INSERT INTO cells VALUES (?,?,?,?)",
                [
                    (sid, r, c, v)
                    for r, row in enumerate(rows)
                    for c, v in enumerate(row)
                    if v != ""
                ],
            )
    return bid


def add_note(
    store: StateStore,
    book: str,
    sheet: str,
    ref: tuple[int, int],
    author: str,
    body: str,
    image: str = "",
) -> None:
    """A note by `author` on cell `ref` (zero-based row, col) of `sheet` in the book `book`."""
    store.execute(
        "INSERT INTO notes(sheet_id, row, col, author, body, image) SELECT s.id, ?, ?, ?, ?, ? "
        "FROM sheets s JOIN books b ON b.id = s.book_id WHERE b.title = ? AND s.name = ?",
        (ref[0], ref[1], author, body, image, book, sheet),
    )


def inventory(rng: random.Random, count: int) -> list[list[str]]:
    """A header and `count` rows of Item, Quantity, Price."""
    rows = [["Item", "Quantity", "Price"]]
    for item in rng.sample(ITEMS, count):
        rows.append(
            [
                item,
                str(rng.randint(1, 60)),
                f"{rng.randint(2, 120)}.{rng.choice(('00', '50', '99'))}",
            ]
        )
    return rows


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """Four spreadsheets: two inventories, a budget and a team roster."""
    store.executescript(SCHEMA)
    people = list(directory)
    add_book(store, "Office supplies – Lisbon", {"Inventory": inventory(rng, 7)})
    add_book(
        store,
        "Office supplies – Oslo",
        {"Inventory": inventory(rng, 6), "Notes": [["Checked monthly"]]},
    )
    budget = [["Category", "Planned", "Actual"]] + [
        [c, str(p), str(p + rng.randint(-400, 400))]
        for c, p in zip(("Travel", "Software", "Hardware", "Training", "Events"),
                        rng.sample(range(1000, 9000, 100), 5), strict=True)
    ]  # fmt: skip
    add_book(store, "Budget 2026", {"Q1": budget, "Q2": budget[:1]})
    roster = [["Name", "Team", "Location"]] + [
        [p.name, rng.choice(TEAMS), rng.choice(CITIES)] for p in rng.sample(people, 10)
    ]
    add_book(store, "Team roster", {"People": roster}, owner=people[0].email)
