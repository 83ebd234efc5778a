"""Cross-app templates that act on what someone asks: a triage meeting with an issue's people,
and a request to share a document that is not there."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
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
from officegym.tasks.apps.calendar import day_text, parse_time, time_text
from officegym.tasks.apps.code import ORG, REPOS, add_issue, repo_id
from officegym.tasks.apps.docs import add_document
from officegym.tasks.apps.people import colleagues
from officegym.tasks.calendar_tasks.common import (
    NEXT_WEEK,
    events_titled,
    guests_of,
    iso,
    plus,
    slot,
)
from officegym.tasks.code_tasks.common import open_issue, unique_title
from officegym.tasks.cross_tasks.common import PROJECTS, colleague, mail_from_sender, switch_to
from officegym.tasks.cross_tasks.untouched import mail_only_sent, untouched
from officegym.tasks.docs_tasks.common import open_doc
from officegym.tasks.mail_tasks.common import addrs, open_thread, sent


@register
class IssueToMeeting(Task):
    id = "cross.issue-to-meeting"
    apps = ("code", "calendar")
    instruction = (
        "Set up a 30-minute meeting titled “{meeting}” on {day_text} at {start} with the author "
        "and the assignee of the issue “{title}” in {org}/{repo}."
    )
    tags = ("cross-app", "reading", "forms", "autocomplete", "medium")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        # 0, 1: the issue's author and assignee; 2, 3: the look-alike's.
        people = rng.sample(colleagues(apps["code"]), 4)
        title = unique_title(rng)
        n = int(title.rsplit("(", 1)[1].rstrip(")"))
        day, start = slot(rng, NEXT_WEEK)
        return {
            "org": ORG,
            "repo": rng.choice(REPOS)[0],
            "title": title,
            "decoy": title.rsplit("(", 1)[0] + f"({(n - 100 + 37) % 900 + 100})",
            "meeting": f"Triage of issue {rng.randint(100, 999)}",
            "date": day.isoformat(),
            "day_text": day_text(day),
            "start": time_text(start),
            "names": [p["name"] for p in people],
            "handles": [p["handle"] for p in people],
            "emails": [p["email"] for p in people],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        rid = repo_id(apps["code"], params["repo"])
        for key, k, minutes in (("decoy", 2, 300), ("title", 0, 200)):
            add_issue(
                apps["code"], rid, params[key], "Reported by a customer.", params["handles"][k],
                assignee=params["handles"][k + 1], labels=["bug"], minutes_ago=minutes,
            )  # fmt: skip

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["calendar"]
        activity = store.query("SELECT * FROM activity ORDER BY id")
        created = {a["event_id"] for a in activity if a["verb"] == "create"}
        made = [e for e in events_titled(store, params["meeting"]) if e["id"] in created]
        event = made[0] if made else None
        day, start = date.fromisoformat(params["date"]), parse_time(params["start"])
        guests = guests_of(store, event["id"]) if event else set()
        # Saving the meeting and then correcting it (its form, or a drag to another day) is fine.
        other = [
            a
            for a in activity
            if a["verb"] not in ("create", "edit", "move")
            or event is None
            or a["event_id"] != event["id"]
        ]
        return [
            Checkpoint(
                "the meeting with the issue's author and assignee",
                event is not None and guests == set(params["emails"][:2]),
                detail=str(sorted(guests)),
            ),
            Checkpoint(
                f"on {params['day_text']} at {params['start']}, for 30 minutes",
                event is None
                or (event["start"], event["end"]) == (iso(day, start), iso(day, plus(start, 30))),
                "guard",
            ),
            Checkpoint("nothing else changed", not other, "guard", detail=str(other)[:200]),
            *untouched(apps, "code"),
        ]

    def plan(self, params: Mapping[str, Any], issue: str, people: list[int]) -> list[PlanStep]:
        day, start = date.fromisoformat(params["date"]), parse_time(params["start"])
        steps: list[PlanStep] = [
            *open_issue(params["repo"], params[issue]),
            *switch_to("Calendar"),
            ClickOn("link", "Create"),
            FillIn("textbox", "Title", params["meeting"]),
            FillIn("textbox", "Date", day.isoformat()),
            FillIn("textbox", "Start time", time_text(start)),
            FillIn("textbox", "End time", time_text(plus(start, 30))),
        ]
        for k in people:
            steps += [FillIn("combobox", "Add guests", params["names"][k]), PressKey("Enter")]
        return [*steps, ClickOn("button", "Save"), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, "title", [0, 1])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the look-alike issue's people": self.plan(params, "decoy", [2, 3]),
            "only the assignee": self.plan(params, "title", [1]),
        }


@register
class ShareMissingDoc(Task):
    """The email asks to share a document that Docs does not have; one with another number
    does exist."""

    id = "cross.share-missing-doc"
    apps = ("mail", "docs")
    instruction = "Do what {sender_name} asks in the email “{subject}”."
    tags = ("cross-app", "reading", "search", "sharing", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        who = colleague(rng, apps["mail"])
        project = rng.choice(PROJECTS)
        n, m = rng.sample(range(10, 99), 2)
        return {
            "sender_name": who["name"],
            "sender": who["email"],
            "subject": f"Could you share the {project} hiring plan?",
            "missing": f"{project} hiring plan {n}",
            "lookalike": f"{project} hiring plan {m}",
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        add_document(
            apps["docs"], params["lookalike"], "Roles, budget and timeline.", minutes_ago=500
        )
        ask = f"Could you share “{params['missing']}” with me? I only need to read it."
        mail_from_sender(apps["mail"], params, ask, minutes_ago=60, thanks=True)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        mail = apps["mail"]
        tid = mail.scalar("SELECT id FROM threads WHERE subject = ?", (params["subject"],))
        # Only a reply to the asker: a forward stays in the thread but tells a third person.
        elsewhere = [
            m["body"]
            for m in sent(mail)
            if m["thread_id"] != tid
            or addrs(m["to_addrs"]) | addrs(m["cc_addrs"]) != {params["sender"]}
        ]
        return [
            Checkpoint(
                f"answered that there is no “{params['missing']}”",
                says_infeasible(answer) and mentions(answer, params["missing"]),
                detail=answer or "",
            ),
            Checkpoint("no other mail sent", not elsewhere, "guard", detail=str(elsewhere)),
            *untouched(apps, "docs"),
            mail_only_sent(apps["mail"]),
        ]

    def look(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_thread(params["subject"]),
            *switch_to("Docs"),
            FillIn("searchbox", "Search documents", params["missing"]),
            PressKey("Enter"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *self.look(params),
            Submit(
                f"There is no document “{params['missing']}” in Docs (only "
                f"“{params['lookalike']}”), so I cannot share it."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "shares the look-alike": [
                *open_thread(params["subject"]),
                *switch_to("Docs"),
                *open_doc(params["lookalike"]),
                ClickOn("button", "Share"),
                FillIn("combobox", "Add people", params["sender_name"]),
                PressKey("Enter"),
                ClickOn("button", "Send"),
                Submit(
                    f"Shared “{params['lookalike']}” instead; {params['missing']} is not there."
                ),
            ],
            "cannot, without saying why": [*self.look(params), Submit("I cannot do that.")],
        }
