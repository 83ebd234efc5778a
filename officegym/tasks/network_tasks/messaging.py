"""Network templates on messaging: reply in a conversation, message the recruiter of a job, and
(infeasible) message someone who takes messages from connections only."""

from __future__ import annotations

import random
import re
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
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.network import (
    COMPANIES,
    OUTSIDE_TITLES,
    RECRUITER_TITLES,
    add_job,
    add_person,
    add_thread,
    find_person,
    sent_messages,
)
from officegym.tasks.network_tasks.common import (
    WriteTextTask,
    new_name,
    only_changes,
    open_job,
    open_profile,
)
from officegym.tasks.network_tasks.jobs import TASK_JOB_TITLES

QUESTIONS = (
    ("Can you send me the {p} budget by Friday?", "Yes, I will send the {p} budget by Friday."),
    ("Are you joining the {p} kickoff tomorrow?", "Yes, I will be at the {p} kickoff."),
    ("Who should own the {p} vendor review?", "Let Priya own the {p} vendor review."),
)
# Why a message cannot be sent: not a connection (connected, connections…), they accept
# messages from connections only, messaging is closed.
NOT_CONNECTED_REASON = re.compile(r"\bconnect\w*|\baccepts? (?:\w+ )?messages?\b|\bclosed\b")
PROJECTS = ("Atlas", "Beacon", "Comet", "Harbor", "Juniper", "Orion")


def thread_of(apps: Apps, person_id: int) -> int:
    return int(apps["network"].scalar("SELECT id FROM threads WHERE person_id = ?", (person_id,)))


@register
class ReplyInThread(WriteTextTask):
    id = "network.reply-in-thread"
    apps = ("network",)
    instruction = "{name} asked you something in Network's messaging. Reply: “{reply}”"
    tags = ("reading", "forms", "easy")
    places, text_key = ("name", "decoy"), "reply"
    decoy_miss, other_text = "the other conversation", "Ok."

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        free = store.query(
            "SELECT name FROM people WHERE degree = 1 AND id NOT IN "
            "(SELECT person_id FROM threads) ORDER BY id"
        )
        names = [p["name"] for p in free]
        name, decoy = rng.sample([n for n in names if names.count(n) == 1], 2)
        (q, reply), (dq, _) = rng.sample(QUESTIONS, 2)
        project, other = rng.sample(PROJECTS, 2)
        return {
            "name": name,
            "decoy": decoy,
            "question": q.format(p=project),
            "reply": reply.format(p=project),
            "decoy_question": dq.format(p=other),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["network"]
        for key, minutes in (("name", 40), ("decoy", 20)):
            pid = find_person(store, params[key])
            assert pid is not None
            question = params["question" if key == "name" else "decoy_question"]
            add_thread(store, pid, [(False, question)], minutes_ago=minutes, unread=True)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        pid = find_person(store, params["name"])
        assert pid is not None
        sent = sent_messages(store, pid)
        tid = thread_of(apps, pid)
        return [
            Checkpoint("replied", [norm(m["body"]) for m in sent] == [norm(params["reply"])]),
            only_changes(store, {("message", "thread", tid)}),
        ]

    def write(self, place: str, text: str) -> list[PlanStep]:
        return [
            ClickOn("link", "Messaging"),
            ClickOn("link", place),
            FillIn("textbox", "Write a message", text),
            ClickOn("button", "Send", exact=True),
            Submit(),
        ]


@register
class MessageRecruiter(Task):
    id = "network.message-recruiter"
    apps = ("network",)
    instruction = (
        "Message the recruiter who posted the {title} job at {company} on Network: “{text}”"
    )
    tags = ("search", "reading", "forms", "medium")
    TEXTS = (
        "Hello, is the {title} role open to remote candidates?",
        "Hi, could you tell me more about the team behind the {title} role?",
        "Hello, what is the start date for the {title} position?",
    )

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        title = rng.choice(TASK_JOB_TITLES)
        company, decoy_company = rng.sample(COMPANIES[4:], 2)
        recruiter = new_name(rng, store)
        decoy = new_name(rng, store)
        while decoy == recruiter:
            decoy = new_name(rng, store)
        return {
            "title": title,
            "company": company,
            "decoy_company": decoy_company,
            "recruiter": recruiter,
            "decoy": decoy,
            "text": rng.choice(self.TEXTS).format(title=title),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["network"]
        for who, company, minutes in (
            (params["recruiter"], params["company"], 200),
            (params["decoy"], params["decoy_company"], 100),
        ):
            rid = add_person(
                store, who, title=RECRUITER_TITLES[0], company=company, degree=3, recruiter=True
            )
            add_job(store, params["title"], company, recruiter_id=rid, minutes_ago=minutes)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        pid = find_person(store, params["recruiter"])
        assert pid is not None
        sent = sent_messages(store, pid)
        threads = {m["thread_id"] for m in sent}
        return [
            Checkpoint(
                "messaged the recruiter", [norm(m["body"]) for m in sent] == [norm(params["text"])]
            ),
            only_changes(store, {("message", "thread", t) for t in threads}),
        ]

    def message(
        self, params: Mapping[str, Any], company: str, recruiter: str, text: str
    ) -> list[PlanStep]:
        return [
            *open_job(params["title"], company),
            ClickOn("link", recruiter, exact=True),
            ClickOn("link", f"Message {recruiter}", exact=True),
            FillIn("textbox", "Write a message", text),
            ClickOn("button", "Send", exact=True),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.message(params, params["company"], params["recruiter"], params["text"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        return {
            "the other job's recruiter": self.message(p, p["decoy_company"], p["decoy"], p["text"]),
            "another text": self.message(p, p["company"], p["recruiter"], "Hello!"),
        }


@register
class MessageNonConnection(Task):
    """The person is not a connection and takes messages from connections only."""

    id = "network.message-non-connection"
    apps = ("network",)
    instruction = "Send {name}, the {title} at {company}, a Network message: “{text}”"
    tags = ("search", "reading", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        t1, t2 = rng.sample(OUTSIDE_TITLES, 2)
        c1, c2 = rng.sample(COMPANIES[1:], 2)
        return {
            "name": new_name(rng, store),
            "title": t1,
            "company": c1,
            "decoy_title": t2,
            "decoy_company": c2,
            "text": rng.choice(MessageRecruiter.TEXTS).format(title=t1),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        # The person (3rd degree, messaging closed) and a connection of the same name.
        p = params
        add_person(apps["network"], p["name"], title=p["title"], company=p["company"], degree=3)
        add_person(
            apps["network"], p["name"], title=p["decoy_title"], company=p["decoy_company"], degree=1
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        why = bool(NOT_CONNECTED_REASON.search(norm(answer)))
        return [
            Checkpoint("answered that it cannot be done, and why", says_infeasible(answer) and why),
            only_changes(apps["network"], ()),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *open_profile(params["name"]),
            Submit(
                f"I cannot message {params['name']}: they are not a connection of yours and "
                "accept messages from connections only (messaging is closed)."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "messages the namesake": [
                *open_profile(params["name"], index=1),
                ClickOn("link", f"Message {params['name']}", exact=True),
                FillIn("textbox", "Write a message", params["text"]),
                ClickOn("button", "Send", exact=True),
                Submit(f"I cannot message {params['name']}, the connection; sent it to the other."),
            ],
            "no reason": [*open_profile(params["name"]), Submit("I cannot do that.")],
        }
