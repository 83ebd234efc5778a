"""The generated web the search engine indexes: a company's intranet (policies with owners,
teams, people pages), its news site, help center (how-to articles and release notes), wiki
(runbooks, meeting notes, project pages that link to each other) and careers site.

Bodies are a few sentences picked and filled from templates by the seeded rng: realistic enough
to rank and read, small enough that the snapshot stays a few megabytes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from officegym.tasks.apps import StateStore
from officegym.tasks.apps.people import ME, Person
from officegym.tasks.apps.search._data import (
    SCHEMA,
    TODAY,
    Entity,
    Page,
    add_entity,
    day,
    load_pages,
    page_url,
)
from officegym.tasks.apps.search._text import (
    FEATURES,
    HEADLINES,
    JOB_ROLES,
    NEWS_LINES,
    OFFICES,
    POLICIES,
    PRODUCTS,
    RELEASE_LINES,
    STEPS,
    TEAMS,
    WIKI_LINES,
    Fact,
    slug,
)

COMPANY = "Northwind Traders"


def team_of(person: Person) -> str:
    """The team a person's title puts them in."""
    return next((t for t, titles in TEAMS.items() if person.title in titles), "Operations")


def person_path(person: Person) -> str:
    """The path of a person's page on the intranet."""
    return f"/people/{person.handle}"


def policy_body(topic: str, owner: Person, facts: Sequence[tuple[Fact, int]], note: str) -> str:
    """A policy page's text: who it applies to, its facts as sentences, who to ask."""
    lines = [
        f"This {topic.lower()} policy applies to every {COMPANY} employee and contractor. {note}",
        " ".join(fact.sentence(value) for fact, value in facts),
        f"Exceptions need written approval from the policy owner, {owner.name}. Questions about "
        f"this policy go to {owner.name} ({owner.email}).",
    ]
    return "\n\n".join(lines)


def person_facts(person: Person, rng: random.Random) -> list[tuple[str, str]]:
    """What the intranet and the knowledge panel say of a person."""
    return [
        ("Title", person.title),
        ("Team", team_of(person)),
        ("Office", rng.choice(OFFICES)),
        ("E-mail", person.email),
        ("Phone extension", str(rng.randint(2100, 7999))),
    ]


def _people_pages(rng: random.Random, people: Sequence[Person]) -> list[tuple[Page, Entity]]:
    out = []
    for p in (ME, *people):
        facts = person_facts(p, rng)
        team, office, ext = facts[1][1], facts[2][1], facts[4][1]
        body = (
            f"{p.name} is a {p.title} on the {team} team, based in the {office} office.\n\n"
            f"E-mail: {p.email}. Phone extension: {ext}.\n\n"
            f"{p.first} joined {COMPANY} in {rng.randint(2014, 2025)} and works on "
            f"{rng.choice(PRODUCTS)} and {rng.choice(PRODUCTS)}."
        )
        page = Page(
            "intranet",
            person_path(p),
            "people",
            f"{p.name} – {p.title}",
            body,
            day(rng.randint(30, 400)),
            p.email,
            ((f"{team} team", page_url("intranet", f"/teams/{slug(team)}")),),
        )
        entity = Entity(
            "person", p.name, f"{p.title} at {COMPANY}", tuple(facts), "intranet", person_path(p)
        )
        out.append((page, entity))
    return out


def _team_pages(rng: random.Random, people: Sequence[Person]) -> list[Page]:
    pages = []
    for team in [*TEAMS, "Operations"]:
        members = [p for p in (ME, *people) if team_of(p) == team]
        lead = members[0] if members else rng.choice(people)
        body = (
            f"The {team} team at {COMPANY}. Team lead: {lead.name}.\n\n"
            f"We meet every {rng.choice(('Monday', 'Tuesday', 'Thursday'))} in the "
            f"{rng.choice(OFFICES)} office and online. Members: "
            + (", ".join(m.name for m in members) or "being hired")
            + "."
        )
        links = tuple((m.name, page_url("intranet", person_path(m))) for m in members)
        pages.append(
            Page(
                "intranet",
                f"/teams/{slug(team)}",
                "team",
                f"{team} team",
                body,
                day(rng.randint(20, 300)),
                lead.email,
                links,
            )
        )
    return pages


def _policy_pages(rng: random.Random, people: Sequence[Person]) -> list[Page]:
    pages = []
    for topic, facts in POLICIES:
        owner = rng.choice(people)
        path = f"/policies/{slug(topic)}"
        current = [(f, f.draw(rng)) for f in facts]
        pages.append(
            Page(
                "intranet",
                path,
                "policy",
                f"{topic} policy",
                policy_body(topic, owner, current, "This is the current version."),
                day(rng.randint(20, 200)),
                owner.email,
            )
        )
        if rng.random() < 0.6:
            old = [(f, f.draw(rng)) for f in facts]
            pages.append(
                Page(
                    "intranet",
                    f"{path}/archive-2024",
                    "policy",
                    f"{topic} policy (2024, archived)",
                    policy_body(topic, owner, old, "This version is archived."),
                    day(rng.randint(400, 700)),
                    owner.email,
                    ((f"{topic} policy", page_url("intranet", path)),),
                )
            )
    return pages


# How many times a generator draws a title before it gives up on a page: titles are distinct
# (no two pages of the corpus share one), so a drawn title already used is drawn again.
_TITLE_TRIES = 20


def _news_pages(rng: random.Random, people: Sequence[Person], count: int) -> list[Page]:
    pages: list[Page] = []
    used: set[str] = set()  # membership only: never iterated
    for n in range(count):
        for _ in range(_TITLE_TRIES):
            ago = rng.randint(1, 720)
            fill = {
                "product": rng.choice(PRODUCTS),
                "office": rng.choice(OFFICES),
                "team": rng.choice(list(TEAMS)),
                "person": rng.choice(people).name,
                "n": rng.randint(2, 40),
                "month": (TODAY - timedelta(days=ago)).strftime("%B %Y"),
            }
            title = rng.choice(HEADLINES).format(**fill)
            if title not in used:
                break
        else:
            continue
        used.add(title)
        body = "\n\n".join(
            " ".join(s.format(**fill) for s in rng.sample(NEWS_LINES, 3))
            for _ in range(rng.randint(1, 2))
        )
        pages.append(
            Page(
                "news",
                f"/{day(ago)[:7].replace('-', '/')}/{slug(title)}-{n}",
                "news",
                title,
                body,
                day(ago),
            )
        )
    return pages


def _help_pages(rng: random.Random, people: Sequence[Person]) -> list[Page]:
    pages = []
    for product in PRODUCTS:
        for feature in FEATURES:
            title = f"How to {feature} in {product}"
            steps = rng.sample(STEPS, rng.randint(3, 5))
            body = f"This article explains how to {feature} in {product}.\n\n" + "\n\n".join(
                f"Step {i}: " + s.format(product=product) for i, s in enumerate(steps, 1)
            )
            pages.append(
                Page(
                    "help",
                    f"/{slug(product)}/{slug(feature)}",
                    "docs",
                    title,
                    body,
                    day(rng.randint(10, 600)),
                )
            )
        pages += release_pages(rng, product, rng.randint(6, 12), first_ago=rng.randint(500, 700))
    return pages


def release_pages(
    rng: random.Random, product: str, count: int, first_ago: int, major: int | None = None
) -> list[Page]:
    """`count` release notes of `product` on the help center, oldest first, `first_ago` days
    ago for the first; each version is newer than the one before."""
    pages, ago = [], first_ago
    version = [major if major is not None else rng.randint(1, 5), rng.randint(0, 4), 0]
    for _ in range(count):
        text = ".".join(map(str, version))
        lines = rng.sample(RELEASE_LINES, 3)
        body = f"{product} {text} is out.\n\n" + "\n\n".join(
            s.format(product=product) for s in lines
        )
        pages.append(
            Page(
                "help",
                f"/{slug(product)}/releases/{text}",
                "docs",
                f"{product} {text} release notes",
                body,
                day(ago),
            )
        )
        ago = max(1, ago - rng.randint(20, 70))
        if rng.random() < 0.3:
            version = [version[0] + 1, 0, 0]
        elif rng.random() < 0.6:
            version = [version[0], version[1] + 1, 0]
        else:
            version[2] += 1
    return pages


def _wiki_title(rng: random.Random, ago: int) -> str:
    """A runbook's, a meeting's notes' (dated the day they were published) or a project page's
    title."""
    product, team = rng.choice(PRODUCTS), rng.choice(list(TEAMS))
    kind = rng.choice(("runbook", "notes", "project"))
    if kind == "runbook":
        return f"{product} {rng.choice(('deploy', 'rollback', 'backup', 'incident'))} runbook"
    if kind == "notes":
        return f"{team} weekly sync – {day(ago)}"
    return f"{product} {rng.choice(('roadmap', 'design notes', 'FAQ', 'glossary'))}"


def _wiki_pages(rng: random.Random, people: Sequence[Person], count: int) -> list[Page]:
    pages: list[Page] = []
    used: set[str] = set()  # membership only: never iterated
    for n in range(count):
        for _ in range(_TITLE_TRIES):
            ago = rng.randint(1, 600)
            title = _wiki_title(rng, ago)
            if title not in used:
                break
        else:
            continue
        used.add(title)
        # The page's owner is the person its text names ("Owner: …").
        owner = rng.choice(people)
        fill = {
            "product": next((p for p in PRODUCTS if title.startswith(p)), rng.choice(PRODUCTS)),
            "team": next((t for t in TEAMS if title.startswith(t)), rng.choice(list(TEAMS))),
            "person": owner.name,
        }
        body = "\n\n".join(
            " ".join(s.format(**fill) for s in rng.sample(WIKI_LINES, 3))
            for _ in range(rng.randint(1, 2))
        )
        links = tuple(
            (p.title, page_url("wiki", p.path)) for p in rng.sample(pages, min(len(pages), 2))
        )
        pages.append(
            Page("wiki", f"/{slug(title)}-{n}", "wiki", title, body, day(ago), owner.email, links)
        )
    return pages


def _job_pages(rng: random.Random, people: Sequence[Person], count: int) -> list[Page]:
    """Up to `count` openings, each a different role and office (so a different title)."""
    openings = rng.sample([(r, o) for r in JOB_ROLES for o in OFFICES], count)
    pages = []
    for n, (role, office) in enumerate(openings):
        low = rng.randrange(60_000, 150_000, 5_000)
        title = f"{role} – {office}"
        body = (
            f"{COMPANY} is hiring a {role} in {office}.\n\n"
            f"Salary range: ${low:,} to ${low + rng.randrange(10_000, 40_000, 5_000):,} a year.\n\n"
            f"You will work with the {rng.choice(list(TEAMS))} team on "
            f"{rng.choice(PRODUCTS)}. Hiring manager: {rng.choice(people).name}."
        )
        pages.append(
            Page("careers", f"/jobs/{1000 + n}", "jobs", title, body, day(rng.randint(1, 120)))
        )
    return pages


def _product_entities(rng: random.Random, people: Sequence[Person]) -> list[Entity]:
    out = [
        Entity(
            "company",
            COMPANY,
            "Software company; makes the " + ", ".join(PRODUCTS[:4]) + " and other products.",
            (
                ("Founded", "2009"),
                ("Headquarters", "Berlin"),
                ("CEO", people[0].name),
                ("Employees", "1,240"),
                ("Offices", ", ".join(OFFICES)),
            ),
            "intranet",
            "/",
        ),
    ]
    for product in PRODUCTS:
        lead = rng.choice(people)
        facts = (
            ("Product lead", lead.name),
            ("Launched", str(rng.randint(2012, 2023))),
            ("Category", rng.choice(("Analytics", "Collaboration", "Billing", "Data platform"))),
            ("Help center", page_url("help", f"/{slug(product)}")),
        )
        out.append(
            Entity("product", product, f"A {COMPANY} product.", facts, "help", f"/{slug(product)}")
        )
    return out


def populate(store: StateStore, rng: random.Random, people: Sequence[Person]) -> None:
    """About three thousand pages on five sites, indexed, and the knowledge panel's entities."""
    store.executescript(SCHEMA)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, title) VALUES (?,?,?)",
            [(p.name, p.email, p.title) for p in (ME, *people)],
        )
    staff = _people_pages(rng, people)
    pages = [
        *(page for page, _ in staff),
        *_team_pages(rng, people),
        *_policy_pages(rng, people),
        *_news_pages(rng, people, 1400),
        *_help_pages(rng, people),
        *_wiki_pages(rng, people, 600),
        *_job_pages(rng, people, 80),
    ]
    load_pages(store, pages)
    for entity in [*(e for _, e in staff), *_product_entities(rng, people)]:
        add_entity(store, entity)
