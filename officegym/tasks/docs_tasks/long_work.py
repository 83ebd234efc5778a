"""Docs templates with many steps, and one that cannot be done: write a meeting's notes (a
heading, three paragraphs, a bold decision) and share them with three people in three roles;
edit a document shared with you only as a viewer."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from datetime import timedelta
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
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.calendar import TODAY
from officegym.tasks.apps.docs import ROLES, add_document, blocks, plain
from officegym.tasks.apps.people import ME, colleagues
from officegym.tasks.calendar_tasks.common import month_day
from officegym.tasks.docs_tasks.common import (
    PROJECTS,
    ROLE_TITLES,
    TwoDocsTask,
    activity,
    only_touched,
    open_doc,
)
from officegym.tasks.docs_tasks.formatting import find

MEETINGS = ("sync", "planning", "design review", "budget review")
DISCUSSED = (
    "We went through the open risks and the test plan for {p}.",
    "We compared the two vendor offers for {p} and the support they include.",
    "We reviewed the {p} budget line by line and the hiring plan.",
)
DECISIONS = (
    "The {p} launch moves to April {n}.",
    "We hire {n} more engineers for {p} this quarter.",
    "The {p} pilot starts with {n} customers.",
)


def day_label(days_ago: int) -> str:
    """“March 16” for today, “March 9” a week before."""
    return month_day(TODAY - timedelta(days=days_ago))


@register
class WriteMeetingNotes(Task):
    """A new document: a Heading 1, three paragraphs, the decision in bold; then shared with three
    people, one role each. Last week's notes of the same meeting are the look-alike."""

    id = "docs.write-meeting-notes"
    apps = ("docs",)
    instruction = (
        "Write the notes of today's meeting as a new document titled “{title}”. Its text: the "
        "heading “{heading}” as a Heading 1, then three paragraphs: “{p1}”, “{p2}” and “{p3}”. "
        "Make the decision, “{decision}”, bold. Then share the document with {sharing}."
    )
    tags = ("editing", "formatting", "sharing", "dropdown", "long-horizon", "hard")
    max_steps = 70  # 31 plan steps; with pixels and keys each of 7 fields takes three actions

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        project, meeting = rng.choice(PROJECTS), rng.choice(MEETINGS)
        people = rng.sample(colleagues(apps["docs"]), 3)
        roles = rng.sample(ROLES, 3)
        decision = rng.choice(DECISIONS).format(p=project, n=rng.randint(2, 9))
        first_names = [p["name"].split()[0] for p in people]
        shares = [[p["name"], p["email"], r] for p, r in zip(people, roles, strict=True)]
        return {
            "title": f"{project} {meeting} notes – {day_label(0)}",
            "decoy": f"{project} {meeting} notes – {day_label(7)}",
            "heading": f"{project} {meeting}, {day_label(0)}",
            "p1": f"Attendees: {first_names[0]}, {first_names[1]}, {first_names[2]} and Alex.",
            "p2": rng.choice(DISCUSSED).format(p=project),
            "p3": f"Decision: {decision} Next review in two weeks.",
            "decision": decision,
            "shares": shares,
            "sharing": ", ".join(f"{n} as {ROLE_TITLES[r]}" for n, _, r in shares[:2])
            + f" and {shares[2][0]} as {ROLE_TITLES[shares[2][2]]}",
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        body = f"# {params['heading'].rsplit(',', 1)[0]}, {day_label(7)}\n\n{params['p1']}"
        add_document(apps["docs"], params["decoy"], body, minutes_ago=7 * 24 * 60)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["docs"]
        created = [a["doc_id"] for a in activity(store) if a["verb"] == "create"]
        made = [
            d
            for d in store.query("SELECT * FROM documents WHERE trashed = 0 ORDER BY id")
            if d["id"] in created and norm(d["title"]) == norm(params["title"])
        ]
        body = made[0]["body"] if made else ""
        parts = blocks(body)
        shares = (
            {(s["email"], s["role"]) for s in store.query(
                "SELECT * FROM shares WHERE doc_id = ?", (made[0]["id"],))}
            if made else set()
        )  # fmt: skip
        asked = {(email, role) for _, email, role in params["shares"]}
        paragraphs = [norm(plain(b)) for b in parts[1:]]
        return [
            Checkpoint(f"a document “{params['title']}”", bool(made)),
            Checkpoint(
                "the heading first, as a Heading 1",
                bool(parts) and norm(parts[0]) == norm(f"# {params['heading']}"),
                detail=body[:80],
            ),
            Checkpoint(
                "the three paragraphs",
                paragraphs == [norm(params[k]) for k in ("p1", "p2", "p3")],
                detail=str(paragraphs)[:200],
            ),
            Checkpoint(
                "the decision bold, and nothing else",
                f"**{params['decision']}**" in body and body.count("*") == 4,
            ),
            *(
                Checkpoint(f"shared with {name} as {role}", (email, role) in shares)
                for name, email, role in params["shares"]
            ),
            # Guards: a wrong role gives someone rights they should not have.
            Checkpoint("no one else, no other role", shares <= asked, "guard", detail=str(shares)),
            Checkpoint("one document made", len(created) <= 1, "guard"),
            only_touched(store, set(created[:1]), {"create", "rename", "edit", "share"}),
        ]

    def write(self, params: Mapping[str, Any], opening: list[PlanStep]) -> list[PlanStep]:
        """Open a document with `opening`, write the notes in it and share it."""
        text = "\n\n".join(params[k] for k in ("heading", "p1", "p2", "p3"))
        steps: list[PlanStep] = [
            *opening,
            FillIn("textbox", "Document title", params["title"]),
            FillIn("textbox", "Document body", text),
            *find(params["decision"]),
            PressKey("Control+b"),
            # The heading last: the Style menu stays open after a choice, over the Find button.
            *find(params["heading"]),
            ClickOn("button", "Style", exact=True),
            ClickOn("menuitem", "Heading 1", exact=True),
        ]
        for name, _, role in params["shares"]:
            steps += [
                ClickOn("button", "Share"),
                FillIn("combobox", "Add people", name),
                PressKey("Enter"),
                ClickOn("button", "Role:"),
                ClickOn("menuitemradio", role.capitalize()),
                ClickOn("button", "Send"),
            ]
        return [*steps, Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.write(params, [ClickOn("button", "Blank document")])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        shares = params["shares"]
        rotated = [[*s[:2], shares[(i + 1) % 3][2]] for i, s in enumerate(shares)]
        return {
            "the roles mixed up": self.write(
                {**params, "shares": rotated}, [ClickOn("button", "Blank document")]
            ),
            "written over last week's notes": self.write(params, open_doc(params["decoy"])),
        }


# Words that say why a viewer cannot edit: view-only access, no edit rights, someone else owns it.
VIEW_ONLY = (
    "viewer",
    "view only",
    "view-only",
    "read-only",
    "read only",
    "only view",
    "permission",
    "access",
    "edit right",
    "editing right",
    "owner",
    "owned by",
    "not mine",
)
# Saying the user lacks the right says it cannot be done as well as “cannot” does: “I don't
# have edit access”, “it is not mine, only its owner can edit it”.
LACKS = re.compile(
    r"\b(?:do not|don['’]t|does not|doesn['’]t) have\b|\bno (?:edit )?access\b|\bnot mine\b|"
    r"\bonly (?:its|the) owner\b|\bnot (?:allowed|permitted)\b",
    re.I,
)


def gives_the_reason(answer: str | None, owner: str) -> bool:
    """Whether an answer says why: the user only views it (in words) or it is the owner's."""
    said = norm(answer)
    return any(w in said for w in VIEW_ONLY) or mentions(answer, owner)


@register
class EditViewOnly(TwoDocsTask):
    """A colleague's document shared with the user as a viewer: it cannot be edited. The
    look-alike is the user's own document with a similar title, which can."""

    id = "docs.edit-view-only"
    infeasible = True
    instruction = "In the document “{title}”, change the budget from {amount} to {new_amount}."
    tags = ("editing", "search", "infeasible", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        owner = rng.choice(colleagues(apps["docs"]))
        new_amount = f"${rng.randrange(12_000, 95_000, 50) + 100_000:,}"
        return {
            **params,
            "owner_name": owner["name"],
            "owner": owner["email"],
            "new_amount": new_amount,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["docs"]
        add_document(store, params["decoy"], params["decoy_body"], minutes_ago=50)
        add_document(
            store,
            params["title"],
            params["body"],
            owner=params["owner"],
            minutes_ago=40,
            shares=[(ME.email, "viewer")],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["docs"]
        return [
            Checkpoint(
                "answered that a viewer cannot edit it",
                (says_infeasible(answer) or bool(LACKS.search(answer or "")))
                and gives_the_reason(answer, params["owner_name"]),
                detail=f"answer {answer!r}",
            ),
            Checkpoint(
                "the text is unchanged",
                self.target(store, params)["body"] == params["body"],
                "guard",
            ),
            only_touched(store, set(), set()),
        ]

    def reason(self, params: Mapping[str, Any]) -> str:
        return (
            f"I cannot change “{params['title']}”: {params['owner_name']} shared it with me as a "
            "viewer only, so I cannot edit it."
        )

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*open_doc(params["title"]), Submit(self.reason(params))]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        edited = params["decoy_body"].replace(params["decoy_amount"], params["new_amount"])
        return {
            "edited the own look-alike": [
                *open_doc(params["decoy"]),
                FillIn("textbox", "Document body", edited),
                Submit(self.reason(params)),
            ],
            "no reason given": [*open_doc(params["title"]), Submit("Sorry, I cannot do that.")],
        }
