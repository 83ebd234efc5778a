"""Drive templates answered from what Drive shows: which folder holds a file, who owns it, how
big it is, a value inside a PDF, and a file that was deleted forever (infeasible)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    PlanStep,
    Submit,
    Task,
    mentions,
    numbers_in,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.drive import (
    FOLDERS,
    VENDORS,
    add_file,
    add_history,
    add_share,
    file_data,
    human_size,
    invoice_lines,
    set_item,
)
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.drive_tasks.common import file_name, look_alike, nothing_changed, search
from officegym.tasks.drive_tasks.organize import DECOY, TARGET


def folder_id(apps: Apps, name: str) -> int:
    return int(
        apps["drive"].scalar(
            "SELECT id FROM items WHERE kind = 'folder' AND name = ? AND parent = 0", (name,)
        )
    )


class AnswerTask(Task):
    """A question about `name`; the setup adds it and a look-alike `decoy`."""

    apps = ("drive",)

    def answer_checks(
        self, apps: Apps, answer: str | None, right: str, wrong: str
    ) -> list[Checkpoint]:
        return [
            Checkpoint(
                "the answer",
                mentions(answer, right) and not mentions(answer, wrong),
                detail=f"answer {answer!r}",
            ),
            nothing_changed(apps["drive"]),
        ]


class NumberInFileTask(AnswerTask):
    """A number Drive shows about the file `name` or inside it (a size, an amount), asked as
    `value`; the look-alike `decoy` holds `decoy_lines`, whose number is `decoy_<value>`."""

    value: ClassVar[str]  # the params key of the right answer
    checked: ClassVar[str]  # the checkpoint's name

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_file(apps["drive"], params["decoy"], params["decoy_lines"], minutes_ago=DECOY)
        add_file(apps["drive"], params["name"], params["lines"], minutes_ago=TARGET)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        said = numbers_in(answer)
        right = numbers_in(params[self.value])[0]
        wrong = numbers_in(params[f"decoy_{self.value}"])[0]
        return [
            Checkpoint(
                self.checked, right in said and wrong not in said, detail=f"answer {answer!r}"
            ),
            nothing_changed(apps["drive"]),
        ]


@register
class WhichFolder(AnswerTask):
    id = "drive.which-folder"
    instruction = "Which folder is the file “{name}” in? Answer with the folder's name."
    tags = ("search", "reading", "answer", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        name = file_name(rng, rng.choice(("pdf", "txt")))
        folder, other = rng.sample(FOLDERS, 2)
        return {"name": name, "decoy": look_alike(name, rng), "folder": folder, "other": other}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_file(
            apps["drive"],
            params["decoy"],
            ["Copy"],
            parent=folder_id(apps, params["other"]),
            minutes_ago=DECOY,
        )
        add_file(
            apps["drive"],
            params["name"],
            ["Notes"],
            parent=folder_id(apps, params["folder"]),
            minutes_ago=TARGET,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return self.answer_checks(apps, answer, params["folder"], params["other"])

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*search(params["name"]), Submit(params["folder"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike's folder": [Submit(params["other"])],
            "both": [Submit(f"{params['folder']} or {params['other']}")],
        }


@register
class WhoOwns(AnswerTask):
    id = "drive.who-owns"
    instruction = "Who owns the file “{name}”? Answer with their name."
    tags = ("search", "reading", "answer", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        a, b = rng.sample(colleagues(apps["drive"]), 2)
        name = file_name(rng, "pdf")
        return {"name": name, "decoy": look_alike(name, rng), "owner": a["name"],
                "owner_email": a["email"],
                "other": b["name"], "other_email": b["email"]}  # fmt: skip

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["drive"]
        for key, owner, minutes in (
            ("decoy", "other_email", DECOY),
            ("name", "owner_email", TARGET),
        ):
            iid = add_file(store, params[key], ["Shared"], owner=params[owner], minutes_ago=minutes)
            add_share(store, iid, ME.email, "commenter")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return self.answer_checks(apps, answer, params["owner"], params["other"])

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*search(params["name"]), Submit(params["owner"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {"the look-alike's owner": [Submit(params["other"])], "me": [Submit(ME.name)]}


@register
class FileSize(NumberInFileTask):
    id = "drive.file-size"
    instruction = "How big is the file “{name}”? Answer with its size as Drive shows it."
    tags = ("search", "reading", "answer", "easy")
    value = "size"
    checked = "the size"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        name = file_name(rng, "txt")
        decoy = look_alike(name, rng)
        lines = [f"Item {i}: {rng.choice(FOLDERS)}" for i in range(rng.randint(3, 12))]
        decoy_lines = lines + [f"Extra {i}" for i in range(rng.randint(2, 6))]
        size = len(file_data("txt", name, lines))
        decoy_size = len(file_data("txt", decoy, decoy_lines))
        return {"name": name, "decoy": decoy, "lines": lines, "decoy_lines": decoy_lines,
                "size": human_size(size), "decoy_size": human_size(decoy_size)}  # fmt: skip

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*search(params["name"]), Submit(params["size"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike's size": [Submit(params["decoy_size"])],
            "the name": [Submit(params["name"])],
        }


@register
class AmountInPdf(NumberInFileTask):
    id = "drive.amount-in-pdf"
    instruction = "Open the PDF “{name}” and tell me the amount due on it."
    tags = ("search", "reading", "answer", "medium")
    value = "amount"
    checked = "the amount due"

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        vendor = rng.choice(VENDORS)
        number = rng.randint(3000, 3999)
        lines, decoy_lines = invoice_lines(rng, vendor), invoice_lines(rng, vendor)
        while lines[2] == decoy_lines[2]:
            decoy_lines = invoice_lines(rng, vendor)
        decoy = f"Invoice {number + rng.randint(1, 9)} {vendor}.pdf"
        return {"name": f"Invoice {number} {vendor}.pdf", "decoy": decoy,
                "lines": lines, "decoy_lines": decoy_lines, "amount": lines[2].split(": ")[1],
                "decoy_amount": decoy_lines[2].split(": ")[1]}  # fmt: skip

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *search(params["name"]),
            ClickOn("link", params["name"], exact=True),
            Submit(params["amount"]),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike's amount": [Submit(params["decoy_amount"])],
            "the invoice number": [Submit(params["lines"][0])],
        }


@register
class RestoreDeletedForever(AnswerTask):
    """The file was deleted forever (the Activity page says so): only a look-alike is in the
    trash."""

    id = "drive.restore-deleted-forever"
    instruction = "Restore the file “{name}” from the trash."
    tags = ("infeasible", "reading", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        name = file_name(rng, "pdf")
        return {"name": name, "decoy": look_alike(name, rng)}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        iid = add_file(apps["drive"], params["decoy"], ["Old"], minutes_ago=DECOY)
        set_item(apps["drive"], iid, trashed=1)
        add_history(apps["drive"], ME.email, "deleted forever", params["name"], 45)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        said = (answer or "").lower()
        stem = params["name"].rsplit(".", 1)[0].lower()
        why = stem in said or any(
            w in said for w in ("forever", "permanent", "deleted", "not in the trash")
        )
        return [
            Checkpoint(
                "answered that it cannot be done, saying why (naming the file)",
                says_infeasible(answer) and why,
                detail=f"answer {answer!r}",
            ),
            nothing_changed(apps["drive"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            ClickOn("link", "Trash", exact=True),
            ClickOn("link", "Activity", exact=True),
            Submit(
                f"I cannot restore “{params['name']}”: it was deleted forever, so it is no "
                "longer in the trash."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "restores the look-alike": [
                ClickOn("link", "Trash", exact=True),
                ClickOn("button", f"Actions for {params['decoy']}", exact=True),
                ClickOn("menuitem", "Restore"),
                Submit(
                    f"Restored. “{params['name']}” was deleted forever, so I cannot restore "
                    "that one."
                ),
            ],
            "no reason": [Submit("I cannot do that.")],
        }
