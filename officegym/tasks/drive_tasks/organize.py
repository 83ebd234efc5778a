"""Drive templates that organise files: rename, star, trash, restore, move by drag and drop or
the Move page, create a folder, upload from "This computer"."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from officegym.tasks import Apps, Checkpoint, ClickOn, DragTo, FillIn, PlanStep, Submit, Task
from officegym.tasks._registry import register
from officegym.tasks.apps.drive import FOLDERS, add_file, add_folder, add_local_file, set_item
from officegym.tasks.drive_tasks.common import (
    PROJECTS,
    activity,
    file_name,
    item_by_stamp,
    look_alike,
    move_with_menu,
    new_folder,
    only_changed,
    row_menu,
)

TARGET, DECOY = 20, 21  # minutes before now the setup made them: how evaluators find them


class FileAndDecoyTask(Task):
    """The setup adds the user's file `name` in My Drive and a look-alike `decoy` beside it."""

    apps = ("drive",)
    trashed = False

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        name = file_name(rng, rng.choice(("pdf", "txt", "png")))
        return {
            "name": name,
            "decoy": look_alike(name, rng),
            "lines": [f"Draft {rng.randint(1, 9)}"],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["drive"]
        for key, minutes in (("decoy", DECOY), ("name", TARGET)):
            iid = add_file(store, params[key], params["lines"], minutes_ago=minutes, seed=minutes)
            if self.trashed:
                set_item(store, iid, trashed=1)

    def items(self, apps: Apps) -> tuple[dict[str, Any], dict[str, Any]]:
        target, decoy = item_by_stamp(apps["drive"], TARGET), item_by_stamp(apps["drive"], DECOY)
        assert target is not None and decoy is not None
        return target, decoy


@register
class RenameFile(FileAndDecoyTask):
    id = "drive.rename-file"
    instruction = "Rename the file “{name}” to “{new_name}”."
    tags = ("forms", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        ext = params["name"].rsplit(".", 1)[1]
        return {**params, "new_name": f"{rng.choice(PROJECTS)} final {rng.randint(100, 999)}.{ext}"}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.items(apps)
        return [
            Checkpoint("renamed", target["name"] == params["new_name"], detail=target["name"]),
            Checkpoint("the look-alike keeps its name", decoy["name"] == params["decoy"], "guard"),
            only_changed(apps["drive"], {target["ref"]}, {"rename"}),
        ]

    def rename(self, old: str, new: str) -> list[PlanStep]:
        return [
            *row_menu(old, "Rename"),
            FillIn("textbox", "New name", new),
            ClickOn("button", "Rename", exact=True),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.rename(params["name"], params["new_name"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike": self.rename(params["decoy"], params["new_name"]),
            "without the extension": self.rename(
                params["name"], params["new_name"].rsplit(".", 1)[0]
            ),
        }


class MenuFlagTask(FileAndDecoyTask):
    """Set a flag of the file (starred, trashed) with one item of its row's menu; the change log
    may show that change on the file and nothing else."""

    flag: ClassVar[str]  # the items column the menu item sets
    menu_item: ClassVar[str]
    verb: ClassVar[str]  # what the change log calls the change
    done: ClassVar[str]  # the name of the checkpoint that the flag is set
    decoy_guard: ClassVar[str | None] = None  # a guard that the look-alike's flag stays unset

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.items(apps)
        checks = [Checkpoint(self.done, bool(target[self.flag]))]
        if self.decoy_guard is not None:
            checks.append(Checkpoint(self.decoy_guard, not decoy[self.flag], "guard"))
        return [*checks, only_changed(apps["drive"], {target["ref"]}, {self.verb})]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*row_menu(params["name"], self.menu_item), Submit()]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {"the look-alike": [*row_menu(params["decoy"], self.menu_item), Submit()]}


@register
class StarFile(MenuFlagTask):
    id = "drive.star-file"
    instruction = "Star the file “{name}”."
    tags = ("easy",)
    flag = "starred"
    menu_item = "Add to starred"
    verb = "star"
    done = "starred"

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            **super().near_misses(params),
            "both": [
                *row_menu(params["name"], self.menu_item),
                *row_menu(params["decoy"], self.menu_item),
                Submit(),
            ],
        }


@register
class TrashFile(MenuFlagTask):
    id = "drive.trash-file"
    instruction = "Move the file “{name}” to the trash, and nothing else."
    tags = ("easy",)
    decoy_guard = "the look-alike stays"
    flag = "trashed"
    menu_item = "Move to trash"
    verb = "trash"
    done = "in the trash"

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            **super().near_misses(params),
            "both": [
                ClickOn("checkbox", f"Select: {params['name']}", exact=True),
                ClickOn("checkbox", f"Select: {params['decoy']}", exact=True),
                ClickOn("button", "Move to trash", exact=True),
                Submit(),
            ],
        }


@register
class RestoreFile(FileAndDecoyTask):
    id = "drive.restore-file"
    instruction = "Restore the file “{name}” from the trash."
    tags = ("easy",)
    trashed = True

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.items(apps)
        return [
            Checkpoint("restored", not target["trashed"]),
            Checkpoint("the look-alike stays in the trash", bool(decoy["trashed"]), "guard"),
            only_changed(apps["drive"], {target["ref"]}, {"restore"}),
        ]

    def restore(self, name: str) -> list[PlanStep]:
        return [ClickOn("link", "Trash", exact=True), *row_menu(name, "Restore"), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.restore(params["name"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike": self.restore(params["decoy"]),
            "everything": [
                ClickOn("link", "Trash", exact=True),
                ClickOn("checkbox", "Select all"),
                ClickOn("button", "Restore", exact=True),
                Submit(),
            ],
        }


@register
class DragIntoFolder(FileAndDecoyTask):
    id = "drive.drag-into-folder"
    instruction = "Move the file “{name}” into the folder “{folder}”."
    tags = ("drag-and-drop", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project = rng.choice(PROJECTS)
        folder, other = rng.sample((f"{project} reports", f"{project} report drafts"), 2)
        return {**super().sample_params(rng, apps), "folder": folder, "other_folder": other}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_folder(apps["drive"], params["other_folder"], minutes_ago=31)
        add_folder(apps["drive"], params["folder"], minutes_ago=30)
        super().setup(apps, params)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.items(apps)
        folder = item_by_stamp(apps["drive"], 30)
        assert folder is not None
        return [
            Checkpoint(f"in “{params['folder']}”", target["parent"] == folder["id"]),
            Checkpoint("the look-alike stays", decoy["parent"] == 0, "guard"),
            only_changed(apps["drive"], {target["ref"]}, {"move"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [DragTo("link", params["name"], "row", f"Folder {params['folder']}"), Submit()]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other folder": [
                DragTo("link", params["name"], "row", f"Folder {params['other_folder']}"),
                Submit(),
            ],
            "the look-alike": [
                DragTo("link", params["decoy"], "row", f"Folder {params['folder']}"),
                Submit(),
            ],
        }


@register
class NewFolderMoveFiles(Task):
    id = "drive.new-folder-move-files"
    apps = ("drive",)
    instruction = (
        "Create a folder named “{folder}” in My Drive and move the files “{first}” and "
        "“{second}” into it (use each file's Move to menu)."
    )
    tags = ("forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        first = file_name(rng, "pdf")
        second = file_name(rng, "txt")
        while second.split()[0] == first.split()[0]:
            second = file_name(rng, "txt")
        return {
            "folder": f"{rng.choice(PROJECTS)} handover {rng.randint(2025, 2027)}",
            "first": first,
            "second": second,
            "decoy": look_alike(first, rng),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for key, minutes in (("decoy", DECOY), ("first", TARGET), ("second", 22)):
            add_file(apps["drive"], params[key], ["Notes"], minutes_ago=minutes, seed=minutes)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["drive"]
        folders = store.query(
            "SELECT * FROM items WHERE kind = 'folder' AND name = ? AND parent = 0 AND trashed = 0",
            (params["folder"],),
        )
        fid = folders[0]["id"] if folders else -1
        first, second = item_by_stamp(store, TARGET), item_by_stamp(store, 22)
        decoy = item_by_stamp(store, DECOY)
        assert first and second and decoy
        moved = bool(folders) and first["parent"] == fid and second["parent"] == fid
        return [
            Checkpoint(f"“{params['folder']}” holds both files", moved),
            Checkpoint("the look-alike stays", decoy["parent"] == 0, "guard"),
            only_changed(
                store,
                {first["ref"], second["ref"], *(f"f{f['id']}" for f in folders)},
                {"create", "move"},
                also={f"f{f['id']}": ("rename",) for f in folders},  # made, then named
            ),
        ]

    def plan(self, params: Mapping[str, Any], files: tuple[str, ...]) -> list[PlanStep]:
        moves = [step for f in files for step in move_with_menu(params[f], params["folder"])]
        return [*new_folder(params["folder"]), *moves, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, ("first", "second"))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "only the first": self.plan(params, ("first",)),
            "the look-alike": self.plan(params, ("decoy", "second")),
        }


@register
class UploadToFolder(Task):
    id = "drive.upload-to-folder"
    apps = ("drive",)
    instruction = "Upload the file “{local}” from this computer into the folder “{folder}”."
    tags = ("forms", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        local = file_name(rng, rng.choice(("pdf", "png")))
        folder, other = rng.sample(FOLDERS, 2)
        return {"local": local, "decoy": look_alike(local, rng), "folder": folder, "other": other}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_local_file(apps["drive"], params["decoy"], ["Old copy"], seed=3)
        add_local_file(apps["drive"], params["local"], ["Final copy"], seed=4)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["drive"]
        uploads = [a for a in activity(store) if a["verb"] == "upload"]
        fid = store.scalar(
            "SELECT id FROM items WHERE kind = 'folder' AND name = ? AND parent = 0 ORDER BY id",
            (params["folder"],),
        )
        placed = store.query(
            "SELECT * FROM items WHERE name = ? AND parent = ?", (params["local"], fid)
        )
        return [
            Checkpoint(f"uploaded into {params['folder']}", bool(placed)),
            Checkpoint("only that file, once", len(uploads) == 1, "guard"),
            # uploaded to My Drive and then moved in is as good
            only_changed(store, {u["ref"] for u in uploads}, {"upload", "move"}),
        ]

    def upload(self, folder: str, local: str) -> list[PlanStep]:
        return [
            ClickOn("link", folder, exact=True),
            ClickOn("button", "Upload", exact=True),
            ClickOn("checkbox", local, exact=True),
            ClickOn("button", "Upload selected"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.upload(params["folder"], params["local"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike": self.upload(params["folder"], params["decoy"]),
            "another folder": self.upload(params["other"], params["local"]),
        }
