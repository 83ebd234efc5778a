"""Cross-app templates that gather from several apps before acting: a status reply that needs a
count from Code and a date from Calendar, a document that people in a channel asked for."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, time
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
from officegym.tasks.apps.calendar import add_event
from officegym.tasks.apps.chat import add_message
from officegym.tasks.apps.code import ORG, REPOS, add_issue, repo_id
from officegym.tasks.apps.docs import add_document
from officegym.tasks.apps.people import colleagues
from officegym.tasks.calendar_tasks.common import (
    THIS_WEEK,
    days_in,
    iso,
    month_day,
    without_days_and_times,
)
from officegym.tasks.chat_tasks.common import new_messages, open_channel, post
from officegym.tasks.code_tasks.common import open_repo, unique_title
from officegym.tasks.cross_tasks.common import (
    PROJECTS,
    colleague,
    handle,
    mail_from_sender,
    replies_in,
    switch_to,
)
from officegym.tasks.cross_tasks.untouched import mail_only_sent, untouched
from officegym.tasks.docs_tasks.common import open_doc
from officegym.tasks.mail_tasks.common import addrs, open_thread, sent


def open_bugs(apps: Apps, repo: str) -> int:
    """How many open issues labelled bug the repository has."""
    return int(
        apps["code"].scalar(
            "SELECT count(*) FROM issues i JOIN issue_labels l ON l.issue_id = i.id WHERE "
            "i.repo_id = ? AND i.kind = 'issue' AND i.state = 'open' AND l.label = 'bug'",
            (repo_id(apps["code"], repo),),
        )
    )


@register
class StatusReply(Task):
    id = "cross.status-reply"
    apps = ("mail", "code", "calendar")
    instruction = "Reply to {sender_name}'s email “{subject}” with the two things it asks for."
    tags = ("cross-app", "reading", "filters", "compose", "hard")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        who = colleague(rng, apps["mail"])
        project = rng.choice(PROJECTS)
        repo = rng.choice(REPOS)[0]
        day, other = rng.sample(THIS_WEEK, 2)
        bugs = [unique_title(rng) for _ in range(rng.randint(2, 4))]
        return {
            "sender_name": who["name"],
            "sender": who["email"],
            "subject": f"{project} status for the weekly report",
            "org": ORG,
            "repo": repo,
            "author": rng.choice(colleagues(apps["code"]))["handle"],
            "bugs": bugs,
            "fixed": unique_title(rng),
            # The setup opens these bugs, and a closed one.
            "count": open_bugs(apps, repo) + len(bugs),
            "deadline": f"{project} release deadline",
            "decoy": f"{project} beta deadline",
            "at": iso(day, time(17, 0)),
            "decoy_at": iso(other, time(12, 0)),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        rid = repo_id(apps["code"], params["repo"])
        opened = [(title, "open") for title in params["bugs"]]
        for title, state in [*opened, (params["fixed"], "closed")]:
            add_issue(
                apps["code"], rid, title, "Seen in production.", params["author"],
                state=state, labels=["bug"],
            )  # fmt: skip
        add_event(apps["calendar"], params["decoy"], params["decoy_at"], 30)
        add_event(apps["calendar"], params["deadline"], params["at"], 30)
        ask = (
            "For the weekly report I need two things: how many open issues labelled bug "
            f"{params['org']}/{params['repo']} has, and the date of the “{params['deadline']}” "
            "on your calendar."
        )
        mail_from_sender(apps["mail"], params, ask, minutes_ago=80, thanks=True)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        replies = replies_in(store, params["subject"])
        last = replies[-1] if replies else None
        text = last["body"] if last else ""
        days = days_in(text)
        said = numbers_in(without_days_and_times(text))  # a day's or an hour's number is no count
        right = (
            last is not None
            and addrs(last["to_addrs"]) == {params["sender"]}
            and date.fromisoformat(params["at"][:10]) in days
            and date.fromisoformat(params["decoy_at"][:10]) not in days
            and params["count"] in said
            and params["count"] + 1 not in said
        )
        return [
            Checkpoint(
                "replied with the open bug count and the deadline",
                right,
                detail=f"{last['to_addrs']}: {last['body']}" if last else "no reply",
            ),
            Checkpoint("no other mail sent", len(sent(store)) == len(replies[:1]), "guard"),
            *untouched(apps, "code", "calendar"),
            mail_only_sent(apps["mail"]),
        ]

    def plan(self, params: Mapping[str, Any], count: int, at: str) -> list[PlanStep]:
        day = month_day(date.fromisoformat(at[:10]))
        reply = f"{count} open bugs. The {params['deadline']} is on {day}."
        return [
            *open_thread(params["subject"]),
            *switch_to("Code"),
            *open_repo(params["repo"]),
            ClickOn("link", "Issues"),
            ClickOn("link", "Filter by label bug"),
            *switch_to("Calendar"),
            ClickOn("link", params["deadline"]),
            *switch_to("Mail"),
            *open_thread(params["subject"]),
            ClickOn("button", "Reply"),
            FillIn("textbox", "Message body", reply),
            ClickOn("button", "Send"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["count"], params["at"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the closed bug counted too": self.plan(params, params["count"] + 1, params["at"]),
            "the beta deadline's date": self.plan(params, params["count"], params["decoy_at"]),
        }


@register
class DocSummaryToChat(Task):
    id = "cross.doc-summary-to-chat"
    apps = ("chat", "docs")
    start_path = "/c/general"
    instruction = (
        "People in #{channel} asked for the document “{doc}”. Share it as viewer with everyone "
        "there who asked for it, then post its summary (the sentence after “Summary:”) in "
        "#{channel}."
    )
    tags = ("cross-app", "reading", "sharing", "autocomplete", "medium")
    max_steps = 45

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        people = rng.sample(colleagues(apps["chat"]), 3)
        project = rng.choice(PROJECTS)
        n, m = rng.sample(range(10, 99), 2)
        reached, other = rng.sample(range(12, 60), 2)
        line = "The {p} pilot reached {n} customers and the rollout starts in {month}."
        return {
            "channel": rng.choice(("engineering", "design", "sales", "random")),
            "doc": f"{project} pilot report {n}",
            "decoy": f"{project} pilot report {m}",
            "summary": line.format(p=project, n=reached, month=rng.choice(("May", "June"))),
            "decoy_summary": line.format(p=project, n=other, month=rng.choice(("July", "August"))),
            # The first two ask for it; the third has read it and does not.
            "names": [p["name"] for p in people],
            "emails": [p["email"] for p in people],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for key, summary, minutes in (("decoy", "decoy_summary", 900), ("doc", "summary", 300)):
            body = f"Summary: {params[summary]}\n\nDetails: feedback, numbers and next steps."
            add_document(apps["docs"], params[key], body, minutes_ago=minutes)
        said = (
            (
                params["emails"][0],
                f"Has anyone got the “{params['doc']}”? I would like to read it.",
            ),
            (params["emails"][2], "I have read it already, no need to share it with me."),
            (params["emails"][1], "Alex, could you share it with me too?"),
        )
        for k, (email, text) in enumerate(said):
            add_message(
                apps["chat"], handle(email), text, minutes_ago=200 - k, channel=params["channel"]
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        docs = apps["docs"]
        did = docs.scalar("SELECT id FROM documents WHERE title = ?", (params["doc"],))
        shares = {
            (s["email"], s["role"])
            for s in docs.query("SELECT email, role FROM shares WHERE doc_id = ?", (did,))
        }
        wanted = {(e, "viewer") for e in params["emails"][:2]}
        other = [
            a
            for a in docs.query("SELECT * FROM activity ORDER BY id")
            if a["doc_id"] != did or a["verb"] != "share"
        ]
        posted = new_messages(apps["chat"])
        cid = apps["chat"].scalar("SELECT id FROM channels WHERE name = ?", (params["channel"],))
        right = [
            m
            for m in posted
            if m["channel_id"] == cid
            and norm(m["text"]).rstrip(".") == norm(params["summary"]).rstrip(".")
        ]
        return [
            Checkpoint("shared with both who asked", wanted <= shares, detail=str(shares)),
            Checkpoint("the summary posted", bool(right)),
            Checkpoint("shared with nobody else", shares <= wanted, "guard", detail=str(shares)),
            Checkpoint("nothing else changed in Docs", not other, "guard", detail=str(other)),
            Checkpoint("nothing else posted", len(posted) == len(right[:1]), "guard"),
        ]

    def plan(self, params: Mapping[str, Any], doc: str, people: list[int]) -> list[PlanStep]:
        steps: list[PlanStep] = [
            *open_channel(params["channel"]),
            *switch_to("Docs"),
            *open_doc(params["doc"]),
        ]
        for k in people:
            steps += [
                ClickOn("button", "Share"),
                FillIn("combobox", "Add people", params["names"][k]),
                PressKey("Enter"),
                ClickOn("button", "Send"),
            ]
        summary = params["summary"] if doc == "doc" else params["decoy_summary"]
        return [*steps, *switch_to("Chat"), *post(params["channel"], summary), Submit()]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, "doc", [0, 1])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "shared with the one who did not ask": self.plan(params, "doc", [0, 2]),
            "the other report's summary": self.plan(params, "decoy", [0, 1]),
        }
