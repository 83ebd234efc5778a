"""Docs' schema and its seeded drive of documents, shares and comments."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from officegym.tasks.apps import FROZEN_NOW, StateStore
from officegym.tasks.apps.people import ME, Person

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                     title TEXT NOT NULL DEFAULT '');
CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,
                        owner TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
                        starred INTEGER NOT NULL DEFAULT 0, trashed INTEGER NOT NULL DEFAULT 0,
                        link_role TEXT NOT NULL DEFAULT '');
-- role: viewer | commenter | editor. A document's link_role (set from Drive): '' restricted, or
-- what anyone with the link may do (viewer | commenter | editor).
CREATE TABLE shares (doc_id INTEGER NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
                     PRIMARY KEY (doc_id, email));
-- image: a picture attached to the comment (a data: URL), or ''.
CREATE TABLE comments (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, author TEXT NOT NULL,
                       text TEXT NOT NULL, created TEXT NOT NULL, image TEXT NOT NULL DEFAULT '');
-- The document as it was after each editing session, newest last; the last one is the current
-- text. A session is one person's run of saves: the user's saves in an episode update one
-- version.
CREATE TABLE versions (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, title TEXT NOT NULL,
                       body TEXT NOT NULL, author TEXT NOT NULL, created TEXT NOT NULL,
                       note TEXT NOT NULL DEFAULT '');
-- Every change the user makes, for evaluators that must know nothing else was touched.
CREATE TABLE activity (id INTEGER PRIMARY KEY, verb TEXT NOT NULL, doc_id INTEGER NOT NULL,
                       detail TEXT NOT NULL DEFAULT '');
"""
ROLES = ("viewer", "commenter", "editor")
PROJECTS = ("Atlas", "Beacon", "Comet", "Delta", "Harbor", "Juniper", "Orion", "Maple")
DOCS = (
    (
        "Onboarding checklist",
        "Week one: laptop, accounts and a buddy.\n\nWeek two: shadow a "
        "customer call and write down three questions.\n\nWeek three: ship a small change.",
    ),
    (
        "Meeting notes – {p}",
        "Attendees: {a}, {b}.\n\nDecisions: the {p} launch stays on track; "
        "{a} owns the checklist.\n\nNext steps: review the budget on Friday.",
    ),
    (
        "{p} project brief",
        "Goal: make {p} the default for new customers.\n\nScope: sign-up, "
        "billing and the first report.\n\nRisks: the data import takes longer than planned.",
    ),
    (
        "Travel policy",
        "Book economy for flights under six hours.\n\nHotels up to $220 a night "
        "need no approval.\n\nFile receipts within 30 days.",
    ),
    (
        "Q{q} roadmap",
        "Themes: reliability, onboarding and reporting.\n\n{p}: beta in month "
        "two.\n\nHiring: two engineers and a designer.",
    ),
    (
        "Interview guide",
        "Open with the role and the team.\n\nAsk for one project they are proud "
        "of.\n\nLeave ten minutes for their questions.",
    ),
    (
        "Retro – {p}",
        "What went well: the demo, the docs.\n\nWhat did not: late reviews.\n\n"
        "Actions: {a} sets up a review rota.",
    ),
    (
        "Vendor comparison",
        "Contoso: cheapest, slow support.\n\nFabrikam: best API, pricier.\n\n"
        "Litware: good support, no SSO.",
    ),
)


def stamp(minutes_ago: int) -> str:
    return (datetime.fromisoformat(FROZEN_NOW) - timedelta(minutes=minutes_ago)).isoformat()


def add_document(
    store: StateStore,
    title: str,
    body: str,
    *,
    owner: str = ME.email,
    minutes_ago: int = 60,
    shares: Sequence[tuple[str, str]] = (),
) -> int:
    """Insert a document (shared with `(email, role)` pairs); return its id."""
    with store.transaction() as db:
        did = int(
            db.execute(
                "INSERT INTO documents(title, body, owner, created, modified) VALUES (?,?,?,?,?)",
                (title, body, owner, stamp(minutes_ago), stamp(minutes_ago)),
            ).lastrowid
            or 0
        )
        db.executemany("INSERT INTO shares VALUES (?,?,?)", [(did, e, r) for e, r in shares])
        db.execute(
            "INSERT INTO versions(doc_id, title, body, author, created) VALUES (?,?,?,?,?)",
            (did, title, body, owner, stamp(minutes_ago)),
        )
    return did


def add_version(
    store: StateStore, did: int, body: str, author: str, minutes_ago: int, note: str = ""
) -> None:
    """Someone's later edit of document `did`: its body becomes `body`."""
    title = store.scalar("SELECT title FROM documents WHERE id = ?", (did,))
    with store.transaction() as db:
        db.execute(
            "INSERT INTO versions(doc_id, title, body, author, created, note) VALUES (?,?,?,?,?,?)",
            (did, title, body, author, stamp(minutes_ago), note),
        )
        db.execute(
            "UPDATE documents SET body = ?, modified = ? WHERE id = ?",
            (body, stamp(minutes_ago), did),
        )


def populate(store: StateStore, rng: random.Random, directory: Sequence[Person]) -> None:
    """A drive of about a dozen documents: the user's own, some shared with them, a few comments."""
    store.executescript(SCHEMA)
    people = list(directory)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO people(name, email, title) VALUES (?,?,?)",
            [(p.name, p.email, p.title) for p in (ME, *people)],
        )
    minutes = 0
    for title, body in rng.sample(DOCS, len(DOCS)) + rng.sample(DOCS[1:3], 2):
        minutes += rng.randint(60, 2000)
        a, b = rng.sample(people, 2)
        fields = {"p": rng.choice(PROJECTS), "q": rng.randint(1, 4), "a": a.first, "b": b.first}
        mine = rng.random() < 0.65
        owner = ME.email if mine else a.email
        shares = [(p.email, rng.choice(ROLES)) for p in rng.sample(people, rng.randint(0, 2))]
        if not mine:
            shares.append((ME.email, rng.choice(("commenter", "editor"))))
        did = add_document(
            store,
            title.format(**fields),
            body.format(**fields),
            owner=owner,
            minutes_ago=minutes,
            shares=shares,
        )
        if rng.random() < 0.3:
            store.execute(
                "INSERT INTO comments(doc_id, author, text, created) VALUES (?,?,?,?)",
                (
                    did,
                    b.email,
                    rng.choice(("Looks good to me.", "Can we add a date here?")),
                    stamp(minutes - 30),
                ),
            )
