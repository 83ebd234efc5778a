"""Drive templates over several files: move every PDF of a folder into another, and organise
eight files into three new folders by type (long)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import Apps, Checkpoint, ClickOn, PlanStep, Submit, Task
from officegym.tasks._registry import register
from officegym.tasks.apps.drive import add_file, add_folder
from officegym.tasks.drive_tasks.common import (
    PROJECTS,
    TOPICS,
    item_by_stamp,
    move_with_menu,
    new_folder,
    only_changed,
)


def distinct_names(rng: random.Random, exts: list[str]) -> list[str]:
    """Names with different topics and numbers, one per extension, in order."""
    topics = rng.sample(TOPICS, min(len(exts), len(TOPICS)))
    names, used = [], set()
    for i, ext in enumerate(exts):
        number = rng.randint(10, 99)
        while number in used:
            number = rng.randint(10, 99)
        used.add(number)
        names.append(f"{rng.choice(PROJECTS)} {topics[i % len(topics)]} {number}.{ext}")
    return names


@register
class MovePdfs(Task):
    id = "drive.move-pdfs"
    apps = ("drive",)
    instruction = (
        "Move every PDF in the folder “{source}” into the folder “{target}”; leave the other files."
    )
    tags = ("bulk", "medium")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project = rng.choice(PROJECTS)
        n = rng.randint(2, 3)
        names = distinct_names(rng, ["pdf"] * n + ["txt", "png"])
        return {
            "source": f"{project} inbox",
            "target": f"{project} PDFs",
            "pdfs": names[:n],
            "others": [names[n].replace(".txt", " PDF checklist.txt"), names[n + 1]],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["drive"]
        add_folder(store, params["target"], minutes_ago=41)
        source = add_folder(store, params["source"], minutes_ago=40)
        for i, name in enumerate([*params["pdfs"], *params["others"]]):
            add_file(store, name, ["Scanned"], parent=source, minutes_ago=20 + i, seed=i)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["drive"]
        target, source = item_by_stamp(store, 41), item_by_stamp(store, 40)
        assert target and source
        files = [item_by_stamp(store, 20 + i) for i in range(len(params["pdfs"]) + 2)]
        pdfs, others = files[: len(params["pdfs"])], files[len(params["pdfs"]) :]
        return [
            Checkpoint("every PDF moved", all(p and p["parent"] == target["id"] for p in pdfs)),
            Checkpoint(
                "the other files stay",
                all(o and o["parent"] == source["id"] for o in others),
                "guard",
            ),
            only_changed(store, {p["ref"] for p in pdfs if p}, {"move"}),
        ]

    def plan(self, params: Mapping[str, Any], names: list[str]) -> list[PlanStep]:
        moves = [s for name in names for s in move_with_menu(name, params["target"])]
        return [ClickOn("link", params["source"], exact=True), *moves, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["pdfs"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "one left behind": self.plan(params, params["pdfs"][:-1]),
            "the checklist too": self.plan(params, [*params["pdfs"], params["others"][0]]),
        }


KINDS = (("pdf", "PDFs"), ("png", "Images"), ("svg", "Images"), ("txt", "Notes"))


@register
class OrganizeByType(Task):
    id = "drive.organize-by-type"
    apps = ("drive",)
    instruction = (
        "Tidy up My Drive: create the folders “{folders[0]}”, “{folders[1]}” and “{folders[2]}”, "
        "then move each of these files into the folder for its type (PDFs into “{folders[0]}”, "
        "pictures into “{folders[1]}”, text files into “{folders[2]}”): {listing}."
    )
    tags = ("forms", "bulk", "long-horizon", "hard")
    max_steps = 60

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project = rng.choice(PROJECTS)
        exts = ["pdf", "pdf", "pdf", "png", "svg", "png", "txt", "txt"]
        rng.shuffle(exts)
        names = distinct_names(rng, exts)
        return {
            "folders": [f"{project} PDFs", f"{project} images", f"{project} notes"],
            "files": names,
            "listing": ", ".join(f"“{n}”" for n in names),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for i, name in enumerate(params["files"]):
            add_file(apps["drive"], name, ["Unsorted"], minutes_ago=20 + i, seed=i)

    def folder_for(self, params: Mapping[str, Any], name: str) -> str:
        ext = name.rsplit(".", 1)[1]
        return str(params["folders"][{"pdf": 0, "png": 1, "svg": 1, "txt": 2}[ext]])

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["drive"]
        folders = {
            f["name"]: f
            for f in store.query(
                "SELECT * FROM items WHERE kind = 'folder' AND parent = 0 AND trashed = 0"
            )
        }
        made = {f"f{folders[n]['id']}" for n in params["folders"] if n in folders}
        refs = set(made)
        missing = [n for n in params["folders"] if n not in folders]
        for i, name in enumerate(params["files"]):
            item = item_by_stamp(store, 20 + i)
            assert item is not None
            refs.add(item["ref"])
            want = folders.get(self.folder_for(params, name))
            if want is None or item["parent"] != want["id"]:
                missing.append(name)
        return [
            Checkpoint("three folders, every file in its own", not missing, detail=str(missing)),
            only_changed(
                store,
                refs,
                {"create", "move"},
                also=dict.fromkeys(made, ("rename",)),  # made, then named
            ),
        ]

    def plan(self, params: Mapping[str, Any], placement: list[tuple[str, str]]) -> list[PlanStep]:
        made = [s for f in params["folders"] for s in new_folder(f)]
        moves = [s for name, folder in placement for s in move_with_menu(name, folder)]
        return [*made, *moves, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, [(n, self.folder_for(params, n)) for n in params["files"]])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        right = [(n, self.folder_for(params, n)) for n in params["files"]]
        svg = next(n for n in params["files"] if n.endswith(".svg"))
        wrong = [(n, params["folders"][2] if n == svg else f) for n, f in right]
        return {
            "one left unsorted": self.plan(params, right[:-1]),
            "the SVG with the notes": self.plan(params, wrong),
        }
