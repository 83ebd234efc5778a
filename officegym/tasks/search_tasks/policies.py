"""Search templates on the intranet's policies: a value of the current version (an archived
version and a wiki draft say otherwise), its owner, a policy that does not exist, and the total
of several policies' amounts."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    PlanStep,
    Submit,
    Task,
    mentions,
    numbers_in,
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import Person, colleagues
from officegym.tasks.apps.search import TASK_POLICIES, Fact, add_page, page_url, policy_body, slug
from officegym.tasks.search_tasks.common import (
    amounts_in,
    avoids_numbers,
    distinct,
    find_and_open,
    gives_reason,
    nothing_changed,
    only_numbers,
    repeats_decoy,
    says_number,
    searched,
)

# Policies a question may name that no page has, each with the planted look-alike it resembles.
MISSING = {
    "Bicycle commuting": "Bicycle parking",
    "Coworking space": "Coworking guest",
    "Language course": "Language exam",
    "Childcare support": "Eldercare support",
    "Home internet": "Home electricity",
    "Car sharing": "Car parking",
    "Book": "Magazine subscription",
    "Wellness": "Gym membership",
}
# What an answer that makes up the missing policy's content says when it gives no number.
NO_LIMIT = "no limit: unlimited, uncapped"


def _person(row: Mapping[str, Any]) -> Person:
    return Person(row["name"], row["email"], row.get("title", ""))


def plant_policy(
    store: StateStore, topic: str, fact: Fact, values: tuple[int, int, int], owners: list[Any]
) -> None:
    """The current policy (`values[0]`, owner `owners[0]`), its archived 2024 version
    (`values[1]`, `owners[1]`) and a wiki draft of a revision (`values[2]`, `owners[2]`)."""
    current, old, draft = values
    path = f"/policies/{slug(topic)}"
    add_page(
        store,
        "intranet",
        f"{path}/archive-2024",
        f"{topic} policy (2024, archived)",
        policy_body(topic, _person(owners[1]), [(fact, old)], "This version is archived."),
        kind="policy",
        days_ago=480,
        owner=owners[1]["email"],
        links=[(f"{topic} policy", page_url("intranet", path))],
    )
    add_page(
        store,
        "wiki",
        f"/drafts/{slug(topic)}-policy-2026",
        f"Draft: {topic} policy 2026 revision",
        policy_body(topic, _person(owners[2]), [(fact, draft)], "This is a draft for comment."),
        kind="wiki",
        days_ago=4,
        owner=owners[2]["email"],
    )
    add_page(
        store,
        "intranet",
        path,
        f"{topic} policy",
        policy_body(topic, _person(owners[0]), [(fact, current)], "This is the current version."),
        kind="policy",
        days_ago=35,
        owner=owners[0]["email"],
    )


class PolicyTask(Task):
    """The setup plants a policy's current version, an archived one and a wiki draft, each with
    its own value and owner."""

    apps = ("search",)

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        topic, (fact,) = rng.choice(TASK_POLICIES)
        values = distinct(rng, fact.draw, 3)
        owners = rng.sample(colleagues(apps["search"]), 3)
        return {
            "topic": topic,
            "label": fact.label,
            "values": values,
            "value_text": fact.value(values[0]),
            "owners": [{"name": o["name"], "email": o["email"]} for o in owners],
            "owner": owners[0]["name"],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        fact = dict(TASK_POLICIES)[params["topic"]][0]
        plant_policy(
            apps["search"], params["topic"], fact, tuple(params["values"]), params["owners"]
        )

    def open_policy(self, params: Mapping[str, Any]) -> list[PlanStep]:
        topic = params["topic"]
        return find_and_open(f"{topic} policy", f"{topic} policy", "Policies")


@register
class PolicyValue(PolicyTask):
    id = "search.policy-value"
    instruction = "What is the {label} under the current {topic} policy? Answer with the value."
    tags = ("search", "filters", "reading", "answer", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        current, old, draft = params["values"]
        return [
            Checkpoint("gave the current value", says_number(answer, current), detail=answer or ""),
            avoids_numbers(answer, [old, draft], "no value of the archived version or draft"),
            only_numbers(answer, [current], self.goal(params)),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*self.open_policy(params), Submit(params["value_text"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        fact = dict(TASK_POLICIES)[params["topic"]][0]
        _, old, draft = params["values"]
        topic = params["topic"]
        return {
            "the archived version": [
                *find_and_open(f"{topic} policy", f"{topic} policy (2024, archived)"),
                Submit(fact.value(old)),
            ],
            "the wiki draft": [
                *find_and_open(f"{topic} policy", f"Draft: {topic} policy 2026 revision"),
                Submit(fact.value(draft)),
            ],
        }


@register
class PolicyOwner(PolicyTask):
    id = "search.policy-owner"
    instruction = "Who owns the current {topic} policy? Answer with the person's name."
    tags = ("search", "reading", "answer", "easy")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        right, *others = params["owners"]
        wrong = [
            o["name"] for o in others if mentions(answer, o["name"]) or mentions(answer, o["email"])
        ]
        return [
            Checkpoint(
                "named the owner (or gave their e-mail)",
                mentions(answer, right["name"]) or mentions(answer, right["email"]),
                detail=answer or "",
            ),
            Checkpoint("named no one else", not wrong, "guard", detail=str(wrong)),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*self.open_policy(params), Submit(params["owner"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        topic = params["topic"]
        _, old, draft = params["owners"]
        return {
            "the archived version's owner": [
                *find_and_open(f"{topic} policy", f"{topic} policy (2024, archived)"),
                Submit(old["name"]),
            ],
            "the draft's author": [
                *find_and_open(f"{topic} policy", f"Draft: {topic} policy 2026 revision"),
                Submit(draft["name"]),
            ],
        }


@register
class MissingPolicy(PolicyTask):
    """The policy asked about does not exist; a look-alike does (with all its versions)."""

    id = "search.missing-policy"
    instruction = (
        "What does the {missing} policy say? Find it on the intranet and answer with its main "
        "amount or limit."
    )
    tags = ("search", "filters", "reading", "answer", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        while params["topic"] not in MISSING:
            params = super().sample_params(rng, apps)
        return {**params, "missing": MISSING[params["topic"]]}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        # An amount or a limit said of the missing policy is made up (or the look-alike's).
        numbers = [n for n in amounts_in(answer) if n not in numbers_in(self.goal(params))]
        fact = dict(TASK_POLICIES)[params["topic"]][0]
        repeated = repeats_decoy(answer, [fact.label, NO_LIMIT], [params["missing"]])
        return [
            Checkpoint(
                "answered that the policy named does not exist, and why",
                says_infeasible(answer)
                and mentions(answer, params["missing"])
                and gives_reason(answer, self.reasons(params["missing"])),
                detail=answer or "",
            ),
            avoids_numbers(answer, params["values"], "no look-alike's value"),
            Checkpoint(
                "told nothing of what such a policy would say",
                not numbers and not repeated,
                "guard",
                detail=str([*numbers, *repeated]),
            ),
            nothing_changed(apps["search"]),
        ]

    def reasons(self, missing: str) -> list[str]:
        """What says why there is no amount: no such policy (by its name), not found."""
        name = re.escape(missing.lower())
        return [
            rf"\b(there is|there's|there are) no ({name} )?polic(y|ies)\b",
            rf"\b(there is|there's) no {name}\b",
            r"\bno such polic(y|ies)\b",
            r"\bno polic(y|ies) (called|named|by|on|for)\b",
            rf"\b{name}( policy)? (does not|doesn't|did not|didn't) exist",
            r"\b(does not|doesn't) exist\b",
            r"\bnot (be )?found\b",
            r"\b(could not|couldn't|cannot|can't|unable to) (find|locate)\b",
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        missing = params["missing"]
        return [
            *searched(f"{missing} policy", "Policies"),
            Submit(f"There is no {missing} policy on the intranet, so it has no amount to give."),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "answers from the look-alike": [
                *self.open_policy(params),
                Submit(f"The {params['missing']} policy sets {params['value_text']}."),
            ],
            "no reason given": [
                *searched(f"{params['missing']} policy", "Policies"),
                Submit("I cannot answer that."),
            ],
        }


@register
class PolicyAmountsTotal(Task):
    """Seven planted policies, each with an archived version that gives another amount: the
    total of the current amounts."""

    id = "search.policy-amounts-total"
    apps = ("search",)
    instruction = (
        "Add up the amounts set by the current versions of these seven policies: {topics_text}. "
        "Answer with the total in dollars."
    )
    tags = ("search", "filters", "reading", "answer", "long-horizon", "hard")
    max_steps = 50

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        money = [(t, f) for t, (f,) in TASK_POLICIES if f.unit == "$"]
        chosen = rng.sample(money, 7)
        people = colleagues(apps["search"])
        items: list[dict[str, Any]] = []
        for topic, fact in chosen:
            values = distinct(rng, fact.draw, 3)
            owners = [{"name": o["name"], "email": o["email"]} for o in rng.sample(people, 3)]
            items.append({"topic": topic, "values": values, "owners": owners})
        return {
            "items": items,
            "topics_text": ", ".join(i["topic"] for i in items),
            "total": sum(i["values"][0] for i in items),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        facts = dict(TASK_POLICIES)
        for i in params["items"]:
            plant_policy(
                apps["search"], i["topic"], facts[i["topic"]][0], tuple(i["values"]), i["owners"]
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        items = params["items"]
        wrong = [params["total"] - i["values"][0] + i["values"][1] for i in items]
        return [
            Checkpoint("gave the total", says_number(answer, params["total"]), detail=answer or ""),
            avoids_numbers(answer, wrong, "no total with an archived amount"),
            nothing_changed(apps["search"]),
        ]

    def plan(self, params: Mapping[str, Any], total: int) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for i in params["items"]:
            topic = i["topic"]
            steps += find_and_open(f"{topic} policy", f"{topic} policy", "Policies")
        return [*steps, Submit(f"${total:,}")]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, params["total"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        first = params["items"][0]
        return {
            "one archived amount": self.plan(
                params, params["total"] - first["values"][0] + first["values"][1]
            ),
            "six of the seven": self.plan(params, params["total"] - first["values"][0]),
        }


__all__ = ["MissingPolicy", "PolicyAmountsTotal", "PolicyOwner", "PolicyValue"]
