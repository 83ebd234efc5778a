"""Drive templates about sharing: a document with a role (Docs sees it), link sharing, changing
and removing someone's access, an outsider when outside sharing is off (infeasible), and the
files of a folder each with its own person and role (long)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ChooseOption,
    ClickOn,
    PlanStep,
    Submit,
    Task,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.docs import add_document
from officegym.tasks.apps.docs import stamp as docs_stamp
from officegym.tasks.apps.drive import LINK_ROLES, ROLES, add_file, add_folder, add_share
from officegym.tasks.apps.people import colleagues
from officegym.tasks.drive_tasks.common import (
    OUTSIDERS,
    PROJECTS,
    file_name,
    item_by_stamp,
    look_alike,
    nothing_changed,
    only_changed,
    row_menu,
    search,
    share_steps,
)
from officegym.tasks.drive_tasks.organize import DECOY, TARGET, FileAndDecoyTask

# Words that say why an outside address cannot be added (the name alone does not).
OUTSIDE_REASONS = ("outside", "external", "directory", "admin", "domain", "turned off",
                   "not allowed")  # fmt: skip


@register
class ShareDocumentAsCommenter(Task):
    id = "drive.share-document"
    apps = ("drive", "docs")
    instruction = "In Drive, share the document “{title}” with {name} as a commenter."
    tags = ("search", "autocomplete", "dropdown", "sharing", "cross-app", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        title = (
            f"{rng.choice(PROJECTS)} {rng.choice(('plan', 'brief', 'notes'))} {rng.randint(10, 99)}"
        )
        people = rng.sample(colleagues(apps["drive"]), 2)
        return {
            "title": title,
            "decoy": f"{title} (old)",
            "name": people[0]["name"],
            "email": people[0]["email"],
            "other": people[1]["name"],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_document(apps["docs"], params["decoy"], "Superseded.", minutes_ago=DECOY)
        add_document(apps["docs"], params["title"], "Current plan.", minutes_ago=TARGET)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        docs = apps["docs"]
        did, decoy = (
            docs.scalar("SELECT id FROM documents WHERE created = ?", (docs_stamp(minutes),))
            for minutes in (TARGET, DECOY)
        )
        shares = {
            s["email"]: s["role"]
            for s in docs.query("SELECT * FROM shares WHERE doc_id = ?", (did,))
        }
        elsewhere = [
            a
            for a in docs.query("SELECT * FROM activity ORDER BY id")
            if a["doc_id"] != did or a["verb"] not in ("share", "unshare")
        ]
        return [
            Checkpoint(
                f"Docs shows {params['name']} as a commenter (and no one else)",
                shares == {params["email"]: "commenter"},
                detail=str(shares),
            ),
            only_changed(apps["drive"], {f"d{did}"}, {"share", "unshare"}),
            Checkpoint(
                "Docs: only the document's sharing changed",
                not elsewhere,
                "guard",
                detail=str(elsewhere)[:200],
            ),
            Checkpoint(
                "the old copy is shared with no one",
                not docs.query("SELECT * FROM shares WHERE doc_id = ?", (decoy,)),
                "guard",
            ),
        ]

    def plan(self, title: str, name: str, role: str) -> list[PlanStep]:
        return [*search(title), *row_menu(title, "Share"), *share_steps(name, role), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["title"], params["name"], "commenter")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the old copy": self.plan(params["decoy"], params["name"], "commenter"),
            "as a viewer": self.plan(params["title"], params["name"], "viewer"),
            "another person": self.plan(params["title"], params["other"], "commenter"),
        }


LINK_TEXT = dict(LINK_ROLES)  # what the General access menu says for each link role


@register
class LinkSharing(FileAndDecoyTask):
    id = "drive.link-sharing"
    instruction = "Turn on link sharing for “{name}”: anyone with the link can {verb} it."
    tags = ("dropdown", "sharing", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        role = rng.choice(("viewer", "commenter"))
        verb = {"viewer": "view", "commenter": "comment on"}[role]
        return {**super().sample_params(rng, apps), "role": role, "verb": verb}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, _ = self.items(apps)
        return [
            Checkpoint(
                f"anyone with the link: {params['role']}", target["link_role"] == params["role"]
            ),
            only_changed(apps["drive"], {target["ref"]}, {"link"}),
        ]

    def plan(self, name: str, role: str) -> list[PlanStep]:
        return [
            *row_menu(name, "Share"),
            ChooseOption("combobox", "General access", LINK_TEXT[role]),
            ClickOn("button", "Save changes"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["name"], params["role"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "editors": self.plan(params["name"], "editor"),
            "the look-alike": self.plan(params["decoy"], params["role"]),
        }


class SharedFileTask(FileAndDecoyTask):
    """The target and its look-alike are shared with `name` (as `role`) and with `other`."""

    role = "viewer"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        a, b = rng.sample(colleagues(apps["drive"]), 2)
        params = super().sample_params(rng, apps)
        return {**params, "person": a["name"], "email": a["email"], "other": b["name"],
                "other_email": b["email"], "file": params["name"]}  # fmt: skip

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        super().setup(apps, params)
        for minutes in (TARGET, DECOY):
            item = item_by_stamp(apps["drive"], minutes)
            assert item is not None
            add_share(apps["drive"], item["id"], params["email"], self.role)
            add_share(apps["drive"], item["id"], params["other_email"], self.role)

    def roles(self, apps: Apps) -> tuple[dict[str, str], dict[str, str]]:
        out = []
        for minutes in (TARGET, DECOY):
            item = item_by_stamp(apps["drive"], minutes)
            assert item is not None
            rows = apps["drive"].query(
                "SELECT email, role FROM shares WHERE ref = ?", (item["ref"],)
            )
            out.append({r["email"]: r["role"] for r in rows})
        return out[0], out[1]

    def plan(self, file: str, person: str, option: str) -> list[PlanStep]:
        return [
            *row_menu(file, "Share"),
            ChooseOption("combobox", f"Role for {person}", option),
            ClickOn("button", "Save changes"),
            Submit(),
        ]


@register
class ChangePermission(SharedFileTask):
    id = "drive.change-permission"
    instruction = "{person} can only view “{file}”. Make {person} an editor of it."
    tags = ("dropdown", "sharing", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.roles(apps)
        ref = item_by_stamp(apps["drive"], TARGET)["ref"]  # type: ignore[index]
        return [
            Checkpoint(f"{params['person']} is an editor", target.get(params["email"]) == "editor"),
            Checkpoint("others unchanged", target.get(params["other_email"]) == "viewer", "guard"),
            Checkpoint("the look-alike unchanged", decoy.get(params["email"]) == "viewer", "guard"),
            only_changed(apps["drive"], {ref}, {"share"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["file"], params["person"], "Editor")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other person": self.plan(params["file"], params["other"], "Editor"),
            "commenter": self.plan(params["file"], params["person"], "Commenter"),
            "the look-alike": self.plan(params["decoy"], params["person"], "Editor"),
        }


@register
class RemoveAccess(SharedFileTask):
    id = "drive.remove-access"
    instruction = "Remove {person}'s access to “{file}”; everyone else keeps theirs."
    tags = ("dropdown", "sharing", "easy")
    role = "commenter"

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        target, decoy = self.roles(apps)
        ref = item_by_stamp(apps["drive"], TARGET)["ref"]  # type: ignore[index]
        return [
            Checkpoint(f"{params['person']} has no access", params["email"] not in target),
            Checkpoint(
                "others keep theirs", target.get(params["other_email"]) == "commenter", "guard"
            ),
            Checkpoint("the look-alike unchanged", params["email"] in decoy, "guard"),
            only_changed(apps["drive"], {ref}, {"unshare"}),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params["file"], params["person"], "Remove access")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the other person": self.plan(params["file"], params["other"], "Remove access"),
            "made a viewer": self.plan(params["file"], params["person"], "Viewer"),
        }


@register
class ShareWithOutsider(FileAndDecoyTask):
    """Outside sharing is off (the administrator's setting), so an outside address cannot be
    added."""

    id = "drive.share-with-outsider"
    instruction = "Share “{name}” with {outsider} ({address}) as a viewer."
    tags = ("sharing", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        outsider, address = rng.choice(OUTSIDERS)
        colleague = rng.choice(colleagues(apps["drive"]))["name"]
        return {**super().sample_params(rng, apps), "outsider": outsider, "address": address,
                "colleague": colleague}  # fmt: skip

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        super().setup(apps, params)
        apps["drive"].execute("UPDATE settings SET value = 'off' WHERE key = 'outside_sharing'")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        said = (answer or "").lower()
        why = any(word in said for word in OUTSIDE_REASONS)
        return [
            Checkpoint(
                "answered that it cannot be done, saying why (outside sharing is off)",
                says_infeasible(answer) and why,
                detail=f"answer {answer!r}",
            ),
            nothing_changed(apps["drive"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *row_menu(params["name"], "Share"),
            Submit(
                f"I cannot share it: sharing outside Northwind is turned off by the administrator, "
                f"and {params['address']} is outside the directory."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "no reason": [*row_menu(params["name"], "Share"), Submit("Sorry, I cannot do that.")],
            "a colleague instead": [
                *row_menu(params["name"], "Share"),
                *share_steps(params["colleague"], "viewer"),
                Submit(f"I cannot reach {params['outsider']}, so I shared it with a colleague."),
            ],
        }


@register
class ShareFolderFiles(Task):
    id = "drive.share-folder-files"
    apps = ("drive",)
    instruction = (
        "In the folder “{folder}”, share “{files[0]}” with {people[0]} as a viewer, “{files[1]}” "
        "with {people[1]} as a commenter and “{files[2]}” with {people[2]} as an editor."
    )
    tags = ("autocomplete", "dropdown", "sharing", "bulk", "long-horizon", "hard")
    max_steps = 45
    ROLES = ROLES  # the files' roles, in order: Drive's roles

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project = rng.choice(PROJECTS)
        files: list[str] = []
        while len(files) < 3:
            name = f"{project} {file_name(rng, rng.choice(('pdf', 'txt'))).split(' ', 1)[1]}"
            if all(name.rsplit(" ", 1)[0] != f.rsplit(" ", 1)[0] for f in files):
                files.append(name)
        people = rng.sample(colleagues(apps["drive"]), 3)
        return {
            "folder": f"{project} shared files",
            "files": files,
            "people": [p["name"] for p in people],
            "emails": [p["email"] for p in people],
            "decoy": look_alike(files[0], rng),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        fid = add_folder(apps["drive"], params["folder"], minutes_ago=30)
        add_file(apps["drive"], params["decoy"], ["Old"], parent=fid, minutes_ago=29)
        for i, name in enumerate(params["files"]):
            add_file(apps["drive"], name, ["Shared notes"], parent=fid, minutes_ago=20 + i, seed=i)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store, wrong, refs = apps["drive"], [], set()
        for i, role in enumerate(self.ROLES):
            item = item_by_stamp(store, 20 + i)
            assert item is not None
            refs.add(item["ref"])
            shares = {
                r["email"]: r["role"]
                for r in store.query("SELECT * FROM shares WHERE ref = ?", (item["ref"],))
            }
            if shares != {params["emails"][i]: role}:
                wrong.append((params["files"][i], shares))
        return [
            Checkpoint("each file shared with its person and role", not wrong, detail=str(wrong)),
            only_changed(store, refs, {"share"}),
        ]

    def plan(
        self, params: Mapping[str, Any], files: list[str], roles: tuple[str, ...]
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [ClickOn("link", params["folder"], exact=True)]
        for file, person, role in zip(files, params["people"], roles, strict=True):
            steps += [*row_menu(file, "Share"), *share_steps(person, role), ClickOn("link", "Done")]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["files"], self.ROLES)

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        files = params["files"]
        return {
            "roles swapped": self.plan(params, files, ("viewer", "editor", "commenter")),
            "the look-alike": self.plan(params, [params["decoy"], files[1], files[2]], self.ROLES),
        }
