"""Long cross-app templates that turn a table or a list in one app into several records in
another: one email per project owner, one issue per action item."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    FillIn,
    PlanStep,
    PressKey,
    Submit,
    Task,
    norm,
    numbers_in,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.code import ORG, REPOS, repo_id
from officegym.tasks.apps.docs import add_document
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.apps.sheets import add_book
from officegym.tasks.code_tasks.common import open_repo
from officegym.tasks.cross_tasks.common import PROJECTS, switch_to
from officegym.tasks.cross_tasks.untouched import mail_only_sent, untouched
from officegym.tasks.docs_tasks.common import open_doc
from officegym.tasks.mail_tasks.common import addrs, compose, sent
from officegym.tasks.sheets_tasks.common import open_book

# How many of the table's projects the user mails, and how many rows the table has.
MAILED, TABLE_ROWS = 4, 6


def rotate(values: list[Any]) -> list[Any]:
    """The list shifted by one: every item gets its neighbour's value (a near miss)."""
    return values[1:] + values[:1]


@register
class BudgetsToOwners(Task):
    id = "cross.budgets-to-owners"
    apps = ("sheets", "mail")
    instruction = (
        "The spreadsheet “{book}” lists each project's owner and budget. Email the owners of "
        "{listed} their own project's budget: one email per project, with the subject "
        "“<project> budget” (e.g. “{example} budget”), the message just the amount."
    )
    tags = ("cross-app", "reading", "compose", "autocomplete", "bulk", "long-horizon", "hard")
    max_steps = 65  # 27 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        projects = rng.sample(PROJECTS, TABLE_ROWS)
        owners = rng.sample(colleagues(apps["mail"]), TABLE_ROWS)
        budgets = rng.sample(range(12_000, 95_000, 500), TABLE_ROWS)
        # Last year's book has the same rows with other figures: only its title tells them apart.
        old = [b + rng.choice((-1, 1)) * rng.randrange(1_000, 9_000, 500) for b in budgets]
        picked = sorted(rng.sample(range(TABLE_ROWS), MAILED))
        year = rng.choice((26, 27))
        return {
            "book": f"Project budgets FY{year}",
            "decoy_book": f"Project budgets FY{year - 1}",
            "projects": projects,
            "owner_names": [o["name"] for o in owners],
            "owners": [o["email"] for o in owners],
            "budgets": budgets,
            "old_budgets": old,
            "picked": picked,
            "listed": ", ".join(projects[i] for i in picked[:-1]) + f" and {projects[picked[-1]]}",
            "example": projects[picked[0]],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for key, figures in (("decoy_book", "old_budgets"), ("book", "budgets")):
            rows = [
                ["Project", "Owner", "Budget"],
                *(
                    [p, o, str(b)]
                    for p, o, b in zip(
                        params["projects"], params["owner_names"], params[figures], strict=True
                    )
                ),
            ]
            add_book(apps["sheets"], params[key], {"Budgets": rows})

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        mails = sent(apps["mail"])
        every = {*params["budgets"], *params["old_budgets"]}
        checks, right = [], []
        for i in params["picked"]:
            project, budget = params["projects"][i], params["budgets"][i]
            hits = [
                m
                for m in mails
                if norm(m["subject"]) == norm(f"{project} budget")
                # Cc counts: another owner must not see this project's budget.
                and addrs(m["to_addrs"]) | addrs(m["cc_addrs"]) == {params["owners"][i]}
                and budget in numbers_in(m["body"])
                and not (every - {budget}) & set(numbers_in(m["body"]))
            ]
            right += hits[:1]
            checks.append(
                Checkpoint(f"{params['owner_names'][i]} got the {project} budget", bool(hits))
            )
        return [
            *checks,
            Checkpoint("no other mail sent", len(mails) == len(right), "guard"),
            *untouched(apps, "sheets"),
            mail_only_sent(apps["mail"]),
        ]

    def plan(self, params: Mapping[str, Any], figures: list[int]) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_book(params["book"]), *switch_to("Mail")]
        for i, amount in zip(params["picked"], figures, strict=True):
            project = params["projects"][i]
            steps += compose([params["owner_names"][i]], f"{project} budget", str(amount))
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, [params["budgets"][i] for i in params["picked"]])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        mine = [params["budgets"][i] for i in params["picked"]]
        return {
            "last year's figures": self.plan(
                params, [params["old_budgets"][i] for i in params["picked"]]
            ),
            "each owner the next project's figure": self.plan(params, rotate(mine)),
        }


ACTIONS = (
    "Update the onboarding checklist",
    "Draft the hiring plan for Q3",
    "Fix the flaky export test",
    "Review the vendor contract",
    "Book the offsite venue",
    "Migrate the build to the new runner",
    "Write the release notes",
    "Clean up the staging database",
    "Renew the TLS certificates",
)


@register
class NotesToIssues(Task):
    id = "cross.notes-to-issues"
    apps = ("docs", "code")
    instruction = (
        "File each open action item of the meeting notes “{doc}” as an issue in {org}/{repo}: "
        "the item's text as the title, assigned to the person the item names. Skip items "
        "marked done."
    )
    tags = ("cross-app", "reading", "forms", "autocomplete", "bulk", "long-horizon", "hard")
    max_steps = 55  # 27 plan steps; typing takes three actions with pixels and keys

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = rng.sample(colleagues(apps["code"]), 6)
        actions = rng.sample(ACTIONS, 6)
        project = rng.choice(PROJECTS)
        week = rng.randint(10, 40)
        return {
            "org": ORG,
            "repo": rng.choice(REPOS)[0],
            "doc": f"{project} weekly sync, week {week}",
            "decoy_doc": f"{project} weekly sync, week {week - 1}",
            # Items 0-2 are open, 3 is done; 4-5 are last week's.
            "items": actions,
            "names": [p["name"] for p in people],
            "handles": [p["handle"] for p in people],
        }

    def notes(self, params: Mapping[str, Any], rows: range, done: int | None) -> str:
        lines = [
            f"- {params['names'][i]}: {params['items'][i]}" + (" (done)" if i == done else "")
            for i in rows
        ]
        return (
            "Attendees: the project team.\n\nDecisions: keep the release date.\n\n"
            "Action items:\n" + "\n".join(lines)
        )

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        last_week = self.notes(params, range(4, 6), None)
        add_document(apps["docs"], params["decoy_doc"], last_week, minutes_ago=10_000)
        this_week = self.notes(params, range(4), 3)
        add_document(apps["docs"], params["doc"], this_week, minutes_ago=120)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["code"]
        rid = repo_id(store, params["repo"])
        mine = store.query("SELECT * FROM issues WHERE author = ? ORDER BY id", (ME.handle,))
        checks, filed = [], set()
        for i in range(3):
            hits = [
                x
                for x in mine
                if x["repo_id"] == rid
                and norm(x["title"]).rstrip(".") == norm(params["items"][i])
                and x["assignee"] == params["handles"][i]
            ]
            filed |= {x["number"] for x in hits[:1]}
            checks.append(
                Checkpoint(f"“{params['items'][i]}” filed for {params['names'][i]}", bool(hits))
            )
        others = [
            a
            for a in store.query("SELECT * FROM activity ORDER BY id")
            if a["repo_id"] != rid
            or a["number"] not in filed
            or a["verb"] not in ("open", "assign")
        ]
        return [
            *checks,
            Checkpoint("no other issue opened", len(mine) == len(filed), "guard"),
            Checkpoint("nothing else changed", not others, "guard", detail=str(others)[:200]),
            *untouched(apps, "docs"),
        ]

    def file(self, title: str, name: str) -> list[PlanStep]:
        return [
            ClickOn("link", "Issues"),
            ClickOn("link", "New issue"),
            FillIn("textbox", "Title", title),
            ClickOn("button", "Submit new issue"),
            FillIn("combobox", "Assign someone", name),
            PressKey("Enter"),
            ClickOn("button", "Assign", exact=True),
        ]

    def plan(
        self, params: Mapping[str, Any], doc: str, items: list[int], names: list[str]
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [*open_doc(doc), *switch_to("Code"), *open_repo(params["repo"])]
        for i, name in zip(items, names, strict=True):
            steps += self.file(params["items"][i], name)
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["doc"], [0, 1, 2], params["names"][:3])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        names = params["names"]
        return {
            "each item to the next person": self.plan(
                params, params["doc"], [0, 1, 2], rotate(names[:3])
            ),
            "last week's items": self.plan(params, params["decoy_doc"], [4, 5], names[4:6]),
            "the done item too": self.plan(params, params["doc"], [0, 1, 2, 3], names[:4]),
        }
