"""Code-host templates with many steps of real work: triage six new issues (label each by its
area, assign the bugs); and one that cannot be done: assign an issue to someone who is not in
the organisation. (The line-by-line pull request review is in line_review.py.)"""

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
    mentions,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.code import ORG, REPOS, add_issue, repo_id
from officegym.tasks.apps.people import NAMES, colleagues
from officegym.tasks.code_tasks.common import TwoIssuesTask, issue, only, open_issue, open_repo

# What a new issue reports, by the label its area takes: each title says which it is.
AREAS = {
    "bug": (
        "Crash when exporting an empty report",
        "Invoice totals are off by one cent",
        "Search results include deleted items",
        "Login page loops after a password reset",
        "Dates show in the wrong time zone",
        "Uploads over 10 MB fail silently",
        "Session expires while a form is being typed",
    ),
    "enhancement": (
        "Add keyboard shortcuts to the editor",
        "Support exporting reports as PDF",
        "Let admins invite users in bulk",
        "Remember the last filter on the orders page",
        "Show a progress bar during imports",
        "Allow sorting the team list by start date",
    ),
    "documentation": (
        "Document the webhook payload fields",
        "The README is missing the setup steps",
        "Explain the retry settings in the user guide",
        "Add request examples to the API reference",
        "Describe the branch naming rules in the contributing guide",
        "Describe how to rotate API keys",
    ),
}
BODIES = {
    "bug": "Steps to reproduce are below. Expected it to work; it does not.",
    "enhancement": "It would help our team if the app could do this.",
    "documentation": "The docs do not say how this works yet.",
}


def _authors_in(store: StateStore, repo: str) -> set[str]:
    rows = store.query("SELECT author FROM issues WHERE repo_id = ?", (repo_id(store, repo),))
    return {r["author"] for r in rows}


@register
class TriageIssues(Task):
    """Six unlabelled, unassigned issues by one colleague (who filed nothing else in the
    repository) and a decoy: another colleague's unlabelled bug."""

    id = "code.triage-issues"
    apps = ("code",)
    instruction = (
        "Triage the six open issues that {author_name} (@{author}) filed in {org}/{repo}: give "
        "each the one label that says what it reports (bug, enhancement or documentation), and "
        "assign the bugs to {assignee_name}. Leave every other issue as it is."
    )
    tags = ("dropdown", "autocomplete", "reading", "navigation", "long-horizon", "hard")
    max_steps = 80  # up to 35 plan steps; with pixels and keys about 45

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["code"]
        repo = rng.choice(REPOS)[0]
        seen = _authors_in(store, repo)
        people = colleagues(store)
        author = rng.choice([p for p in people if p["handle"] not in seen])
        assignee, other = rng.sample([p for p in people if p["handle"] != author["handle"]], 2)
        bugs = rng.randint(2, 3)
        docs = rng.randint(1, 5 - bugs)
        areas = ["bug"] * bugs + ["documentation"] * docs + ["enhancement"] * (6 - bugs - docs)
        rng.shuffle(areas)
        titles = {a: rng.sample(AREAS[a], areas.count(a) + (a == "bug")) for a in AREAS}
        triage = [[titles[a].pop(), a] for a in areas]
        return {
            "org": ORG,
            "repo": repo,
            "author": author["handle"],
            "author_name": author["name"],
            "assignee": assignee["handle"],
            "assignee_name": assignee["name"],
            "issues": triage,  # [title, label] in the order they were filed
            "decoy": titles["bug"].pop(),
            "decoy_author": other["handle"],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, rid = apps["code"], repo_id(apps["code"], params["repo"])
        add_issue(
            store, rid, params["decoy"], BODIES["bug"], params["decoy_author"], minutes_ago=90
        )
        for n, (title, label) in enumerate(params["issues"]):
            add_issue(store, rid, title, BODIES[label], params["author"], minutes_ago=80 - 10 * n)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["code"]
        wrong, numbers = [], set()
        for title, label in params["issues"]:
            found = issue(store, params["repo"], title)
            if found is None:
                wrong.append(f"{title!r} is gone")
                continue
            numbers.add(found["number"])
            labels = sorted(
                r["label"]
                for r in store.query(
                    "SELECT label FROM issue_labels WHERE issue_id = ?", (found["id"],)
                )
            )
            assignee = params["assignee"] if label == "bug" else ""
            if labels != [label] or found["assignee"] != assignee:
                wrong.append(f"#{found['number']}: {labels}, assignee {found['assignee']!r}")
        allowed = {(verb, n) for verb in ("label", "unlabel", "assign") for n in numbers}
        return [
            Checkpoint(
                "each issue has its area's label, and the bugs are assigned",
                not wrong,
                detail="; ".join(wrong)[:200],
            ),
            only(store, allowed, params["repo"]),
        ]

    def triage(self, params: Mapping[str, Any], plan: list[tuple[str, str, str]]) -> list[PlanStep]:
        """Open each (title, label, assignee name or "") from the issue list and triage it."""
        steps: list[PlanStep] = [*open_repo(params["repo"]), ClickOn("link", "Issues")]
        for n, (title, label, name) in enumerate(plan):
            if n:
                steps.append(ClickOn("link", "Issues"))
            steps += [
                ClickOn("link", title, exact=True),
                ClickOn("button", "Labels", exact=True),
                ClickOn("menuitemcheckbox", label, exact=True),
            ]
            if name:
                steps += [
                    FillIn("combobox", "Assign someone", name),
                    PressKey("Enter"),
                    ClickOn("button", "Assign", exact=True),
                ]
        return [*steps, Submit()]

    def planned(
        self, params: Mapping[str, Any], assign: str = "bugs"
    ) -> list[tuple[str, str, str]]:
        name = params["assignee_name"]
        return [
            (title, label, name if assign == "all" or (assign == "bugs" and label == "bug") else "")
            for title, label in params["issues"]
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.triage(params, self.planned(params))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        decoy = (params["decoy"], "bug", params["assignee_name"])
        return {
            "labelled, no one assigned": self.triage(params, self.planned(params, "none")),
            "assigned every issue": self.triage(params, self.planned(params, "all")),
            "triaged the other person's bug too": self.triage(
                params, [*self.planned(params), decoy]
            ),
        }


# A person with a colleague's first name who is not in the organisation: the assignee picker
# does not know them, and offers the colleague instead.
SURNAMES = ("Whitfield", "Marlowe", "Castellano", "Brandt", "Okonkwo", "Lindqvist")


@register
class AssignOutsider(TwoIssuesTask):
    """The person is not in the organisation's people, so the issue cannot be assigned to them."""

    id = "code.assign-outsider"
    instruction = "Assign the issue “{title}” in {org}/{repo} to {name}."
    tags = ("autocomplete", "navigation", "answer", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        namesake = rng.choice(colleagues(apps["code"]))
        first = namesake["name"].split()[0]
        name = next(
            n
            for n in (f"{first} {s}" for s in rng.sample(SURNAMES, len(SURNAMES)))
            if n not in NAMES
        )
        return {**params, "org": ORG, "name": name, "namesake": namesake["name"]}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint(
                f"answered that it cannot be done: there is no {params['name']}",
                says_infeasible(answer) and mentions(answer, params["name"]),
                detail=f"answer {answer!r}",
            ),
            only(apps["code"], set(), params["repo"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_issue(params["repo"], params["title"]),
            FillIn("combobox", "Assign someone", params["name"]),
            Submit(
                f"I cannot assign it: there is no {params['name']} among the people of {ORG}, "
                "so the issue stays unassigned."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        first = params["name"].split()[0]
        return {
            "assigned the namesake": [
                *open_issue(params["repo"], params["title"]),
                FillIn("combobox", "Assign someone", first),
                PressKey("Enter"),
                ClickOn("button", "Assign", exact=True),
                Submit(f"There is no {params['name']}, so I assigned {params['namesake']}."),
            ],
            "cannot, without saying why": [
                *open_issue(params["repo"], params["title"]),
                Submit("Sorry, I cannot do that."),
            ],
        }
