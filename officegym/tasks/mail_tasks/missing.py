"""An infeasible Mail task: reply to an email that is not in the mailbox (a look-alike is)."""

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
    Submit,
    Task,
    mentions,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.mail import add_thread
from officegym.tasks.mail_tasks.common import (
    PROJECTS,
    activity,
    open_thread,
    people,
    search,
    sent,
)
from officegym.tasks.mail_tasks.conversations import REPLIES

SUBJECTS = (
    "Contract renewal for {p} no. {n}",
    "Purchase order {n} for {p}",
    "{p} offer letter draft {n}",
)


@register
class ReplyToMissingEmail(Task):
    """The sender wrote about the same project under another number: the email asked for is not
    there, and the right outcome is to say so, naming it."""

    id = "mail.reply-to-missing-email"
    instruction = "Reply to {sender_name}'s email “{subject}” with the message: {reply}"
    tags = ("infeasible", "search", "reading", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        sender = rng.choice(people(apps["mail"]))
        template, project = rng.choice(SUBJECTS), rng.choice(PROJECTS)
        number, there = (str(n) for n in rng.sample(range(1000, 9999), 2))
        return {
            "sender_name": sender["name"],
            "sender_email": sender["email"],
            "number": number,
            "subject": template.format(p=project, n=number),
            "lookalike": template.format(p=project, n=there),
            "reply": rng.choice(REPLIES),
            "minutes_ago": rng.randint(30, 4000),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        first = params["sender_name"].split()[0]
        add_thread(
            apps["mail"],
            params["lookalike"],
            params["sender_email"],
            f"Hi Alex,\n\nCould you take a look at this one when you have a moment?\n\n{first}",
            minutes_ago=params["minutes_ago"],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["mail"]
        changed = activity(store)
        return [
            Checkpoint(
                "answered that the email is not there, naming it",
                says_infeasible(answer) and mentions(answer, params["number"]),
                detail=str(answer),
            ),
            Checkpoint("no mail sent", not sent(store), "guard"),
            Checkpoint("no conversation changed", not changed, "guard", detail=str(changed)),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *search(f"from:{params['sender_email']}"),
            Submit(
                f"There is no email “{params['subject']}” from {params['sender_name']} in the "
                "mailbox (only a look-alike with another number), so I cannot reply to it."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "replied to the look-alike": [
                *open_thread(params["lookalike"]),
                ClickOn("button", "Reply", exact=True),
                FillIn("textbox", "Message body", params["reply"]),
                ClickOn("button", "Send", exact=True),
                Submit(f"There is no email “{params['subject']}”, so I replied to the other one."),
            ],
            "cannot, without saying why": [
                *search(f"from:{params['sender_email']}"),
                Submit("Sorry, I cannot do that."),
            ],
        }
