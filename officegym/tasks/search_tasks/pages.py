"""Search templates that read particular pages: a misspelled project found through "did you
mean", a wiki page's link followed, two office guides compared, a job's salary range on the
careers site (the site filter)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ClickOn,
    PlanStep,
    Submit,
    Task,
    mentions,
    norm,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.people import colleagues
from officegym.tasks.apps.search import COMPANY, OFFICES, add_page, page_url, slug
from officegym.tasks.search_tasks.common import (
    avoids_numbers,
    codename,
    distinct,
    find_and_open,
    nothing_changed,
    says_number,
    searched,
)


def misspell(rng: random.Random, word: str) -> str:
    """`word` with one inner letter dropped or two swapped (lower case): one edit away."""
    w = word.lower()
    i = rng.randint(2, len(w) - 3)
    if rng.random() < 0.5 or w[i] == w[i + 1]:
        return w[:i] + w[i + 1 :]
    return w[:i] + w[i + 1] + w[i] + w[i + 2 :]


@register
class DidYouMean(Task):
    """The project's name is misspelled in the goal; its budget page and a draft of it."""

    id = "search.did-you-mean"
    apps = ("search",)
    instruction = (
        "You remember a project called “{typo}”, but you may have the spelling wrong. Find its "
        "approved budget (use the search engine's spelling suggestion)."
    )
    tags = ("search", "reading", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        name = codename(rng)
        budget, draft = rng.sample(range(20_000, 400_000, 500), 2)
        return {"name": name, "typo": misspell(rng, name), "budget": budget, "draft": draft}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        project = f"Project {params['name']}"
        add_page(
            apps["search"],
            "wiki",
            f"/{slug(project)}/budget-draft",
            f"{project} budget (2025 draft)",
            f"Draft numbers for {project}, before the review: ${params['draft']:,} in total.",
            kind="wiki",
            days_ago=200,
        )
        add_page(
            apps["search"],
            "wiki",
            f"/{slug(project)}/budget",
            f"{project} budget",
            f"The approved budget for {project} is ${params['budget']:,} for the year.\n\n"
            "Spending is reviewed every quarter by finance.",
            kind="wiki",
            days_ago=20,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint(
                "the approved budget", says_number(answer, params["budget"]), detail=answer or ""
            ),
            avoids_numbers(answer, [params["draft"]], "not the draft's number"),
            nothing_changed(apps["search"]),
        ]

    def corrected(self, params: Mapping[str, Any], title: str) -> list[PlanStep]:
        return [
            *searched(f"{params['typo']} budget"),
            ClickOn("link", f"{params['name'].lower()} budget", exact=True),
            ClickOn("link", title, exact=True),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        title = f"Project {params['name']} budget"
        return [*self.corrected(params, title), Submit(f"${params['budget']:,}")]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        title = f"Project {params['name']} budget (2025 draft)"
        return {
            "the draft": [*self.corrected(params, title), Submit(f"${params['draft']:,}")],
            "gave up on the typo": [
                *searched(f"{params['typo']} budget"),
                Submit("No project by that name has a budget page."),
            ],
        }


@register
class FollowWikiLink(Task):
    """A project handbook links to its on-call rota; last quarter's rota is a look-alike."""

    id = "search.follow-wiki-link"
    apps = ("search",)
    instruction = (
        "Open the wiki page “{project} handbook” and follow its link to the on-call rota. Who is "
        "on call this week?"
    )
    tags = ("search", "navigation", "reading", "answer", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        now, later, before = (p["name"] for p in rng.sample(colleagues(apps["search"]), 3))
        return {"project": f"Project {codename(rng)}", "now": now, "next": later, "old": before}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, project = apps["search"], params["project"]
        base = f"/{slug(project)}"
        add_page(
            store,
            "wiki",
            f"{base}/on-call-last-quarter",
            f"{project} on-call rota (last quarter)",
            f"On call this week: {params['old']}. This rota is no longer used.",
            kind="wiki",
            days_ago=120,
        )
        add_page(
            store,
            "wiki",
            f"{base}/on-call",
            f"{project} on-call rota",
            f"On call this week: {params['now']}.\n\nNext week: {params['next']}.\n\nSwap "
            "shifts with a teammate and update this page.",
            kind="wiki",
            days_ago=3,
        )
        add_page(
            store,
            "wiki",
            f"{base}/design",
            f"{project} design notes",
            f"How {project} fits together, and why.",
            kind="wiki",
            days_ago=40,
        )
        add_page(
            store,
            "wiki",
            f"{base}/handbook",
            f"{project} handbook",
            f"Everything a new member of {project} needs: the design, who is on call, and "
            "where to ask.",
            kind="wiki",
            days_ago=30,
            links=[
                ("Design notes", page_url("wiki", f"{base}/design")),
                ("On-call rota", page_url("wiki", f"{base}/on-call")),
            ],
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        wrong = [params[k] for k in ("next", "old") if mentions(answer, params[k])]
        return [
            Checkpoint(
                "named this week's person", mentions(answer, params["now"]), detail=answer or ""
            ),
            Checkpoint("named no one else", not wrong, "guard", detail=str(wrong)),
            nothing_changed(apps["search"]),
        ]

    def via_link(self, params: Mapping[str, Any], name: str) -> list[PlanStep]:
        project = params["project"]
        return [
            *find_and_open(f"{project} handbook", f"{project} handbook"),
            ClickOn("link", "On-call rota", exact=True),
            Submit(name),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.via_link(params, params["now"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        project = params["project"]
        return {
            "next week's person": self.via_link(params, params["next"]),
            "last quarter's rota": [
                *find_and_open(f"{project} on-call", f"{project} on-call rota (last quarter)"),
                Submit(params["old"]),
            ],
        }


def parse_office_amount(answer: str | None, offices: list[str]) -> tuple[str, float | None]:
    """The office and the amount of an answer in the form "Lisbon, $6" (one of `offices`, then
    one number and nothing more), or ('', None) for any other answer.

    >>> parse_office_amount("Lisbon, $6.", ["Lisbon", "Toronto"])
    ('Lisbon', 6.0)
    >>> parse_office_amount("Toronto is lower; Lisbon pays $6 more", ["Lisbon", "Toronto"])
    ('', None)
    """
    names = "|".join(re.escape(o.lower()) for o in offices)
    found = re.fullmatch(
        rf"\W*({names})\W*(?:by\s*)?\$?\s*(\d+(?:\.\d+)?)(?:\s*(?:dollars|usd))?"
        r"(?:\s*(?:a|per) day)?\W*",
        norm(answer),
    )
    if not found:
        return "", None
    office = next(o for o in offices if o.lower() == found.group(1))
    return office, float(found.group(2))


@register
class CompareGuides(Task):
    """Two offices' guides with a daily lunch subsidy each, and their archived 2024 versions."""

    id = "search.compare-guides"
    apps = ("search",)
    instruction = (
        "Compare the current office guides of {first} and {second} on the wiki: which of the two "
        "offices has the higher daily lunch subsidy, and by how many dollars? Answer with the "
        "office and the difference, like: {example}"
    )
    tags = ("search", "reading", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        first, second = rng.sample(OFFICES, 2)
        while True:
            a, b, a_old, b_old = distinct(rng, lambda r: r.randrange(8, 40), 4)
            wrong = {abs(a_old - b), abs(a - b_old), abs(a_old - b_old)}
            # No amount is a difference either: an answer quoting one subsidy is then wrong.
            if abs(a - b) not in wrong and not {a, b, a_old, b_old} & (wrong | {abs(a - b)}):
                break
        return {
            "first": first,
            "second": second,
            "values": {first: a, second: b},
            "old_values": {first: a_old, second: b_old},
            "winner": first if a > b else second,
            "loser": second if a > b else first,
            "diff": abs(a - b),
            "wrong_diffs": sorted(wrong),
            "example": f"{rng.choice([c for c in OFFICES if c not in (first, second)])}, $5",
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for city in (params["first"], params["second"]):
            for old in (True, False):
                value = (params["old_values"] if old else params["values"])[city]
                title = f"{city} office guide" + (" (2024)" if old else "")
                add_page(
                    apps["search"],
                    "wiki",
                    f"/offices/{slug(title)}",
                    title,
                    f"Welcome to the {city} office. Doors open at eight; the front desk "
                    f"has visitor badges.\n\nThe daily lunch subsidy in the {city} office "
                    f"is ${value}.\n\nBikes go in the basement.",
                    kind="wiki",
                    days_ago=400 if old else 25,
                )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        office, amount = parse_office_amount(answer, [params["first"], params["second"]])
        return [
            Checkpoint(
                "the higher office and the difference, as asked",
                office == params["winner"] and amount == params["diff"],
                detail=answer or "",
            ),
            avoids_numbers(answer, params["wrong_diffs"], "no difference from a 2024 guide"),
            nothing_changed(apps["search"]),
        ]

    def plan(self, params: Mapping[str, Any], suffix: str, answer: str) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for city in (params["first"], params["second"]):
            steps += find_and_open(f"{city} office guide", f"{city} office guide{suffix}")
        return [*steps, Submit(answer)]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, "", f"{params['winner']}, ${params['diff']}")

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        old = params["old_values"]
        old_diff = abs(old[params["first"]] - old[params["second"]])
        return {
            "the lower office": self.plan(params, "", f"{params['loser']}, ${params['diff']}"),
            "the 2024 guides": self.plan(params, " (2024)", f"{params['winner']}, ${old_diff}"),
        }


ROLES = (
    "Payroll Specialist",
    "Localization Manager",
    "Procurement Analyst",
    "Community Manager",
    "Solutions Architect",
    "Brand Strategist",
    "Partnerships Lead",
    "Tax Accountant",
)


@register
class CareersSalary(Task):
    """A job opening on the careers site, the same role in another office, and an old news item
    about the opening with another range."""

    id = "search.careers-salary"
    apps = ("search",)
    instruction = "What salary range does the careers site list for the {role} opening in {office}?"
    tags = ("search", "filters", "reading", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        office, other = rng.sample(OFFICES, 2)
        while True:  # six different numbers: an answer's numbers tell the ranges apart
            lows = distinct(rng, lambda r: r.randrange(50_000, 120_000, 5_000), 3)
            ranges = [[low, low + rng.randrange(15_000, 40_000, 5_000)] for low in lows]
            if len({n for r in ranges for n in r}) == 6:
                break
        return {"role": rng.choice(ROLES), "office": office, "other": other, "ranges": ranges}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, role = apps["search"], params["role"]
        (low, high), (o_low, o_high), (n_low, n_high) = params["ranges"]
        add_page(
            store,
            "news",
            f"/hiring/{slug(role)}",
            f"We're hiring: {role} in {params['office']}",
            f"The {params['office']} office is looking for a {role}. The role pays "
            f"${n_low:,} to ${n_high:,} a year.",
            kind="news",
            days_ago=150,
        )
        for office, lo, hi, n in (
            (params["other"], o_low, o_high, 1),
            (params["office"], low, high, 2),
        ):
            add_page(
                store,
                "careers",
                f"/jobs/{slug(role)}-{n}",
                f"{role} – {office}",
                f"{COMPANY} is hiring a {role} in {office}.\n\nSalary range: "
                f"${lo:,} to ${hi:,} a year.",
                kind="jobs",
                days_ago=10 * n,
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        (low, high), *others = params["ranges"]
        return [
            Checkpoint(
                "the range",
                says_number(answer, low) and says_number(answer, high),
                detail=answer or "",
            ),
            avoids_numbers(answer, [n for r in others for n in r], "no other range"),
            nothing_changed(apps["search"]),
        ]

    def answer(self, params: Mapping[str, Any], office: str, n: int) -> list[PlanStep]:
        low, high = params["ranges"][n]
        return [
            *find_and_open(params["role"], f"{params['role']} – {office}", "careers.office.test"),
            Submit(f"${low:,} to ${high:,} a year"),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.answer(params, params["office"], 0)

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        role, office = params["role"], params["office"]
        n_low, n_high = params["ranges"][2]
        return {
            "the other office": self.answer(params, params["other"], 1),
            "the news item": [
                *find_and_open(role, f"We're hiring: {role} in {office}"),
                Submit(f"${n_low:,} to ${n_high:,}"),
            ],
        }
