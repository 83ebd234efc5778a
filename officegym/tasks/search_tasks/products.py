"""Search templates on the help center's release notes and the knowledge panel: a product's
latest version (its mobile app's notes are newer and higher), a release that does not exist,
the latest versions of six products, and a product lead from the panel."""

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
    says_infeasible,
)
from officegym.tasks._registry import register
from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import colleagues
from officegym.tasks.apps.search import (
    COMPANY,
    TASK_PRODUCTS,
    Entity,
    Page,
    add_entity,
    add_page,
    add_pages,
    page_url,
    release_pages,
    slug,
)
from officegym.tasks.search_tasks.common import (
    find_and_open,
    gives_reason,
    nothing_changed,
    repeats_decoy,
    searched,
)

# A version as answers write it ("3.2.0", "v3.2.0"): a digit or a dot before it would make it
# part of another number.
_VERSION = re.compile(r"(?<![\d.])\d+(?:\.\d+)+")


def versions_in(answer: str | None) -> list[str]:
    """The versions an answer names, in order.

    >>> versions_in("v3.2.0, not 13.2.0 or 2.")
    ['3.2.0', '13.2.0']
    """
    return _VERSION.findall(answer or "")


def releases(product: str, key: str, count: int, major: int) -> list[Page]:
    """The release notes a template plants for `product` (the same pages for the same `key`)."""
    return release_pages(random.Random(f"{product}/{key}"), product, count, 300, major)


def versions(product: str, key: str, count: int, major: int) -> list[str]:
    return [
        p.title.removeprefix(f"{product} ").removesuffix(" release notes")
        for p in releases(product, key, count, major)
    ]


def notes_title(product: str, version: str) -> str:
    return f"{product} {version} release notes"


class ReleaseTask(Task):
    """The setup plants a product's release notes and, newer and with higher versions, those of
    its mobile app."""

    apps = ("search",)

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        product = rng.choice(TASK_PRODUCTS)
        key = str(rng.randint(0, 10**6))
        count, major = rng.randint(3, 6), rng.randint(1, 4)
        mine = versions(product, key, count, major)
        mobile = versions(f"{product} Mobile", key, 3, major + 10)
        return {
            "product": product,
            "key": key,
            "count": count,
            "major": major,
            "versions": mine,
            "latest": mine[-1],
            "previous": mine[-2],
            "mobile_versions": mobile,
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, product, key = apps["search"], params["product"], params["key"]
        add_pages(store, releases(product, key, params["count"], params["major"]))
        add_pages(store, releases(f"{product} Mobile", key, 3, params["major"] + 10))


@register
class LatestVersion(ReleaseTask):
    id = "search.latest-version"
    instruction = (
        "What is the latest version of {product} (not its mobile app), according to its release "
        "notes on the help center?"
    )
    tags = ("search", "filters", "reading", "answer", "medium")

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        others = [v for v in versions_in(answer) if v != params["latest"]]
        return [
            Checkpoint(
                "gave the latest version",
                params["latest"] in versions_in(answer),
                detail=answer or "",
            ),
            Checkpoint("no other version", not others, "guard", detail=str(others)),
            nothing_changed(apps["search"]),
        ]

    def answer(self, params: Mapping[str, Any], version: str) -> list[PlanStep]:
        product = params["product"]
        title = notes_title(product, version)
        if version in params["mobile_versions"]:
            title = notes_title(f"{product} Mobile", version)
        return [
            *find_and_open(f"{product} release notes", title, "Help articles", "Newest"),
            Submit(version),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.answer(params, params["latest"])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        return {
            "the mobile app's version": self.answer(params, params["mobile_versions"][-1]),
            "the release before": self.answer(params, params["previous"]),
        }


@register
class MissingRelease(ReleaseTask):
    """The version asked about is one the mobile app has; the product itself never had it."""

    id = "search.missing-release"
    instruction = (
        "What changed in {product} {asked}? Find its release notes on the help center and "
        "summarize them."
    )
    tags = ("search", "reading", "answer", "infeasible", "medium")
    infeasible = True

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        params = super().sample_params(rng, apps)
        return {**params, "asked": rng.choice(params["mobile_versions"])}

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        repeated = repeats_decoy(answer, self.decoy(params), [params["product"]])
        return [
            Checkpoint(
                "answered that the release named does not exist, and why",
                says_infeasible(answer)
                and params["asked"] in versions_in(answer)
                and gives_reason(answer, self.reasons(params)),
                detail=answer or "",
            ),
            Checkpoint(
                "told nothing of the mobile app's notes",
                not repeated,
                "guard",
                detail=str(repeated),
            ),
            nothing_changed(apps["search"]),
        ]

    def reasons(self, params: Mapping[str, Any]) -> list[str]:
        """What says why there are no notes for the version asked: no such version, no notes,
        not found, the latest is another one, it is the mobile app's."""
        product, asked = (re.escape(params[k].lower()) for k in ("product", "asked"))
        latest = re.escape(params["latest"])
        return [
            r"\bno such (version|release)\b",
            r"\bno release notes\b",
            r"\b(does not|doesn't|did not|didn't|never) exist",
            r"\bnot (be )?found\b",
            r"\b(could not|couldn't|cannot|can't|unable to) (find|locate)\b",
            rf"\blatest (release|version)[\w ]* is (v)?{latest}\b",
            rf"\b(there is|there's|there was) no ({product} )?(version |release )?v?{asked}\b",
            rf"\bv?{asked} is (a|an|the)[\w ]* mobile\b",
            rf"\b{product} never (had|shipped|released)\b",
        ]

    def decoy(self, params: Mapping[str, Any]) -> list[str]:
        """The sentences of the mobile app's notes for the version asked."""
        mobile = f"{params['product']} Mobile"
        pages = releases(mobile, params["key"], 3, params["major"] + 10)
        page = next(p for p in pages if p.title == notes_title(mobile, params["asked"]))
        return page.body.split("\n\n")[1:]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        product, asked = params["product"], params["asked"]
        return [
            *searched(f"{product} release notes", "Help articles", "Newest"),
            Submit(
                f"There is no {product} {asked}: its latest release is {params['latest']} "
                f"({asked} is a {product} Mobile version)."
            ),
        ]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        product, asked = params["product"], params["asked"]
        return {
            "summarizes the mobile app's notes": [
                *find_and_open(f"{product} {asked}", notes_title(f"{product} Mobile", asked)),
                Submit(f"{product} {asked} brings the changes listed in its release notes."),
            ],
            "no reason given": [
                *searched(f"{product} release notes"),
                Submit("I cannot find that."),
            ],
        }


@register
class LatestVersions(Task):
    """Six planted products, each with several releases: their latest versions."""

    id = "search.latest-versions"
    apps = ("search",)
    instruction = (
        "List the latest version of each of these products, from their release notes on the "
        "help center: {products_text}."
    )
    tags = ("search", "filters", "reading", "answer", "long-horizon", "hard")
    max_steps = 50

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        seen: set[str] = set()  # no version of one product may be another's: answers name both
        for product in rng.sample(TASK_PRODUCTS, 6):
            while True:
                key, count, major = str(rng.randint(0, 10**6)), rng.randint(3, 6), rng.randint(1, 4)
                numbers = versions(product, key, count, major)
                if not seen & set(numbers):
                    break
            seen.update(numbers)
            items.append(
                {
                    "product": product,
                    "key": key,
                    "count": count,
                    "major": major,
                    "versions": numbers,
                }
            )
        return {"items": items, "products_text": ", ".join(i["product"] for i in items)}

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        for i in params["items"]:
            add_pages(apps["search"], releases(i["product"], i["key"], i["count"], i["major"]))

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        items = params["items"]
        named, latest = versions_in(answer), [i["versions"][-1] for i in items]
        missing = [i["product"] for i in items if i["versions"][-1] not in named]
        older = [v for v in named if v not in latest]
        return [
            Checkpoint("every latest version", not missing, detail=str(missing)),
            Checkpoint("no other version", not older, "guard", detail=str(older)),
            nothing_changed(apps["search"]),
        ]

    def plan(self, params: Mapping[str, Any], chosen: list[str]) -> list[PlanStep]:
        steps: list[PlanStep] = []
        for i, version in zip(params["items"], chosen, strict=True):
            product = i["product"]
            steps += find_and_open(
                f"{product} release notes", notes_title(product, version), "Help articles", "Newest"
            )
        listed = "; ".join(
            f"{i['product']} {v}" for i, v in zip(params["items"], chosen, strict=True)
        )
        return [*steps, Submit(listed)]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return self.plan(params, [i["versions"][-1] for i in params["items"]])

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        latest = [i["versions"][-1] for i in params["items"]]
        one_older = [params["items"][0]["versions"][-2], *latest[1:]]
        plan = self.plan(params, latest)
        return {
            "one release before the latest": self.plan(params, one_older),
            "five of the six": [
                *plan[:-1],
                Submit(
                    "; ".join(
                        f"{i['product']} {v}"
                        for i, v in zip(params["items"][1:], latest[1:], strict=True)
                    )
                ),
            ],
        }


def plant_product(store: StateStore, product: str, lead: str, launched: int) -> None:
    add_page(
        store,
        "help",
        f"/{slug(product)}/getting-started",
        f"Getting started with {product}",
        f"{product} is a {COMPANY} product. This guide walks you through your first week.",
        kind="docs",
        days_ago=90,
    )
    add_entity(
        store,
        Entity(
            "product",
            product,
            f"A {COMPANY} product.",
            (
                ("Product lead", lead),
                ("Launched", str(launched)),
                ("Help center", page_url("help", f"/{slug(product)}")),
            ),
            "help",
            f"/{slug(product)}",
        ),
    )


@register
class ProductLead(Task):
    """The knowledge panel of a planted product, and of its mobile app with another lead."""

    id = "search.product-lead"
    apps = ("search",)
    instruction = (
        "Who is the product lead for {product}? The search engine's knowledge panel for the "
        "product says."
    )
    tags = ("search", "reading", "answer", "easy")

    def sample_params(self, rng: random.Random, apps: Apps) -> dict[str, Any]:
        lead, mobile_lead = rng.sample(colleagues(apps["search"]), 2)
        return {
            "product": rng.choice(TASK_PRODUCTS),
            "lead": lead["name"],
            "mobile_lead": mobile_lead["name"],
            "launched": rng.randint(2014, 2024),
        }

    def setup(self, apps: Apps, params: Mapping[str, Any]) -> None:
        store, product = apps["search"], params["product"]
        plant_product(store, f"{product} Mobile", params["mobile_lead"], params["launched"] + 2)
        plant_product(store, product, params["lead"], params["launched"])

    def evaluate(
        self, apps: Apps, params: Mapping[str, Any], answer: str | None
    ) -> list[Checkpoint]:
        return [
            Checkpoint("named the lead", mentions(answer, params["lead"]), detail=answer or ""),
            Checkpoint(
                "not the mobile app's lead", not mentions(answer, params["mobile_lead"]), "guard"
            ),
            nothing_changed(apps["search"]),
        ]

    def solve(self, params: Mapping[str, Any]) -> list[PlanStep]:
        return [*searched(params["product"]), Submit(params["lead"])]

    def near_misses(self, params: Mapping[str, Any]) -> dict[str, list[PlanStep]]:
        product = params["product"]
        return {
            "the mobile app's lead": [
                *searched(f"{product} Mobile"),
                Submit(params["mobile_lead"]),
            ],
            "both leads": [
                *searched(params["product"]),
                Submit(f"{params['lead']} or {params['mobile_lead']}"),
            ],
        }
