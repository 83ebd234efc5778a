"""Network templates on people search: count the people matching filters, connect with the person
matching filters on the second page of results."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from officegym.tasks import (
    Apps,
    Checkpoint,
    ChooseOption,
    ClickOn,
    FillIn,
    PlanStep,
    Submit,
    Task,
    numbers_in,
)
from officegym.tasks._registry import register
from officegym.tasks.apps.network import (
    COMPANIES,
    DEGREE_LABELS,
    OUTSIDE_TITLES,
    PAGE_SIZE,
    add_person,
    find_person,
    headline,
)
from officegym.tasks.network_tasks.common import changes, new_name, only_changes

PEOPLE = ClickOn("link", "People", exact=True)


def count(apps: Apps, company: str, location: str, degree: int) -> int:
    return int(
        apps["network"].scalar(
            "SELECT count(*) FROM people WHERE company = ? AND location = ? AND degree = ?",
            (company, location, degree),
        )
    )


@register
class CountPeople(Task):
    id = "network.count-people"
    apps = ("network",)
    instruction = (
        "How many of the people on Network who work at {company} and are located in {location} "
        "are {degree_label}-degree connections of yours? Answer with the number."
    )
    tags = ("search", "filters", "dropdown", "answer", "medium")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        combos = apps["network"].query(
            "SELECT company, location, degree, count(*) AS n FROM people WHERE degree > 0 "
            "GROUP BY company, location, degree HAVING n >= 2 ORDER BY company, location, degree"
        )
        pick = rng.choice(combos)
        return {
            "company": pick["company"],
            "location": pick["location"],
            "degree": pick["degree"],
            "degree_label": DEGREE_LABELS[pick["degree"]],
            "count": pick["n"],
            "decoy_title": rng.choice(OUTSIDE_TITLES),
            "decoy": new_name(rng, apps["network"]),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        # Someone at the company and place of another degree: only the degree filter leaves
        # them out.
        other = 1 + params["degree"] % 3
        add_person(
            apps["network"],
            params["decoy"],
            title=params["decoy_title"],
            company=params["company"],
            location=params["location"],
            degree=other,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        found = numbers_in(answer)
        return [
            Checkpoint(f"answered {params['count']}", found[:1] == [float(params["count"])]),
            only_changes(apps["network"], ()),
        ]

    def search(self, params: Mapping[str, Any], degree: str | None) -> list[PlanStep]:
        steps: list[PlanStep] = [
            PEOPLE,
            ChooseOption("combobox", "Company", params["company"]),
            ChooseOption("combobox", "Location", params["location"]),
        ]
        if degree:
            steps.append(ChooseOption("combobox", "Connection degree", degree))
        return [*steps, ClickOn("button", "Apply filters")]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*self.search(params, params["degree_label"]), Submit(str(params["count"]))]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        everyone = params["count"] + 1  # at least the look-alike of another degree too
        return {
            "without the degree filter": [*self.search(params, None), Submit(str(everyone))],
            "off by one": [
                *self.search(params, params["degree_label"]),
                Submit(str(params["count"] - 1)),
            ],
        }


@register
class ConnectOnPageTwo(Task):
    id = "network.connect-on-page-2"
    apps = ("network",)
    instruction = (
        "Find the {title} who works at {company} (filter the people search by company; there are "
        "many people there) and send them an invitation to connect, without a note."
    )
    tags = ("search", "filters", "dropdown", "pagination", "medium")
    TITLES = (
        "Head of Logistics",
        "Procurement Lead",
        "Revenue Operations Analyst",
        "Chief of Staff",
    )
    LATE_FIRST = ("Zoltan", "Zeno", "Zygmunt", "Zuri")  # names that sort after every seeded one

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        store = apps["network"]
        big = [
            r["company"]
            for r in store.query(
                "SELECT company, count(*) AS n FROM people WHERE id > 1 GROUP BY company "
                "HAVING n BETWEEN ? AND ? ORDER BY company",
                (PAGE_SIZE + 1, 2 * PAGE_SIZE - 3),
            )
        ]
        company = rng.choice(big)
        name, decoy = rng.sample(
            [
                n
                for n in (
                    f"{f} {last}"
                    for f in self.LATE_FIRST
                    for last in ("Moreno", "Lindqvist", "Tanaka", "Okafor")
                )
            ],
            2,
        )
        return {
            "company": company,
            "decoy_company": rng.choice([c for c in COMPANIES[1:] if c != company]),
            "title": rng.choice(self.TITLES),
            "name": name,
            "decoy": decoy,
            "other_title": rng.choice(OUTSIDE_TITLES),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store = apps["network"]
        p = params
        add_person(store, p["name"], title=p["title"], company=p["company"], degree=2)
        # The same title elsewhere, and someone at the company on the same page.
        add_person(store, p["decoy"], title=p["title"], company=p["decoy_company"], degree=2)
        add_person(
            store,
            f"{p['decoy'].split()[0]} Abara",
            title=p["other_title"],
            company=p["company"],
            degree=3,
        )

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        store = apps["network"]
        pid = find_person(store, params["name"])
        sent = store.query(
            "SELECT id, note FROM invitations WHERE person_id = ? AND direction = 'sent'", (pid,)
        )
        return [
            Checkpoint(
                f"invited {params['name']} without a note",
                bool(sent) and all(not s["note"] for s in sent),
            ),
            only_changes(store, {("invite", "invitation", s["id"]) for s in sent}),
            Checkpoint("one invitation", len(changes(store)) <= 1, "guard"),
        ]

    def connect(
        self, company: str, name: str, headline: str, pages: int = 2, note: str = ""
    ) -> list[PlanStep]:
        steps: list[PlanStep] = [
            PEOPLE,
            ChooseOption("combobox", "Company", company),
            ClickOn("button", "Apply filters"),
        ]
        if pages == 2:
            steps.append(ClickOn("link", "Next page"))
        return [
            *steps,
            ClickOn("link", f"Connect with {name}, {headline}", exact=True),
            *([FillIn("textbox", "Add a note", note)] if note else []),
            ClickOn("button", "Send invitation"),
            Submit(),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        p = params
        return self.connect(p["company"], p["name"], headline(p))

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        p = params
        target = headline(p)
        return {
            "same title elsewhere": self.connect(
                p["decoy_company"],
                p["decoy"],
                headline({"title": p["title"], "company": p["decoy_company"]}),
                1,
            ),
            "someone else at the company": self.connect(
                p["company"],
                f"{p['decoy'].split()[0]} Abara",
                headline({"title": p["other_title"], "company": p["company"]}),
            ),
            "with a note": self.connect(
                p["company"], p["name"], target, note="Hello, let us connect."
            ),
        }
