"""Cross-app templates with Network and Search: message the owner of a policy found through
Search, (infeasible) the owner of a policy Search cannot find, and answer a recruiter with the
first free hour of a day in the calendar."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
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
    norm,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.calendar import add_event, day_text, parse_time, time_text
from officegym.tasks.apps.network import (
    COMPANIES,
    RECRUITER_TITLES,
    add_person,
    add_thread,
    find_person,
    sent_messages,
)
from officegym.tasks.apps.people import colleagues
from officegym.tasks.apps.search import TASK_POLICIES
from officegym.tasks.calendar_tasks.availability import busy, free_hours
from officegym.tasks.calendar_tasks.common import NEXT_WEEK, times_in
from officegym.tasks.cross_tasks.common import switch_to
from officegym.tasks.cross_tasks.untouched import untouched
from officegym.tasks.network_tasks.common import new_name, only_changes, open_profile
from officegym.tasks.network_tasks.jobs import TASK_JOB_TITLES
from officegym.tasks.search_tasks.common import distinct, find_and_open, searched
from officegym.tasks.search_tasks.policies import MISSING, plant_policy

# What the user asks a policy's owner (`first`: the owner's first name).
QUESTIONS = (
    "Hello {first}, does the {topic} policy apply to contractors too?",
    "Hi {first}, who approves exceptions to the {topic} policy while you are away?",
    "Hello {first}, is a new version of the {topic} policy planned this year?",
)


def sample_policy(
    rng: random.Random, apps: Apps, topics: list[str] | None = None
) -> dict[str, Any]:
    """A task policy (one of `topics` if given) with three values and three owners: the current
    version's, the archived version's and the wiki draft's (what `plant_policy` plants)."""
    choices = [(t, f) for t, f in TASK_POLICIES if topics is None or t in topics]
    topic, (fact,) = rng.choice(choices)
    owners = rng.sample(colleagues(apps["search"]), 3)
    return {
        "topic": topic,
        "values": distinct(rng, fact.draw, 3),
        "owners": [{"name": o["name"], "email": o["email"], "title": o["title"]} for o in owners],
    }


def plant(apps: Apps, policy: Mapping[str, Any]) -> None:
    fact = dict(TASK_POLICIES)[policy["topic"]][0]
    plant_policy(apps["search"], policy["topic"], fact, tuple(policy["values"]), policy["owners"])


def open_current(topic: str) -> list[PlanStep]:
    """Search for a policy and open its current version (the archived one and the wiki draft
    have other titles)."""
    return find_and_open(f"{topic} policy", f"{topic} policy", "Policies")


def message_person(name: str, text: str) -> list[PlanStep]:
    """On Network: find a person, open their profile and send them `text`."""
    return [
        *open_profile(name),
        ClickOn("link", f"Message {name}", exact=True),
        FillIn("textbox", "Write a message", text),
        ClickOn("button", "Send", exact=True),
    ]


def person_id(store: StateStore, email: str) -> int:
    pid = find_person(store, email)
    assert pid is not None, email
    return pid


@register
class PolicyOwnerMessage(Task):
    id = "cross.policy-owner-message"
    apps = ("search", "network")
    instruction = (
        "Find the current {topic} policy through Search and send its owner this Network "
        "message: “{text}”"
    )
    tags = ("cross-app", "search", "filters", "reading", "forms", "medium")
    max_steps = 40

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        policy = sample_policy(rng, apps)
        first = policy["owners"][0]["name"].split()[0]
        text = rng.choice(QUESTIONS).format(first=first, topic=policy["topic"])
        return {**policy, "owner": policy["owners"][0]["name"], "text": text}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        plant(apps, params)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        sent = sent_messages(store, person_id(store, params["owners"][0]["email"]))
        every = sent_messages(store)
        return [
            Checkpoint(
                f"messaged {params['owner']}",
                [norm(m["body"]) for m in sent] == [norm(params["text"])],
            ),
            Checkpoint("messaged no one else", len(every) == len(sent), "guard"),
            only_changes(store, {("message", "thread", m["thread_id"]) for m in sent}),
            *untouched(apps, "search"),
        ]

    def plan(
        self, params: Mapping[str, Any], title: str, owner: str, *filters: str
    ) -> list[PlanStep]:
        return [
            *find_and_open(f"{params['topic']} policy", title, *filters),
            *switch_to("Network"),
            *message_person(owner, params["text"]),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, f"{params['topic']} policy", params["owner"], "Policies")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        topic, (_, old, draft) = params["topic"], params["owners"]
        return {
            "the archived version's owner": self.plan(
                params, f"{topic} policy (2024, archived)", old["name"]
            ),
            "the draft's author": self.plan(
                params, f"Draft: {topic} policy 2026 revision", draft["name"]
            ),
        }


@register
class MissingPolicyOwner(Task):
    """Search has no such policy; a look-alike policy (with its archived version and draft) is
    there, and its owner is a connection on Network."""

    id = "cross.missing-policy-owner"
    apps = ("search", "network")
    instruction = (
        "Find the {missing} policy through Search and send its owner this Network message: “{text}”"
    )
    tags = ("cross-app", "search", "filters", "reading", "infeasible", "medium")
    infeasible = True
    max_steps = 30

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        policy = sample_policy(rng, apps, list(MISSING))
        missing = MISSING[policy["topic"]]
        first = policy["owners"][0]["name"].split()[0]
        text = rng.choice(QUESTIONS).format(first=first, topic=missing)
        return {**policy, "missing": missing, "owner": policy["owners"][0]["name"], "text": text}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        plant(apps, params)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint(
                "answered that it cannot be done, naming the policy Search does not have",
                says_infeasible(answer) and mentions(answer, params["missing"]),
                detail=answer or "",
            ),
            only_changes(apps["network"], ()),
            *untouched(apps, "search"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        missing = params["missing"]
        return [
            *searched(f"{missing} policy", "Policies"),
            Submit(
                f"I cannot do that: Search finds no {missing} policy, so there is no owner to "
                "message."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "messages the look-alike's owner": [
                *open_current(params["topic"]),
                *switch_to("Network"),
                *message_person(params["owner"], params["text"]),
                Submit(f"There is no {params['missing']} policy, so I wrote to the closest one."),
            ],
            "no reason given": [
                *searched(f"{params['missing']} policy", "Policies"),
                Submit("I cannot do that."),
            ],
        }


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def first_free_hour(rng: random.Random, calendar: StateStore, day: date) -> dict[str, Any] | None:
    """Two meetings to add on `day` from 9 AM with a half-hour gap between them, and the first
    free hour the day then has (the seeded meetings count too); None when the day has no two
    free hours."""
    first, second = rng.choice((60, 90, 120)), rng.choice((60, 90))
    blocks = [("09:00", first), (hhmm(9 * 60 + first + 30), second)]
    planned = [
        (parse_time(s), (datetime.combine(day, parse_time(s)) + timedelta(minutes=m)).time())
        for s, m in blocks
    ]
    free = free_hours(busy(calendar, day) + planned)
    if len(free) < 2:
        return None
    return {
        "blocks": blocks,
        "free": time_text(free[0]),
        "gap": time_text(time(9 + first // 60, first % 60)),
    }


@register
class RecruiterFreeHour(Task):
    """Two recruiters ask for a call, each on another day of next week; the setup fills the
    user's mornings so the first free hour comes later."""

    id = "cross.recruiter-free-hour"
    apps = ("network", "calendar")
    start_path = "/messaging"
    instruction = (
        "The recruiter {recruiter} asked you on Network for a call. Reply in that conversation "
        "with the start of your first free hour between 9 AM and 5 PM on the day asked for, as "
        "your Calendar shows it (declined meetings do not count), in the words “How about "
        "<time>?”, like “How about 2:30 PM?”."
    )
    tags = ("cross-app", "reading", "forms", "dates", "hard")
    max_steps = 35

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        recruiter = new_name(rng, store)
        decoy = new_name(rng, store)
        while decoy.split()[0] == recruiter.split()[0]:
            decoy = new_name(rng, store)
        days = rng.sample(NEXT_WEEK, len(NEXT_WEEK))
        slots = []
        for day in days:
            found = first_free_hour(rng, apps["calendar"], day)
            if found is not None:
                slots.append({**found, "day": day.isoformat(), "day_text": day_text(day)})
        assert len(slots) >= 2, "next week is full"  # the seeded weeks never are
        company, decoy_company = rng.sample(COMPANIES[4:], 2)
        return {
            "recruiter": recruiter,
            "decoy": decoy,
            "company": company,
            "decoy_company": decoy_company,
            "role": rng.choice(TASK_JOB_TITLES),
            "slot": slots[0],
            "decoy_slot": slots[1],
            "reply": f"How about {slots[0]['free']}?",
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        net = apps["network"]
        for key, slot, minutes in (("decoy", "decoy_slot", 30), ("recruiter", "slot", 80)):
            company = params["company" if key == "recruiter" else "decoy_company"]
            pid = add_person(net, params[key], title=RECRUITER_TITLES[0], company=company,
                             degree=2, recruiter=True)  # fmt: skip
            ask = (
                f"Hi Alex, I would love a call about the {params['role']} role at {company}. "
                f"When does your first free hour start on {params[slot]['day_text']}?"
            )
            add_thread(net, pid, [(False, ask)], minutes_ago=minutes, unread=True)
        for slot in ("slot", "decoy_slot"):
            day = params[slot]["day"]
            for k, (start, minutes) in enumerate(params[slot]["blocks"]):
                add_event(apps["calendar"], f"Focus time ({k + 1})", f"{day}T{start}", minutes)

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        sent = sent_messages(store, person_id(store, params["recruiter"]))
        right = parse_time(params["slot"]["free"])
        until = (datetime.combine(date.min, right) + timedelta(hours=1)).time()
        said = [times_in(m["body"]) for m in sent]
        return [
            Checkpoint(
                f"replied with {params['slot']['free']}",
                len(said) == 1 and said[0] in ({right}, {right, until}),
                detail=str([m["body"] for m in sent]),
            ),
            Checkpoint("no other reply", len(sent_messages(store)) == len(sent), "guard"),
            only_changes(store, {("message", "thread", m["thread_id"]) for m in sent}),
            *untouched(apps, "calendar"),
        ]

    def plan(self, params: Mapping[str, Any], who: str, reply: str) -> list[PlanStep]:
        return [
            ClickOn("link", params["recruiter"]),
            *switch_to("Calendar"),
            ClickOn("link", "Next week"),
            *switch_to("Network"),
            ClickOn("link", "Messaging"),
            ClickOn("link", who),
            FillIn("textbox", "Write a message", reply),
            ClickOn("button", "Send", exact=True),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["recruiter"], params["reply"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the half-hour gap": self.plan(
                params, params["recruiter"], f"How about {params['slot']['gap']}?"
            ),
            "the other recruiter": self.plan(params, params["decoy"], params["reply"]),
        }


__all__ = ["MissingPolicyOwner", "PolicyOwnerMessage", "RecruiterFreeHour"]
