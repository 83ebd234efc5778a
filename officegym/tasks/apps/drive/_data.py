"""Drive's schema, its seeded folders and files, and the helpers templates build state with.

Drive's own items (folders, PDFs, pictures, text files) live in `items`, their bytes in `blobs`.
The documents of Docs and the spreadsheets of Sheets stay in those apps' stores; Drive keeps only
where the user filed them, stars and trash (an `items` row with kind `doc` or `sheet` and the
ref `d<id>` or `s<id>`, made on the first change; without one they sit in My Drive).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.drive._files import MIME, pdf_bytes, png_bytes, svg_bytes
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     title TEXT NOT NULL DEFAULT '');
-- kind: folder | pdf | png | svg | txt (Drive's own) or doc | sheet (a Docs document or a Sheets
-- spreadsheet: then `name` is unused and the ref names the other app's id). parent: the folder's
-- id, 0 for My Drive. link_role: '' (restricted) or viewer | commenter | editor (anyone with the
-- link).
CREATE TABLE items (id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
                    name TEXT NOT NULL, parent INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL,
                    created TEXT NOT NULL, size INTEGER NOT NULL DEFAULT 0,
                    starred INTEGER NOT NULL DEFAULT 0, trashed INTEGER NOT NULL DEFAULT 0,
                    link_role TEXT NOT NULL DEFAULT '');
CREATE TABLE blobs (item_id INTEGER PRIMARY KEY, mime TEXT NOT NULL, data BLOB NOT NULL);
-- Who else can open one of Drive's own items (documents and spreadsheets: in their apps' stores).
CREATE TABLE shares (ref TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
                     PRIMARY KEY (ref, email));
-- "This computer": the files the Upload dialog offers (the env has no native file chooser).
CREATE TABLE local_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
                          data BLOB NOT NULL);
-- outside_sharing: on | off (sharing with addresses outside the directory; set by the admin).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- What happened before the episode, shown on the Activity page (who did what to which name).
CREATE TABLE history (id INTEGER PRIMARY KEY, actor TEXT NOT NULL, verb TEXT NOT NULL,
                      name TEXT NOT NULL, created TEXT NOT NULL);
-- Every change the user makes, for evaluators that must know nothing else was touched.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, ref TEXT NOT NULL,
                       detail TEXT NOT NULL DEFAULT '');
"""
ROLES = ("viewer", "commenter", "editor")
OWN_KINDS = ("pdf", "png", "svg", "txt")
FOLDERS = ("Projects", "Finance", "Marketing", "Contracts", "Photos", "Receipts")
VENDORS = ("Contoso", "Fabrikam", "Litware", "Tailspin", "Northwind Traders", "Adatum")
COLORS = ((52, 120, 246), (234, 67, 53), (251, 188, 5), (52, 168, 83), (120, 80, 200))


def stamp(minutes_ago: int) -> str:
    return (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=minutes_ago)).isoformat()


def _insert(
    store: StateStore,
    kind: str,
    name: str,
    *,
    parent: int,
    owner: str,
    minutes_ago: int,
    data: bytes | None = None,
) -> int:
    with store.transaction() as db:
        iid = int(
            db.execute(
                "INSERT INTO items(ref, kind, name, parent, owner, created, size) "
                "VALUES ('', ?,?,?,?,?,?)",
                (kind, name, parent, owner, stamp(minutes_ago), len(data or b"")),
            ).lastrowid
            or 0
        )
        db.execute("UPDATE items SET ref = ? WHERE id = ?", (f"f{iid}", iid))
        if data is not None:
            db.execute("INSERT INTO blobs VALUES (?,?,?)", (iid, MIME[kind], data))
    return iid


def add_folder(
    store: StateStore, name: str, *, parent: int = 0, owner: str = ME.email, minutes_ago: int = 60
) -> int:
    """A folder in `parent` (a folder's id, 0 for My Drive); return its id."""
    return _insert(store, "folder", name, parent=parent, owner=owner, minutes_ago=minutes_ago)


def file_data(kind: str, name: str, lines: Sequence[str], seed: int = 0) -> bytes:
    """The bytes of a file of `kind` (pdf | png | svg | txt) showing `lines`; pictures vary with
    `seed` (colours, size)."""
    if kind == "pdf":
        return pdf_bytes(name.rsplit(".", 1)[0], lines)
    if kind == "png":
        colors = [COLORS[(seed + i) % len(COLORS)] for i in range(3)]
        return png_bytes(48 + 8 * (seed % 5), 32 + 4 * (seed % 3), colors)
    if kind == "svg":
        return svg_bytes(
            lines[0] if lines else name,
            "#{:02x}{:02x}{:02x}".format(*COLORS[seed % 5]),
            2 + seed % 4,
        )
    return ("\n".join(lines) + "\n").encode()


def add_file(
    store: StateStore,
    name: str,
    lines: Sequence[str] = (),
    *,
    kind: str = "",
    parent: int = 0,
    owner: str = ME.email,
    minutes_ago: int = 60,
    seed: int = 0,
) -> int:
    """A file of Drive's own (its kind from the name's extension unless given: pdf, png, svg,
    txt) with `lines` of text, in folder `parent` (0: My Drive); return its id."""
    kind = kind or name.rsplit(".", 1)[-1].lower()
    if kind not in OWN_KINDS:
        raise ValueError(f"{name!r}: Drive's own files are {', '.join(OWN_KINDS)}, not {kind!r}")
    data = file_data(kind, name, lines, seed)
    return _insert(
        store, kind, name, parent=parent, owner=owner, minutes_ago=minutes_ago, data=data
    )


def add_share(store: StateStore, item_id: int, email: str, role: str) -> None:
    """Share one of Drive's own items (file or folder) with `email` as `role`."""
    store.execute("INSERT OR REPLACE INTO shares VALUES (?,?,?)", (f"f{item_id}", email, role))


def place(store: StateStore, ref: str, folder: int) -> None:
    """File a Docs document (`d<id>`) or a Sheets spreadsheet (`s<id>`) in a folder of Drive."""
    kind = {"d": "doc", "s": "sheet"}[ref[0]]
    store.execute(
        "INSERT INTO items(ref, kind, name, parent, owner, created) VALUES (?,?,'',?,'',?) "
        "ON CONFLICT(ref) DO UPDATE SET parent = excluded.parent",
        (ref, kind, folder, FROZEN_NOW),
    )


def set_item(store: StateStore, item_id: int, **flags: int | str) -> None:
    """Set columns of one of Drive's own items (starred=1, trashed=1, link_role='viewer')."""
    for column, value in flags.items():
        if column not in ("starred", "trashed", "link_role", "parent", "name"):
            raise ValueError(f"not a settable column: {column}")
        store.execute(f"UPDATE items SET {column} = ? WHERE id = ?", (value, item_id))


def add_history(store: StateStore, actor: str, verb: str, name: str, minutes_ago: int) -> None:
    """An event before the episode on the Activity page: `verb` is e.g. "deleted forever"."""
    store.execute(
        "INSERT INTO history(actor, verb, name, created) VALUES (?,?,?,?)",
        (actor, verb, name, stamp(minutes_ago)),
    )


def add_local_file(store: StateStore, name: str, lines: Sequence[str] = (), seed: int = 0) -> int:
    """A file on "This computer", offered by the Upload dialog; return its id."""
    kind = name.rsplit(".", 1)[-1].lower()
    return store.execute(
        "INSERT INTO local_files(name, kind, data) VALUES (?,?,?)",
        (name, kind, file_data(kind, name, lines, seed)),
    )


def invoice_lines(rng: random.Random, vendor: str) -> list[str]:
    number = rng.randint(1000, 9999)
    amount = rng.randint(200, 9000) + rng.choice((0, 0.5, 0.25))
    return [
        f"Invoice number: {number}",
        f"Vendor: {vendor}",
        f"Amount due: ${amount:,.2f}",
        f"Due date: April {rng.randint(1, 28)}, 2026",
    ]


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """A drive of six folders, a dozen files (invoices, contracts, pictures, notes), some shared
    with the user, a few files on "This computer", and past activity."""
    store.executescript(SCHEMA)
    people = list(directory)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, title) VALUES (?,?,?)",
            [(p.name, p.email, p.title) for p in (ME, *people)],
        )
        db.execute("INSERT INTO settings VALUES ('outside_sharing', 'on')")
    folders = {
        name: add_folder(store, name, minutes_ago=5000 + 90 * i) for i, name in enumerate(FOLDERS)
    }
    vendors = rng.sample(VENDORS, 4)
    files = [
        *(
            (f"Invoice {v}.pdf", invoice_lines(rng, v), rng.choice(("Finance", "Receipts")))
            for v in vendors[:3]
        ),
        (
            f"Contract - {vendors[3]}.pdf",
            [f"Party: {vendors[3]}", f"Term: {rng.randint(1, 3)} years", "Renewal: automatic"],
            "Contracts",
        ),
        ("Team offsite.png", [], "Photos"),
        ("Office floor plan.png", [], rng.choice(("Photos", ""))),
        ("Logo sketch.svg", ["Northwind logo, draft"], "Marketing"),
        ("Campaign moodboard.svg", ["Spring campaign"], "Marketing"),
        ("Meeting agenda.txt", ["1. Welcome", "2. Budget", "3. Next steps"], ""),
        ("Reading list.txt", ["The Phoenix Project", "Good Strategy Bad Strategy"], "Projects"),
    ]
    minutes = 100
    for n, (name, lines, folder) in enumerate(files):
        minutes += rng.randint(60, 900)
        owner = ME.email if rng.random() < 0.75 else rng.choice(people).email
        iid = add_file(store, name, lines, parent=folders.get(folder, 0), owner=owner,
                       minutes_ago=minutes, seed=n)  # fmt: skip
        others = [p for p in people if p.email != owner]  # an owner is never their own sharee
        for p in rng.sample(others, rng.randint(0, 2)):
            add_share(store, iid, p.email, rng.choice(ROLES))
        if owner != ME.email:
            add_share(store, iid, ME.email, rng.choice(ROLES))
            set_item(store, iid, parent=0)
    for n, name in enumerate(("Expense report March.pdf", "Headshot.png", "Whiteboard.svg",
                              "Notes from call.txt")):  # fmt: skip
        add_local_file(
            store, name, [f"{name.rsplit('.', 1)[0]}", f"Total: ${rng.randint(80, 900)}"], n
        )
    for i in range(3):
        actor = rng.choice(people)
        add_history(store, actor.email, "edited", rng.choice(files)[0], 300 + 400 * i)
