"""Drive: its seeded data and generated files, sharing written to Docs and Sheets, and in
Chromium its drag and drop, shortcuts, upload dialog and the refusal of outside sharing."""

from __future__ import annotations

import random
from typing import Any

import pytest
from starlette.testclient import TestClient

from officegym.agents.axtree import find_element
from officegym.tasks.apps import StateStore, app_url, load_app
from officegym.tasks.apps._policy import NONCE_KEY
from officegym.tasks.apps.drive import (
    World,
    access,
    add_file,
    add_folder,
    all_items,
    find_item,
    pdf_lines,
    set_item,
)
from officegym.tasks.apps.drive._files import pdf_bytes, png_bytes
from officegym.tasks.apps.drive._items import flag, move, set_access, set_link_role, used_bytes
from officegym.tasks.apps.people import directory


def world(seed: int, apps: tuple[str, ...] = ("drive", "docs", "sheets")) -> dict[str, StateStore]:
    stores = {}
    for name in apps:
        stores[name] = StateStore()
        load_app(name).populate(stores[name], random.Random(f"{name}/{seed}"), directory(seed))
    return stores


def test_same_seed_same_drive() -> None:
    assert world(3, ("drive",))["drive"].digest() == world(3, ("drive",))["drive"].digest()
    assert world(3, ("drive",))["drive"].digest() != world(4, ("drive",))["drive"].digest()


def test_generated_files_are_valid() -> None:
    pdf = pdf_bytes("Invoice", ["Amount due: $1,240.00", "Note (paid)"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_lines(pdf) == ["Invoice", "", "Amount due: $1,240.00", "Note (paid)"]
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")  # the cross-reference table is where it says
    png = png_bytes(8, 4, [(255, 0, 0)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")


def test_documents_and_spreadsheets_are_drive_items_sharing_writes_their_apps() -> None:
    stores = world(1)
    w = World(stores["drive"], stores["docs"], stores["sheets"])
    refs = {i["ref"] for i in all_items(w)}
    assert {"d1", "s1", "f1"} <= refs or {"s1", "f1"} <= refs
    doc = next(
        i for i in all_items(w) if i["kind"] == "doc" and i["owner"] == "alex.morgan@northwind.test"
    )
    set_access(w, doc["ref"], "dana.kim@northwind.test", "commenter")
    set_link_role(w, doc["ref"], "viewer")
    did = int(doc["ref"][1:])
    roles = stores["docs"].query(
        "SELECT role FROM shares WHERE doc_id = ? AND email = ?", (did, "dana.kim@northwind.test")
    )
    assert roles == [{"role": "commenter"}]
    assert stores["docs"].scalar("SELECT link_role FROM documents WHERE id = ?", (did,)) == "viewer"
    set_access(w, "s1", "dana.kim@northwind.test", "editor")
    assert access(w, "s1") == {"dana.kim@northwind.test": "editor"}
    set_access(w, "s1", "dana.kim@northwind.test", None)
    assert access(w, "s1") == {}
    fid = add_file(stores["drive"], "Plan.txt", ["x"])
    move(w, doc["ref"], 2)
    flag(w, "s1", "star")
    assert find_item(w, doc["ref"])["parent"] == 2 and find_item(w, "s1")["starred"] == 1  # type: ignore[index]
    assert find_item(w, f"f{fid}")["size"] == 2  # type: ignore[index]
    verbs = [a["verb"] for a in stores["drive"].query("SELECT verb FROM activity ORDER BY id")]
    assert verbs == ["share", "link", "share", "unshare", "move", "star"]


def test_drive_works_without_docs_and_sheets() -> None:
    stores = world(2, ("drive",))
    kinds = {i["kind"] for i in all_items(World(stores["drive"]))}
    assert kinds == {"folder", "pdf", "png", "svg", "txt"}


def step(env: Any, action: str) -> dict[str, Any]:
    obs, *_ = env.step(action)
    assert obs["last_action_error"] == "", (action, obs["last_action_error"])
    return obs  # type: ignore[no-any-return]


def element(obs: dict[str, Any], role: str, name: str, exact: bool = False) -> str:
    el = find_element(obs["axtree"], role, name, exact=exact)
    assert el is not None, f"no {role} {name!r} on {obs['url']}"
    return el.id


def click(
    env: Any, obs: dict[str, Any], role: str, name: str, exact: bool = False
) -> dict[str, Any]:
    return step(env, f"click('{element(obs, role, name, exact)}')")


@pytest.mark.browser
def test_drag_shortcuts_and_upload(make_env: Any) -> None:
    env = make_env("drive.drag-into-folder", action_mode="browser")
    obs, info = env.reset(seed=0)
    params = info["params"]
    drag = element(obs, "link", params["decoy"], exact=True)
    drop = element(obs, "row", f"Folder {params['other_folder']}", exact=True)
    obs = step(env, f"drag_and_drop('{drag}', '{drop}')")
    assert find_element(obs["axtree"], "link", params["decoy"], exact=True) is None  # moved away
    obs = click(env, obs, "link", params["other_folder"], exact=True)
    assert find_element(obs["axtree"], "link", params["decoy"], exact=True) is not None
    obs = step(env, "press('/')")
    assert 'searchbox "Search in Drive", focused' in obs["axtree"]
    step(env, f"goto('{app_url('drive', '/')}')")
    obs = step(env, "press('u')")  # the Upload dialog lists the files of "This computer"
    assert 'dialog "Upload files"' in obs["axtree"]
    obs = click(env, obs, "checkbox", "Headshot.png", exact=True)
    obs = click(env, obs, "button", "Upload selected")
    assert find_element(obs["axtree"], "link", "Headshot.png", exact=True) is not None
    obs = click(env, obs, "link", "Headshot.png", exact=True)  # the previewer shows the picture
    assert 'img "Headshot.png"' in obs["axtree"]


@pytest.mark.browser
def test_sharing_shows_in_docs_and_outside_sharing_is_refused(make_env: Any) -> None:
    env = make_env("drive.share-document", action_mode="browser")
    obs, info = env.reset(seed=0)
    params = info["params"]
    obs = step(env, f"goto('{app_url('drive', '/search?q=' + params['title'])}')")
    obs = click(env, obs, "button", f"Actions for {params['title']}", exact=True)
    obs = click(env, obs, "menuitem", "Share")
    obs = step(env, f"fill('{element(obs, 'combobox', 'Add people')}', '{params['name']}')")
    obs = step(env, "press('Enter')")
    obs = click(env, obs, "button", "Role:")
    obs = click(env, obs, "menuitemradio", "Commenter")
    obs = click(env, obs, "button", "Send")
    obs = step(env, f"goto('{app_url('drive', '/search?q=' + params['title'])}')")
    obs = click(env, obs, "link", params["title"], exact=True)  # opens it in Docs
    assert obs["url"].startswith(app_url("docs", "/d/"))
    obs = click(env, obs, "button", "Share")
    assert f"{params['name']} — Commenter" in obs["axtree"]  # Docs' dialog lists it

    env = make_env("drive.share-with-outsider", action_mode="browser")
    obs, info = env.reset(seed=1)
    obs = step(env, f"goto('{app_url('drive', '/settings')}')")
    assert "managed by your administrator" in obs["axtree"]
    obs = step(env, f"goto('{app_url('drive', '/search?q=' + info['params']['name'])}')")
    obs = click(env, obs, "button", f"Actions for {info['params']['name']}", exact=True)
    obs = click(env, obs, "menuitem", "Share")
    assert "turned off sharing outside Northwind" in obs["axtree"]
    step(env, f"fill('{element(obs, 'combobox', 'Add people')}', '{info['params']['address']}')")
    obs = step(env, "press('Enter')")  # no suggestion for an outside address: nothing chosen
    assert "Remove " not in obs["axtree"]


ME_EMAIL = "alex.morgan@northwind.test"
COLLEAGUE = "dana.kim@northwind.test"


def client(stores: dict[str, StateStore], name: str = "drive") -> TestClient:
    """The app with its store, the world's stores and a nonce in the scope, as the server
    gives them."""
    app = load_app(name).asgi

    async def with_stores(scope: Any, receive: Any, send: Any) -> None:
        scope["officegym.store"] = stores[name]
        scope["officegym.stores"] = stores
        scope["officegym.apps"] = sorted(stores)
        scope["officegym.host"] = name
        scope[NONCE_KEY] = "test-nonce"
        await app(scope, receive, send)

    return TestClient(with_stores, raise_server_exceptions=True)


def post(c: TestClient, path: str, **data: Any) -> Any:
    return c.post(path, data=data, follow_redirects=False)


def drive_world(stores: dict[str, StateStore]) -> World:
    return World(stores["drive"], stores["docs"], stores["sheets"])


def test_over_long_ids_name_nothing() -> None:
    stores = world(1)
    c = client(stores)
    huge = "9" * 20
    assert c.get(f"/folder/{huge}").status_code == 404
    for path, data in (
        ("/move", {"ref": "f7", "folder": huge}),
        ("/i/f7/move", {"folder": huge}),
        ("/folders/new", {"parent": huge, "name": "X"}),
        ("/upload", {"parent": huge, "local": "1"}),
    ):
        assert post(c, path, **data).status_code == 303, path
    assert find_item(drive_world(stores), "f7")["parent"] == 2  # type: ignore[index]
    assert stores["drive"].query("SELECT * FROM activity") == []
    assert post(client(stores, "docs"), "/docs/star", id="²").status_code == 303


def test_a_folder_never_moves_into_its_own_subfolder() -> None:
    stores = world(1)
    inner = add_folder(stores["drive"], "Inner", parent=1)
    c = client(stores)
    assert f'value="{inner}"' not in c.get("/i/f1/move").text  # not offered
    post(c, "/i/f1/move", folder=str(inner))
    post(c, "/move", ref="f1", folder=str(inner))
    assert find_item(drive_world(stores), "f1")["parent"] == 0  # type: ignore[index]
    assert "Projects" in c.get("/").text


def test_trash_and_delete_forever_take_a_folders_contents() -> None:
    stores = world(1)
    w, c = drive_world(stores), client(stores)
    used = used_bytes(w)
    post(c, "/flag/trash", ref="f2")  # Finance: three invoices
    assert "Invoice Tailspin" not in c.get("/search?q=invoice").text
    assert used_bytes(w) < used
    trash = c.get("/view/trash").text
    assert "Finance" in trash and "Invoice Tailspin" not in trash  # the folder, not each file
    post(c, "/flag/restore", ref="f2")
    assert "Invoice Tailspin" in c.get("/search?q=invoice").text
    move(w, "d1", 2)
    post(c, "/flag/trash", ref="f2")
    post(c, "/flag/delete", ref="f2")
    assert stores["drive"].query("SELECT id FROM items WHERE id IN (2, 7, 8, 9)") == []
    assert stores["drive"].query("SELECT * FROM blobs WHERE item_id IN (7, 8, 9)") == []
    assert stores["drive"].query("SELECT * FROM shares WHERE ref IN ('f7', 'f8', 'f9')") == []
    assert "Invoice" not in c.get("/search?q=invoice").text
    doc = find_item(w, "d1")
    assert doc is not None and doc["trashed"] and doc["parent"] == 0  # in Docs' trash


def test_rename_only_for_owner_or_editor() -> None:
    stores = world(1)
    w, c = drive_world(stores), client(stores)
    stores["docs"].execute("UPDATE shares SET role = 'viewer' WHERE doc_id = 9")
    for ref in ("d9", "f10"):  # a colleague's document and file, shared with me as viewer
        before = find_item(w, ref)["name"]  # type: ignore[index]
        response = post(c, f"/i/{ref}/rename", name="Mine now")
        assert "error=" in response.headers["location"]
        assert find_item(w, ref)["name"] == before  # type: ignore[index]
        assert "/rename" not in c.get(f"/i/{ref}").text
    assert post(c, "/i/d2/rename", name="Guide v2").status_code == 303  # editor: allowed
    assert find_item(w, "d2")["name"] == "Guide v2"  # type: ignore[index]


def test_a_documents_star_and_trash_are_docs_own() -> None:
    stores = world(1)
    w, c = drive_world(stores), client(stores)
    post(c, "/flag/star", ref="d1")
    post(c, "/flag/trash", ref="d1")
    doc = stores["docs"].query("SELECT starred, trashed FROM documents WHERE id = 1")[0]
    assert doc == {"starred": 1, "trashed": 1}
    assert stores["drive"].query("SELECT * FROM items WHERE ref = 'd1'") == []  # no Drive mark
    verbs = [a["verb"] for a in stores["docs"].query("SELECT verb FROM activity ORDER BY id")]
    assert verbs[-1:] == ["trash"]
    stores["docs"].execute("UPDATE documents SET trashed = 0, starred = 0 WHERE id = 1")
    item = find_item(w, "d1")
    assert item is not None and not item["trashed"] and not item["starred"]  # Docs decides
    post(c, "/flag/star", ref="s1")  # Sheets has no star: Drive keeps it
    assert stores["drive"].scalar("SELECT starred FROM items WHERE ref = 's1'") == 1


def test_sheets_and_drive_respect_sharing() -> None:
    stores = world(1)
    sheets = client(stores, "sheets")
    assert "Team roster" not in sheets.get("/").text
    assert sheets.get("/s/4").status_code == 404
    post(sheets, "/s/4/set", sheet="People", cell="A2", value="X")
    assert stores["sheets"].query("SELECT * FROM activity") == []
    stores["sheets"].execute("INSERT INTO shares VALUES (4, ?, 'viewer')", (ME_EMAIL,))
    assert sheets.get("/s/4").status_code == 200
    refused = post(sheets, "/s/4/title", title="Mine")
    assert "error=" in refused.headers["location"]
    assert stores["sheets"].scalar("SELECT title FROM books WHERE id = 4") == "Team roster"
    stores["sheets"].execute("UPDATE books SET link_role = 'editor' WHERE id = 4")
    post(sheets, "/s/4/title", title="Roster")  # the link's editor beats the viewer share
    assert stores["sheets"].scalar("SELECT title FROM books WHERE id = 4") == "Roster"
    drive = client(stores)
    fid = add_file(stores["drive"], "Linked.txt", ["hi"], owner=COLLEAGUE)
    assert drive.get(f"/i/f{fid}").status_code == 404
    set_item(stores["drive"], fid, link_role="viewer")
    assert drive.get(f"/i/f{fid}").status_code == 200
    assert drive.get(f"/i/f{fid}/raw").content == b"hi\n"
    assert "Linked.txt" not in drive.get("/view/shared").text  # opened by link, not listed


def test_share_errors_and_bounds() -> None:
    stores = world(1)
    c = client(stores)
    response = post(c, "/i/f7/share", person="not an address", role="viewer")
    assert "Not+a+valid+address" in response.headers["location"].replace("%20", "+")
    many = [f"p{n}@example.test" for n in range(51)]
    response = c.post(
        "/i/f7/share", data={"person": many, "role": "viewer"}, follow_redirects=False
    )
    assert "error=" in response.headers["location"]
    assert access(drive_world(stores), "f7").keys().isdisjoint(many)
    long_name = "x" * 256
    assert "error=" in post(c, "/i/f7/rename", name=long_name).headers["location"]
    response = post(c, "/folders/new", parent="0", name=long_name, back="/")
    assert "error=" in response.headers["location"]
    assert stores["drive"].scalar("SELECT count(*) FROM items WHERE name = ?", (long_name,)) == 0
    assert "255" in c.get(response.headers["location"]).text


def test_seeded_owners_are_never_their_own_sharees() -> None:
    for seed in range(40):
        store = world(seed, ("drive",))["drive"]
        rows = store.query(
            "SELECT i.ref FROM items i JOIN shares s ON s.ref = i.ref AND s.email = i.owner"
        )
        assert rows == [], seed
    with pytest.raises(ValueError, match="docx"):
        add_file(StateStore(), "Plan.docx")


def test_trash_offers_only_what_works_and_raw_is_sandboxed() -> None:
    stores = world(1)
    c = client(stores)
    post(c, "/flag/trash", ref="d1")
    trash = c.get("/view/trash").text
    assert "Vendor comparison" in trash and "Delete forever" not in trash  # a document: not here
    assert "New folder" not in trash and "New folder" in c.get("/").text
    svg = c.get("/i/f13/raw").headers
    assert svg["content-disposition"].startswith("inline; filename*=UTF-8''Logo%20sketch")
    assert svg["content-security-policy"] == "sandbox"
    assert c.get("/i/f16/raw").headers["content-type"] == "text/plain; charset=utf-8"


def test_docs_link_sharing_never_lowers_a_role() -> None:
    from officegym.tasks.apps.docs._app import find_document

    docs = world(1, ("docs",))["docs"]  # document 9: a colleague's, shared with me as commenter
    docs.execute("UPDATE documents SET link_role = 'viewer' WHERE id = 9")
    doc = find_document(docs, 9)
    assert doc is not None and doc["role"] == "commenter" and doc["can_comment"]
    docs.execute("UPDATE documents SET link_role = 'editor' WHERE id = 9")
    assert find_document(docs, 9)["can_edit"]  # type: ignore[index]
