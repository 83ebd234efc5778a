"""Search templates on a project's pages: the newest news article (time and type filters), how
many articles the past month had, and a page that only the second page of results shows."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import Apps, Checkpoint, ClickOn, PlanStep, Submit, Task, mentions
from officegym.tasks._registry import register
from officegym.tasks.apps.search import add_page, day, slug
from officegym.tasks.search_tasks.common import (
    avoids_numbers,
    codename,
    find_and_open,
    nothing_changed,
    only_numbers,
    says_number,
    searched,
)

# What a headline about a project says (no one is part of another).
PHASES = (
    "contractor selected",
    "budget approved",
    "kickoff held",
    "first milestone reached",
    "pilot results shared",
    "team expanded",
    "design review passed",
    "launch date set",
)
FILLER = (
    "The steering group met on Monday to review progress.",
    "Questions go to the project office on the intranet.",
    "The next update follows at the monthly town hall.",
    "Teams in every office will see the change first in their dashboards.",
    "The project keeps its weekly demo on Thursdays.",
)


def article(rng: random.Random, project: str, phase: str) -> str:
    return f"{project}: {phase}. " + " ".join(rng.sample(FILLER, 2)) + f"\n\n{rng.choice(FILLER)}"


def plant_news(apps: Apps, project: str, phase: str, days_ago: int, n: int) -> None:
    rng = random.Random(f"{project}/{phase}/{n}")
    add_page(
        apps["search"],
        "news",
        f"/{day(days_ago)[:7].replace('-', '/')}/{slug(project)}-{n}",
        f"{project}: {phase}",
        article(rng, project, phase),
        kind="news",
        days_ago=days_ago,
    )


@register
class NewestNews(Task):
    """Five news articles on a project (two in the past week) and a wiki page newer than all."""

    id = "search.newest-news"
    apps = ("search",)
    instruction = (
        "What is the headline of the newest news article about {project}? Use the search "
        "filters for recent news."
    )
    tags = ("search", "filters", "reading", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        phases = rng.sample(PHASES, 6)
        return {
            "project": f"Project {codename(rng)}",
            "news": list(zip(phases[:5], [2, 5, rng.randint(15, 25), 70, 300], strict=True)),
            "wiki_phase": phases[5],
            "newest": phases[0],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        project = params["project"]
        for n, (phase, ago) in sorted(enumerate(params["news"]), key=lambda x: -x[1][1]):
            plant_news(apps, project, phase, ago, n)
        add_page(
            apps["search"],
            "wiki",
            f"/{slug(project)}-status",
            f"{project} status notes",
            article(random.Random(project), project, params["wiki_phase"]),
            kind="wiki",
            days_ago=1,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        others = [p for p, _ in params["news"][1:] if mentions(answer, p)]
        others += [params["wiki_phase"]] if mentions(answer, params["wiki_phase"]) else []
        return [
            Checkpoint(
                "the newest headline", mentions(answer, params["newest"]), detail=answer or ""
            ),
            Checkpoint("no other headline", not others, "guard", detail=str(others)),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        project = params["project"]
        return [*searched(project, "Past week", "News"), Submit(f"{project}: {params['newest']}")]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        project = params["project"]
        return {
            "the other one of the week": [
                *searched(project, "Past week", "News"),
                Submit(f"{project}: {params['news'][1][0]}"),
            ],
            "the wiki page": [
                *searched(project, "Past week"),
                Submit(f"{project}: {params['wiki_phase']}"),
            ],
        }


@register
class CountNews(Task):
    """News articles on a project in the past month, older ones and wiki pages of the month."""

    id = "search.count-news"
    apps = ("search",)
    instruction = "How many news articles about {project} were published in the past month?"
    tags = ("search", "filters", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        recent, old, wiki = rng.randint(3, 7), rng.randint(2, 5), rng.randint(1, 3)
        return {
            "project": f"Project {codename(rng)}",
            "recent": sorted(rng.sample(range(1, 26), recent), reverse=True),
            "old": sorted(rng.sample(range(45, 300), old), reverse=True),
            "wiki": wiki,
            "phases": [rng.choice(PHASES) for _ in range(recent + old)],
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        project = params["project"]
        for n, ago in enumerate([*params["old"], *params["recent"]]):
            plant_news(apps, project, params["phases"][n], ago, n)
        for n in range(params["wiki"]):
            add_page(
                apps["search"],
                "wiki",
                f"/{slug(project)}-notes-{n}",
                f"{project} meeting notes {n + 1}",
                article(random.Random(n), project, "notes"),
                kind="wiki",
                days_ago=3 + n,
            )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        k, m, w = len(params["recent"]), len(params["old"]), params["wiki"]
        return [
            Checkpoint("the month's count", says_number(answer, k), detail=answer or ""),
            avoids_numbers(answer, [k + m, k + w, k + m + w], "not a count of other pages"),
            only_numbers(answer, [k], self.goal(params)),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *searched(params["project"], "Past month", "News"),
            Submit(str(len(params["recent"]))),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        k = len(params["recent"])
        return {
            "every news article": [
                *searched(params["project"], "News"),
                Submit(str(k + len(params["old"]))),
            ],
            "wiki pages too": [
                *searched(params["project"], "Past month"),
                Submit(str(k + params["wiki"])),
            ],
        }


# What the planted pages about a project are (each title is "<project> <topic>").
TOPICS = (
    "roadmap",
    "budget",
    "risks",
    "timeline",
    "staffing",
    "FAQ",
    "glossary",
    "retro",
    "demo notes",
    "design review",
    "launch checklist",
    "vendor list",
    "test plan",
    "support plan",
    "training plan",
)


@register
class SecondPage(Task):
    """Fifteen pages with the project in their title rank first; the bookings page that mentions
    the project once in its text is on the second page of results."""

    id = "search.second-page"
    apps = ("search",)
    instruction = (
        "Search for “{project}”. The facilities bookings page for week {week} is among the "
        "results, but not on the first page. Which room is booked for the {project} kickoff?"
    )
    tags = ("search", "pagination", "reading", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        room, cancelled = rng.sample(range(100, 500), 2)
        return {
            "project": f"Project {codename(rng)}",
            "week": rng.randint(10, 20),
            "room": room,
            "cancelled": cancelled,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, project = apps["search"], params["project"]
        for n, topic in enumerate(TOPICS):
            add_page(
                store,
                "wiki",
                f"/{slug(project)}/{slug(topic)}",
                f"{project} {topic}",
                article(random.Random(n), project, topic),
                kind="wiki",
                days_ago=10 + n,
            )
        add_page(
            store,
            "wiki",
            f"/{slug(project)}/kickoff-cancelled",
            f"{project} kickoff (cancelled)",
            f"The {project} kickoff was booked in room {params['cancelled']}; it was "
            "cancelled and moved. See the facilities bookings.",
            kind="wiki",
            days_ago=9,
        )
        add_page(
            store,
            "intranet",
            f"/facilities/bookings-week-{params['week']}",
            f"Facilities bookings – week {params['week']}",
            "Meeting rooms booked for events this week, by the facilities team. Catering "
            "orders close two days before an event; cleaning is booked automatically.\n\n"
            f"{project} kickoff: room {params['room']}, Thursday at ten.\n\nAll-hands "
            "rehearsal: auditorium, Friday afternoon. Visitor badges are at the front desk.",
            kind="team",
            days_ago=6,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint("the booked room", says_number(answer, params["room"]), detail=answer or ""),
            avoids_numbers(answer, [params["cancelled"]], "not the cancelled booking"),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [
            *searched(params["project"]),
            ClickOn("link", "Next", exact=True),
            ClickOn("link", f"Facilities bookings – week {params['week']}", exact=True),
            Submit(f"Room {params['room']}"),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        project = params["project"]
        return {
            "the cancelled booking": [
                *find_and_open(project, f"{project} kickoff (cancelled)"),
                Submit(f"Room {params['cancelled']}"),
            ],
            "first page only": [
                *searched(project),
                Submit("The first page of results shows no booking."),
            ],
        }
